"""OTA127: the code-signing certificate behind each file is within its validity period."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from checker.rules.ota127_certificate_expired import CertificateExpired
from tests.rules.chain_configs import CERT, JOB_PATH, certificate, day, found, job, messages, one
from tests.rules.harness import live_views, violations

RULE = CertificateExpired()


def _valid(**dates: Any) -> list[str]:
    return messages(
        RULE, one(signingJob=job(certificateArn=CERT), certificate=certificate(**dates))
    )


def test_expired_and_not_yet_valid_are_named_with_their_day() -> None:
    found_by_id = violations(RULE, live_views("OTA127"))
    assert [(v.path, v.message) for v in found_by_id["fail_expired"]] == [
        (JOB_PATH, f"file fw.bin: certificate {CERT} expired on 2026-11-01, before the audit")
    ]
    assert [(v.path, v.message) for v in found_by_id["fail_not_yet_valid"]] == [
        (
            JOB_PATH,
            f"file fw.bin: certificate {CERT} is not valid until 2026-12-01, after the audit",
        )
    ]


def test_valid_through_not_after_and_from_not_before() -> None:
    """RFC 5280: both ends of the validity period are inclusive."""
    assert _valid(notBefore=day(0), notAfter=day(0)) == []
    assert len(_valid(notAfter=day(seconds=-1))) == 1
    assert len(_valid(notBefore=day(seconds=1))) == 1


def test_an_expired_certificate_is_one_finding_even_if_its_dates_are_crossed() -> None:
    assert _valid(notBefore=day(5), notAfter=day(-5)) == [
        f"file fw.bin: certificate {CERT} expired on 2026-11-20, before the audit"
    ]


@pytest.mark.parametrize(
    "dates",
    [
        {},
        {"notAfter": "2026-11-01T00:00:00Z"},
        {"notAfter": datetime(2026, 11, 1)},
        {"notBefore": 0, "notAfter": [day(-1)]},
    ],
)
def test_missing_or_odd_dates_do_not_fire(dates: dict[str, Any]) -> None:
    assert _valid(**dates) == []


def test_a_certificate_not_found_is_ota126_s() -> None:
    config = one(
        signingJob=job(certificateArn=CERT),
        certificate={"certificateArn": CERT, "found": False, "notAfter": day(-1)},
    )
    assert found(RULE, config) == []
