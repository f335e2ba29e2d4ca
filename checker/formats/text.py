"""The text report: findings grouped by OTA update, for a person at a terminal or in a CI log.

Every value from YAML, a policy pack, AWS or a snapshot goes through `visible()` before it is
painted, so a value can neither colour, move or rewrite the terminal nor split a line; the
colour codes are this module's own, added around the escaped text.
"""

from __future__ import annotations

from itertools import groupby

from checker.model import Finding, Report, Severity
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
        s = report.summary
        if s.live is None:
            header = (
                f"ota-drift {visible(report.tool_version)}: {s.declared} declared "
                "(lint: no live state)"
            )
        else:
            header = (
                f"ota-drift {visible(report.tool_version)}: {s.declared} declared, {s.live} live; "
                f"{s.in_sync} in sync, {s.drifted} drifted, {s.missing} missing, "
                f"{s.unmanaged} unmanaged"
            )
        lines = [header]
        for ota_id, group in groupby(report.findings, key=lambda f: f.ota_update_id):
            lines.append("")
            lines.append(self._paint(visible(ota_id), _BOLD))
            lines.extend(self._finding(f) for f in group)
        if report.skipped:
            lines.append("")
            lines.append(self._paint("Notes:", _BOLD))
            lines.extend(
                f"  {visible(s.ota_update_id)}: {visible(s.reason)}" for s in report.skipped
            )
        if report.errors:
            lines.append("")
            lines.append(self._paint("Could not read:", _BOLD))
            lines.extend(
                f"  {visible(e.subject)}  {visible(e.operation)}  "
                f"{visible(e.code)}: {visible(e.message)}"
                for e in report.errors
            )
        lines.append("")
        lines.append(self._verdict(report))
        return "\n".join(lines) + "\n"

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
        if report.errors:
            return (
                f"INCOMPLETE: {len(report.errors)} item(s) could not be read; this audit is "
                f"not clean. {active} finding(s): {counts}{tail}"
            )
        if not active:
            return f"No findings{f' ({suppressed} suppressed)' if suppressed else ''}."
        return f"{active} finding(s): {counts}{tail}"
