"""OTA303: the exponential rollout speeds up within policy."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from checker.rules.interface import ConfigView
from checker.rules.ota303_increment_factor import IncrementFactorTooHigh
from tests.rules.harness import (
    AS_OF,
    declared_views,
    expected_failures,
    fired,
    live_views,
    violations,
)

RULE = IncrementFactorTooHigh()
PATH = ("awsJobExecutionsRolloutConfig", "exponentialRate", "incrementFactor")


def _view(config: Any) -> ConfigView:
    return ConfigView("odd", "live", config, AS_OF)


def test_fires_on_exactly_the_failing_declared_updates() -> None:
    """Factors 2.1 and 5.0 fire; exactly 2.0 (or the integer 2) and 1.5 do not."""
    views = declared_views("OTA303")
    assert fired(RULE, views) == expected_failures(views)


def test_fires_on_exactly_the_failing_live_updates() -> None:
    """The live side is checked the same way."""
    views = live_views("OTA303")
    assert fired(RULE, views) == expected_failures(views)


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


def test_documented_examples_fail_and_pass() -> None:
    """The rule fires on its documented failing example and not on the passing one."""
    doc = RULE.meta.doc
    assert fired(RULE, [_view(yaml.safe_load(doc.failing))]) == {"odd"}
    assert fired(RULE, [_view(yaml.safe_load(doc.passing))]) == set()
