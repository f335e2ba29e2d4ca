"""OTA005: declared values computed at deploy time, which neither drift nor a rule can judge.

Raised by `checker.drift.compare` (differences it left uncompared, one finding per update) and
by `checker.evaluate` (rules it did not check, one finding per computed value); this module
says what each finding says.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from checker.model import DeclaredUpdate, Finding, Location, Severity, Unknown
from checker.rules.interface import RuleDoc, RuleMeta

COMPUTED = RuleMeta(
    rule_id="OTA005",
    title="Values computed at deploy time are not checked",
    severity=Severity.INFO,
    applies_to="drift",
    doc=RuleDoc(
        what="A declared value is only known once deployed (a CloudFormation `!GetAtt` of "
        "another resource, an `!ImportValue`, an `!If` on a condition that cannot be "
        "resolved, a Pulumi secret), and a comparison with the live update (`check`) or a "
        "rule (`lint` and `check`) needs it. The difference is not reported as drift and the "
        "rule's verdict on that update is left out; this finding names what was not verified.",
        why="Guessing would be wrong either way: a drift finding on a value nobody knows yet is "
        "noise, and a rule that passes or fails on it says something nobody checked. A "
        "reviewer needs to see exactly what the audit did not verify.",
        fix="Nothing to fix. To have it checked, resolve the value before the audit: pass "
        "the parameter with `--parameter NAME=VALUE`, or write the value itself instead of "
        "referring to another resource or stack.",
        failing="""\
# CloudFormation, Type: AWS::IoT::OTAUpdate
Properties:
  Targets: [!GetAtt SensorGroup.Arn]
""",
        passing="""\
# CloudFormation, Type: AWS::IoT::OTAUpdate
Properties:
  Targets: [arn:aws:iot:eu-west-1:123456789012:thinggroup/sensors]
""",
    ),
)


def expressions(values: Iterable[Unknown]) -> str:
    """`!GetAtt A.B, !ImportValue c`: each computed value's expression once, as written."""
    return ", ".join(dict.fromkeys(u.expression for u in values))


def not_compared_finding(
    update: DeclaredUpdate, paths: Sequence[str], values: Iterable[Unknown], location: Location
) -> Finding:
    """One finding naming every difference (at least one) `compare` left out because the
    declared side is, or depends on, a value computed at deploy time."""
    verb = "depends" if len(paths) == 1 else "depend"
    return COMPUTED.finding(
        ota_update_id=update.ota_update_id,
        side="drift",
        path="",
        message=f"{', '.join(paths)} not compared with live: {verb} on values computed at "
        f"deploy time ({expressions(values)})",
        location=location,
    )


def not_checked_finding(
    update: DeclaredUpdate,
    path: str,
    value: Unknown,
    rule_ids: Sequence[str],
    location: Location,
) -> Finding:
    """One finding per computed value that kept rules (at least one) from a verdict."""
    return COMPUTED.finding(
        ota_update_id=update.ota_update_id,
        side="declared",
        path=path,
        message=f"{', '.join(rule_ids)} not checked: {path} is computed at deploy time "
        f"({value.expression})",
        location=location,
    )
