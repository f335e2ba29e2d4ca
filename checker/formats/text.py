"""The text report: findings grouped by OTA update, for a person at a terminal or in a CI log.

A fleet report (`--fleet`) groups them by partition first, under a heading per partition
(`== 111122223333/eu-west-1 (prod) ==`), then those about no partition (the policy packs);
read errors and notes name their partition, and a `Partitions:` block before the verdict
gives each partition's counts and says which could not be wholly read.

Every value from YAML, a policy pack, AWS or a snapshot goes through `visible()` before it is
painted, so a value can neither colour, move or rewrite the terminal nor split a line; the
colour codes are this module's own, added around the escaped text.
"""

from __future__ import annotations

from itertools import groupby

from checker.formats.common import (
    fleet_scope,
    incomplete_partitions,
    is_incomplete,
    partition_name,
    partition_names,
    plural,
    unread_count,
)
from checker.model import Finding, Partition, PartitionResult, Report, Severity, Summary
from checker.textsafe import visible

_COLOURS = {
    Severity.CRITICAL: "\033[1;35m",
    Severity.HIGH: "\033[1;31m",
    Severity.MEDIUM: "\033[33m",
    Severity.LOW: "\033[36m",
    Severity.INFO: "\033[2m",
}
_BOLD = "\033[1m"
_RESET = "\033[0m"


class TextFormat:
    """`colour` is decided by the CLI (TTY, NO_COLOR); this module never looks at a terminal."""

    def __init__(self, colour: bool = False) -> None:
        self.colour = colour

    def _paint(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.colour else text

    def notices(self, report: Report) -> list[str]:
        """Nothing is left out of this format."""
        return []

    def render(self, report: Report) -> str:
        fleet = report.fleet is not None
        header = f"ota-drift {visible(report.tool_version)}: {_counts(report.summary)}"
        if fleet:
            header += f" in {fleet_scope(report)}"
        if report.summary.live is None:
            header += " (lint: no live state)"
        lines = [header]
        names = partition_names(report)
        groups = [(p, list(g)) for p, g in groupby(report.findings, key=lambda f: f.partition)]
        if fleet:  # the partitions' findings first, then those about the policy packs
            groups.sort(key=lambda group: group[0] is None)
        for partition, in_partition in groups:
            if fleet:
                lines += ["", self._paint(f"== {_heading(partition, names)} ==", _BOLD)]
            for ota_id, group in groupby(in_partition, key=lambda f: f.ota_update_id):
                lines.append("")
                lines.append(self._paint(visible(ota_id), _BOLD))
                lines.extend(self._finding(f) for f in group)
        if report.skipped:
            lines.append("")
            lines.append(self._paint("Notes:", _BOLD))
            lines.extend(
                f"  {_where(s.partition)}{visible(s.ota_update_id)}: {visible(s.reason)}"
                for s in report.skipped
            )
        if report.errors:
            lines.append("")
            lines.append(self._paint("Could not read:", _BOLD))
            lines.extend(
                f"  {_where(e.partition)}{visible(e.subject)}  {visible(e.operation)}  "
                f"{visible(e.code)}: {visible(e.message)}"
                for e in report.errors
            )
        if fleet and report.partitions:
            lines.append("")
            lines.append(self._paint("Partitions:", _BOLD))
            lines.extend(self._partition(p) for p in report.partitions)
        lines.append("")
        lines.append(self._verdict(report))
        return "\n".join(lines) + "\n"

    def _partition(self, result: PartitionResult) -> str:
        """`111122223333/eu-west-1 (prod): 6 declared, ...; 28 finding(s), 1 suppressed`, and
        `NOT WHOLLY READ` with its error count for a partition that could not be."""
        s = result.summary
        found = sum(s.findings.values())
        line = f"  {visible(partition_name(result.partition, result.name))}: {_counts(s)}; "
        line += f"{found} finding(s)" + (f", {s.suppressed} suppressed" if s.suppressed else "")
        if result.errors:
            read = plural(result.errors, "item")
            return self._paint(f"{line}; NOT WHOLLY READ: {read} could not be read", _BOLD)
        return line

    def _finding(self, finding: Finding) -> str:
        severity = self._paint(f"{finding.severity.value:<8}", _COLOURS[finding.severity])
        where = f"  ({visible(str(finding.location))})" if finding.location else ""
        line = f"  {severity} {visible(finding.rule_id)}  {visible(finding.message)}{where}"
        if finding.suppressed is None:
            return line
        until = f" until {finding.suppressed.expires}" if finding.suppressed.expires else ""
        note = f"\n           suppressed{until}: {visible(finding.suppressed.reason)}"
        return self._paint(line + note, _COLOURS[Severity.INFO])

    def _verdict(self, report: Report) -> str:
        counts = ", ".join(
            f"{report.summary.findings.get(sev, 0)} {sev.value}" for sev in reversed(Severity)
        )
        suppressed = report.summary.suppressed
        active = len(report.findings) - suppressed
        tail = f"; {suppressed} suppressed" if suppressed else ""
        if is_incomplete(report):
            where = ""
            if report.fleet is not None:
                unread = len(incomplete_partitions(report))
                where = f" in {unread} of {plural(len(report.partitions), 'partition')}"
            return (
                f"INCOMPLETE: {unread_count(report)} item(s) could not be read{where}; this audit "
                f"is not clean. {active} finding(s): {counts}{tail}"
            )
        if not active:
            return f"No findings{f' ({suppressed} suppressed)' if suppressed else ''}."
        return f"{active} finding(s): {counts}{tail}"


def _counts(s: Summary) -> str:
    """`6 declared, 6 live; 3 in sync, 2 drifted, 1 missing, 0 unmanaged` (`6 declared` when
    no live state was read)."""
    if s.live is None:
        return f"{s.declared} declared"
    return (
        f"{s.declared} declared, {s.live} live; {s.in_sync} in sync, {s.drifted} drifted, "
        f"{s.missing} missing, {s.unmanaged} unmanaged"
    )


def _heading(partition: Partition | None, names: dict[Partition, str]) -> str:
    """A fleet report's heading for the findings of `partition`; None: the policy packs'."""
    if partition is None:
        return "policy packs (no account or region)"
    return visible(names.get(partition, str(partition)))


def _where(partition: Partition | None) -> str:
    """`111122223333/eu-west-1 ` before what a fleet report's error or note is about."""
    return "" if partition is None else f"{visible(str(partition))} "
