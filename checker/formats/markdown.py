"""The Markdown report: a pull-request comment or a GitHub job summary.

Every value that came from a YAML file, a policy pack or AWS goes through `cell()`, so an
update id or a message containing `|`, backticks, `<script>` or a newline can neither break
a table nor inject HTML. Long sections are folded in `<details>`; the only HTML in the output
is the `<details>`, `<summary>` and `<code>` this module writes itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from checker.formats.json import json_safe
from checker.model import Finding, Report, Severity
from checker.textsafe import visible

GITHUB_SUMMARY_MAX_BYTES = 1024 * 1024
"""GitHub Actions' limit on one step's job summary ($GITHUB_STEP_SUMMARY): 1 MiB."""

FOLD_ABOVE = 20
"""A table with more rows than this is folded in `<details>`."""

SEVERITY_ICONS = {
    Severity.CRITICAL: "🟣",
    Severity.HIGH: "🔴",
    Severity.MEDIUM: "🟠",
    Severity.LOW: "🟡",
    Severity.INFO: "🔵",
}

_WHITESPACE = re.compile(r"\s+")
_HTML_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_BACKSLASHED = frozenset("\\`*_[]()|~!$")
"""ASCII punctuation with an inline meaning in GitHub Markdown (escapes, code, emphasis,
links and images, table cells, strikethrough, math): escaped with a backslash, which
CommonMark allows before any ASCII punctuation. Block syntax (`#`, `-`, `>`) cannot start
inside a table cell, and `<`, `>`, `&` are entities."""


def timestamp(moment: datetime) -> str:
    """ISO 8601, `Z` for UTC: `2026-11-25T00:00:00Z`."""
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def cell(value: object) -> str:
    """`value` as inert Markdown text on one line, safe inside a table cell.

    Whitespace runs (newlines included) collapse to one space; control and bidi characters
    read as escapes (`\\x1b`, `\\u202e`: `checker.textsafe`); `&`, `<`, `>` become HTML
    entities; Markdown punctuation gets a backslash, `|` included, so the cell count of a row
    never changes. The rendered text reads exactly as `value` with whitespace collapsed.
    """
    text = visible(_WHITESPACE.sub(" ", str(value)).strip())
    out: list[str] = []
    for char in text:
        if char in _HTML_ENTITIES:
            out.append(_HTML_ENTITIES[char])
        elif char in _BACKSLASHED:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def code(value: object) -> str:
    """`value` escaped by `cell()` in a `<code>` element (a backtick span would show escapes)."""
    return f"<code>{cell(value)}</code>"


def json_value(value: object) -> str:
    """A drift value as JSON text; None (a side without the value) reads `absent`."""
    if value is None:
        return "absent"
    return json.dumps(json_safe(value), sort_keys=True, ensure_ascii=False, allow_nan=False)


def severity_counts(report: Report) -> str:
    """`1 critical, 13 high, 3 medium`: the non-zero active counts, most severe first."""
    counts = [
        f"{report.summary.findings.get(sev, 0)} {sev.value}"
        for sev in reversed(Severity)
        if report.summary.findings.get(sev, 0)
    ]
    return ", ".join(counts)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


class MarkdownFormat:
    """GitHub-flavoured Markdown. Says what was found, never whether the build fails: the
    format does not know `--fail-on`."""

    def __init__(self, max_bytes: int | None = None) -> None:
        self.max_bytes = max_bytes

    def notices(self, report: Report) -> list[str]:
        """Nothing is left out of this format."""
        return []

    def render(self, report: Report) -> str:
        active = [f for f in report.findings if f.active]
        suppressed = [f for f in report.findings if not f.active]
        out = [f"## {self._headline(report, len(active))}", "", self._context(report), ""]
        out += self._counts(report)
        if active:
            out += _section(
                f"Findings ({len(active)})", _findings_table(_by_severity(active)), FOLD_ABOVE
            )
        if suppressed:
            out += _section(
                f"Suppressed findings ({len(suppressed)})",
                _suppressed_table(_by_severity(suppressed)),
                fold_above=-1,
            )
        if report.errors:
            header = ["Update", "Operation", "Code", "Message"]
            rows = [
                [cell(e.ota_update_id or "(all)"), cell(e.operation), code(e.code), cell(e.message)]
                for e in report.errors
            ]
            out += _section(
                f"Could not read ({len(report.errors)})", _table(header, rows), fold_above=-1
            )
        if report.skipped:
            rows = [[cell(s.ota_update_id), cell(s.reason)] for s in report.skipped]
            out += _section(
                f"Notes ({len(report.skipped)})", _table(["Update", "Note"], rows), fold_above=-1
            )
        return "\n".join(out).rstrip("\n") + "\n"

    def _headline(self, report: Report, active: int) -> str:
        title = f"ota-drift {report.command}"
        counts = f" ({severity_counts(report)})" if active else ""
        found = f"{_plural(active, 'active finding')}{counts}"
        if report.errors:
            items = _plural(len(report.errors), "item")
            return f"⚠️ {title}: Incomplete: {items} could not be read; {found}"
        if active:
            return f"❌ {title}: {found}"
        tail = f" ({report.summary.suppressed} suppressed)" if report.summary.suppressed else ""
        return f"✅ {title}: No findings{tail}"

    def _context(self, report: Report) -> str:
        s = report.summary
        parts = [f"ota-drift {cell(report.tool_version)}"]
        if report.as_of is not None:
            parts.append(f"as of {cell(timestamp(report.as_of))}")
        if s.live is None:
            parts.append(f"{s.declared} declared (lint: no live state)")
        else:
            parts.append(
                f"{s.declared} declared, {s.live} live: {s.in_sync} in sync, "
                f"{s.drifted} drifted, {s.missing} missing, {s.unmanaged} unmanaged"
            )
        if report.policy_packs:
            parts.append("policy " + ", ".join(code(p) for p in report.policy_packs))
        return " · ".join(parts)

    def _counts(self, report: Report) -> list[str]:
        rows = [
            [f"{SEVERITY_ICONS[sev]} {sev.value}", str(report.summary.findings.get(sev, 0))]
            for sev in reversed(Severity)
        ]
        rows.append(["suppressed", str(report.summary.suppressed)])
        return [*_table(["Severity", "Active findings"], rows, align=["---", "---:"]), ""]


def _by_severity(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first; the report's order (update, rule, path) within a severity."""
    return sorted(findings, key=lambda f: -f.severity.rank)


def _finding_cells(finding: Finding) -> list[str]:
    message = cell(finding.message)
    if finding.drift is not None:
        desired = code(json_value(finding.drift.desired))
        actual = code(json_value(finding.drift.actual))
        message += f"<br>{desired} → {actual}"
    return [
        f"{SEVERITY_ICONS[finding.severity]} {finding.severity.value}",
        cell(finding.rule_id),
        cell(finding.ota_update_id),
        code(finding.path) if finding.path else "—",
        message,
        code(finding.location) if finding.location else "not declared",
    ]


_FINDING_HEADER = ["Severity", "Rule", "Update", "Path", "Message", "Location"]


def _findings_table(findings: Sequence[Finding]) -> list[str]:
    return _table(_FINDING_HEADER, [_finding_cells(f) for f in findings])


def _suppressed_table(findings: Sequence[Finding]) -> list[str]:
    rows = []
    for finding in findings:
        assert finding.suppressed is not None
        expires = finding.suppressed.expires
        rows.append(
            [
                *_finding_cells(finding),
                cell(finding.suppressed.reason),
                expires.isoformat() if expires else "never",
            ]
        )
    return _table([*_FINDING_HEADER, "Reason", "Expires"], rows)


def _table(
    header: Sequence[str], rows: Sequence[Sequence[str]], align: Sequence[str] | None = None
) -> list[str]:
    """A GFM table; every cell is already escaped (or is text this module wrote)."""
    align = align or ["---"] * len(header)
    lines = [f"| {' | '.join(header)} |", f"| {' | '.join(align)} |"]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    return lines


def _section(summary: str, table: list[str], fold_above: int) -> list[str]:
    """A heading and table, or the table folded in `<details>` when it has many rows.

    `fold_above=-1` always folds. `summary` is text this module wrote, never a value.
    """
    rows = len(table) - 2
    if rows > fold_above:
        return [f"<details><summary>{summary}</summary>", "", *table, "", "</details>", ""]
    return [f"### {summary}", "", *table, ""]
