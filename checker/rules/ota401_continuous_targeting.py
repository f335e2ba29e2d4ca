"""OTA401: targets are a snapshot, not a standing subscription."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation


class ContinuousTargetSelection:
    meta = RuleMeta(
        rule_id="OTA401",
        title="Ensure OTA updates target a snapshot of the fleet",
        severity=Severity.MEDIUM,
        applies_to="both",
        doc=RuleDoc(
            what="`targetSelection` is CONTINUOUS. Omitted, it is SNAPSHOT, which does not fire.",
            why="With CONTINUOUS, every thing that joins a target group later gets the update "
            "at once, outside the rollout rate and whatever abort criteria were planned for "
            "the first wave: a group that grows by thousands is updated all in one go, and an "
            "old update keeps reaching new devices long after it was superseded.",
            fix="Use SNAPSHOT (the default) and create a new OTA update for devices that join "
            "later; if continuous targeting is intended, suppress this finding with a reason.",
            failing="""\
targets: [arn:aws:iot:eu-west-1:123456789012:thinggroup/sensors]
targetSelection: CONTINUOUS
""",
            passing="""\
targets: [arn:aws:iot:eu-west-1:123456789012:thinggroup/sensors]
targetSelection: SNAPSHOT
""",
            references=(ref.TARGET_SELECTION, ref.IOT_LENS_OPS09),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        if view.get("targetSelection") == "CONTINUOUS":
            yield Violation(
                ("targetSelection",),
                "targetSelection is CONTINUOUS: things that join a target group later get the "
                "update at once, outside the rollout rate",
            )
