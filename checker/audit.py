"""Wires the stages into one audit: declared (+ a state source) → findings → policy → Report."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from checker import __version__
from checker.chain import file_chains
from checker.drift import compare, judged_drift_rules
from checker.evaluate import evaluated_rules, evaluation
from checker.model import (
    AuditedUpdate,
    DeclaredUpdate,
    Finding,
    LiveUpdate,
    Partition,
    Report,
    Severity,
    SkippedUpdate,
    SourceError,
    Summary,
)
from checker.policy.apply import apply_policy, is_drift_ignored
from checker.policy.model import DEFAULT_POLICY, Policy
from checker.rules.ota001_changed import CHANGED
from checker.rules.ota002_missing import MISSING
from checker.rules.ota003_unmanaged import UNMANAGED
from checker.rules.ota005_computed import COMPUTED
from checker.rules.registry import ALL_RULES, META_BY_ID
from checker.sources.interface import StateSource


def check(
    declared: Sequence[DeclaredUpdate],
    source: StateSource,
    policy: Policy = DEFAULT_POLICY,
    as_of: datetime | None = None,
    partition: Partition | None = None,
) -> Report:
    """Drift plus the rules on both sides. Read errors are carried in the report, never dropped.

    `partition` is the account and region audited, in a fleet run: every finding, error,
    skipped and audited update of the report carries it, and the rules that need it run.
    """
    now = as_of or datetime.now(UTC)
    live: list[LiveUpdate] = []
    errors: list[SourceError] = []
    skipped: list[SkippedUpdate] = []
    for item in source.fetch():
        if isinstance(item, SourceError):
            errors.append(item)
        elif isinstance(item, SkippedUpdate):
            skipped.append(item)
        else:
            live.append(item)
    unreadable = {e.ota_update_id for e in errors if e.ota_update_id is not None}
    if any(e.ota_update_id is None for e in errors):  # the listing failed: nothing is known
        unreadable |= {d.ota_update_id for d in declared}
    deep = source.deep
    verified = getattr(source, "verified", False)
    drift = compare(declared, live, unreadable, deep=deep)
    evaluated = evaluation(
        declared, live, policy, now, deep=deep, verified=verified, partition=partition
    )
    raw = [*drift.findings, *evaluated.findings]
    judged = _merged(
        evaluated_rules(
            declared,
            live,
            policy,
            deep=deep,
            verified=verified,
            not_checked=evaluated.not_checked,
            partition=partition,
        ),
        _drift_judged(declared, live, unreadable, policy),
        policy,
    )
    applied = apply_policy(raw, policy, now.astimezone(UTC).date())
    if partition is not None:
        applied = [f if is_about_policy(f) else replace(f, partition=partition) for f in applied]
        errors = [replace(e, partition=partition) for e in errors]
        skipped = [replace(s, partition=partition) for s in skipped]
    findings = _sorted(applied)
    drifted = _ids(findings, CHANGED.rule_id)
    # a partition's counts are its own: a finding on the packs belongs to the fleet's total
    counted = [f for f in findings if partition is None or f.partition is not None]
    summary = Summary(
        declared=len(declared),
        live=len(live),
        in_sync=len((drift.in_sync | drift.drifted) - drifted),
        drifted=len(drifted),
        missing=len(_ids(findings, MISSING.rule_id)),
        unmanaged=len(_ids(findings, UNMANAGED.rule_id)),
        findings=count_by_severity(counted),
        suppressed=sum(1 for f in counted if not f.active),
    )
    errors.sort(key=lambda e: e.sort_key)
    return Report(
        tool_version=__version__,
        summary=summary,
        findings=findings,
        errors=tuple(errors),
        fetched_at=source.captured_at,
        as_of=now,
        policy_packs=policy.packs,
        skipped=tuple(sorted(skipped, key=lambda s: s.ota_update_id)),
        command="check",
        rules=_enabled_rules(policy, partitioned=partition is not None),
        audited=_audited(declared, live, judged, partition),
        declared_files=_files(declared),
    )


def lint(
    declared: Sequence[DeclaredUpdate],
    policy: Policy = DEFAULT_POLICY,
    as_of: datetime | None = None,
) -> Report:
    """The declared-side rules alone: no live state, no AWS, no network."""
    now = as_of or datetime.now(UTC)
    today = now.astimezone(UTC).date()
    evaluated = evaluation(declared, [], policy, now)
    findings = _sorted(apply_policy(evaluated.findings, policy, today))
    judged = _merged(
        evaluated_rules(declared, [], policy, not_checked=evaluated.not_checked), {}, policy
    )
    summary = Summary(
        declared=len(declared),
        live=None,
        in_sync=None,
        drifted=None,
        missing=None,
        unmanaged=None,
        findings=count_by_severity(findings),
        suppressed=sum(1 for f in findings if not f.active),
    )
    return Report(
        tool_version=__version__,
        summary=summary,
        findings=findings,
        errors=(),
        as_of=now,
        policy_packs=policy.packs,
        command="lint",
        rules=_enabled_rules(policy, lint=True),
        audited=_audited(declared, [], judged),
        declared_files=_files(declared),
    )


def is_about_policy(finding: Finding) -> bool:
    """A finding on the policy packs themselves (an expired suppression), not on an update:
    it belongs to no partition, and a fleet report holds it once."""
    meta = META_BY_ID.get(finding.rule_id)
    return meta is not None and meta.applies_to == "checker"


def count_by_severity(findings: Iterable[Finding]) -> dict[Severity, int]:
    """Active findings by severity; suppressed findings count for nothing here."""
    counts = dict.fromkeys(Severity, 0)
    for finding in findings:
        if finding.active:
            counts[finding.severity] += 1
    return counts


def _enabled_rules(
    policy: Policy, lint: bool = False, partitioned: bool = False
) -> tuple[str, ...]:
    """The rules this run evaluated: enabled ones, and for lint only those on declared configs;
    those that need the partition only in a fleet run. Not OTA005, which notes what was not
    evaluated (its findings are reported all the same)."""
    kinds = (
        ("declared", "both", "checker")
        if lint
        else ("declared", "both", "live", "drift", "checker")
    )
    return tuple(
        meta.rule_id
        for meta in ALL_RULES
        if policy.enabled(meta.rule_id)
        and meta.applies_to in kinds
        and meta is not COMPUTED
        and (partitioned or not meta.needs_partition)
    )


def _drift_judged(
    declared: Sequence[DeclaredUpdate],
    live: Sequence[LiveUpdate],
    unreadable: set[str],
    policy: Policy,
) -> dict[str, set[str]]:
    """The drift rules judged per update, less those on updates whose drift the policy
    ignores as a whole (`ignoreDrift` without paths): ignored is not passed."""
    judged = judged_drift_rules(
        {d.ota_update_id for d in declared}, {u.ota_update_id for u in live}, unreadable
    )
    return {
        ota_id: set() if is_drift_ignored(ota_id, policy) else rules
        for ota_id, rules in judged.items()
    }


def _merged(
    config: dict[str, set[str]], drift: dict[str, set[str]], policy: Policy
) -> dict[str, tuple[str, ...]]:
    """Per update, every rule judged on it that the policy enables, sorted."""
    return {
        ota_id: tuple(
            sorted(
                r for r in config.get(ota_id, set()) | drift.get(ota_id, set()) if policy.enabled(r)
            )
        )
        for ota_id in config.keys() | drift.keys()
    }


def _audited(
    declared: Sequence[DeclaredUpdate],
    live: Sequence[LiveUpdate],
    judged: dict[str, tuple[str, ...]],
    partition: Partition | None = None,
) -> tuple[AuditedUpdate, ...]:
    where = {d.ota_update_id: d.location for d in declared}
    live_by_id = {u.ota_update_id: u for u in live}
    return tuple(
        AuditedUpdate(
            ota_id,
            where.get(ota_id),
            ota_id in live_by_id,
            judged.get(ota_id, ()),
            partition,
            file_chains(live_by_id[ota_id].info) if ota_id in live_by_id else (),
        )
        for ota_id in sorted(where.keys() | live_by_id.keys())
    )


def _files(declared: Sequence[DeclaredUpdate]) -> tuple[str, ...]:
    return tuple(sorted({d.location.file for d in declared}))


def _ids(findings: Iterable[Finding], rule_id: str) -> set[str]:
    return {f.ota_update_id for f in findings if f.rule_id == rule_id}


def _sorted(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: f.sort_key))
