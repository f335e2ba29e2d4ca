"""OTA502: the OTA update is not stuck being created."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from checker.model import Severity, assume_utc
from checker.rules import references as ref
from checker.rules.interface import Bounds, ConfigView, Param, RuleDoc, RuleMeta, Violation

PENDING_STATUSES = ("CREATE_PENDING", "CREATE_IN_PROGRESS")
MAX_PENDING_HOURS = 365 * 24


class UpdateStuckPending:
    meta = RuleMeta(
        rule_id="OTA502",
        title="Ensure no OTA update is stuck being created",
        severity=Severity.MEDIUM,
        applies_to="live",
        params=(
            Param(
                "maxPendingHours",
                "int",
                24,
                "longest an update may stay CREATE_PENDING or CREATE_IN_PROGRESS since its "
                "`lastModifiedDate`",
                Bounds(
                    1,
                    MAX_PENDING_HOURS,
                    why="0 would call every update stuck as soon as it is created, and a "
                    f"limit of more than {MAX_PENDING_HOURS} h, a year, is no limit",
                ),
            ),
        ),
        doc=RuleDoc(
            what="The live `otaUpdateStatus` is CREATE_PENDING or CREATE_IN_PROGRESS and "
            "`lastModifiedDate` is more than `maxPendingHours` before the audit's clock "
            "(`--as-of`). An update without `lastModifiedDate` does not fire.",
            why="An update still being created long after it last changed is stuck (a "
            "missing permission, a signing job or stream that never finishes) and delivers "
            "nothing: the devices stay on the old firmware while the declaration says they "
            "were updated.",
            fix="Look at the signing job, the stream and the role's permissions; delete the "
            "update (`aws iot delete-ota-update --ota-update-id ID --delete-stream "
            "--force-delete-aws-job`) and create it again.",
            failing="""\
otaUpdateStatus: CREATE_IN_PROGRESS
lastModifiedDate: 2026-11-20T09:00:00Z  # audited at 2026-11-25T00:00:00Z
""",
            passing="""\
otaUpdateStatus: CREATE_COMPLETE
lastModifiedDate: 2026-11-20T09:00:00Z
""",
            references=(ref.ETSI_5_3_8,),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        status = view.get("otaUpdateStatus")
        modified = view.get("lastModifiedDate")
        if status not in PENDING_STATUSES or not isinstance(modified, datetime):
            return
        limit = params["maxPendingHours"]
        age = assume_utc(view.now) - assume_utc(modified)  # naive (odd live data): UTC
        if age > timedelta(hours=limit):
            yield Violation(
                ("otaUpdateStatus",),
                f"otaUpdateStatus is {status} since {modified.isoformat()}, "
                f"{_hours(age)} before the audit (policy: at most {limit} h)",
            )


def _hours(age: timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"
