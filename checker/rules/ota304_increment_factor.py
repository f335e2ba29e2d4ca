"""OTA304: the exponential rollout's increment factor is one the service accepts."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation

MIN_FACTOR = Decimal("1.1")
MAX_FACTOR = Decimal("5.0")
MAX_DECIMALS = 1


class IncrementFactorInvalid:
    meta = RuleMeta(
        rule_id="OTA304",
        title="Ensure the rollout's increment factor is one the service accepts",
        severity=Severity.HIGH,
        applies_to="both",
        doc=RuleDoc(
            what="`awsJobExecutionsRolloutConfig.exponentialRate.incrementFactor` is outside "
            "1.1..5.0, or has more than one digit after the decimal point.",
            why="The job the OTA update creates accepts factors from 1.1 to 5.0 in steps of "
            "0.1. Neither botocore nor the OTA API model states that range, so a declaration "
            "that validates locally is refused only when the update is created.",
            fix="Use a factor from 1.1 to 5.0 with at most one decimal digit (AWS's own example "
            "uses 2).",
            failing="""\
awsJobExecutionsRolloutConfig:
  exponentialRate:
    baseRatePerMinute: 10
    incrementFactor: 1.55
    rateIncreaseCriteria: {numberOfSucceededThings: 100}
""",
            passing="""\
awsJobExecutionsRolloutConfig:
  exponentialRate:
    baseRatePerMinute: 10
    incrementFactor: 1.5
    rateIncreaseCriteria: {numberOfSucceededThings: 100}
""",
            references=(ref.JOBS_INCREMENT_FACTOR, ref.AWS_JOBS_ROLLOUT),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        path = ("awsJobExecutionsRolloutConfig", "exponentialRate", "incrementFactor")
        factor = view.get(*path)
        if isinstance(factor, bool) or not isinstance(factor, int | float):
            return
        problems = _problems(factor)
        if problems:
            yield Violation(path, f"incrementFactor {factor} {' and '.join(problems)}")


def _problems(factor: int | float) -> list[str]:
    """Why the service would refuse `factor`, judged on its written (shortest) form."""
    value = Decimal(str(factor))  # str() of an int or float always parses, nan and inf too
    if not value.is_finite():
        return ["is not a finite number"]
    problems = []
    if not MIN_FACTOR <= value <= MAX_FACTOR:
        problems.append(f"is outside {MIN_FACTOR}..{MAX_FACTOR}")
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DECIMALS:
        problems.append("has more than one digit after the decimal point")
    return problems
