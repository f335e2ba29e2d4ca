"""The naive baseline: DeepDiff(ignore_order=True) on every declared/live pair, no fast path.

No normalisation: server fields, defaults and `{}` all count as differences, so nearly every
pair differs. Only its cost matters. Prints one JSON line: counts and time per phase.

Usage: python benchmarks/naive_check.py DECLARED_DIR SNAPSHOT
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import yaml
from deepdiff import DeepDiff


def main(declared_dir: str, snapshot: str) -> None:
    start = time.perf_counter()
    declared: dict[str, dict[str, Any]] = {}
    for path in sorted(Path(declared_dir).rglob("*.y*ml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["otaUpdates"]:
            declared[entry["otaUpdateId"]] = entry
    live: dict[str, dict[str, Any]] = {}
    for raw in json.loads(Path(snapshot).read_text(encoding="utf-8"))["otaUpdates"]:
        info = dict(raw)
        info["files"] = info.pop("otaUpdateFiles", [])
        live[info["otaUpdateId"]] = info
    loaded = time.perf_counter()
    differing = sum(
        1
        for ota_id, want in declared.items()
        if ota_id in live and DeepDiff(want, live[ota_id], ignore_order=True)
    )
    done = time.perf_counter()
    print(
        json.dumps(
            {
                "pairs": len(declared.keys() & live.keys()),
                "differing": differing,
                "load_s": round(loaded - start, 3),
                "diff_s": round(done - loaded, 3),
            }
        )
    )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
