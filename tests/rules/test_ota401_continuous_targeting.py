"""OTA401: targets are a snapshot, not a standing subscription."""

from __future__ import annotations

from checker.rules.interface import ConfigView
from checker.rules.ota401_continuous_targeting import ContinuousTargetSelection
from tests.rules.harness import (
    AS_OF,
    declared_views,
    expected_failures,
    fired,
    live_views,
    violations,
)

RULE = ContinuousTargetSelection()


def test_fires_on_exactly_the_failing_declared_updates() -> None:
    """CONTINUOUS fires; SNAPSHOT and an omitted targetSelection (SNAPSHOT) do not."""
    views = declared_views("OTA401")
    assert fired(RULE, views) == expected_failures(views)


def test_fires_on_exactly_the_failing_live_updates() -> None:
    """The live side is checked the same way."""
    views = live_views("OTA401")
    assert fired(RULE, views) == expected_failures(views)


def test_points_at_target_selection() -> None:
    """The violation is at targetSelection and names CONTINUOUS."""
    found = violations(RULE, declared_views("OTA401"))["fail_continuous"]
    assert [(v.path, v.message) for v in found] == [
        (
            ("targetSelection",),
            "targetSelection is CONTINUOUS: things that join a target group later get the "
            "update at once, outside the rollout rate",
        )
    ]


def test_odd_live_data_does_not_raise() -> None:
    """A targetSelection of the wrong type is not CONTINUOUS."""
    config = {"targetSelection": ["CONTINUOUS"]}
    assert list(RULE.check(ConfigView("odd", "live", config, AS_OF), {})) == []
