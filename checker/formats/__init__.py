"""Stage 6: report formats. One module per format, each a `ReportFormat`; registered here."""

from __future__ import annotations

from collections.abc import Callable

from checker.formats.html import HtmlFormat
from checker.formats.interface import ReportFormat
from checker.formats.json import JsonFormat
from checker.formats.junit import JunitFormat
from checker.formats.markdown import MarkdownFormat
from checker.formats.sarif import SarifFormat
from checker.formats.text import TextFormat

FORMATS: dict[str, Callable[[bool], ReportFormat]] = {
    "text": lambda colour: TextFormat(colour=colour),
    "json": lambda colour: JsonFormat(),
    "sarif": lambda colour: SarifFormat(),
    "junit": lambda colour: JunitFormat(),
    "markdown": lambda colour: MarkdownFormat(),
    "html": lambda colour: HtmlFormat(),
}
"""Format name → factory taking whether colour is wanted (only text uses it)."""


def get_format(name: str, colour: bool = False) -> ReportFormat:
    return FORMATS[name](colour)
