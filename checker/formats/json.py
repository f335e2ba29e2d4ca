"""The JSON report: a stable contract for scripts and dashboards (`version` 1).

Strict JSON whatever the data holds: a non-finite number (a NaN from a YAML `.nan` or a
live answer) is written as the string `"NaN"`, `"Infinity"` or `"-Infinity"`, never as the
bare tokens Python's json module would write and strict parsers reject; DEL, C1, bidi and
line-separator characters and lone surrogates are written as `\\uXXXX` escapes, so the text
is inert in a terminal and always encodes as UTF-8, and every string still parses back to
exactly the value it was.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from checker.model import Finding, Report, Severity, SourceError
from checker.textsafe import OTHER_INVISIBLE

JSON_VERSION = 1

NON_FINITE = {math.inf: "Infinity", -math.inf: "-Infinity"}
"""How a non-finite float is written (NaN, which equals nothing, is `"NaN"`)."""

_INVISIBLE = re.compile(f"[{OTHER_INVISIBLE}]")


def json_safe(value: Any) -> Any:
    """`value` as data that `json.dumps(..., allow_nan=False)` writes as strict JSON.

    Non-finite floats become strings (`NON_FINITE`), keys become strings the way json.dumps
    would spell them, an integer too long to print becomes a string saying so, and anything
    that is not JSON data becomes its `str()` (as `default=str` did). Ordinary data comes
    back equal to what was given.
    """
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int):
        return _int(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, Mapping):
        return {_key(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return str(value)


def _int(value: int) -> int | str:
    try:
        str(value)
    except ValueError:  # beyond sys.get_int_max_str_digits(): json.dumps could not print it
        return f"(an integer of {value.bit_length()} bits)"
    return value


def _float(value: float) -> float | str:
    if math.isfinite(value):
        return value
    return NON_FINITE.get(value, "NaN")


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, bool):
        return json.dumps(key)
    if isinstance(key, int):
        return str(_int(key))
    if isinstance(key, float):
        return str(_float(key)) if not math.isfinite(key) else repr(key)
    return str(key)


def escape_invisible(text: str) -> str:
    """JSON text with DEL, C1, bidi and separator characters and lone surrogates escaped.

    They can only occur inside strings (JSON syntax outside strings is ASCII), where
    `\\uXXXX` is their escape: the parsed value is unchanged.
    """
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


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
                items = [f"    {_compact(item)}," for item in value]
                items[-1] = items[-1][:-1]
                lines += [f"  {_compact(key)}: [", *items, f"  ]{comma}"]
            else:
                lines.append(f"  {_compact(key)}: {_compact(value)}{comma}")
        lines.append("}")
        return escape_invisible("\n".join(lines) + "\n")


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), allow_nan=False)


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
        "source": finding.source,
        "path": finding.path,
        "message": finding.message,
        "file": finding.location.file if finding.location else None,
        "line": finding.location.line if finding.location else None,
    }
    if finding.drift is not None:
        out["desired"] = json_safe(finding.drift.desired)
        out["actual"] = json_safe(finding.drift.actual)
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
