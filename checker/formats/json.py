"""The JSON report: a stable contract for scripts and dashboards (`version` 1).

Strict JSON whatever the data holds: a non-finite number (a NaN from a YAML `.nan` or a
live answer) is written as the string `"NaN"`, `"Infinity"` or `"-Infinity"`, never as the
bare tokens Python's json module would write and strict parsers reject; DEL, C1, bidi and
line-separator characters and lone surrogates are written as `\\uXXXX` escapes, so the text
is inert in a terminal and always encodes as UTF-8, and every string still parses back to
exactly the value it was.
"""

from __future__ import annotations

from typing import Any

from checker.formats.common import escape_invisible, json_spaced, timestamp
from checker.jsonsafe import json_safe
from checker.model import (
    AuditedUpdate,
    Finding,
    Partition,
    Report,
    Severity,
    SourceError,
    Summary,
)

JSON_VERSION = 1


class JsonFormat:
    """One top-level key per line and one finding per line: diffable, greppable, and written
    with json's C encoder (`indent` would force the pure-Python one: 10x slower on 50,000
    findings)."""

    def notices(self, report: Report) -> list[str]:
        """Nothing is left out of this format."""
        return []

    def render(self, report: Report) -> str:
        doc = to_json(report)
        lines = ["{"]
        keys = list(doc)
        for index, key in enumerate(keys):
            comma = "," if index < len(keys) - 1 else ""
            value = doc[key]
            if isinstance(value, list) and value:
                items = [f"    {json_spaced(item)}," for item in value]
                items[-1] = items[-1][:-1]
                lines += [f"  {json_spaced(key)}: [", *items, f"  ]{comma}"]
            else:
                lines.append(f"  {json_spaced(key)}: {json_spaced(value)}{comma}")
        lines.append("}")
        return escape_invisible("\n".join(lines) + "\n")


def to_json(report: Report) -> dict[str, Any]:
    """The report as the documented JSON document; key order is part of the contract.

    A fleet report (`--fleet`) has more: `fleet` (what `merge` checks), `run` (the settings
    every format needs), `partitions`, `skipped` and `audited`, and `account` and `region` on
    findings and errors; everything a format renders, so `merge` can render any of them. A
    single-partition report whose chain was read (`--verify`) has `audited` too, for the chain
    of each update; without it, its keys are as they always were."""
    head: dict[str, Any] = {
        "version": JSON_VERSION,
        "tool": {"name": "ota-drift", "version": report.tool_version},
    }
    fleet = report.fleet
    if fleet is not None:
        head["fleet"] = {
            "digest": fleet.digest,
            "units": fleet.units,
            "shard": f"{fleet.shard[0]}/{fleet.shard[1]}",
            "policyDigest": fleet.policy_digest,
            "failOn": fleet.fail_on,
            "inputsDigest": fleet.inputs_digest,
            "shardUnits": [str(unit) for unit in fleet.shard_units],
        }
        head["run"] = {
            "command": report.command,
            "asOf": timestamp(report.as_of) if report.as_of else None,
            "policyPacks": list(report.policy_packs),
            "rules": list(report.rules),
            "declaredFiles": list(report.declared_files),
        }
    doc = {
        **head,
        "summary": summary_json(report.summary),
        "findings": [finding_json(f) for f in report.findings],
        "errors": [error_json(e) for e in report.errors],
    }
    if fleet is not None:
        doc["partitions"] = [
            {
                **_partition_json(p.partition),
                "name": p.name,
                "summary": summary_json(p.summary),
                "errors": p.errors,
            }
            for p in report.partitions
        ]
        doc["skipped"] = [
            {**_partition_json(s.partition), "otaUpdateId": s.ota_update_id, "reason": s.reason}
            for s in report.skipped
        ]
        doc["audited"] = [audited_json(a) for a in report.audited]
    elif any(a.chain for a in report.audited):  # `--verify`: the chain each update rests on
        doc["audited"] = [audited_json(a) for a in report.audited]
    return doc


def summary_json(s: Summary) -> dict[str, Any]:
    return {
        "declared": s.declared,
        "live": s.live,
        "inSync": s.in_sync,
        "drifted": s.drifted,
        "missing": s.missing,
        "unmanaged": s.unmanaged,
        "findings": {sev.value: s.findings.get(sev, 0) for sev in reversed(Severity)},
        "suppressed": s.suppressed,
    }


def _partition_json(partition: Partition | None) -> dict[str, Any]:
    """`account` and `region` of a fleet run's value; nothing in a single-partition run."""
    if partition is None:
        return {}
    return {"account": partition.account, "region": partition.region}


def audited_json(audited: AuditedUpdate) -> dict[str, Any]:
    """One audited update; `chain` only when `--verify` read one, so a report without it is
    as it was."""
    where = audited.declared
    out: dict[str, Any] = {
        **_partition_json(audited.partition),
        "otaUpdateId": audited.ota_update_id,
        "file": where.file if where else None,
        "line": where.line if where else None,
        "resource": where.resource if where else None,
        "live": audited.live,
        "rules": None if audited.rules is None else list(audited.rules),
    }
    if audited.chain:
        out["chain"] = [
            {
                "file": chain.file,
                "links": [
                    {
                        "kind": link.kind,
                        "name": link.name,
                        "status": link.status,
                        "found": link.found,
                    }
                    for link in chain.links
                ],
            }
            for chain in audited.chain
        ]
    return out


def finding_json(finding: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "severity": finding.severity.value,
        **_partition_json(finding.partition),
        "otaUpdateId": finding.ota_update_id,
        "source": finding.side,
        "path": finding.path,
        "message": finding.message,
        "file": finding.location.file if finding.location else None,
        "line": finding.location.line if finding.location else None,
        "resource": finding.location.resource if finding.location else None,
    }
    if finding.drift is not None:
        out["desired"] = json_safe(finding.drift.declared)
        out["actual"] = json_safe(finding.drift.live)
    if finding.references:
        out["references"] = list(finding.references)
    if finding.suppressed is not None:
        expires = finding.suppressed.expires
        out["suppressed"] = {
            "reason": finding.suppressed.reason,
            "expires": expires.isoformat() if expires else None,
        }
    return out


def error_json(error: SourceError) -> dict[str, Any]:
    return {
        **_partition_json(error.partition),
        "otaUpdateId": error.ota_update_id,
        "operation": error.operation,
        "code": error.code,
        "message": error.message,
    }
