"""OTA128: the code-signing certificate behind each file does not expire soon after the audit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from checker.rules.ota128_certificate_expiring import CertificateExpiring
from tests.rules.chain_configs import CERT, JOB_PATH, certificate, day, job, messages, one
from tests.rules.harness import live_views, violations

RULE = CertificateExpiring()


def _expiring(not_after: Any, **params: Any) -> list[str]:
    config = one(signingJob=job(certificateArn=CERT), certificate=certificate(notAfter=not_after))
    return messages(RULE, config, **params)


def test_an_expiring_certificate_says_how_long_is_left() -> None:
    found_by_id = violations(RULE, live_views("OTA128"))
    assert [(v.path, v.message) for v in found_by_id["fail_expiring"]] == [
        (
            JOB_PATH,
            f"file fw.bin: certificate {CERT} expires on 2026-12-10, 15 days after the audit "
            "(policy: at least 30 days left)",
        )
    ]
    assert [v.message for v in found_by_id["fail_expires_today"]] == [
        f"file fw.bin: certificate {CERT} expires on 2026-11-25, less than a day after the "
        "audit (policy: at least 30 days left)"
    ]


def test_exactly_min_days_left_passes() -> None:
    assert _expiring(day(30)) == []
    assert len(_expiring(day(30, seconds=-1))) == 1


def test_expired_and_not_yet_valid_are_left_to_ota127() -> None:
    found_by_id = violations(RULE, live_views("OTA128"))
    assert found_by_id["pass_expired"] == found_by_id["pass_not_yet_valid"] == []
    assert len(_expiring(day(0))) == 1  # valid through notAfter: still expiring, not expired


def test_the_parameter_moves_the_threshold_within_its_bounds() -> None:
    assert _expiring(day(15), minDaysLeft=15) == []
    assert len(_expiring(day(364), minDaysLeft=365)) == 1
    assert _expiring(day(1), minDaysLeft=1) == []
    assert len(_expiring(day(hours=23), minDaysLeft=1)) == 1
    param = RULE.meta.param("minDaysLeft")
    assert param.default == 30
    assert param.problem(0) is not None and param.problem(366) is not None


@pytest.mark.parametrize(
    "not_after", [None, "2026-12-01T00:00:00Z", datetime(2026, 12, 1), 1_800_000_000, {}]
)
def test_missing_or_odd_dates_do_not_fire(not_after: Any) -> None:
    assert _expiring(not_after) == []
