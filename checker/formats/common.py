"""Helpers more than one format uses, so each lives once and no format imports another's.

JSON text: every format writes strict JSON (`allow_nan=False`, after `json_safe`) with
non-ASCII characters as themselves. The dump helpers differ only in layout and key order,
and each is named for that; a format picks the one its output has always used.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from checker.model import Report, Severity
from checker.rules.ota001_changed import CHANGED
from checker.textsafe import OTHER_INVISIBLE

DRIFT_RULE_ID = CHANGED.rule_id
"""The rule whose findings carry declared and live values (OTA001): taken from its meta, so
the formats follow the registry rather than a copy of the id."""

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


def _dumps(value: Any, **layout: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, **layout)


def json_line(value: object) -> str:
    """Any value on one line, keys sorted (`{"a": 1, "b": [2, 3]}`): a drift value in prose."""
    return _dumps(json_safe(value), sort_keys=True)


def json_value(value: object) -> str:
    """A drift value as `json_line`; None (a side without the value) reads `absent`."""
    if value is None:
        return "absent"
    return json_line(value)


def json_block(value: object) -> str:
    """A drift value indented by 2, keys sorted, for a `<pre>`; None reads `absent`."""
    if value is None:
        return "absent"
    return _dumps(json_safe(value), sort_keys=True, indent=2)


def json_spaced(value: Any) -> str:
    """JSON data on one line, key order kept, `, ` and `: ` between items (C encoder)."""
    return _dumps(value, separators=(", ", ": "))


def json_minified(value: Any) -> str:
    """JSON data with no whitespace at all, key order kept: the smallest text."""
    return _dumps(value, separators=(",", ":"))


def json_indented(value: Any) -> str:
    """JSON data indented by 2, key order kept (the pure-Python encoder: slower)."""
    return _dumps(value, indent=2)


def timestamp(moment: datetime) -> str:
    """ISO 8601, `Z` for UTC: `2026-11-25T00:00:00Z`."""
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def severity_counts(report: Report) -> str:
    """`1 critical, 13 high, 3 medium`: the non-zero active counts, most severe first."""
    counts = [
        f"{report.summary.findings.get(sev, 0):,} {sev.value}"
        for sev in reversed(Severity)
        if report.summary.findings.get(sev, 0)
    ]
    return ", ".join(counts)


def plural(count: int, noun: str, *, grouped: bool = True) -> str:
    """`1 finding`, `1,204 findings`. `grouped=False` writes `1204 findings`: the HTML page
    does, to read the same as the counts its script writes."""
    return f"{count:{',' if grouped else ''}} {noun}{'' if count == 1 else 's'}"
