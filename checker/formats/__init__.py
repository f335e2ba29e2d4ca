"""Stage 6: report formats. One module per format, each a `ReportFormat`; registered here."""

from __future__ import annotations

from collections.abc import Callable

from checker.formats.interface import ReportFormat
from checker.formats.json import JsonFormat
from checker.formats.text import TextFormat

FORMATS: dict[str, Callable[[bool], ReportFormat]] = {
    "text": lambda colour: TextFormat(colour=colour),
    "json": lambda colour: JsonFormat(),
}
"""Format name → factory taking whether colour is wanted (only text uses it)."""


def get_format(name: str, colour: bool = False) -> ReportFormat:
    return FORMATS[name](colour)
