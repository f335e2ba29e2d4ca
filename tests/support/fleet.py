"""The 10,000-update benchmark fleet, generated once per test session, and one way to audit it
through the CLI as CI would (from its folder, so report paths are relative)."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import checker.cli
from checker import audit
from checker.cli import main
from checker.model import Report

ROOT = Path(__file__).resolve().parent.parent.parent
FLEET_SIZE = 10_000


def generate_fleet(folder: Path, size: int = FLEET_SIZE) -> Path:
    """`benchmarks/generate.py size` into `folder`: declared/, snapshot.json, expected.json."""
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(size), "--out", str(folder)],
        check=True,
        capture_output=True,
    )
    return folder


@dataclass(frozen=True)
class CheckRun:
    code: int
    stderr: str
    report: Report
    """The audit's own report, to render again with other limits."""


def check_fleet(fleet: Path, work: Path, *options: str) -> CheckRun:
    """`ota-drift check declared --state snapshot.json OPTIONS` run in `work`, which gets links
    to the fleet's files (each caller writes its reports in a folder of its own)."""
    for name in ("declared", "snapshot.json"):
        (work / name).symlink_to(fleet / name)
    reports: list[Report] = []
    real_check = audit.check

    def keeping_check(*args: Any, **kwargs: Any) -> Report:
        reports.append(real_check(*args, **kwargs))
        return reports[-1]

    stderr = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stderr(stderr):
        patch.chdir(work)
        patch.setattr(checker.cli.audit, "check", keeping_check)
        code = main(["check", "declared", "--state", "snapshot.json", *options])
    return CheckRun(code, stderr.getvalue(), reports[0])
