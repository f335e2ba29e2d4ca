"""OTA126: the code-signing certificate behind each file exists, is issued and not revoked."""

from __future__ import annotations

from typing import Any

import pytest

from checker.rules.ota126_certificate_status import CertificateNotIssued
from tests.rules.chain_configs import (
    CERT,
    CERT_PATH,
    JOB_PATH,
    PROFILE_PATH,
    certificate,
    found,
    gone,
    job,
    live,
    one,
    profile,
)
from tests.rules.harness import live_views, violations

RULE = CertificateNotIssued()


def test_a_revoked_certificate_names_its_status_date_and_reason() -> None:
    found_by_id = violations(RULE, live_views("OTA126"))
    assert [(v.path, v.message) for v in found_by_id["fail_revoked"]] == [
        (
            JOB_PATH,
            f"file fw.bin: certificate {CERT} has status REVOKED, not ISSUED and was revoked on "
            "2026-11-20 (KEY_COMPROMISE)",
        )
    ]
    assert [v.message for v in found_by_id["fail_inactive"]] == [
        f"file fw.bin: certificate {CERT} has status INACTIVE, not ISSUED"
    ]
    assert [v.message for v in found_by_id["fail_revoked_at_only"]] == [
        f"file fw.bin: certificate {CERT} was revoked on 2026-11-20"
    ]


def test_a_certificate_acm_does_not_know_is_a_finding() -> None:
    found_by_id = violations(RULE, live_views("OTA126"))
    assert [v.message for v in found_by_id["fail_certificate_gone"]] == [
        f"file fw.bin: certificate {CERT} does not exist (ACM found no such certificate)"
    ]


def test_the_certificate_is_reported_where_the_config_or_the_chain_names_it() -> None:
    """The config's certificateArn; else the job that names it; else its profile's place."""
    revoked = certificate(status="REVOKED")
    named = {
        "fileName": "fw.bin",
        "codeSigning": {
            "startSigningJobParameter": {
                "signingProfileName": "fw_prod",
                "signingProfileParameter": {"certificateArn": CERT},
            }
        },
    }
    assert [p for p, _ in found(RULE, live([named], [{"certificate": revoked}]))] == [CERT_PATH]
    from_profile = {
        "fileName": "fw.bin",
        "codeSigning": {"startSigningJobParameter": {"signingProfileName": "fw_prod"}},
    }
    chain = [{"signingProfile": profile(certificateArn=CERT), "certificate": revoked}]
    assert [p for p, _ in found(RULE, live([from_profile], chain))] == [PROFILE_PATH]
    from_job_profile = one(
        signingJob=job(profileName="fw_prod"),
        signingProfile=profile(certificateArn=CERT),
        certificate=revoked,
    )
    assert [p for p, _ in found(RULE, from_job_profile)] == [JOB_PATH]


@pytest.mark.parametrize(
    "link",
    [
        certificate(status="ISSUED"),
        certificate(),
        certificate(status=3),
        certificate(status="ISSUED", revokedAt="2026-11-20"),
        {"certificateArn": CERT, "status": "REVOKED"},
        None,
        "REVOKED",
    ],
)
def test_issued_unrevoked_or_odd_data_does_not_fire(link: Any) -> None:
    assert found(RULE, one(signingJob=job(certificateArn=CERT), certificate=link)) == []


def test_a_missing_certificate_without_an_arn_is_shown_as_unknown() -> None:
    config = one(signingJob=gone("signingJob", "job-1"), certificate={"found": False})
    assert [m for _, m in found(RULE, config)] == [
        "file fw.bin: certificate ? does not exist (ACM found no such certificate)"
    ]
