"""The `cloud` fixture: LocalCloud serving the fleet of tests/fleet/world.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fleet.world import cloud_world
from tests.support.cloud_endpoint import LocalCloud


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LocalCloud]:
    """LocalCloud with the fleet of tests/fleet/world.py, the test in tmp_path beside it."""
    yield from cloud_world(monkeypatch, tmp_path)
