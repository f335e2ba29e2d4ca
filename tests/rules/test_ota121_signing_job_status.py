"""OTA121: the signing job behind each file exists and succeeded."""

from __future__ import annotations

from typing import Any

import pytest

from checker.rules.ota121_signing_job_status import SigningJobNotSucceeded
from tests.rules.chain_configs import JOB_PATH, found, gone, job, one
from tests.rules.harness import live_views, violations

RULE = SigningJobNotSucceeded()


def test_a_failed_job_is_named_with_its_status_reason() -> None:
    found_by_id = violations(RULE, live_views("OTA121"))
    assert [(v.path, v.message) for v in found_by_id["fail_failed"]] == [
        (
            JOB_PATH,
            "file fw.bin: signing job job-1 has status Failed, not Succeeded: Access denied to "
            "the source object",
        )
    ]
    assert [v.message for v in found_by_id["fail_in_progress"]] == [
        "file fw.bin: signing job job-1 has status InProgress, not Succeeded"
    ]


def test_a_job_signer_does_not_know_is_a_finding() -> None:
    assert found(RULE, one(signingJob=gone("signingJob", "job-1"))) == [
        (
            JOB_PATH,
            "file fw.bin: signing job job-1 does not exist (Signer found no such job), so "
            "nothing shows the image was signed",
        )
    ]


def test_each_file_is_judged_at_its_own_position() -> None:
    found_by_id = violations(RULE, live_views("OTA121"))
    assert [(v.path, v.message) for v in found_by_id["fail_second_file"]] == [
        (
            ("files", 1, "codeSigning", "awsSignerJobId"),
            "file boot.bin: signing job job-2 has status Failed, not Succeeded",
        )
    ]


def test_a_succeeded_job_or_one_without_a_status_passes() -> None:
    assert found(RULE, one(signingJob=job(status="Succeeded"))) == []
    assert found(RULE, one(signingJob=job())) == []


@pytest.mark.parametrize(
    "link",
    [
        None,
        "Failed",
        {"jobId": "job-1", "status": "Failed"},  # no `found`: neither found nor missing
        {"jobId": "job-1", "found": "false", "status": "Failed"},
        {"jobId": "job-1", "found": 0},
        job(status=["Failed"]),
        job(status=""),
    ],
)
def test_odd_links_do_not_fire(link: Any) -> None:
    assert found(RULE, one(signingJob=link)) == []


def test_an_odd_reason_or_job_id_is_left_out_or_shown_as_unknown() -> None:
    config = one(signingJob={"found": True, "status": "Failed", "statusReason": 3})
    assert [m for _, m in found(RULE, config)] == [
        "file fw.bin: signing job ? has status Failed, not Succeeded"
    ]
