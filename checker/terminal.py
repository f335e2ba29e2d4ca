"""Terminal presentation for the CLI: the progress bar. The core only calls a callback."""

from __future__ import annotations

import os
from typing import TextIO

from checker.sources.interface import Progress
from checker.textsafe import visible

BAR_WIDTH = 24


def wants_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never with NO_COLOR set (https://no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


class ProgressBar:
    """Redraws one line on `stream` (stderr): done/total, rate, ETA, throttled retries.

    The label is shown with its control characters escaped (it may name a region or a file
    one day): only the bar's own `\\r` and colour codes reach the terminal.
    """

    def __init__(self, stream: TextIO, label: str = "Reading OTA updates") -> None:
        self.stream = stream
        self.label = visible(label)
        self.colour = wants_colour(stream)
        self.drawn = False

    def __call__(self, progress: Progress) -> None:
        done, total = progress.done, progress.total
        share = done / total if total else 1.0
        filled = round(share * BAR_WIDTH)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        if self.colour:
            bar = f"\033[32m{'#' * filled}\033[0m{'-' * (BAR_WIDTH - filled)}"
        rate = done / progress.elapsed if progress.elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else 0.0
        line = (
            f"\r{self.label} [{bar}] {done}/{total}  {rate:.1f}/s  "
            f"ETA {int(eta) // 60}:{int(eta) % 60:02d}  throttled {progress.throttled}"
        )
        self.stream.write(line)
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
