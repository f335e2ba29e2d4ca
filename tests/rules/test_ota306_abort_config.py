"""OTA306: the job aborts when installs fail."""

from __future__ import annotations

from checker.rules.interface import ConfigView
from checker.rules.ota306_abort_config import AbortOnFailureMissing
from tests.rules.harness import AS_OF, declared_views, violations

RULE = AbortOnFailureMissing()


def test_missing_config_is_about_the_whole_update() -> None:
    """Without awsJobAbortConfig the violation has the empty path."""
    found = violations(RULE, declared_views("OTA306"))["fail_no_abort_config"]
    assert [(v.path, v.message) for v in found] == [
        ((), "no awsJobAbortConfig: the job never aborts when installs fail")
    ]


def test_points_at_the_criteria_and_names_their_failure_types() -> None:
    """Criteria without FAILED or ALL are reported at abortCriteriaList, naming their types."""
    found = violations(RULE, declared_views("OTA306"))["fail_timed_out_and_rejected_only"]
    assert [(v.path, v.message) for v in found] == [
        (
            ("awsJobAbortConfig", "abortCriteriaList"),
            "abortCriteriaList aborts only on TIMED_OUT, REJECTED, not on FAILED or ALL: "
            "failed installs never abort the job",
        )
    ]


def test_odd_live_data_is_reported_without_raising() -> None:
    """Abort config of the wrong shape fires at the nearest key instead of crashing."""
    cases = {
        "awsJobAbortConfig": {"awsJobAbortConfig": {"abortCriteriaList": "FAILED"}},
        "abortCriteriaList": {"awsJobAbortConfig": {"abortCriteriaList": [None, {"x": 1}]}},
    }
    for key, config in cases.items():
        found = list(RULE.check(ConfigView("odd", "live", config, AS_OF), {}))
        assert [v.path[-1] for v in found] == [key]
