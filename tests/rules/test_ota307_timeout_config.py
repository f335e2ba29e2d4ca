"""OTA307: job executions time out."""

from __future__ import annotations

from checker.rules.interface import ConfigView
from checker.rules.ota307_timeout_config import InProgressTimeoutMissing
from tests.rules.harness import AS_OF, declared_views, violations

RULE = InProgressTimeoutMissing()


def test_missing_config_is_about_the_whole_update() -> None:
    """Without awsJobTimeoutConfig the violation has the empty path."""
    found = violations(RULE, declared_views("OTA307"))["fail_no_timeout_config"]
    assert [(v.path, v.message) for v in found] == [
        ((), "no awsJobTimeoutConfig: job executions stay IN_PROGRESS without limit")
    ]


def test_config_without_the_timeout_points_at_the_config() -> None:
    """A timeout config whose inProgressTimeoutInMinutes is null (the loaders refuse it, a
    library caller may not) is reported at awsJobTimeoutConfig."""
    config = {"awsJobTimeoutConfig": {"inProgressTimeoutInMinutes": None}}
    found = violations(RULE, [ConfigView("odd", "live", config, AS_OF)])["odd"]
    assert [v.path for v in found] == [("awsJobTimeoutConfig",)]


def test_odd_live_data_does_not_raise() -> None:
    """A timeout config of the wrong type counts as missing."""
    config = {"awsJobTimeoutConfig": 60}
    found = list(RULE.check(ConfigView("odd", "live", config, AS_OF), {}))
    assert [v.path for v in found] == [()]
