"""Stage 6: report formats. One module per format, each a `ReportFormat`; registered here."""

from __future__ import annotations

from collections.abc import Callable

from checker.formats.html import HtmlFormat
from checker.formats.interface import FormatOptions, ReportFormat
from checker.formats.json import JsonFormat
from checker.formats.junit import JunitFormat
from checker.formats.markdown import MarkdownFormat
from checker.formats.sarif import SarifFormat
from checker.formats.text import TextFormat

FORMATS: dict[str, Callable[[FormatOptions], ReportFormat]] = {
    "text": lambda options: TextFormat(colour=options.colour),
    "json": lambda options: JsonFormat(),
    "sarif": lambda options: SarifFormat(max_results=options.sarif_max_results),
    "junit": lambda options: JunitFormat(),
    "markdown": lambda options: MarkdownFormat(max_bytes=options.markdown_max_bytes),
    "html": lambda options: HtmlFormat(),
}
"""Format name → factory taking the run's `FormatOptions`."""


def get_format(name: str, options: FormatOptions | None = None) -> ReportFormat:
    return FORMATS[name](options or FormatOptions())
