"""OTA404: every target is in the account and region the update is declared for."""

from __future__ import annotations

from datetime import UTC, datetime

from checker.evaluate import evaluate
from checker.model import DeclaredUpdate, Location, Partition
from checker.policy.model import DEFAULT_POLICY
from checker.rules.interface import ConfigView
from checker.rules.ota404_target_partition import TargetInAnotherPartition
from tests.rules.harness import AS_OF, declared_views, violations

RULE = TargetInAnotherPartition()


def test_each_target_elsewhere_is_named_with_what_differs() -> None:
    """The message says which of account and region differ, at the target's position."""
    found = violations(RULE, declared_views("OTA404"))
    assert [(v.path, v.message) for v in found["fail_second_target_elsewhere"]] == [
        (
            ("targets", 1),
            "target 'arn:aws-cn:iot:cn-north-1:999988887777:thing/sensor-0002' is in account "
            "999988887777 and region cn-north-1, but the update is declared for "
            "123456789012/eu-west-1",
        )
    ]
    assert [v.message for v in found["fail_other_region"]] == [
        "target 'arn:aws:iot:us-east-1:123456789012:thinggroup/sensors' is in region "
        "us-east-1, but the update is declared for 123456789012/eu-west-1"
    ]


def test_without_a_partition_the_rule_says_nothing() -> None:
    """Outside a fleet run the partition is unknown: no verdict, not a pass by guesswork."""
    config = {"targets": ["arn:aws:iot:us-east-1:999988887777:thinggroup/x"]}
    assert list(RULE.check(ConfigView("fw-1", "declared", config, AS_OF), {})) == []


def test_evaluate_runs_it_only_with_a_partition() -> None:
    """`evaluate` selects the rule only when it is given the partition (a fleet run)."""
    config = {"otaUpdateId": "fw-1", "targets": ["arn:aws:iot:us-east-1:999988887777:thinggroup/x"]}
    update = DeclaredUpdate("fw-1", config, Location("ota.yaml", 1), {})
    now = datetime(2026, 11, 25, tzinfo=UTC)
    without = evaluate([update], [], DEFAULT_POLICY, now)
    within = evaluate(
        [update], [], DEFAULT_POLICY, now, partition=Partition("123456789012", "eu-west-1")
    )
    assert "OTA404" not in {f.rule_id for f in without}
    assert [f.rule_id for f in within if f.rule_id == "OTA404"] == ["OTA404"]
