"""OTA503: the job of a completed OTA update is not canceled or being deleted."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.normalise import JOB_HEALTH_FIELD
from checker.rules import references as ref
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation

STOPPED_JOB_STATUSES = {
    "CANCELED": "the rollout was stopped",
    "DELETION_IN_PROGRESS": "the job is being deleted",
}
"""Job statuses in which no further thing gets the update, and what each means."""


class JobStoppedWhileComplete:
    meta = RuleMeta(
        rule_id="OTA503",
        title="Ensure the job of a completed OTA update is not canceled or being deleted",
        severity=Severity.MEDIUM,
        applies_to="live",
        needs_deep=True,
        doc=RuleDoc(
            what="The live `otaUpdateStatus` is CREATE_COMPLETE while the update's job "
            "(`awsIotJob.status`, from DescribeJob) is CANCELED or DELETION_IN_PROGRESS. Runs "
            "only when the source read the job (`--deep`, or a snapshot taken with it).",
            why="The OTA update still reads as complete, but its job delivers nothing more: "
            "targets it had not reached, and things that join a target group later, never get "
            "this firmware, and nothing on the update itself says so.",
            fix="Find out why the job was canceled (`aws iot describe-job --job-id "
            "AFR_OTA-ID`: `reasonCode`, `comment`). If the firmware is still wanted, create a "
            "new OTA update for it; otherwise delete this one (`aws iot delete-ota-update "
            "--ota-update-id ID --delete-stream --force-delete-aws-job`) so that it no longer "
            "reads as delivered.",
            failing="""\
otaUpdateStatus: CREATE_COMPLETE
awsIotJob:
  status: CANCELED
""",
            passing="""\
otaUpdateStatus: CREATE_COMPLETE
awsIotJob:
  status: IN_PROGRESS
""",
            references=(ref.ETSI_5_3_8, ref.NIST_8259A_UPDATE, ref.AWS_JOBS_ROLLOUT),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        status = view.get(JOB_HEALTH_FIELD, "status")
        if view.get("otaUpdateStatus") != "CREATE_COMPLETE" or not isinstance(status, str):
            return
        meaning = STOPPED_JOB_STATUSES.get(status)
        if meaning is None:
            return
        yield Violation(
            (JOB_HEALTH_FIELD, "status"),
            f"the job is {status} while otaUpdateStatus is CREATE_COMPLETE: {meaning}, and "
            "targets it had not reached will never get this firmware",
        )
