"""OTA302: the rollout rate stays within policy."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.interface import Bounds, ConfigView, Param, RuleDoc, RuleMeta, Violation

MIN_RATE = 1
MAX_RATE = 1000
"""Things per minute, for maximumPerMinute and baseRatePerMinute alike (the API's range)."""


def _rate_bounds(field: str) -> Bounds:
    return Bounds(
        MIN_RATE,
        MAX_RATE,
        exclusive_maximum=True,
        why=f"{field} is {MIN_RATE} to {MAX_RATE}: a limit of {MAX_RATE} or more never fires, "
        f"one below {MIN_RATE} always does",
    )


class RolloutRateTooHigh:
    meta = RuleMeta(
        rule_id="OTA302",
        title="Ensure the rollout rate stays within policy",
        severity=Severity.HIGH,
        applies_to="both",
        params=(
            Param(
                "maxPerMinute",
                "int",
                200,
                "highest allowed `maximumPerMinute`",
                _rate_bounds("maximumPerMinute"),
            ),
            Param(
                "maxBaseRatePerMinute",
                "int",
                50,
                "highest allowed `exponentialRate.baseRatePerMinute`",
                _rate_bounds("baseRatePerMinute"),
            ),
        ),
        doc=RuleDoc(
            what="`awsJobExecutionsRolloutConfig.maximumPerMinute` is above `maxPerMinute`, or "
            "`exponentialRate.baseRatePerMinute` is above `maxBaseRatePerMinute`.",
            why="A fast rollout reaches most of the fleet before anyone sees the first failures: "
            "a bad image bricks thousands of devices instead of dozens.",
            fix="Lower the rates; start slowly and let `exponentialRate` speed up as devices "
            "succeed (AWS's own example starts at 50 a minute).",
            failing="""\
awsJobExecutionsRolloutConfig:
  maximumPerMinute: 1000
""",
            passing="""\
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
        rollout = "awsJobExecutionsRolloutConfig"
        per_minute = view.get(rollout, "maximumPerMinute")
        if isinstance(per_minute, int) and per_minute > params["maxPerMinute"]:
            yield Violation(
                (rollout, "maximumPerMinute"),
                f"maximumPerMinute {per_minute} is above the policy's {params['maxPerMinute']}",
            )
        base = view.get(rollout, "exponentialRate", "baseRatePerMinute")
        if isinstance(base, int) and base > params["maxBaseRatePerMinute"]:
            yield Violation(
                (rollout, "exponentialRate", "baseRatePerMinute"),
                f"baseRatePerMinute {base} is above the policy's {params['maxBaseRatePerMinute']}",
            )
