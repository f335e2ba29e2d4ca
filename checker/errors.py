"""Input problems: everything that makes an audit impossible to do properly (exit code 2)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, printed as `FILE:LINE: message`."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


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
