"""Wires the stages into one audit: declared + a state source → a Report."""

from __future__ import annotations

from collections.abc import Sequence

from checker import __version__
from checker.drift import compare
from checker.model import (
    DeclaredUpdate,
    Finding,
    LiveUpdate,
    Report,
    Severity,
    SourceError,
    Summary,
)
from checker.sources.interface import StateSource


def check(declared: Sequence[DeclaredUpdate], source: StateSource) -> Report:
    """Read every live update once, compare, and count. Errors are carried, never dropped."""
    live: list[LiveUpdate] = []
    errors: list[SourceError] = []
    for item in source.fetch():
        if isinstance(item, SourceError):
            errors.append(item)
        else:
            live.append(item)
    unreadable = {e.ota_update_id for e in errors if e.ota_update_id is not None}
    result = compare(declared, live, unreadable)
    findings = sorted(result.findings, key=lambda f: f.sort_key)
    summary = Summary(
        declared=len(declared),
        live=len(live),
        in_sync=len(result.in_sync),
        drifted=len(result.drifted),
        missing=len(result.missing),
        unmanaged=len(result.unmanaged),
        findings=count_by_severity(findings),
    )
    errors.sort(key=lambda e: (e.ota_update_id or "", e.operation, e.code))
    return Report(
        tool_version=__version__,
        summary=summary,
        findings=tuple(findings),
        errors=tuple(errors),
        fetched_at=source.captured_at,
    )


def count_by_severity(findings: Sequence[Finding]) -> dict[Severity, int]:
    counts = dict.fromkeys(Severity, 0)
    for finding in findings:
        counts[finding.severity] += 1
    return counts
