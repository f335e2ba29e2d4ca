"""OTA301: the rollout is rate-limited at all."""

from __future__ import annotations

import copy
from typing import Any

from checker.rules.interface import ConfigView
from checker.rules.ota301_rollout_limit import RolloutUnlimited
from tests.rules.harness import AS_OF, declared_views, fired, violations

RULE = RolloutUnlimited()


def _view(config: Any) -> ConfigView:
    return ConfigView("odd", "live", config, AS_OF)


def test_points_at_the_whole_update() -> None:
    """An absent and an empty rollout config are both reported on the whole update, alike."""
    found = violations(RULE, declared_views("OTA301"))
    assert [(v.path, v.message) for v in found["fail_not_set"]] == [
        (
            (),
            "awsJobExecutionsRolloutConfig is not set: the service starts up to 1000 "
            "executions a minute",
        )
    ]
    assert [v.path for v in found["fail_empty"]] == [()]


def test_nulls_and_empty_blocks_count_as_empty() -> None:
    """A config of nothing but nulls and empty blocks limits nothing; a non-mapping neither."""
    for config, expected in [
        ({"awsJobExecutionsRolloutConfig": {"maximumPerMinute": None}}, {"odd"}),
        ({"awsJobExecutionsRolloutConfig": {"exponentialRate": {}}}, {"odd"}),
        (
            {"awsJobExecutionsRolloutConfig": {"exponentialRate": {"baseRatePerMinute": None}}},
            {"odd"},
        ),
        ({"awsJobExecutionsRolloutConfig": "fast"}, {"odd"}),
        ({"awsJobExecutionsRolloutConfig": {"maximumPerMinute": 0}}, set()),
    ]:
        before = copy.deepcopy(config)
        assert fired(RULE, [_view(config)]) == expected
        assert config == before
