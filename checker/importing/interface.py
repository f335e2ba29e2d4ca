"""What an import writer is: one declaration format, written from live updates.

`ota-drift import` turns every live update into an entry (`declare.declared_entry`:
create_ota_update's keyword arguments, API names, CreateOTAUpdate's member order), then asks
the writer of the chosen `--format` to make each entry fit its format (`prepare`) and to
render all of them as files. Writers never touch the file system: the caller checks and
writes every file at once, so a run writes all of them or none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

Entry = Mapping[str, Any]
"""One declared update: create_ota_update's keyword arguments, in API names."""


@dataclass(frozen=True)
class OutputFile:
    """One file a writer renders, named inside the output folder."""

    name: str
    text: str
    updates: int
    """How many updates it declares, for the line that says it was written."""


class Writer(Protocol):
    """One output format of `ota-drift import`. Stateless."""

    @property
    def name(self) -> str:
        """`cloudformation`: the `--format` value."""
        ...

    @property
    def first_file(self) -> str | None:
        """The file it writes first (every update, unless more than one file holds), or None
        when each update has a file of its own. Known before live state is read, so that an
        existing one stops the run before AWS is called."""
        ...

    def may_write(self, name: str) -> bool:
        """Whether some live state makes it write a file named `name` in the folder. Known
        before live state is read: any other declaration file there would be audited with the
        import, so it stops the run before AWS is called."""
        ...

    def prepare(self, entry: Entry) -> Entry | list[str]:
        """`entry` as this format carries it, or why it cannot (one message per reason)."""
        ...

    def render(self, entries: Sequence[Entry], notes: Sequence[str]) -> list[OutputFile]:
        """The files declaring `entries` (prepared, sorted by otaUpdateId). `notes` say what
        the declarations leave out; a format that has comments writes them at the top."""
        ...
