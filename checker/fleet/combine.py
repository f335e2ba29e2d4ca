"""One report from many: the partitions of a fleet run, or the shards `ota-drift merge` reads.

The same function builds both, so a merged report is the report one run over the whole fleet
gives: the values are the same and in the same order, whatever order the parts came in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from checker.audit import count_by_severity
from checker.errors import UsageError
from checker.model import Finding, FleetInfo, PartitionResult, Report, Summary, partition_key


def combine(
    parts: Sequence[Report], partitions: Sequence[PartitionResult], fleet: FleetInfo
) -> Report:
    """`parts` (each one partition or one shard, all of one run's settings) as one report of
    `partitions` under `fleet`. The caller has checked that the parts belong together."""
    if not parts:
        raise ValueError("nothing to combine")
    first = parts[0]
    for part in parts[1:]:
        if (part.tool_version, part.as_of, part.policy_packs, part.command) != (
            first.tool_version,
            first.as_of,
            first.policy_packs,
            first.command,
        ):
            raise UsageError("the parts of a fleet report were made by different runs")
    ordered = tuple(sorted(partitions, key=lambda p: p.partition))
    findings = _once(f for r in parts for f in r.findings)
    return Report(
        tool_version=first.tool_version,
        summary=total((p.summary for p in ordered), findings),
        findings=tuple(sorted(findings, key=lambda f: f.sort_key)),
        errors=tuple(sorted((e for r in parts for e in r.errors), key=lambda e: e.sort_key)),
        fetched_at=None,  # each partition was read at its own moment: `as_of` is the clock
        as_of=first.as_of,
        policy_packs=first.policy_packs,
        skipped=tuple(
            sorted(
                (s for r in parts for s in r.skipped),
                key=lambda s: (*partition_key(s.partition), s.ota_update_id),
            )
        ),
        command=first.command,
        rules=tuple(sorted({rule for r in parts for rule in r.rules})),
        audited=tuple(sorted((a for r in parts for a in r.audited), key=lambda a: a.sort_key)),
        declared_files=tuple(sorted({f for r in parts for f in r.declared_files})),
        partitions=ordered,
        fleet=fleet,
    )


def _once(findings: Iterable[Finding]) -> list[Finding]:
    """Every finding, those on the policy packs (no partition: every partition raised the
    same one) once."""
    out: list[Finding] = []
    seen: set[tuple[str, ...]] = set()
    for finding in findings:
        if finding.partition is None:
            key = (*finding.sort_key, finding.message)
            if key in seen:
                continue
            seen.add(key)
        out.append(finding)
    return out


def total(summaries: Iterable[Summary], findings: Sequence[Finding]) -> Summary:
    """A fleet's counts: the partitions' sums (an update in two regions counts twice), and the
    findings counted as the report holds them."""
    declared = live = in_sync = drifted = missing = unmanaged = 0
    for s in summaries:
        declared += s.declared
        live += s.live or 0
        in_sync += s.in_sync or 0
        drifted += s.drifted or 0
        missing += s.missing or 0
        unmanaged += s.unmanaged or 0
    return Summary(
        declared,
        live,
        in_sync,
        drifted,
        missing,
        unmanaged,
        count_by_severity(findings),
        sum(1 for f in findings if not f.active),
    )
