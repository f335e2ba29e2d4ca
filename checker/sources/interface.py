"""The one interface every state source implements."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from checker.model import LiveUpdate, SourceError


class StateSource(Protocol):
    """Where live OTA updates come from: a snapshot file, or the AWS API.

    A source yields one item per OTA update: the update, or the error that kept it from being
    read. An update it could not read is a SourceError, never silently left out: the audit must
    not call such an update missing or in sync. A source whose input is unusable as a whole
    raises InputError before yielding anything.
    """

    def fetch(self) -> Iterator[LiveUpdate | SourceError]:
        """Each live OTA update, or the error for it, in any order."""
        ...

    @property
    def captured_at(self) -> datetime | None:
        """When the state was read, if known."""
        ...
