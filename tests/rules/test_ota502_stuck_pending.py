"""OTA502: the OTA update is not stuck being created."""

from __future__ import annotations

from datetime import datetime

from checker.rules.interface import ConfigView
from checker.rules.ota502_stuck_pending import UpdateStuckPending
from tests.rules.harness import AS_OF, fired, live_views, violations

RULE = UpdateStuckPending()


def test_exactly_the_limit_does_not_fire() -> None:
    """An update last modified exactly maxPendingHours before the audit passes."""
    assert violations(RULE, live_views("OTA502"))["pass_pending_exactly_24_h"] == []


def test_parameter_moves_the_threshold() -> None:
    """With maxPendingHours 12 a day fires; with 48 a day and a minute does not."""
    views = live_views("OTA502")
    assert "pass_pending_exactly_24_h" in fired(RULE, views, {"maxPendingHours": 12})
    assert "fail_pending_24_h_1_min" not in fired(RULE, views, {"maxPendingHours": 48})


def test_points_at_the_status_and_says_how_long() -> None:
    """The violation is at otaUpdateStatus and names the status, the date and the age."""
    found = violations(RULE, live_views("OTA502"))["fail_pending_24_h_1_min"]
    assert [(v.path, v.message) for v in found] == [
        (
            ("otaUpdateStatus",),
            "otaUpdateStatus is CREATE_PENDING since 2026-11-23T23:59:00+00:00, "
            "24 h 1 min before the audit (policy: at most 24 h)",
        )
    ]


def test_naive_dates_are_taken_as_utc() -> None:
    """A date without a time zone is compared as UTC instead of raising."""
    config = {"otaUpdateStatus": "CREATE_IN_PROGRESS", "lastModifiedDate": datetime(2026, 11, 22)}
    found = list(RULE.check(ConfigView("odd", "live", config, AS_OF), {"maxPendingHours": 24}))
    assert [v.message for v in found] == [
        "otaUpdateStatus is CREATE_IN_PROGRESS since 2026-11-22T00:00:00, "
        "72 h before the audit (policy: at most 24 h)"
    ]


def test_odd_live_data_does_not_raise() -> None:
    """A date that is not a datetime is skipped."""
    config = {"otaUpdateStatus": "CREATE_PENDING", "lastModifiedDate": "last week"}
    assert list(RULE.check(ConfigView("odd", "live", config, AS_OF), {"maxPendingHours": 24})) == []
