"""An AwsSource that keeps what it yielded, for tests that count what was read per update."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from checker.model import LiveUpdate, SkippedUpdate, SourceError
from checker.sources.aws import AwsSource


class RecordingSource(AwsSource):
    """AwsSource that keeps what it yielded, so a test can count audits per update."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items: list[LiveUpdate | SourceError | SkippedUpdate] = []

    def fetch(self) -> Iterator[LiveUpdate | SourceError | SkippedUpdate]:
        for item in super().fetch():
            self.items.append(item)
            yield item

    def read_ids(self) -> Counter[str]:
        return Counter(i.ota_update_id for i in self.items if isinstance(i, LiveUpdate))

    def skipped_ids(self) -> list[str]:
        return sorted(i.ota_update_id for i in self.items if isinstance(i, SkippedUpdate))
