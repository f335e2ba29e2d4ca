"""OTA305: the exponential rollout speeds up only as devices succeed."""

from __future__ import annotations

from checker.rules.interface import ConfigView
from checker.rules.ota305_rate_increase_criteria import RateGrowsOnNotificationsAlone
from tests.rules.harness import AS_OF, declared_views, live_views, violations

RULE = RateGrowsOnNotificationsAlone()


def test_points_at_the_criteria_and_names_the_notified_count() -> None:
    """The violation is at rateIncreaseCriteria and names the notification count."""
    found = violations(RULE, declared_views("OTA305"))["fail_notified_things_only"]
    assert [(v.path, v.message) for v in found] == [
        (
            ("awsJobExecutionsRolloutConfig", "exponentialRate", "rateIncreaseCriteria"),
            "rateIncreaseCriteria has no numberOfSucceededThings: "
            "the rate grows every 1000 notified things alone",
        )
    ]


def test_missing_criteria_point_at_the_exponential_rate() -> None:
    """Live data without rateIncreaseCriteria points at its enclosing exponentialRate."""
    found = violations(RULE, live_views("OTA305"))["fail_no_criteria"]
    assert [v.path for v in found] == [("awsJobExecutionsRolloutConfig", "exponentialRate")]


def test_odd_live_data_does_not_raise() -> None:
    """Wrong types are skipped where nothing is set, and reported where criteria are unusable."""
    rate = ("awsJobExecutionsRolloutConfig", "exponentialRate")
    cases: list[tuple[dict[str, object], list[tuple[str | int, ...]]]] = [
        ({"awsJobExecutionsRolloutConfig": ["x"]}, []),
        ({"awsJobExecutionsRolloutConfig": {"exponentialRate": 3}}, []),
        (
            {"awsJobExecutionsRolloutConfig": {"exponentialRate": {"rateIncreaseCriteria": []}}},
            [rate],
        ),
    ]
    for config, paths in cases:
        found = RULE.check(ConfigView("odd", "live", config, AS_OF), {})
        assert [v.path for v in found] == paths
