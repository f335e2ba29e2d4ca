"""OTA302: the rollout rate stays within policy."""

from __future__ import annotations

from checker.rules.ota302_rollout_rate import RolloutRateTooHigh
from tests.rules.harness import declared_views, fired, violations

RULE = RolloutRateTooHigh()


def test_parameters_move_the_thresholds() -> None:
    """With maxPerMinute 50 (the strict pack), a rate of 200 fires too."""
    views = declared_views("OTA302")
    assert "pass_at_the_limits" in fired(RULE, views, {"maxPerMinute": 50})


def test_each_limit_is_its_own_violation_with_its_path() -> None:
    """The base-rate violation points at exponentialRate.baseRatePerMinute."""
    found = violations(RULE, declared_views("OTA302"))["fail_base_rate_51"]
    assert [v.path for v in found] == [
        ("awsJobExecutionsRolloutConfig", "exponentialRate", "baseRatePerMinute")
    ]
