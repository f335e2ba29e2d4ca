"""OTA303: the exponential rollout speeds up within policy."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.interface import Bounds, ConfigView, Param, RuleDoc, RuleMeta, Violation
from checker.rules.ota304_increment_factor import MAX_FACTOR, MIN_FACTOR

ROLLOUT = "awsJobExecutionsRolloutConfig"


class IncrementFactorTooHigh:
    meta = RuleMeta(
        rule_id="OTA303",
        title="Ensure the exponential rollout speeds up within policy",
        severity=Severity.HIGH,
        applies_to="both",
        params=(
            Param(
                "maxIncrementFactor",
                "number",
                2.0,
                "highest allowed `exponentialRate.incrementFactor`",
                Bounds(
                    float(MIN_FACTOR),
                    float(MAX_FACTOR),
                    exclusive_maximum=True,
                    why=f"incrementFactor is {MIN_FACTOR} to {MAX_FACTOR}: a limit of "
                    f"{MAX_FACTOR} or more never fires, one below {MIN_FACTOR} always does",
                ),
            ),
        ),
        doc=RuleDoc(
            what="`awsJobExecutionsRolloutConfig.exponentialRate.incrementFactor` is above "
            "`maxIncrementFactor`.",
            why="Each step multiplies the rate by the factor: at 5 a rollout starting at 10 a "
            "minute passes 1000 a minute after three steps, so the slow start that was meant "
            "to catch a bad image is over before its failures are reported.",
            fix="Use a factor of 2 or less (AWS's own example uses 2) and raise the rate only "
            "after enough devices succeed (`rateIncreaseCriteria`).",
            failing="""\
awsJobExecutionsRolloutConfig:
  exponentialRate:
    baseRatePerMinute: 10
    incrementFactor: 5.0
    rateIncreaseCriteria: {numberOfSucceededThings: 100}
""",
            passing="""\
awsJobExecutionsRolloutConfig:
  exponentialRate:
    baseRatePerMinute: 10
    incrementFactor: 1.5
    rateIncreaseCriteria: {numberOfSucceededThings: 100}
""",
            references=(ref.IOT_LENS_OPS09, ref.AWS_JOBS_ROLLOUT),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        factor = view.get(ROLLOUT, "exponentialRate", "incrementFactor")
        limit = params["maxIncrementFactor"]
        if isinstance(factor, int | float) and not isinstance(factor, bool) and factor > limit:
            yield Violation(
                (ROLLOUT, "exponentialRate", "incrementFactor"),
                f"incrementFactor {factor} is above the policy's {limit}",
            )
