"""Golden reports: the bundled example rendered in every format, compared byte for byte.

Regenerate after an intended change, then review the diff:
    python -m tests.formats.golden            # every format
    python -m tests.formats.golden sarif      # only the named formats
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from checker import audit
from checker.declared import load_declared
from checker.formats import FORMATS, get_format
from checker.model import Report
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


def golden_path(name: str) -> Path:
    return GOLDEN / f"example.{SUFFIX[name]}"


def main(names: list[str]) -> None:
    report = example_report()
    GOLDEN.mkdir(exist_ok=True)
    for name in names or sorted(FORMATS):
        golden_path(name).write_text(get_format(name).render(report), encoding="utf-8")
        print(f"wrote {golden_path(name).relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
