"""The one interface every report format implements, and the options a run gives formats."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from checker.model import Report


@dataclass(frozen=True)
class FormatOptions:
    """What the command line tells formats; each format reads only its own fields."""

    colour: bool = False
    """ANSI colour in the text format."""
    markdown_max_bytes: int | None = None
    """Budget of a Markdown report in UTF-8 bytes; None: no budget."""
    sarif_max_results: int | None = None
    """Most results in a SARIF run; None: the 5,000 GitHub code scanning shows
    (`sarif.GITHUB_SHOWN_RESULTS`)."""


class ReportFormat(Protocol):
    """Turns a finished report into text. Formats decide nothing about the audit: no exit
    codes, and every finding is counted; a format held to a consumer's size limit may show
    fewer findings than it counts, and says so in `notices`."""

    def render(self, report: Report) -> str:
        """The whole report as text, ending with a newline."""
        ...

    def notices(self, report: Report) -> list[str]:
        """One-line notes for stderr about what `render` left out of this report (e.g.
        findings over a consumer's limit); empty when it shows everything."""
        ...
