"""Fixtures the live-source tests share."""

from __future__ import annotations

from typing import Any

import pytest

import checker.cli
from tests.support.recording import RecordingSource


@pytest.fixture
def sources(monkeypatch: pytest.MonkeyPatch) -> list[RecordingSource]:
    """Every AwsSource the CLI builds, recording each item its fetch() yielded."""
    built: list[RecordingSource] = []

    class Recording(RecordingSource):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            built.append(self)

    monkeypatch.setattr(checker.cli, "AwsSource", Recording)
    return built
