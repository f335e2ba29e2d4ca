"""OTA301: the rollout is rate-limited at all."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.normalise import service_default
from checker.rules import references as ref
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation

ROLLOUT = "awsJobExecutionsRolloutConfig"


class RolloutUnlimited:
    meta = RuleMeta(
        rule_id="OTA301",
        title="Ensure the rollout rate is limited",
        severity=Severity.HIGH,
        applies_to="both",
        doc=RuleDoc(
            what="`awsJobExecutionsRolloutConfig` is absent or empty (`{}`, or only nulls and "
            "empty blocks), so neither `maximumPerMinute` nor `exponentialRate` limits the "
            "rollout.",
            why="Without a rollout config the service starts up to 1000 job executions a "
            "minute: a bad image reaches the whole fleet before the first failure reports "
            "come in, and no abort threshold can act in time.",
            fix="Set `maximumPerMinute`, and preferably an `exponentialRate` that starts slowly "
            "and speeds up only as devices succeed.",
            failing="""\
targets: [arn:aws:iot:eu-west-1:123456789012:thinggroup/sensors]
""",
            passing="""\
targets: [arn:aws:iot:eu-west-1:123456789012:thinggroup/sensors]
awsJobExecutionsRolloutConfig:
  maximumPerMinute: 200
  exponentialRate:
    baseRatePerMinute: 10
    incrementFactor: 1.5
    rateIncreaseCriteria: {numberOfSucceededThings: 100}
""",
            references=(ref.IOT_LENS_OPS09, ref.AWS_JOBS_ROLLOUT),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        rollout = view.config.get(ROLLOUT)
        if rollout is None:
            state = "is not set"
        elif not isinstance(rollout, dict):
            state = f"is {rollout!r}, not a mapping"
        elif not _has_content(rollout):
            state = "is empty"
        else:
            return
        yield Violation(
            (),  # the whole update: absent and `{}` (what GetOTAUpdate returns) alike
            f"{ROLLOUT} {state}: the service starts up to "
            f"{service_default(ROLLOUT, 'maximumPerMinute')} executions a minute",
        )


def _has_content(block: Mapping[str, Any]) -> bool:
    """Some value other than null or an empty block, at any depth (`{}` means "not set")."""
    return any(_has_content(v) if isinstance(v, dict) else v is not None for v in block.values())
