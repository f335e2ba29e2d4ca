"""OTA404: every target is in the account and region the update is audited in."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation
from checker.rules.ota403_target_arn import arn_problem


class TargetInAnotherPartition:
    meta = RuleMeta(
        rule_id="OTA404",
        title="Ensure every OTA target is in the account and region the update is in",
        severity=Severity.HIGH,
        applies_to="declared",
        needs_partition=True,
        doc=RuleDoc(
            what="A declared update's target ARN names another account or region than the "
            "fleet partition (account and region) the update is declared for. Judged in fleet "
            "runs (`check --fleet`) only, where the partition is known. Each such target is "
            "its own finding; a target that is not an ARN at all is OTA403's.",
            why="An OTA update can only target things and groups of its own account and "
            "region: CreateOTAUpdate refuses the others, so a declaration copied from another "
            "account or region cannot be deployed as written, and a fix made in a hurry may "
            "point the update at the wrong fleet.",
            fix="Declare the update under the fleet entry of the account and region its "
            "targets are in, or use that partition's own thing-group ARN (a CloudFormation "
            "template can write it with `${AWS::Region}` and `${AWS::AccountId}`).",
            failing="""\
# declared for 123456789012 in eu-west-1
targets:
  - arn:aws:iot:us-east-1:123456789012:thinggroup/sensors
  - arn:aws:iot:eu-west-1:999988887777:thinggroup/gateways
""",
            passing="""\
# declared for 123456789012 in eu-west-1
targets:
  - arn:aws:iot:eu-west-1:123456789012:thinggroup/sensors
  - arn:aws:iot:eu-west-1:123456789012:thinggroup/gateways
""",
            references=(ref.IOT_ARNS,),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        partition = view.partition
        targets = view.get("targets")
        if partition is None or not isinstance(targets, list):
            return
        for index, target in enumerate(targets):
            if not isinstance(target, str) or arn_problem(target) is not None:
                continue
            _, _, _, region, account, _ = target.split(":", 5)
            where = [
                f"account {account}" if account != partition.account else "",
                f"region {region}" if region != partition.region else "",
            ]
            named = " and ".join(w for w in where if w)
            if named:
                yield Violation(
                    ("targets", index),
                    f"target {target!r} is in {named}, but the update is declared for {partition}",
                )
