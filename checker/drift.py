"""Stage 4a: drift between declared and live updates (OTA001 changed … OTA005 computed).

This module decides where drift is; the rules' IDs, severities, documentation and finding
text live in their modules, `checker/rules/ota001_*.py` … `ota005_*.py`, and each finding is
built by its module's function (`changed_finding`, `missing_finding`, …).

A difference whose declared side is, or holds, a value computed at deploy time (`Unknown`)
is not drift: the update gets one OTA005 finding naming every such difference instead.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff

from checker.model import DeclaredUpdate, Finding, LiveUpdate, Path, Unknown, display
from checker.normalise import (
    CREATE_ONLY_FIELDS,
    Canonical,
    canonical,
    computed_values,
    has_computed,
    not_read_fields,
)
from checker.rules.interface import RuleMeta
from checker.rules.ota001_changed import ABSENT, changed_finding
from checker.rules.ota002_missing import MISSING, missing_finding
from checker.rules.ota003_unmanaged import UNMANAGED, unmanaged_finding
from checker.rules.ota004_not_verifiable import not_verifiable_finding
from checker.rules.ota005_computed import COMPUTED, not_compared_finding
from checker.rules.registry import ALL_RULES

__all__ = [
    "DRIFT_RULES",
    "DriftResult",
    "compare",
    "diff_update",
    "judged_drift_rules",
]

DRIFT_RULES: tuple[RuleMeta, ...] = tuple(m for m in ALL_RULES if m.applies_to == "drift")
"""The registry's drift rules: the ones `compare` raises (a contract test runs it to check)."""


@dataclass(frozen=True)
class DriftResult:
    """Drift findings plus the per-update verdicts the summary counts (missing and unmanaged
    updates are counted from their OTA002/OTA003 findings, after the policy)."""

    findings: tuple[Finding, ...]
    in_sync: frozenset[str]
    drifted: frozenset[str]


def judged_drift_rules(
    declared_ids: Collection[str], live_ids: Collection[str], unreadable: Collection[str]
) -> dict[str, set[str]]:
    """Update id → the drift rules `compare` judges on it: OTA001 to OTA004 on an update
    declared and live, OTA002 on one only declared, OTA003 on one only live, none on one not
    read. Never OTA005: it notes what was not compared, and has no pass of its own."""
    judged: dict[str, set[str]] = {}
    for ota_id in declared_ids:
        if ota_id in unreadable:
            continue
        if ota_id in live_ids:
            judged[ota_id] = {meta.rule_id for meta in DRIFT_RULES if meta is not COMPUTED}
        else:
            judged[ota_id] = {MISSING.rule_id}
    for ota_id in live_ids:
        if ota_id not in declared_ids:
            judged[ota_id] = {UNMANAGED.rule_id}
    return judged


def compare(
    declared: Iterable[DeclaredUpdate],
    live: Iterable[LiveUpdate],
    unreadable: Collection[str] = (),
    deep: bool = False,
) -> DriftResult:
    """Compare every declared update with the live one of the same id.

    `unreadable` ids could not be read live: they are neither missing nor in sync (the source
    reports their errors). `deep`: the source read the job's configs and the tags
    (`DEEP_FIELDS`); create-only fields it did not read are left out of the comparison and
    reported as OTA004.
    """
    live_by_id = {u.ota_update_id: u for u in live}
    declared_ids: set[str] = set()
    findings: list[Finding] = []
    in_sync: set[str] = set()
    drifted: set[str] = set()
    not_read = not_read_fields(deep)
    for update in declared:
        declared_ids.add(update.ota_update_id)
        counterpart = live_by_id.get(update.ota_update_id)
        if counterpart is None:
            if update.ota_update_id not in unreadable:
                findings.append(missing_finding(update))
            continue
        changes, computed = _diff(update, counterpart, not_read)
        (drifted if changes else in_sync).add(update.ota_update_id)
        findings.extend(changes)
        findings.extend(_not_verifiable(update, not_read))
        findings.extend(computed)
    unmanaged = [i for i in live_by_id if i not in declared_ids]
    findings.extend(unmanaged_finding(live_by_id[i]) for i in unmanaged)
    return DriftResult(
        tuple(findings),
        frozenset(in_sync),
        frozenset(drifted),
    )


def diff_update(
    declared: DeclaredUpdate, live: LiveUpdate, not_read: Collection[str] = CREATE_ONLY_FIELDS
) -> Iterable[Finding]:
    """One OTA001 finding per differing path; nothing at all when the canonical forms agree.

    Differences that depend on a value computed at deploy time are not drift (`compare`
    reports them as OTA005)."""
    return _diff(declared, live, not_read)[0]


def _diff(
    declared: DeclaredUpdate, live: LiveUpdate, not_read: Collection[str]
) -> tuple[list[Finding], list[Finding]]:
    """The OTA001 findings, and the OTA005 finding (none or one) for the differences left
    uncompared because they depend on values computed at deploy time."""
    want = canonical(declared.config, side="declared", unreadable=not_read)
    have = canonical(live.info, side="live", unreadable=not_read)
    if want.data == have.data:  # the fast path: most updates are in sync, DeepDiff is slow
        return [], []
    paths = _differences(want.data, have.data)
    if not has_computed(want.data):
        return [_changed(declared, want, have, path) for path in paths], []
    paths = _split_computed(want, have, paths)
    unnamed = _unnamed_files(declared, want)
    drift = [p for p in paths if not _depends_on_computed(want, p, unnamed)]
    uncompared = sorted(
        (p for p in paths if p not in drift), key=lambda p: _line(declared, want, p)
    )
    computed = [_not_compared(declared, want, uncompared, unnamed)] if uncompared else []
    return [_changed(declared, want, have, path) for path in drift], computed


def _differences(want: Any, have: Any, below: Path = (), **options: Any) -> list[Path]:
    """The whole-value paths where `want` and `have` (the values at `below`) differ."""
    diff = DeepDiff(
        want, have, view="tree", ignore_numeric_type_changes=True, verbose_level=2, **options
    )
    paths: dict[Path, None] = {}
    for changes in diff.values():
        for level in changes:
            paths[_whole_value_path((*below, *level.path(output_format="list")))] = None
    return list(paths)


def _split_computed(want: Canonical, have: Canonical, paths: Sequence[Path]) -> list[Path]:
    """DeepDiff reports a mapping whose keys mostly differ as one changed value; where the
    declared one holds a computed value, its differences key by key instead, so that only
    those depending on the computed value go uncompared (a file named at deploy time among
    files named in the file)."""
    out: dict[Path, None] = {}
    for path in paths:
        declared, live = _get(want.data, path), _get(have.data, path)
        if isinstance(declared, Mapping) and isinstance(live, Mapping) and has_computed(declared):
            out.update(
                dict.fromkeys(_differences(declared, live, path, threshold_to_diff_deeper=0))
            )
        else:
            out[path] = None
    return list(out)


def _unnamed_files(declared: DeclaredUpdate, want: Canonical) -> list[str | int]:
    """Canonical keys of the declared files whose name is computed at deploy time (or that
    are computed whole): such a file cannot be matched with a live file by name."""
    files = declared.config.get("files")
    if not isinstance(files, list):
        return []
    unnamed: list[str | int] = []
    for key, position in want.file_positions.items():
        entry = files[position]
        if isinstance(entry, Unknown) or (
            isinstance(entry, dict) and isinstance(entry.get("fileName"), Unknown)
        ):
            unnamed.append(key)
    return unnamed


def _depends_on_computed(want: Canonical, path: Path, unnamed: Sequence[str | int]) -> bool:
    """The declared value at `path` is, or holds, a computed value; or `path` is a live file
    no declared name matched while some declared file's name is computed (it may be that one).
    """
    if has_computed(_get(want.data, path)):
        return True
    return (
        len(path) == 2 and path[0] == "files" and bool(unnamed) and _get(want.data, path) is ABSENT
    )


def _line(declared: DeclaredUpdate, want: Canonical, path: Path) -> tuple[bool, int]:
    """Where `path` is declared, in file order; paths only live has come last."""
    absent = _get(want.data, path) is ABSENT
    return absent, declared.location_of(_declared_path(want, path)).line


def _not_compared(
    declared: DeclaredUpdate, want: Canonical, paths: Sequence[Path], unnamed: Sequence[str | int]
) -> Finding:
    """The OTA005 finding for `paths` (in file order), at the first one's line, naming the
    computed values they depend on."""
    values = [u for path in paths for _, u in computed_values(_get(want.data, path))]
    if any(_get(want.data, p) is ABSENT for p in paths):  # live files, matched by no name
        values += [
            u for key in unnamed for _, u in computed_values(_get(want.data, ("files", key)))
        ]
    location = declared.location_of(_declared_path(want, paths[0]))
    return not_compared_finding(declared, [display(p) for p in paths], values, location)


def _whole_value_path(path: Path) -> Path:
    """Cut a path at its first list index: a changed list is reported as one whole value.

    File keys below `files` are not list indexes: files are keyed by name (or position).
    """
    for depth, step in enumerate(path):
        if isinstance(step, int) and not (depth == 1 and path[0] == "files"):
            return path[:depth]
    return path


def _changed(declared: DeclaredUpdate, want: Canonical, have: Canonical, path: Path) -> Finding:
    return changed_finding(
        declared,
        path,
        _get(want.data, path),
        _get(have.data, path),
        defaulted=path in want.defaulted,
        location=declared.location_of(_declared_path(want, path)),
    )


def _declared_path(want: Canonical, path: Path) -> Path:
    """The path in the YAML entry: a file's canonical key back to its position in `files`."""
    if len(path) >= 2 and path[0] == "files":
        position = want.file_positions.get(path[1])
        return ("files",) if position is None else ("files", position, *path[2:])
    return path


def _get(data: Mapping[str, Any], path: Path) -> Any:
    """The value at a whole-value path (no list indexes: `_whole_value_path` cut them)."""
    node: Any = data
    for step in path:
        if not isinstance(node, Mapping) or step not in node:
            return ABSENT
        node = node[step]
    return node


def _not_verifiable(update: DeclaredUpdate, not_read: Collection[str]) -> list[Finding]:
    fields = [f for f in CREATE_ONLY_FIELDS if f in not_read and f in update.config]
    return [not_verifiable_finding(update, fields)] if fields else []
