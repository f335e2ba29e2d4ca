"""Builders for the values tests need most: findings, reports, live infos and snapshots.

Each builder gives a valid value with plain defaults, and a test overrides only what it is
about, so a reader sees the one field that matters. They build through the package's own
types, so a field added to `Finding` or `Report` is added here once, not in every module.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from checker.model import (
    AuditedUpdate,
    DriftValues,
    Finding,
    FindingSide,
    Location,
    Partition,
    Report,
    Severity,
    Summary,
    Suppressed,
    partition_key,
)

REGION = "eu-central-1"
ACCOUNT = "123456789012"
TARGET = f"arn:aws:iot:{REGION}:{ACCOUNT}:thinggroup/sensors"
FW_YAML = Location("ota/fw.yaml", 3)
AS_OF = datetime(2026, 11, 25, tzinfo=UTC)
CAPTURED_AT = "2026-11-20T06:00:00+00:00"


def finding(
    rule_id: str = "OTA306",
    ota_update_id: str = "fw-1",
    *,
    severity: Severity = Severity.HIGH,
    side: FindingSide = "declared",
    path: str = "",
    message: str = "no awsJobAbortConfig",
    location: Location | None = FW_YAML,
    suppressed: Suppressed | None = None,
    drift: DriftValues | None = None,
    partition: Partition | None = None,
) -> Finding:
    """A finding; by default OTA306 (no abort config) on fw-1's declaration."""
    return Finding(
        rule_id=rule_id,
        severity=severity,
        ota_update_id=ota_update_id,
        side=side,
        path=path,
        message=message,
        location=location,
        suppressed=suppressed,
        drift=drift,
        partition=partition,
    )


def summary_of(findings: tuple[Finding, ...] | list[Finding], updates: int) -> Summary:
    """The summary an audit of `updates` declared-and-live updates with `findings` would give."""
    counts = dict.fromkeys(Severity, 0)
    for f in findings:
        if f.active:
            counts[f.severity] += 1
    return Summary(
        declared=updates,
        live=updates,
        in_sync=0,
        drifted=0,
        missing=0,
        unmanaged=0,
        findings=counts,
        suppressed=sum(1 for f in findings if not f.active),
    )


def report(*findings: Finding, **fields: Any) -> Report:
    """A `check` report holding `findings`, sorted as the audit sorts them.

    Every update a finding names (in its partition) is audited, declared in ota/fw.yaml and
    read; `summary` counts the findings. Any `Report` field can be given to replace the default.
    """
    ordered = tuple(sorted(findings, key=lambda f: f.sort_key))
    named = {(f.partition, f.ota_update_id) for f in ordered}
    keys = sorted(named, key=lambda k: (*partition_key(k[0]), k[1])) or [(None, "fw-1")]
    defaults: dict[str, Any] = {
        "tool_version": "1.2.3",
        "summary": summary_of(ordered, len(keys)),
        "findings": ordered,
        "errors": (),
        "as_of": AS_OF,
        "policy_packs": ("policies/default.yaml",),
        "declared_files": ("ota/fw.yaml",),
        "audited": tuple(AuditedUpdate(i, FW_YAML, True, partition=p) for p, i in keys),
        "rules": tuple(sorted({f.rule_id for f in ordered})),
    }
    return Report(**(defaults | fields))


def live_info(ota_update_id: str = "fw-1", **extra: Any) -> dict[str, Any]:
    """A minimal otaUpdateInfo as JSON: one target and one streamed file; `extra` adds fields."""
    return {
        "otaUpdateId": ota_update_id,
        "targets": [TARGET],
        "otaUpdateFiles": [
            {"fileName": "fw.bin", "fileLocation": {"stream": {"streamId": "s1", "fileId": 0}}}
        ],
        **extra,
    }


def snapshot(*infos: dict[str, Any], **top: Any) -> dict[str, Any]:
    """A version-1 ota-drift snapshot of `infos`; `top` replaces or adds top-level keys."""
    return {
        "version": 1,
        "capturedAt": CAPTURED_AT,
        "region": REGION,
        "otaUpdates": list(infos),
        **top,
    }


def snapshot_text(*infos: dict[str, Any], **top: Any) -> str:
    """`snapshot(...)` as the JSON text a `--state` file holds."""
    return json.dumps(snapshot(*infos, **top))
