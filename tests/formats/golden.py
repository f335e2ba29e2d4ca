"""Golden reports: the bundled example rendered in every format, compared byte for byte.

Regenerate after an intended change, then review the diff:
    python -m tests.formats.golden            # every format
    python -m tests.formats.golden sarif      # only the named formats

Each format has two: `example.*` (the bundled example, a single-partition run) and `fleet.*`
(the same example as a fleet run over two partitions).
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from checker import audit
from checker.declared import load_declared
from checker.fleet.combine import combine
from checker.fleet.shard import fleet_digest
from checker.formats import FORMATS, get_format
from checker.model import FleetInfo, Partition, PartitionResult, Report
from checker.policy.model import policy_digest
from checker.policy.packs import load_policy
from checker.sources.snapshot import SnapshotSource

ROOT = Path(__file__).resolve().parent.parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
AS_OF = datetime(2026, 11, 25, tzinfo=UTC)
SUFFIX = {
    "text": "txt",
    "json": "json",
    "sarif": "sarif",
    "junit": "xml",
    "markdown": "md",
    "html": "html",
}


def example_report() -> Report:
    """The bundled example with its team pack (an active and an expired suppression)."""
    cwd = Path.cwd()
    os.chdir(ROOT)  # file paths in reports are relative to the current directory
    try:
        return audit.check(
            load_declared(["examples/ota"]),
            SnapshotSource("examples/live-snapshot.json"),
            load_policy(["examples/policy.yaml"]),
            AS_OF,
        )
    finally:
        os.chdir(cwd)


FLEET_PARTITIONS = (
    (Partition("111122223333", "eu-west-1"), "prod"),
    (Partition("444455556666", "us-east-1"), None),
)
"""The fleet example: the bundled example audited in two partitions (the second has no name)."""


def fleet_example_report() -> Report:
    """The bundled example as a fleet run over two partitions: every format's fleet view."""
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        policy = load_policy(["examples/policy.yaml"])
        parts = [
            audit.check(
                load_declared(["examples/ota"]),
                SnapshotSource("examples/live-snapshot.json"),
                policy,
                AS_OF,
                partition=partition,
            )
            for partition, _ in FLEET_PARTITIONS
        ]
    finally:
        os.chdir(cwd)
    results = [
        PartitionResult(partition, name, part.summary, len(part.errors))
        for (partition, name), part in zip(FLEET_PARTITIONS, parts, strict=True)
    ]
    units = [partition for partition, _ in FLEET_PARTITIONS]
    info = FleetInfo(
        fleet_digest(units),
        len(units),
        (1, 1),
        policy_digest(policy),
        "low",
        shard_units=tuple(sorted(units)),
    )
    return combine(parts, results, info)


def golden_path(name: str, fleet: bool = False) -> Path:
    return GOLDEN / f"{'fleet' if fleet else 'example'}.{SUFFIX[name]}"


def main(names: list[str]) -> None:
    GOLDEN.mkdir(exist_ok=True)
    for fleet, report in ((False, example_report()), (True, fleet_example_report())):
        for name in names or sorted(FORMATS):
            path = golden_path(name, fleet)
            path.write_text(get_format(name).render(report), encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
