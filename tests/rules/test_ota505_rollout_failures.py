"""OTA505: the rollout is not failing on the devices."""

from __future__ import annotations

from typing import Any

import pytest

from checker.rules.interface import ConfigView
from checker.rules.ota505_rollout_failures import RolloutFailing
from tests.rules.harness import AS_OF, fired, live_views, violations

RULE = RolloutFailing()
DEFAULTS = {"maxFailurePercent": 10, "minFinishedExecutions": 10}


def _details(**counts: Any) -> dict[str, Any]:
    return {"awsIotJob": {"status": "IN_PROGRESS", "jobProcessDetails": counts}}


def _found(config: dict[str, Any], **params: Any) -> list[str]:
    view = ConfigView("x", "live", config, AS_OF)
    return [v.message for v in RULE.check(view, {**DEFAULTS, **params})]


def _counts(succeeded: int, failed: int) -> dict[str, Any]:
    return _details(numberOfSucceededThings=succeeded, numberOfFailedThings=failed)


def test_points_at_the_process_details_and_splits_the_failures() -> None:
    """The violation is at awsIotJob.jobProcessDetails with the count of each failure kind."""
    found = violations(RULE, live_views("OTA505"))
    assert [(v.path, v.message) for v in found["fail_failed_rejected_and_timed_out"]] == [
        (
            ("awsIotJob", "jobProcessDetails"),
            "20 of 100 finished executions failed (15 failed, 3 rejected, 2 timed out): "
            "20 %, above the policy's 10 %",
        )
    ]
    assert [v.message for v in found["fail_just_above_10_percent"]] == [
        "101 of 1000 finished executions failed (101 failed): 10.1 %, above the policy's 10 %"
    ]
    assert [v.message for v in found["fail_at_the_minimum_executions"]] == [
        "2 of 10 finished executions failed (2 timed out): 20 %, above the policy's 10 %"
    ]


def test_exactly_the_threshold_does_not_fire() -> None:
    """10 of 100 is 10 %: not above the default 10 %; 11 of 100 is."""
    assert _found(_counts(90, 10)) == []
    assert _found(_counts(89, 11)) == [
        "11 of 100 finished executions failed (11 failed): 11 %, above the policy's 10 %"
    ]


def test_a_fractional_threshold_is_compared_exactly() -> None:
    """2.5 % of 1000 is 25: 25 failures pass, 26 fire (no rounding in between)."""
    assert _found(_counts(975, 25), maxFailurePercent=2.5) == []
    assert _found(_counts(974, 26), maxFailurePercent=2.5) == [
        "26 of 1000 finished executions failed (26 failed): 2.6 %, above the policy's 2.5 %"
    ]


def test_a_share_is_shown_to_two_decimals() -> None:
    assert _found(_counts(2, 1), minFinishedExecutions=3) == [
        "1 of 3 finished executions failed (1 failed): 33.33 %, above the policy's 10 %"
    ]


def test_below_the_minimum_executions_is_not_judged() -> None:
    """9 finished, all failed, is below the default minimum of 10; a minimum of 9 judges it."""
    assert _found(_counts(0, 9)) == []
    assert _found(_counts(0, 9), minFinishedExecutions=9) == [
        "9 of 9 finished executions failed (9 failed): 100 %, above the policy's 10 %"
    ]


def test_nothing_finished_is_not_judged_even_with_the_lowest_limits() -> None:
    """No finished execution: no share to judge (and no division by zero)."""
    queued = _details(numberOfQueuedThings=500, numberOfInProgressThings=20)
    assert _found(queued, maxFailurePercent=0, minFinishedExecutions=1) == []
    assert _found(_counts(0, 0), maxFailurePercent=0, minFinishedExecutions=1) == []


def test_a_zero_limit_fires_on_any_failure() -> None:
    assert _found(_counts(999, 1), maxFailurePercent=0) == [
        "1 of 1000 finished executions failed (1 failed): 0.1 %, above the policy's 0 %"
    ]


def test_canceled_and_removed_executions_count_in_neither() -> None:
    """2 of 10 finished failed; the 1000 canceled and 5 removed never ran to an outcome."""
    config = _details(
        numberOfSucceededThings=8,
        numberOfFailedThings=2,
        numberOfCanceledThings=1000,
        numberOfRemovedThings=5,
    )
    assert _found(config) == [
        "2 of 10 finished executions failed (2 failed): 20 %, above the policy's 10 %"
    ]


def test_the_parameters_move_the_threshold() -> None:
    views = live_views("OTA505")
    assert "pass_exactly_10_percent" in fired(RULE, views, {"maxFailurePercent": 9.5})
    assert "fail_failed_rejected_and_timed_out" not in fired(RULE, views, {"maxFailurePercent": 20})
    assert "pass_below_the_minimum_executions" in fired(RULE, views, {"minFinishedExecutions": 9})
    assert "fail_at_the_minimum_executions" not in fired(RULE, views, {"minFinishedExecutions": 11})


@pytest.mark.parametrize("count", [-1, 2.5, "10", True, None, [3]])
def test_an_odd_count_is_not_judged(count: Any) -> None:
    """A count that is not a non-negative integer (odd live data) leaves the rollout unjudged."""
    config = _details(numberOfSucceededThings=0, numberOfFailedThings=100)
    config["awsIotJob"]["jobProcessDetails"]["numberOfRejectedThings"] = count
    assert _found(config) == []
