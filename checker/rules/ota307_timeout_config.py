"""OTA307: job executions time out."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation


class InProgressTimeoutMissing:
    meta = RuleMeta(
        rule_id="OTA307",
        title="Ensure OTA job executions time out",
        severity=Severity.LOW,
        applies_to="both",
        needs_deep=True,
        doc=RuleDoc(
            what="`awsJobTimeoutConfig.inProgressTimeoutInMinutes` is not set. On the live side "
            "the rule runs only when the source read the job's timeout config (GetOTAUpdate "
            "does not return it).",
            why="Without a timeout a device that hangs mid-update stays IN_PROGRESS forever: "
            "it is never counted as failed, so neither an abort on TIMED_OUT or ALL nor a "
            "dashboard ever sees it.",
            fix="Set `inProgressTimeoutInMinutes` to the longest a healthy device needs to "
            "download, verify and install the image, with some margin (1 to 10080).",
            failing="""\
awsJobExecutionsRolloutConfig:
  maximumPerMinute: 100
""",
            passing="""\
awsJobExecutionsRolloutConfig:
  maximumPerMinute: 100
awsJobTimeoutConfig:
  inProgressTimeoutInMinutes: 60
""",
            references=(ref.JOBS_TIMEOUT, ref.IOT_LENS_REL08),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        timeout = view.get("awsJobTimeoutConfig")
        if not isinstance(timeout, dict) or not timeout:  # {} means "not set"
            yield Violation(
                (),
                "no awsJobTimeoutConfig: job executions stay IN_PROGRESS without limit",
            )
        elif timeout.get("inProgressTimeoutInMinutes") is None:
            yield Violation(
                ("awsJobTimeoutConfig",),
                "awsJobTimeoutConfig has no inProgressTimeoutInMinutes: job executions stay "
                "IN_PROGRESS without limit",
            )
