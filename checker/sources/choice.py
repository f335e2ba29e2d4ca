"""Which state source an audit reads: the one place that decides, for the CLI and Pulumi.

Kept apart from `sources/__init__.py` so that importing the interface (as `checker.audit`
does) does not import boto3.
"""

from __future__ import annotations

from collections.abc import Callable

from checker.errors import UsageError
from checker.files import display_path
from checker.sources.aws import AwsSettings, AwsSource
from checker.sources.interface import Progress
from checker.sources.snapshot import SnapshotSource


def source_for(
    state: str | None,
    aws: AwsSettings,
    progress: Callable[[Progress], None] | None = None,
) -> SnapshotSource | AwsSource:
    """The snapshot file `state` when one is given (`--state`, `ota-drift:state`), else AWS IoT
    with `aws` (the only source that reports `progress`).

    Callers pass None for "not given"; the Pulumi settings already read an empty value so.
    """
    if state is not None:
        snapshot = SnapshotSource(state)
        if aws.verify and not snapshot.verified:
            raise UsageError(
                f"--verify: {display_path(state)} was not taken with --verify, so it holds no "
                "chain to judge; take one with `ota-drift snapshot --verify`, or leave --verify out"
            )
        return snapshot
    return AwsSource(aws, progress=progress)
