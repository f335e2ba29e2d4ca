"""Input problems: everything that makes an audit impossible to do properly (exit code 2)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from checker.textsafe import visible


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, printed as `FILE:LINE: message`.

    Printed on one line whatever the file name or message holds: their control and bidi
    characters are shown as escapes (`checker.textsafe`).
    """

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        file = visible(self.file)
        where = file if self.line is None else f"{file}:{self.line}"
        return f"{where}: {visible(self.message)}"


def did_you_mean(word: str, choices: Sequence[str], cutoff: float = 0.75) -> str:
    """`; did you mean 'X'?` for the choice `word` was meant to be, or ''. The same word in
    another case always wins (`Protocols`); otherwise the closest at `cutoff` or better."""
    by_case = {c.lower(): c for c in choices}
    if word.lower() in by_case:
        return f"; did you mean {by_case[word.lower()]!r}?"
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return f"; did you mean {close[0]!r}?" if close else ""


class InputError(Exception):
    """Raised with every problem found, so the user fixes them in one pass, not one per run."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def one(cls, file: str, line: int | None, message: str) -> InputError:
        return cls([Problem(file, line, message)])


class UsageError(Exception):
    """A setting that cannot work (an unknown AWS profile, no region): one line, exit code 2."""


class OutputError(Exception):
    """A report or snapshot that could not be written (disk full, /dev/full): exit code 2."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"cannot write {visible(path)}: {visible(reason)}")
        self.path = path
        self.reason = reason
