"""OTA125: no file was signed after its signing profile's revocation took effect."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from checker.rules.ota125_profile_revoked_before_signature import SignedAfterProfileRevocation
from tests.rules.chain_configs import JOB_PATH, PROFILE_PATH, day, found, job, live, one, profile
from tests.rules.harness import live_views, violations

RULE = SignedAfterProfileRevocation()


def _revoked(effective: Any, **job_fields: Any) -> dict[str, Any]:
    return one(
        signingJob=job(profileName="fw_prod", **job_fields),
        signingProfile=profile(status="Revoked", revocation={"revocationEffectiveFrom": effective}),
    )


def test_a_signature_made_after_the_revocation_took_effect_fires() -> None:
    found_by_id = violations(RULE, live_views("OTA125"))
    assert [(v.path, v.message) for v in found_by_id["fail_signed_after"]] == [
        (
            JOB_PATH,
            "file fw.bin: signing profile fw_prod was revoked with effect from 2026-11-01, and "
            "signing job job-1 signed the image on 2026-11-10: the signature is not trusted",
        )
    ]


def test_signed_at_the_effective_time_fires_a_moment_before_passes() -> None:
    effective = day(-10)
    assert len(found(RULE, _revoked(effective, completedAt=effective))) == 1
    assert found(RULE, _revoked(effective, completedAt=day(-10, seconds=-1))) == []


def test_the_signature_time_is_completed_at_else_created_at() -> None:
    effective = day(-10)
    created_before = _revoked(effective, createdAt=day(-11), completedAt=day(-9))
    assert len(found(RULE, created_before)) == 1  # completedAt, 1 day after: fires
    assert found(RULE, _revoked(effective, createdAt=day(-11))) == []
    assert len(found(RULE, _revoked(effective, createdAt=day(-9)))) == 1


def test_without_a_signing_time_a_revocation_in_effect_now_fires() -> None:
    found_by_id = violations(RULE, live_views("OTA125"))
    assert [v.message for v in found_by_id["fail_no_signing_time"]] == [
        "file fw.bin: signing profile fw_prod was revoked with effect from 2026-11-01, and no "
        "signing time shows the image was signed before: its signature cannot be trusted"
    ]
    assert found(RULE, _revoked(day(1))) == []
    assert len(found(RULE, _revoked(day(0)))) == 1


def test_a_profile_named_by_the_config_without_a_job_is_judged_against_now() -> None:
    file = {
        "fileName": "fw.bin",
        "codeSigning": {"startSigningJobParameter": {"signingProfileName": "fw_prod"}},
    }
    chain = [{"signingProfile": profile(revocation={"revocationEffectiveFrom": day(-1)})}]
    assert [p for p, _ in found(RULE, live([file], chain))] == [PROFILE_PATH]


def test_a_job_not_found_gives_no_signing_time() -> None:
    config = one(
        signingJob={"jobId": "job-1", "found": False, "completedAt": day(-30)},
        signingProfile=profile(revocation={"revocationEffectiveFrom": day(-5)}),
    )
    assert [m.split(", and ")[1] for _, m in found(RULE, config)] == [
        "no signing time shows the image was signed before: its signature cannot be trusted"
    ]


@pytest.mark.parametrize(
    "revocation",
    [
        None,
        {},
        "revoked",
        {"revocationEffectiveFrom": "2026-11-01"},
        {"revokedAt": 3},
        {"revocationEffectiveFrom": datetime(2026, 11, 1)},
    ],
)
def test_no_effective_time_or_an_odd_one_does_not_fire(revocation: Any) -> None:
    config = one(signingJob=job(completedAt=day(-1)), signingProfile=profile(revocation=revocation))
    assert found(RULE, config) == []


def test_odd_signing_times_are_no_signing_time() -> None:
    config = _revoked(day(-5), completedAt="2026-11-24", createdAt=7)
    assert "no signing time shows" in found(RULE, config)[0][1]
