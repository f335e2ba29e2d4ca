"""OTA303: the exponential rollout speeds up within policy."""

from __future__ import annotations

import copy
from typing import Any

from checker.rules.interface import ConfigView
from checker.rules.ota303_increment_factor import IncrementFactorTooHigh
from tests.rules.harness import AS_OF, declared_views, fired, violations

RULE = IncrementFactorTooHigh()
PATH = ("awsJobExecutionsRolloutConfig", "exponentialRate", "incrementFactor")


def _view(config: Any) -> ConfigView:
    return ConfigView("odd", "live", config, AS_OF)


def test_parameter_moves_the_threshold() -> None:
    """With maxIncrementFactor 1.5 a factor of 2.0 fires; with 2.1, a factor of 2.1 does not."""
    views = declared_views("OTA303")
    strict = fired(RULE, views, {"maxIncrementFactor": 1.5})
    assert {"pass_2_0_at_the_limit", "pass_integer_2"} <= strict
    assert "pass_1_5" not in strict
    assert "fail_2_1" not in fired(RULE, views, {"maxIncrementFactor": 2.1})


def test_points_at_incrementfactor_and_names_the_value() -> None:
    """The violation is on exponentialRate.incrementFactor and names 2.1 and the limit."""
    found = violations(RULE, declared_views("OTA303"))["fail_2_1"]
    assert [(v.path, v.message) for v in found] == [
        (PATH, "incrementFactor 2.1 is above the policy's 2.0")
    ]


def test_tolerates_odd_live_data_without_changing_it() -> None:
    """Wrong types (a string, a bool, a non-mapping rate) neither raise nor fire."""
    for config in [
        {"awsJobExecutionsRolloutConfig": {"exponentialRate": {"incrementFactor": "5"}}},
        {"awsJobExecutionsRolloutConfig": {"exponentialRate": {"incrementFactor": True}}},
        {"awsJobExecutionsRolloutConfig": {"exponentialRate": [5.0]}},
        {"awsJobExecutionsRolloutConfig": None},
    ]:
        before = copy.deepcopy(config)
        assert violations(RULE, [_view(config)], {"maxIncrementFactor": 1.1})["odd"] == []
        assert config == before
