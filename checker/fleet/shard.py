"""Which part of a fleet one CI job audits (`--shard K/N`), and what identifies the fleet.

The fleet is cut into units: one per (account, region) the file lists, and one per account
with `regions: all` (its regions are known only once the account is asked, and a shard must
be chosen without calling AWS). Units are ordered by a stable hash of account and region and
dealt out in turn, so that N jobs cover the fleet exactly once, each within one unit of the
others' size, and a unit's shard does not depend on the machine, the Python version or the
order of the file.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path as FsPath

from checker.errors import UsageError
from checker.fleet.file import ALL, Fleet
from checker.model import Partition

MAX_SHARDS = 1000
"""More CI jobs than any CI system runs in one matrix (GitHub Actions allows 256)."""
_SHARD = re.compile(r"\s*([0-9]{1,4})\s*/\s*([0-9]{1,4})\s*")


@dataclass(frozen=True, order=True)
class Shard:
    index: int
    """K, from 1."""
    count: int
    """N."""

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


WHOLE = Shard(1, 1)


def parse_shard(text: str) -> Shard:
    """`K/N` as --shard takes it, 1 <= K <= N <= MAX_SHARDS."""
    match = _SHARD.fullmatch(text)
    if match is not None:
        index, count = int(match.group(1)), int(match.group(2))
        if 1 <= index <= count <= MAX_SHARDS:
            return Shard(index, count)
    raise UsageError(
        f"--shard must be K/N with 1 <= K <= N <= {MAX_SHARDS} (e.g. 2/4), not {text!r}"
    )


def units(fleet: Fleet) -> tuple[Partition, ...]:
    """Every unit of the fleet, sorted: a partition, or (account, `all`)."""
    return tuple(
        sorted(
            Partition(entry.account, region)
            for entry in fleet.entries
            for region in (entry.regions if entry.regions is not None else (ALL,))
        )
    )


def fleet_digest(fleet_units: Sequence[Partition]) -> str:
    """sha256 of the unit list: shards of one fleet agree on it, others almost surely not."""
    text = "".join(f"{unit}\n" for unit in sorted(fleet_units))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _rank(unit: Partition) -> str:
    return hashlib.sha256(f"{unit.account}/{unit.region}".encode()).hexdigest()


def shard_units(fleet_units: Sequence[Partition], shard: Shard) -> tuple[Partition, ...]:
    """The units shard K of N audits, sorted; the N shards partition the fleet."""
    ordered = sorted(fleet_units, key=lambda unit: (_rank(unit), unit))
    return tuple(sorted(ordered[shard.index - 1 :: shard.count]))


def inputs_digest(
    fleet: Fleet, declared: Sequence[FsPath], deep: bool, verify: bool = False
) -> str:
    """sha256 of the fleet file's entries (not where it was read or how it is laid out), the
    bytes of every declared file and --deep or --verify: shards run from another checkout,
    another fleet file or another depth do not merge. A file that cannot be read digests as
    such (loading it reports why)."""
    digest = hashlib.sha256()
    for entry in sorted(fleet.entries, key=lambda e: e.account):
        digest.update(
            repr(
                (
                    entry.account,
                    entry.name,
                    entry.roles,
                    entry.profile,
                    entry.external_id,
                    entry.session_name,
                    entry.regions,
                    entry.declared,
                    sorted(entry.declared_by_region.items()),
                )
            ).encode()
        )
    for path in sorted(declared, key=lambda p: p.as_posix()):
        digest.update(path.as_posix().encode() + b"\0")
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            digest.update(b"unreadable")
    digest.update(b"verify" if verify else b"deep" if deep else b"shallow")
    return "sha256:" + digest.hexdigest()
