"""Input problems: everything that makes an audit impossible to do properly (exit code 2)."""

from __future__ import annotations

from collections.abc import Iterable
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
