"""OTA123: the signature of each file's signing job stays valid well after the audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from checker.rules.ota123_signature_expiring import SignatureExpiring
from tests.rules.chain_configs import JOB_PATH, day, job, messages, one
from tests.rules.harness import live_views, violations

RULE = SignatureExpiring()


def _expiring(expires: Any, **params: Any) -> list[str]:
    return messages(RULE, one(signingJob=job(signatureExpiresAt=expires)), **params)


def test_an_expired_and_an_expiring_signature_are_named() -> None:
    found_by_id = violations(RULE, live_views("OTA123"))
    assert [(v.path, v.message) for v in found_by_id["fail_expired"]] == [
        (
            JOB_PATH,
            "file fw.bin: the signature of signing job job-1 expired on 2026-11-01: the image is "
            "no longer validly signed",
        )
    ]
    assert [(v.path, v.message) for v in found_by_id["fail_expiring"]] == [
        (
            JOB_PATH,
            "file fw.bin: the signature of signing job job-1 expires on 2026-12-05, 10 days "
            "after the audit (policy: at least 30 days left)",
        )
    ]


def test_exactly_min_days_left_passes() -> None:
    assert _expiring(day(30)) == []
    assert _expiring(day(30, hours=-1)) == [
        "file fw.bin: the signature of signing job job-1 expires on 2026-12-24, 29 days after "
        "the audit (policy: at least 30 days left)"
    ]


def test_under_a_day_left_and_at_the_audit_itself() -> None:
    assert _expiring(day(1)) == [
        "file fw.bin: the signature of signing job job-1 expires on 2026-11-26, 1 day after the "
        "audit (policy: at least 30 days left)"
    ]
    assert ", less than a day after the audit" in _expiring(day(hours=5))[0]
    assert _expiring(day(0))[0].endswith(
        "expired on 2026-11-25: the image is no longer validly signed"
    )


def test_the_parameter_moves_the_threshold_within_its_bounds() -> None:
    assert _expiring(day(15), minDaysLeft=15) == []
    assert len(_expiring(day(364), minDaysLeft=365)) == 1
    assert _expiring(day(1), minDaysLeft=1) == []
    assert len(_expiring(day(-1), minDaysLeft=1)) == 1  # expired: whatever the limit
    param = RULE.meta.param("minDaysLeft")
    assert param.default == 30
    assert param.problem(0) is not None and param.problem(366) is not None
    assert param.problem(1) is None and param.problem(365) is None


@pytest.mark.parametrize(
    "expires",
    [None, "2026-11-01T00:00:00Z", 1_700_000_000, datetime(2026, 11, 1), [day(-1)]],
)
def test_a_missing_or_odd_expiry_does_not_fire(expires: Any) -> None:
    """Not a datetime with a time zone (a naive one included): not judged."""
    assert _expiring(expires) == []


def test_a_job_not_found_is_not_judged_here() -> None:
    config = one(signingJob={"jobId": "job-1", "found": False, "signatureExpiresAt": day(-1)})
    assert messages(RULE, config) == []


def test_dates_in_other_zones_are_compared_and_shown_in_utc() -> None:
    late = datetime(2026, 12, 1, 1, 0, tzinfo=timezone(timedelta(hours=5)))  # 11-30 20:00 UTC
    assert _expiring(late)[0].startswith(
        "file fw.bin: the signature of signing job job-1 expires on 2026-11-30, 5 days"
    )
    assert datetime(2026, 11, 30, 20, tzinfo=UTC) == late
