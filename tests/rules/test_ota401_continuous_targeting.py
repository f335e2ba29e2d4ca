"""OTA401: targets are a snapshot, not a standing subscription."""

from __future__ import annotations

from checker.rules.interface import ConfigView
from checker.rules.ota401_continuous_targeting import ContinuousTargetSelection
from tests.rules.harness import AS_OF, declared_views, violations

RULE = ContinuousTargetSelection()


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
