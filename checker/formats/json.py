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

from checker.formats.common import escape_invisible, json_spaced
from checker.jsonsafe import json_safe
from checker.model import Finding, Report, Severity, SourceError

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
    """The report as the documented JSON document; key order is part of the contract."""
    s = report.summary
    return {
        "version": JSON_VERSION,
        "tool": {"name": "ota-drift", "version": report.tool_version},
        "summary": {
            "declared": s.declared,
            "live": s.live,
            "inSync": s.in_sync,
            "drifted": s.drifted,
            "missing": s.missing,
            "unmanaged": s.unmanaged,
            "findings": {sev.value: s.findings.get(sev, 0) for sev in reversed(Severity)},
            "suppressed": s.suppressed,
        },
        "findings": [finding_json(f) for f in report.findings],
        "errors": [error_json(e) for e in report.errors],
    }


def finding_json(finding: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "severity": finding.severity.value,
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
        "otaUpdateId": error.ota_update_id,
        "operation": error.operation,
        "code": error.code,
        "message": error.message,
    }
