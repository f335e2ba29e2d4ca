"""OTA124: the signing profile behind each file exists and is neither canceled nor revoked."""

from __future__ import annotations

from typing import Any

import pytest

from checker.rules.ota124_signing_profile_status import SigningProfileStopped
from tests.rules.chain_configs import (
    JOB_PATH,
    PROFILE_PATH,
    found,
    gone,
    job,
    live,
    one,
    profile,
)
from tests.rules.harness import live_views, violations

RULE = SigningProfileStopped()


def test_the_job_s_profile_is_reported_at_the_job_id() -> None:
    """No config field names the job's profile: the finding points at the job that uses it."""
    found_by_id = violations(RULE, live_views("OTA124"))
    assert [(v.path, v.message) for v in found_by_id["fail_revoked"]] == [
        (JOB_PATH, "file fw.bin: signing profile fw_prod is Revoked: key compromised")
    ]
    assert [v.message for v in found_by_id["fail_canceled"]] == [
        "file fw.bin: signing profile fw_prod (version 2) is Canceled"
    ]
    assert [(v.path, v.message) for v in found_by_id["fail_profile_gone"]] == [
        (
            JOB_PATH,
            "file fw.bin: signing profile fw_prod does not exist (Signer found no such profile)",
        )
    ]


def test_a_profile_the_config_names_is_reported_where_it_is_named() -> None:
    found_by_id = violations(RULE, live_views("OTA124"))
    assert [(v.path, v.message) for v in found_by_id["fail_named_profile_canceled"]] == [
        (PROFILE_PATH, "file fw.bin: signing profile fw_prod is Canceled")
    ]


def test_a_named_profile_that_is_not_the_one_read_points_at_the_job() -> None:
    """The config names another profile than the job used: the job's is the one judged."""
    file = {
        "fileName": "fw.bin",
        "codeSigning": {
            "awsSignerJobId": "job-1",
            "startSigningJobParameter": {"signingProfileName": "other"},
        },
    }
    chain = [
        {"signingJob": job(profileName="fw_prod"), "signingProfile": profile(status="Revoked")}
    ]
    assert [p for p, _ in found(RULE, live([file], chain))] == [JOB_PATH]


@pytest.mark.parametrize("status", ["Active", "ACTIVE", "revoked", None, 3, ["Revoked"]])
def test_other_statuses_and_odd_ones_pass(status: Any) -> None:
    """Signer's statuses are Active, Canceled and Revoked, spelled so: nothing else fires."""
    assert found(RULE, one(signingJob=job(), signingProfile=profile(status=status))) == []


@pytest.mark.parametrize("link", [None, "Revoked", {"profileName": "p", "status": "Revoked"}, []])
def test_odd_links_do_not_fire(link: Any) -> None:
    assert found(RULE, one(signingJob=job(), signingProfile=link)) == []


def test_a_missing_profile_without_a_name_is_shown_as_unknown() -> None:
    config = one(signingJob=gone("signingJob", "job-1"), signingProfile={"found": False})
    assert [m for _, m in found(RULE, config)] == [
        "file fw.bin: signing profile ? does not exist (Signer found no such profile)"
    ]
