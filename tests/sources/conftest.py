"""Fixtures the live-source tests share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import checker.cli
import checker.sources.choice
from tests.support.iot_endpoint import DEFAULT_REGION
from tests.support.offline_aws import offline_aws
from tests.support.recording import RecordingSource


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Credentials LocalIot accepts, none of the machine's AWS configuration, region
    DEFAULT_REGION (LocalIot's), and connections to 127.0.0.1 only."""
    offline_aws(monkeypatch, tmp_path, region=DEFAULT_REGION)


@pytest.fixture
def sources(monkeypatch: pytest.MonkeyPatch) -> list[RecordingSource]:
    """Every AwsSource the CLI builds (`check` through `source_for`, `snapshot` itself),
    recording each item its fetch() yielded."""
    built: list[RecordingSource] = []

    class Recording(RecordingSource):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            built.append(self)

    monkeypatch.setattr(checker.sources.choice, "AwsSource", Recording)
    monkeypatch.setattr(checker.cli, "AwsSource", Recording)
    return built
