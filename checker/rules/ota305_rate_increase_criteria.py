"""OTA305: the exponential rollout speeds up only as devices succeed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation


class RateGrowsOnNotificationsAlone:
    meta = RuleMeta(
        rule_id="OTA305",
        title="Ensure the rollout speeds up only as devices succeed",
        severity=Severity.MEDIUM,
        applies_to="both",
        doc=RuleDoc(
            what="`awsJobExecutionsRolloutConfig.exponentialRate.rateIncreaseCriteria` has no "
            "`numberOfSucceededThings`.",
            why="With `numberOfNotifiedThings` alone the rate grows as devices are told about "
            "the update, whether or not any of them installs it: a broken image speeds up "
            "its own rollout.",
            fix="Set `numberOfSucceededThings` in `rateIncreaseCriteria` so that the rate grows "
            "only after that many more devices report success.",
            failing="""\
awsJobExecutionsRolloutConfig:
  exponentialRate:
    baseRatePerMinute: 10
    incrementFactor: 2
    rateIncreaseCriteria: {numberOfNotifiedThings: 1000}
""",
            passing="""\
awsJobExecutionsRolloutConfig:
  exponentialRate:
    baseRatePerMinute: 10
    incrementFactor: 2
    rateIncreaseCriteria: {numberOfSucceededThings: 100}
""",
            references=(ref.IOT_LENS_OPS09, ref.AWS_JOBS_ROLLOUT),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        rate_path = ("awsJobExecutionsRolloutConfig", "exponentialRate")
        rate = view.get(*rate_path)
        if not isinstance(rate, dict) or not rate:  # live returns {} for "not set"
            return
        criteria = rate.get("rateIncreaseCriteria")
        if not isinstance(criteria, dict):
            yield Violation(
                rate_path,
                "exponentialRate has no rateIncreaseCriteria, so no numberOfSucceededThings",
            )
        elif criteria.get("numberOfSucceededThings") is None:
            notified = criteria.get("numberOfNotifiedThings")
            grows = (
                f"the rate grows every {notified} notified things alone"
                if notified is not None
                else "nothing ties the rate to successful installs"
            )
            yield Violation(
                (*rate_path, "rateIncreaseCriteria"),
                f"rateIncreaseCriteria has no numberOfSucceededThings: {grows}",
            )
