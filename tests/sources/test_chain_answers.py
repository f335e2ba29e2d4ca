"""The answer checks --verify adds: statuses the chain rules judge must be the model's, a
revocation record is a revocation however empty, and S3 stays in the partition's region."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest

from checker.chain import MAX_TEXT_CHARS, job_link, profile_link
from checker.sources.answers import MalformedAnswer, check_answer
from checker.sources.aws import LeftRegion, _StayInRegion


def operation(service: str, name: str) -> Any:
    return botocore.session.get_session().get_service_model(service).operation_model(name)


@pytest.mark.parametrize(
    ("service", "name", "request_", "answer", "message"),
    [
        (
            "signer",
            "GetSigningProfile",
            {"profileName": "fw_prod"},
            {"profileName": "fw_prod", "status": "CANCELED"},
            "status is 'CANCELED', not one of Active, Canceled, Revoked",
        ),
        (
            "signer",
            "DescribeSigningJob",
            {"jobId": "j"},
            {"jobId": "j", "status": "Done"},
            "status is 'Done', not one of InProgress, Failed, Succeeded",
        ),
        (
            "acm",
            "DescribeCertificate",
            {"CertificateArn": "arn:aws:acm:eu-west-1:1:certificate/c"},
            {
                "Certificate": {
                    "CertificateArn": "arn:aws:acm:eu-west-1:1:certificate/c",
                    "Status": "OK",
                }
            },
            "Certificate.Status is 'OK', not one of PENDING_VALIDATION, ISSUED, INACTIVE, "
            "EXPIRED, VALIDATION_TIMED_OUT, REVOKED, FAILED",
        ),
        (
            "s3",
            "HeadObject",
            {"Bucket": "b", "Key": "k", "VersionId": "v1"},
            {"ContentLength": 1, "ETag": '"e"'},
            "the answer is for no version, not version 'v1'",
        ),
        (
            "s3",
            "HeadObject",
            {"Bucket": "b", "Key": "k", "VersionId": "v1"},
            {"ContentLength": 1, "ETag": '"e"', "VersionId": "v2"},
            "the answer is for version 'v2', not version 'v1'",
        ),
    ],
)
def test_a_status_the_model_does_not_list_or_another_version_is_malformed(
    service: str, name: str, request_: dict[str, Any], answer: dict[str, Any], message: str
) -> None:
    with pytest.raises(MalformedAnswer) as raised:
        check_answer(operation(service, name), request_, answer)
    assert str(raised.value) == message


def test_the_models_own_statuses_pass() -> None:
    check_answer(
        operation("signer", "GetSigningProfile"),
        {"profileName": "fw_prod"},
        {"profileName": "fw_prod", "status": "Canceled"},
    )


def test_an_empty_revocation_record_is_still_a_revocation() -> None:
    job = job_link("j", {"jobId": "j", "status": "Succeeded", "revocationRecord": {}})
    profile = profile_link("p", {"profileName": "p", "status": "Active", "revocationRecord": {}})
    assert (job["revocation"], profile["revocation"]) == ({}, {})
    assert "revocation" not in job_link("j", {"jobId": "j", "status": "Succeeded"})


def test_a_reason_of_any_length_is_kept_short() -> None:
    job = job_link("j", {"jobId": "j", "status": "Failed", "statusReason": "x" * 200_000})
    assert len(job["statusReason"]) == MAX_TEXT_CHARS
    assert job["statusReason"].endswith("...")


class _Request:
    def __init__(self, region: str | None = None) -> None:
        self.context = {"signing": {"region": region}} if region else {}


def test_s3_requests_stay_in_the_partitions_region() -> None:
    guard = _StayInRegion("eu-west-1")
    guard(_Request(), operation_name="HeadObject")
    guard(_Request("eu-west-1"), operation_name="HeadObject")
    with pytest.raises(LeftRegion, match="redirected HeadObject to 'us-east-1'"):
        guard(_Request("us-east-1"), operation_name="HeadObject")
    with pytest.raises(LeftRegion, match="asked HeadBucket to find the bucket's region"):
        guard(_Request(), operation_name="HeadBucket")
