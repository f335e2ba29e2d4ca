"""The Markdown report: a pull-request comment or a GitHub job summary.

Every value that came from a YAML file, a policy pack or AWS goes through `cell()`, so an
update id or a message containing `|`, backticks, `<script>` or a newline can neither break
a table nor inject HTML. Long sections are folded in `<details>`; the only HTML in the output
is the `<details>`, `<summary>` and `<code>` this module writes itself.

A fleet report (`--fleet`) has `Account` and `Region` columns in its findings, read-error and
notes tables (`—` for a finding about no partition: the policy packs), and a `Partitions`
table after the counts: each partition's counts, and its read errors, marked when it could
not be wholly read. Its headline says in how many partitions items could not be read.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from checker.formats.common import (
    fleet_scope,
    incomplete_partitions,
    is_incomplete,
    json_value,
    plural,
    severity_counts,
    timestamp,
    unread_count,
)
from checker.model import Finding, Partition, PartitionResult, Report, Severity, most_severe_first
from checker.textsafe import visible

GITHUB_SUMMARY_MAX_BYTES = 1024 * 1024
"""GitHub Actions' limit on one step's job summary ($GITHUB_STEP_SUMMARY): 1 MiB."""

MIN_MAX_BYTES = 4096
"""The smallest budget: the headline, the counts, the closing line, a context line of up to an
eighth of it and the frames of the read-error and notes sections take at most about 2 KB."""

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


_MENTIONS = frozenset("@#")
"""GitHub turns `@name` into a notification and `#12` into a cross-reference wherever they
appear outside code, and a pull-request author controls the YAML a comment quotes."""
_ZERO_WIDTH_SPACE = "&#8203;"
"""After `@` or `#` it breaks the mention and the reference, and reads as nothing (Renovate
does the same in the pull requests it writes)."""


def cell(value: object) -> str:
    """`value` as inert Markdown text on one line, safe inside a table cell.

    Whitespace runs (newlines included) collapse to one space; control and bidi characters
    read as escapes (`\\x1b`, `\\u202e`: `checker.textsafe`); `&`, `<`, `>` become HTML
    entities; Markdown punctuation gets a backslash, `|` included, so the cell count of a row
    never changes; `@` and `#` are followed by a zero-width space, so no mention or issue
    reference goes live. The rendered text reads as `value` with whitespace collapsed.
    """
    text = visible(_WHITESPACE.sub(" ", str(value)).strip())
    out: list[str] = []
    for char in text:
        if char in _HTML_ENTITIES:
            out.append(_HTML_ENTITIES[char])
        elif char in _BACKSLASHED:
            out.append("\\" + char)
        elif char in _MENTIONS:
            out.append(char + _ZERO_WIDTH_SPACE)
        else:
            out.append(char)
    return "".join(out)


def code(value: object) -> str:
    """`value` escaped by `cell()` in a `<code>` element (a backtick span would show escapes)."""
    return f"<code>{cell(value)}</code>"


class MarkdownFormat:
    """GitHub-flavoured Markdown. Says what was found, never whether the build fails: the
    format does not know `--fail-on`.

    With `max_bytes`, a report over that many UTF-8 bytes is shortened to fit (see
    `_within_budget`): the verdict and the counts stay, the most severe findings fill the
    room left, and the last line says how many findings are not shown.
    """

    def __init__(self, max_bytes: int | None = None) -> None:
        if max_bytes is not None and max_bytes < MIN_MAX_BYTES:
            raise ValueError(f"a Markdown budget is at least {MIN_MAX_BYTES} bytes")
        self.max_bytes = max_bytes
        self._last: tuple[Report, _Rendered] | None = None
        """The last report rendered and its result, so `notices` need not render it again."""

    def notices(self, report: Report) -> list[str]:
        """One line when the budget left findings, read errors or notes out; else none."""
        note = self._rendered(report).notice
        return [note] if note else []

    def render(self, report: Report) -> str:
        return self._rendered(report).text

    def _rendered(self, report: Report) -> _Rendered:
        if self._last is not None and self._last[0] is report:
            return self._last[1]
        rendered = self._render(report)
        self._last = (report, rendered)
        return rendered

    def _render(self, report: Report) -> _Rendered:
        active = _by_severity(f for f in report.findings if f.active)
        suppressed = _by_severity(f for f in report.findings if not f.active)
        fleet = report.fleet is not None
        tables = _Tables(
            partitions=_Fitter(
                "Partitions", _partitions_table(report), FOLD_ABOVE, _partitions_left_out
            ),
            active=_Fitter("Findings", _findings_table(active, fleet), FOLD_ABOVE),
            suppressed=_Fitter("Suppressed findings", _suppressed_table(suppressed, fleet), -1),
            errors=_Fitter("Could not read", _errors_table(report), -1, _errors_left_out),
            notes=_Fitter("Notes", _notes_table(report), -1, _notes_left_out),
        )
        head = self._head(report, self._context(report))
        out = [*head, *(line for t in tables.in_order() for line in t.lines(t.total))]
        text = "\n".join(out).rstrip("\n") + "\n"
        if self.max_bytes is None or len(text.encode("utf-8")) <= self.max_bytes:
            return _Rendered(text, None)
        return self._within_budget(report, self.max_bytes, tables, active)

    def _within_budget(
        self, report: Report, budget: int, tables: _Tables, active: Sequence[Finding]
    ) -> _Rendered:
        """The report shortened to at most `budget` bytes, keeping its layout.

        Every row was rendered once, and each table knows its rows' running byte total, so
        how many rows fit a share of the budget is a binary search. A section's frame (title,
        header, `… N of M not shown` line) is costed at its largest before rows are fitted,
        so the sum of what is kept never exceeds the budget. In order of priority:

        1. the headline (the verdict), the counts table and the closing line, costed at its
           longest; the context line only if it takes at most an eighth of the budget (with
           the policy pack names replaced by their number if that makes it fit);
        2. read errors, in the report's order, within a quarter of the budget (they say how
           far the verdict can be trusted; the headline counts them all);
        3. room for the frames of the Partitions and Notes sections;
        4. a fleet report's partitions, in the report's order, within an eighth of the budget;
        5. active findings, most severe first, as many as fit; then, if all of them fit,
           the suppressed ones likewise;
        6. notes, in the report's order, in what is left;
        7. whatever is still left goes to read errors that did not fit in their quarter, then
           to partitions that did not fit in their eighth.

        A row is never cut; a row too long for what is left ends its table there, so what is
        shown is always the most severe findings. `MIN_MAX_BYTES` leaves room for step 1.
        """
        context: str | None = self._context(report)
        cut: list[str] = []
        if _cost([self._context(report)]) > budget // 8:
            context = self._context(report, pack_names=False)
            cut = ["the policy pack names"]  # the only part of the line that can be long
            if _cost([context]) > budget // 8:
                context = None
                cut = ["the line naming version, time and policy packs"]
        head = self._head(report, context)
        errors, notes, partitions = tables.errors, tables.notes, tables.partitions
        total = len(report.findings)
        every_cut = [
            *cut,
            *filter(None, (errors.left_out(0), partitions.left_out(0), notes.left_out(0))),
        ]
        ending = max(
            _cost([_left_out_line(budget, total, active, tables.suppressed.total)]),
            _cost([_all_shown_line(budget, total, every_cut)]),
        )
        room = budget - _cost(head) - ending
        notes_frame = notes.cost(0)
        partitions_frame = partitions.cost(0)
        shown_errors = errors.fit(min(budget // 4, room - notes_frame - partitions_frame))
        room -= errors.cost(shown_errors) + notes_frame
        shown_partitions = partitions.fit(min(budget // 8, room))
        room -= partitions.cost(shown_partitions)
        shown_active = tables.active.fit(room)
        room -= tables.active.cost(shown_active)
        shown_suppressed = 0
        if shown_active == tables.active.total:
            shown_suppressed = tables.suppressed.fit(room)
            room -= tables.suppressed.cost(shown_suppressed)
        room += notes_frame
        shown_notes = notes.fit(room)
        room -= notes.cost(shown_notes)
        if shown_errors < errors.total:  # what the rest left over
            spare = errors.cost(shown_errors) + room
            shown_errors = max(shown_errors, errors.fit(spare))
            room = spare - errors.cost(shown_errors)
        if shown_partitions < partitions.total:
            spare = partitions.cost(shown_partitions) + room
            shown_partitions = max(shown_partitions, partitions.fit(spare))

        shown = [shown_partitions, shown_active, shown_suppressed, shown_errors, shown_notes]
        out = [*head]
        for table, count in zip(tables.in_order(), shown, strict=True):
            out += table.lines(count)
        cut += filter(
            None,
            (
                errors.left_out(shown_errors),
                partitions.left_out(shown_partitions),
                notes.left_out(shown_notes),
            ),
        )
        shown_findings = shown_active + shown_suppressed
        if shown_findings < total:
            left_suppressed = tables.suppressed.total - shown_suppressed
            out.append(_left_out_line(budget, total, active[shown_active:], left_suppressed))
        else:
            out.append(_all_shown_line(budget, total, cut))
        text = "\n".join(out) + "\n"
        return _Rendered(text, _notice(budget, shown_findings, total, cut))

    def _head(self, report: Report, context: str | None) -> list[str]:
        """Headline, context line and counts table: the part of the report always shown."""
        out = [f"## {self._headline(report, sum(1 for f in report.findings if f.active))}", ""]
        if context is not None:
            out += [context, ""]
        return out + self._counts(report)

    def _headline(self, report: Report, active: int) -> str:
        title = f"ota-drift {report.command}"
        counts = f" ({severity_counts(report)})" if active else ""
        found = f"{plural(active, 'active finding')}{counts}"
        if is_incomplete(report):
            items = plural(unread_count(report), "item")
            where = ""
            if report.fleet is not None:
                unread = len(incomplete_partitions(report))
                where = f" in {unread:,} of {plural(len(report.partitions), 'partition')}"
            return f"⚠️ {title}: Incomplete: {items} could not be read{where}; {found}"
        if active:
            return f"❌ {title}: {found}"
        tail = f" ({report.summary.suppressed:,} suppressed)" if report.summary.suppressed else ""
        return f"✅ {title}: No findings{tail}"

    def _context(self, report: Report, pack_names: bool = True) -> str:
        s = report.summary
        parts = [f"ota-drift {cell(report.tool_version)}"]
        if report.as_of is not None:
            parts.append(f"as of {cell(timestamp(report.as_of))}")
        if report.fleet is not None:
            parts.append(fleet_scope(report))
        if s.live is None:
            parts.append(f"{s.declared:,} declared (lint: no live state)")
        else:
            parts.append(
                f"{s.declared:,} declared, {s.live:,} live: {s.in_sync:,} in sync, "
                f"{s.drifted:,} drifted, {s.missing:,} missing, {s.unmanaged:,} unmanaged"
            )
        if report.policy_packs and pack_names:
            parts.append("policy " + ", ".join(code(p) for p in report.policy_packs))
        elif report.policy_packs:
            parts.append(plural(len(report.policy_packs), "policy pack"))
        return " · ".join(parts)

    def _counts(self, report: Report) -> list[str]:
        rows = [
            [f"{SEVERITY_ICONS[sev]} {sev.value}", str(report.summary.findings.get(sev, 0))]
            for sev in reversed(Severity)
        ]
        rows.append(["suppressed", str(report.summary.suppressed)])
        return [*_table(["Severity", "Active findings"], rows, align=["---", "---:"]), ""]


@dataclass(frozen=True)
class _Rendered:
    text: str
    notice: str | None
    """What `notices` says: None when the report shows everything."""


class _Fitter:
    """One section's table, each row rendered once, and what showing its first rows costs.

    `lines(shown)` is the section with the first `shown` rows: with all of them, exactly the
    section of the unbudgeted report; with fewer, titled `Title (shown of total)` and, for
    tables with a `left_out` phrase, a closing `… N of M … are not shown here` line. Fewer
    rows than FOLD_ABOVE unfold, as in the full report; a findings table with no row shown
    is left out (the report's closing line counts its findings).
    """

    def __init__(
        self,
        title: str,
        table: list[str],
        fold_above: int,
        left_out: Callable[[int, int], str] | None = None,
    ) -> None:
        self.title = title
        self.header = table[:2]
        self.rows = table[2:]
        self.total = len(self.rows)
        self.fold_above = fold_above
        self._left_out = left_out
        self._ends: list[int] | None = None

    def left_out(self, shown: int) -> str | None:
        """`1,180 of 1,200 items that could not be read`, or None when nothing is left out."""
        if shown >= self.total or self._left_out is None:
            return None
        return self._left_out(self.total - shown, self.total)

    def lines(self, shown: int) -> list[str]:
        before, after = self._frame(shown)
        return [*before, *self.rows[:shown], *after]

    def cost(self, shown: int) -> int:
        """UTF-8 bytes of `lines(shown)`, newlines included, without building it."""
        before, after = self._frame(shown)
        return _cost(before) + (self.ends[shown - 1] if shown else 0) + _cost(after)

    def fit(self, budget: int) -> int:
        """The most rows whose section costs at most `budget`, or 0 if not even one row fits
        (the caller makes room for `cost(0)`, a title and a `more` line, or nothing).

        Binary search over the rows' running total, after taking off the largest frame any
        partial section can have (folded, every count as wide as the total): O(log n).
        """
        if self.cost(self.total) <= budget:
            return self.total
        widest = f"{self.total:,} of {self.total:,}"
        more = self._more(self._left_out(self.total, self.total) if self._left_out else None)
        before, after = self._frame_of(widest, more, rows=max(self.fold_above + 1, 1))
        room = budget - _cost(before) - _cost(after)
        return min(bisect.bisect_right(self.ends, room), self.total - 1) if room > 0 else 0

    @property
    def ends(self) -> list[int]:
        """`ends[i]`: bytes of the first i + 1 rows with their newlines (computed on first use:
        only a report over its budget needs it)."""
        if self._ends is None:
            self._ends = list(itertools.accumulate(len(r.encode("utf-8")) + 1 for r in self.rows))
        return self._ends

    def _frame(self, shown: int) -> tuple[list[str], list[str]]:
        count = f"{shown:,} of {self.total:,}" if 0 < shown < self.total else f"{self.total:,}"
        return self._frame_of(count, self._more(self.left_out(shown)), shown)

    @staticmethod
    def _more(left_out: str | None) -> str | None:
        if left_out is None:
            return None
        return f"… {left_out} are not shown here; the other formats list them all."

    def _frame_of(self, count: str, more: str | None, rows: int) -> tuple[list[str], list[str]]:
        """The lines before and after `rows` rows: title, table header, `more` line."""
        if rows == 0 and more is None:
            return [], []
        summary = f"{self.title} ({count})"
        header = self.header if rows else []
        after = [""] if rows else []
        if more is not None:
            after += [more, ""]
        if rows > self.fold_above:
            return [f"<details><summary>{summary}</summary>", "", *header], [
                *after,
                "</details>",
                "",
            ]
        return [f"### {summary}", "", *header], after


@dataclass(frozen=True)
class _Tables:
    partitions: _Fitter
    """Empty, and so never shown, in a single-partition report."""
    active: _Fitter
    suppressed: _Fitter
    errors: _Fitter
    notes: _Fitter

    def in_order(self) -> list[_Fitter]:
        """The sections in the order the report shows them."""
        return [self.partitions, self.active, self.suppressed, self.errors, self.notes]


def _errors_left_out(left: int, total: int) -> str:
    return f"{left:,} of {total:,} items that could not be read"


def _notes_left_out(left: int, total: int) -> str:
    return f"{left:,} of {total:,} notes"


def _partitions_left_out(left: int, total: int) -> str:
    return f"{left:,} of {total:,} partitions"


_FULL_REPORT = "The full report is in the other formats (`--format json`, `--report sarif=…`)."


def _left_out_line(
    budget: int, total: int, left_active: Sequence[Finding], left_suppressed: int
) -> str:
    """The closing line when findings are left out: how many, of which severity, and where
    they all are. With every finding left out it is the longest it can be."""
    by_severity = dict.fromkeys(reversed(Severity), 0)
    for finding in left_active:
        by_severity[finding.severity] += 1
    counts = [f"{count:,} {sev.value}" for sev, count in by_severity.items() if count]
    if left_suppressed:
        counts.append(f"{left_suppressed:,} suppressed")
    left = len(left_active) + left_suppressed
    return (
        f"_{left:,} of {plural(total, 'finding')} {'is' if left == 1 else 'are'} not shown "
        f"here (budget {budget:,} bytes): "
        f"{', '.join(counts)}. {_FULL_REPORT}_"
    )


def _all_shown_line(budget: int, total: int, cut: Sequence[str]) -> str:
    """The closing line when every finding is shown but something else was cut."""
    shown = f"All {total:,} findings are shown" if total else "There are no findings"
    return (
        f"_{shown}; left out to stay within the budget ({budget:,} bytes): "
        f"{', '.join(cut)}. {_FULL_REPORT}_"
    )


def _notice(budget: int, shown: int, total: int, cut: Sequence[str]) -> str:
    if shown < total:
        text = f"Markdown report shows {shown:,} of {plural(total, 'finding')} (the most severe)"
    else:
        text = "Markdown report shows every finding"
    text += f", within {budget:,} bytes"
    if cut:
        text += f"; left out: {', '.join(cut)}"
    return text + "; the other formats have the full report"


def _cost(lines: Iterable[str]) -> int:
    """UTF-8 bytes of `lines`, each with its newline."""
    return sum(len(line.encode("utf-8")) + 1 for line in lines)


def _by_severity(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first; the report's order (update, rule, path) within a severity."""
    return sorted(findings, key=most_severe_first)


def _finding_cells(finding: Finding, fleet: bool) -> list[str]:
    message = cell(finding.message)
    if finding.drift is not None:
        declared = code(json_value(finding.drift.declared))
        live = code(json_value(finding.drift.live))
        message += f"<br>{declared} → {live}"
    return [
        f"{SEVERITY_ICONS[finding.severity]} {finding.severity.value}",
        cell(finding.rule_id),
        *(_partition_cells(finding.partition) if fleet else []),
        cell(finding.ota_update_id),
        code(finding.path) if finding.path else "—",
        message,
        code(finding.location) if finding.location else "not declared",
    ]


_FINDING_HEADER = ["Severity", "Rule", "Update", "Path", "Message", "Location"]
_PARTITION_HEADER = ["Account", "Region"]


def _finding_header(fleet: bool) -> list[str]:
    """The findings tables' columns: a fleet report's have the account and region after the
    rule."""
    if not fleet:
        return list(_FINDING_HEADER)
    return [*_FINDING_HEADER[:2], *_PARTITION_HEADER, *_FINDING_HEADER[2:]]


def _partition_cells(partition: Partition | None) -> list[str]:
    """The Account and Region cells; `—` for what is about no partition (the policy packs)."""
    if partition is None:
        return ["—", "—"]
    return [cell(partition.account), cell(partition.region)]


def _findings_table(findings: Sequence[Finding], fleet: bool) -> list[str]:
    return _table(_finding_header(fleet), [_finding_cells(f, fleet) for f in findings])


def _suppressed_table(findings: Sequence[Finding], fleet: bool) -> list[str]:
    rows = []
    for finding in findings:
        assert finding.suppressed is not None
        expires = finding.suppressed.expires
        rows.append(
            [
                *_finding_cells(finding, fleet),
                cell(finding.suppressed.reason),
                expires.isoformat() if expires else "never",
            ]
        )
    return _table([*_finding_header(fleet), "Reason", "Expires"], rows)


def _errors_table(report: Report) -> list[str]:
    fleet = report.fleet is not None
    header = [*(_PARTITION_HEADER if fleet else []), "Update", "Operation", "Code", "Message"]
    rows = [
        [
            *(_partition_cells(e.partition) if fleet else []),
            cell(e.subject),
            cell(e.operation),
            code(e.code),
            cell(e.message),
        ]
        for e in report.errors
    ]
    return _table(header, rows)


def _notes_table(report: Report) -> list[str]:
    fleet = report.fleet is not None
    rows = [
        [
            *(_partition_cells(s.partition) if fleet else []),
            cell(s.ota_update_id),
            cell(s.reason),
        ]
        for s in report.skipped
    ]
    return _table([*(_PARTITION_HEADER if fleet else []), "Update", "Note"], rows)


_PARTITIONS_HEADER = [
    *_PARTITION_HEADER,
    "Name",
    "Declared",
    "Live",
    "In sync",
    "Drifted",
    "Missing",
    "Unmanaged",
    "Active findings",
    "Suppressed",
    "Read errors",
]


def _partitions_table(report: Report) -> list[str]:
    """Each partition of a fleet report, in order, with its counts; a partition that could
    not be wholly read says so in its last cell. No rows in a single-partition report."""
    rows = [_partition_row(p) for p in report.partitions]
    align = ["---"] * 3 + ["---:"] * (len(_PARTITIONS_HEADER) - 3)
    return _table(_PARTITIONS_HEADER, rows, align=align)


def _partition_row(result: PartitionResult) -> list[str]:
    s = result.summary

    def count(value: int | None) -> str:
        return "—" if value is None else f"{value:,}"

    read = f"⚠️ {result.errors:,}: not wholly read" if result.errors else "0"
    return [
        *_partition_cells(result.partition),
        cell(result.name) if result.name else "—",
        count(s.declared),
        *(count(v) for v in (s.live, s.in_sync, s.drifted, s.missing, s.unmanaged)),
        count(sum(s.findings.values())),
        count(s.suppressed),
        read,
    ]


def _table(
    header: Sequence[str], rows: Sequence[Sequence[str]], align: Sequence[str] | None = None
) -> list[str]:
    """A GFM table; every cell is already escaped (or is text this module wrote)."""
    align = align or ["---"] * len(header)
    lines = [f"| {' | '.join(header)} |", f"| {' | '.join(align)} |"]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    return lines
