"""Helpers more than one format uses, so each lives once and no format imports another's.

JSON text: every format writes strict JSON (`allow_nan=False`, after `json_safe`) with
non-ASCII characters as themselves: `dumps`, `json_safe` and `json_line` live in
`checker/jsonsafe.py`, since OTA001's messages write drift values the same way. The dump
helpers here differ only in layout and key order, and each is named for that; a format picks
the one its output has always used.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from checker.jsonsafe import dumps, json_line, json_safe
from checker.model import Partition, PartitionResult, Report, Severity
from checker.rules.ota001_changed import CHANGED
from checker.textsafe import OTHER_INVISIBLE

DRIFT_RULE_ID = CHANGED.rule_id
"""The rule whose findings carry declared and live values (OTA001): taken from its meta, so
the formats follow the registry rather than a copy of the id."""

_INVISIBLE = re.compile(f"[{OTHER_INVISIBLE}]")


def escape_invisible(text: str) -> str:
    """JSON text with DEL, C1, bidi and separator characters and lone surrogates escaped.

    They can only occur inside strings (JSON syntax outside strings is ASCII), where
    `\\uXXXX` is their escape: the parsed value is unchanged.
    """
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def json_value(value: object) -> str:
    """A drift value as `json_line`; None (a side without the value) reads `absent`."""
    if value is None:
        return "absent"
    return json_line(value)


def json_block(value: object) -> str:
    """A drift value indented by 2, keys sorted, for a `<pre>`; None reads `absent`."""
    if value is None:
        return "absent"
    return dumps(json_safe(value), sort_keys=True, indent=2)


def json_spaced(value: Any) -> str:
    """JSON data on one line, key order kept, `, ` and `: ` between items (C encoder)."""
    return dumps(value, separators=(", ", ": "))


def json_minified(value: Any) -> str:
    """JSON data with no whitespace at all, key order kept: the smallest text."""
    return dumps(value, separators=(",", ":"))


def json_indented(value: Any) -> str:
    """JSON data indented by 2, key order kept (the pure-Python encoder: slower)."""
    return dumps(value, indent=2)


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


def partition_name(partition: Partition, name: str | None) -> str:
    """`111122223333/eu-west-1 (prod)`, or without the parenthesis when the fleet entry has no
    name: how a fleet report's headings and summaries name a partition. Raw: escape it."""
    return f"{partition} ({name})" if name else str(partition)


def partition_names(report: Report) -> dict[Partition, str]:
    """`partition_name` of every partition of a fleet report, by partition."""
    return {p.partition: partition_name(p.partition, p.name) for p in report.partitions}


def incomplete_partitions(report: Report) -> list[PartitionResult]:
    """The partitions of a fleet report that could not be wholly read, in the report's order."""
    return [p for p in report.partitions if p.errors > 0]


def is_incomplete(report: Report) -> bool:
    """True when a report may not say clean: a read error, or a partition not wholly read."""
    return not report.complete or bool(incomplete_partitions(report))


def unread_count(report: Report) -> int:
    """How many items could not be read: the report's errors, or its partitions' count of
    them if that is more, so an incomplete verdict never says 0."""
    return max(len(report.errors), sum(p.errors for p in report.partitions))


def fleet_scope(report: Report) -> str:
    """`2 partitions`, `3 partitions, shard 2/4`: what part of a fleet a fleet report covers;
    empty for a single-partition run."""
    if report.fleet is None:
        return ""
    index, count = report.fleet.shard
    shard = f", shard {index}/{count}" if count > 1 else ""
    return plural(len(report.partitions), "partition") + shard
