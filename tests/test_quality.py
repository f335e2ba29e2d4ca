"""The code-quality gates are part of the test suite, so the README's one test command runs them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_lint_is_clean() -> None:
    """ruff reports no lint problem anywhere in the repository."""
    result = _run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    """Every Python file is formatted as `ruff format` would write it."""
    result = _run("ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_checker() -> None:
    """mypy --strict (configured in pyproject.toml) finds no type error in checker/."""
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_test_reads_outside_the_repository() -> None:
    """A user's clone has nothing beside it: no test names the folder above the repository,
    by the root's parent or by the workspace's folder of schemas."""
    outside = re.compile(r"ROOT\.parent|REPO\.parent|\.\./shared/|\"shared\" / \"schemas\"")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        if path.name != "test_quality.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if outside.search(line)
    ]
    assert offenders == []
