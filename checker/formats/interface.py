"""The one interface every report format implements."""

from __future__ import annotations

from typing import Protocol

from checker.model import Report


class ReportFormat(Protocol):
    """Turns a finished report into text. Formats decide nothing: no counting, no exit codes."""

    def render(self, report: Report) -> str:
        """The whole report as text, ending with a newline."""
        ...
