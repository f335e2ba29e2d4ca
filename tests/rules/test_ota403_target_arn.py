"""OTA403: every target is an IoT thing or thing-group ARN."""

from __future__ import annotations

import pytest

from checker.rules.interface import ConfigView
from checker.rules.ota403_target_arn import TargetArnMalformed, arn_problem
from tests.rules.harness import AS_OF, declared_views, violations

RULE = TargetArnMalformed()


def test_one_violation_per_bad_target() -> None:
    """Each bad target is its own violation at its position; the good first one is not."""
    found = violations(RULE, declared_views("OTA403"))["fail_second_and_third_targets"]
    assert [(v.path, v.message) for v in found] == [
        (
            ("targets", 1),
            "target 'sensor-0001' is not an IoT thing or thing-group ARN: not an ARN",
        ),
        (
            ("targets", 2),
            "target 'arn:aws:iot:eu-west-1:123456789012:thinggroup/sensors with spaces' is not "
            "an IoT thing or thing-group ARN: name 'sensors with spaces' is not a valid thing "
            "or thing-group name",
        ),
    ]


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ("arn:aws:iot:eu-west-1:123456789012:thinggroup/sensors", None),
        ("arn:aws:iot:eu-west-1:123456789012:thing/a:b", None),
        (
            "arn:aws:iot:eu-west-1:123456789012:thingGroup/sensors",
            "resource 'thingGroup/sensors' is not thing/<name> or thinggroup/<name>",
        ),
        ("arn:aws:iot:eu-west-1:1234567890123:thing/x", "account '1234567890123' is not 12 digits"),
        ("arn:aws:iot:EU-WEST-1:123456789012:thing/x", "region 'EU-WEST-1' is not a region"),
        ("arn:aws:s3:::fw/fw.bin", "service is 's3', not 'iot'"),
        ("arn:gcp:iot:eu-west-1:123456789012:thing/x", "partition 'gcp' is not an AWS partition"),
        (
            "arn:aws:iot:eu-west-1:123456789012:thing",
            "resource 'thing' is not thing/<name> or thinggroup/<name>",
        ),
        (
            "arn:aws:iot:eu-west-1:123456789012:thing/" + "x" * 129,
            "name '" + "x" * 129 + "' is not a valid thing or thing-group name",
        ),
        (42, "not a string"),
    ],
)
def test_names_what_is_wrong_with_the_arn(target: object, problem: str | None) -> None:
    """Each part of the ARN is checked, and the first bad part is named."""
    assert arn_problem(target) == problem


def test_odd_live_data_does_not_raise() -> None:
    """Targets that are not a list are skipped; a non-string target fires."""
    assert list(RULE.check(ConfigView("odd", "live", {"targets": "x"}, AS_OF), {})) == []
    found = list(RULE.check(ConfigView("odd", "live", {"targets": [None]}, AS_OF), {}))
    assert [v.path for v in found] == [("targets", 0)]
