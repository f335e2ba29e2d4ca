"""OTA122: the signature of each file's signing job was not revoked."""

from __future__ import annotations

from typing import Any

import pytest

from checker.rules.ota122_signing_job_revoked import SigningJobRevoked
from tests.rules.chain_configs import JOB_PATH, day, found, gone, job, one
from tests.rules.harness import live_views, violations

RULE = SigningJobRevoked()


def test_a_revoked_signature_says_when_by_whom_and_why() -> None:
    found_by_id = violations(RULE, live_views("OTA122"))
    assert [(v.path, v.message) for v in found_by_id["fail_revoked"]] == [
        (
            JOB_PATH,
            "file fw.bin: the signature of signing job job-1 was revoked on 2026-11-20 by "
            "arn:aws:iam::123456789012:user/release (reason: signed by mistake): devices must "
            "not trust it",
        )
    ]
    assert [v.message for v in found_by_id["fail_revoked_without_details"]] == [
        "file fw.bin: the signature of signing job job-1 was revoked (reason: key compromised): "
        "devices must not trust it"
    ]


def test_a_revocation_without_any_detail_still_fires() -> None:
    assert found(RULE, one(signingJob=job(revocation={}))) == [
        (
            JOB_PATH,
            "file fw.bin: the signature of signing job job-1 was revoked: devices must "
            "not trust it",
        )
    ]


def test_the_revocation_date_is_shown_as_a_day_in_utc() -> None:
    config = one(signingJob=job(revocation={"revokedAt": day(hours=23.5)}))
    assert "was revoked on 2026-11-25:" in found(RULE, config)[0][1]


@pytest.mark.parametrize(
    "link",
    [
        job(status="Succeeded"),
        gone("signingJob", "job-1"),
        {"jobId": "job-1", "revocation": {"reason": "x"}},  # not found: nothing to judge
        job(revocation="revoked"),
        job(revocation=["x"]),
        None,
        [],
    ],
)
def test_no_revocation_record_or_odd_data_does_not_fire(link: Any) -> None:
    assert found(RULE, one(signingJob=link)) == []


def test_odd_revocation_fields_are_left_out() -> None:
    config = one(signingJob=job(revocation={"revokedAt": "2026-11-20", "revokedBy": 3}))
    assert [m for _, m in found(RULE, config)] == [
        "file fw.bin: the signature of signing job job-1 was revoked: devices must not trust it"
    ]
