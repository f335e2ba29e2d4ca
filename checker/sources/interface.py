"""The one interface every state source implements, and the progress a source reports."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from checker.model import LiveUpdate, SkippedUpdate, SourceError


@dataclass(frozen=True)
class Progress:
    """How far a source's fetch has got, for the CLI's progress bar: a source reports it to a
    callback and never touches a terminal."""

    done: int
    total: int
    throttled: int
    elapsed: float


class StateSource(Protocol):
    """Where live OTA updates come from: a snapshot file, or the AWS API.

    A source yields one item per OTA update: the update, the error that kept it from being
    read, or a SkippedUpdate (gone while the audit ran). An update it could not read is a
    SourceError, never silently left out: the audit must not call such an update missing or in
    sync. A SourceError without an id (the listing failed) makes every declared update
    unreadable. A source whose input is unusable as a whole raises InputError up front.
    """

    def fetch(self) -> Iterator[LiveUpdate | SourceError | SkippedUpdate]:
        """Each live OTA update, or the error for it, in any order."""
        ...

    @property
    def deep(self) -> bool:
        """True when live updates carry their job's abort and timeout config, its health
        (`awsIotJob`) and tags."""
        ...

    @property
    def verified(self) -> bool:
        """True when live updates carry the chain behind each file (`awsChain`, `--verify`):
        signing job, profile, certificate, stream and object version."""
        ...

    @property
    def captured_at(self) -> datetime | None:
        """When the state was read, if known."""
        ...
