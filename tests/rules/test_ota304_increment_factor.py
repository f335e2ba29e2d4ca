"""OTA304: the exponential rollout's increment factor is one the service accepts."""

from __future__ import annotations

from checker.rules.interface import ConfigView
from checker.rules.ota304_increment_factor import IncrementFactorInvalid
from tests.rules.harness import AS_OF, declared_views, violations

RULE = IncrementFactorInvalid()
PATH = ("awsJobExecutionsRolloutConfig", "exponentialRate", "incrementFactor")


def test_the_limits_themselves_pass() -> None:
    """Exactly 1.1 and exactly 5.0 are accepted: the range is inclusive."""
    found = violations(RULE, declared_views("OTA304"))
    assert found["pass_lowest_1_1"] == [] and found["pass_highest_5_0"] == []


def test_points_at_the_factor_and_names_it() -> None:
    """A factor with two decimals is one violation at incrementFactor, naming the value."""
    found = violations(RULE, declared_views("OTA304"))["fail_two_decimals_1_55"]
    assert [(v.path, v.message) for v in found] == [
        (PATH, "incrementFactor 1.55 has more than one digit after the decimal point")
    ]


def test_both_problems_make_one_violation() -> None:
    """A factor both out of range and too precise is reported once, with both reasons."""
    found = violations(RULE, declared_views("OTA304"))["fail_out_of_range_and_two_decimals_5_55"]
    assert [v.message for v in found] == [
        "incrementFactor 5.55 is outside 1.1..5.0 and has more than one digit after the "
        "decimal point"
    ]


def test_a_non_finite_factor_fires_as_not_a_number() -> None:
    """NaN or infinity (which the loaders refuse, but a library caller can pass) is reported as
    not a finite number, never as in range."""
    for factor in (float("nan"), float("inf"), float("-inf")):
        config = {"awsJobExecutionsRolloutConfig": {"exponentialRate": {"incrementFactor": factor}}}
        found = list(RULE.check(ConfigView("odd", "live", config, AS_OF), {}))
        assert [(v.path, v.message) for v in found] == [
            (PATH, f"incrementFactor {factor} is not a finite number")
        ]


def test_odd_live_data_does_not_raise() -> None:
    """Wrong types and missing keys are skipped, not crashed on."""
    for config in (
        {"awsJobExecutionsRolloutConfig": "fast"},
        {"awsJobExecutionsRolloutConfig": {"exponentialRate": None}},
        {"awsJobExecutionsRolloutConfig": {"exponentialRate": {"incrementFactor": "2"}}},
        {"awsJobExecutionsRolloutConfig": {"exponentialRate": {"incrementFactor": True}}},
    ):
        assert list(RULE.check(ConfigView("odd", "live", config, AS_OF), {})) == []
