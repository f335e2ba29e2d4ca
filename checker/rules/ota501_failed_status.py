"""OTA501: the OTA update did not fail."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation

FAILED_STATUSES = ("CREATE_FAILED", "DELETE_FAILED")


class UpdateFailed:
    meta = RuleMeta(
        rule_id="OTA501",
        title="Ensure no OTA update is left in a failed state",
        severity=Severity.HIGH,
        applies_to="live",
        doc=RuleDoc(
            what="The live `otaUpdateStatus` is CREATE_FAILED or DELETE_FAILED. The finding "
            "carries the service's `errorInfo` code and message.",
            why="A failed create delivers nothing: the devices stay on the old firmware while "
            "the declaration says they were updated. A failed delete may leave a job, a stream or "
            "a signing result behind that nobody manages.",
            fix="Read `errorInfo`, fix the cause (often the role's permissions, the S3 object "
            "or the signing profile), then delete the update (`aws iot delete-ota-update "
            "--ota-update-id ID --delete-stream --force-delete-aws-job`) and create it again.",
            failing="""\
otaUpdateStatus: CREATE_FAILED
errorInfo:
  code: AccessDeniedException
  message: The role cannot read s3://fw/fw.bin
""",
            passing="""\
otaUpdateStatus: CREATE_COMPLETE
""",
            references=(ref.ETSI_5_3_8,),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        status = view.get("otaUpdateStatus")
        if status not in FAILED_STATUSES:
            return
        error = view.get("errorInfo")
        details = (
            [_one_line(error.get(key)) for key in ("code", "message")]
            if isinstance(error, dict)
            else []
        )
        said = ": ".join(d for d in details if d)
        yield Violation(
            ("otaUpdateStatus",),
            f"otaUpdateStatus is {status}: {said}"
            if said
            else f"otaUpdateStatus is {status}; the service gave no errorInfo",
        )


def _one_line(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""
