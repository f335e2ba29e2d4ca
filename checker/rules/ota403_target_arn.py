"""OTA403: every target is an IoT thing or thing-group ARN."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation

PARTITION = re.compile(r"aws(?:-[a-z]+)*")
"""aws, aws-cn, aws-us-gov, aws-iso-b, ..."""
REGION = re.compile(r"[a-z]+(?:-[a-z]+)+-[0-9]+")
"""eu-west-1, us-gov-west-1, cn-north-1, eusc-de-east-1, ..."""
ACCOUNT = re.compile(r"[0-9]{12}")
NAME = re.compile(r"[a-zA-Z0-9:_-]{1,128}")
"""ThingName and ThingGroupName in the IoT service model."""
RESOURCE_TYPES = ("thing", "thinggroup")


class TargetArnMalformed:
    meta = RuleMeta(
        rule_id="OTA403",
        title="Ensure every OTA target is an IoT thing or thing-group ARN",
        severity=Severity.HIGH,
        applies_to="both",
        doc=RuleDoc(
            what="A target is not of the form `arn:<partition>:iot:<region>:<12-digit "
            "account>:thing/<name>` or `.../thinggroup/<name>`. Each bad target is its own "
            "finding.",
            why="botocore accepts any string as a target; a bare thing name, a typo in the "
            "resource type (`thingGroup`) or another account's ARN is refused only when the "
            "update is created, or sends the update to devices nobody meant to update.",
            fix="Write the full ARN, as `aws iot describe-thing-group --thing-group-name NAME "
            "--query thingGroupArn` prints it.",
            failing="""\
targets:
  - sensors
  - arn:aws:iot:eu-west-1:123456789012:thingGroup/gateways
""",
            passing="""\
targets:
  - arn:aws:iot:eu-west-1:123456789012:thinggroup/sensors
  - arn:aws:iot:eu-west-1:123456789012:thinggroup/gateways
""",
            references=(ref.IOT_ARNS,),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        targets = view.get("targets")
        if not isinstance(targets, list):
            return
        for index, target in enumerate(targets):
            problem = arn_problem(target)
            if problem:
                yield Violation(
                    ("targets", index),
                    f"target {target!r} is not an IoT thing or thing-group ARN: {problem}",
                )


def arn_problem(target: Any) -> str | None:
    """What is wrong with `target` as a thing or thing-group ARN, or None when nothing is."""
    return _arn_problem(target) if isinstance(target, str) else "not a string"


@functools.lru_cache(maxsize=4096)  # fleets share target groups: each ARN is parsed once
def _arn_problem(target: str) -> str | None:
    parts = target.split(":", 5)  # names may contain ':'
    if len(parts) < 6 or parts[0] != "arn":
        return "not an ARN"
    _, partition, service, region, account, resource = parts
    kind, slash, name = resource.partition("/")
    checks = (
        (PARTITION.fullmatch(partition), f"partition {partition!r} is not an AWS partition"),
        (service == "iot", f"service is {service!r}, not 'iot'"),
        (REGION.fullmatch(region), f"region {region!r} is not a region"),
        (ACCOUNT.fullmatch(account), f"account {account!r} is not 12 digits"),
        (
            slash and kind in RESOURCE_TYPES,
            f"resource {resource!r} is not thing/<name> or thinggroup/<name>",
        ),
        (NAME.fullmatch(name), f"name {name!r} is not a valid thing or thing-group name"),
    )
    return next((message for ok, message in checks if not ok), None)
