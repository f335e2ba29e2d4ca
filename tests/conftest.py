"""Fixtures shared by the test modules; a module opts in with
`pytestmark = pytest.mark.usefixtures("in_tmp")`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.fleet import generate_fleet


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test runs in its own empty folder, with no colour or job-summary setting inherited
    from the shell or CI that runs the suite (both change what the CLI writes)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return tmp_path


@pytest.fixture(scope="session")
def benchmark_fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 10,000-update benchmark fleet, generated once for every test that audits it."""
    return generate_fleet(tmp_path_factory.mktemp("benchmark-fleet"))
