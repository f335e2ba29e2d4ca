"""OTA504: the OTA update's job was not canceled with force."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.normalise import JOB_HEALTH_FIELD
from checker.rules import references as ref
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation


class JobForceCanceled:
    meta = RuleMeta(
        rule_id="OTA504",
        title="Ensure the OTA update's job was not force-canceled",
        severity=Severity.HIGH,
        applies_to="live",
        needs_deep=True,
        doc=RuleDoc(
            what="The update's job (`awsIotJob`, from DescribeJob) has `forceCanceled` true: "
            "it was canceled with `--force`, which also cancels the executions that were in "
            "progress. Runs only when the source read the job (`--deep`, or a snapshot taken "
            "with it).",
            why="A force cancel stops installs midway: a device that was downloading or "
            "installing the image can no longer report on it, and may be left between two "
            "firmware versions unless it recovers by itself. Someone forced it for a reason, "
            "often a bad image, and the devices it reached need checking.",
            fix="List the job's executions that were in progress (`aws iot "
            "list-job-executions-for-job --job-id AFR_OTA-ID --status CANCELED`) and check "
            "that each device runs a valid firmware version; then delete the update or create "
            "a fixed one. Prefer an abort config, or a cancel without `--force`, which lets "
            "running installs finish.",
            failing="""\
awsIotJob:
  status: CANCELED
  forceCanceled: true
""",
            passing="""\
awsIotJob:
  status: CANCELED
  forceCanceled: false
""",
            references=(ref.NIST_8259A_UPDATE, ref.AWS_JOBS_FORCE_CANCEL),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        forced = view.get(JOB_HEALTH_FIELD, "forceCanceled")
        if not (isinstance(forced, bool) and forced):
            return
        status = view.get(JOB_HEALTH_FIELD, "status")
        now = f" (job status {status})" if isinstance(status, str) else ""
        yield Violation(
            (JOB_HEALTH_FIELD, "forceCanceled"),
            f"the job was force-canceled{now}: installs in progress were stopped midway, and "
            "those devices may be left without a valid firmware",
        )
