"""Stage 4a: drift between declared and live updates (OTA001 changed … OTA004 not verifiable)."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff

from checker.model import (
    DeclaredUpdate,
    DriftValues,
    Finding,
    LiveUpdate,
    Path,
    Severity,
)
from checker.normalise import CREATE_ONLY_FIELDS, SET_FIELDS, Canonical, canonical
from checker.rules.interface import RuleDoc, RuleMeta

CHANGED = RuleMeta(
    rule_id="OTA001",
    title="Ensure the live OTA update matches its declaration",
    severity=Severity.HIGH,
    applies_to="drift",
    doc=RuleDoc(
        what="A value differs between the declared config and what GetOTAUpdate returns, after "
        "both are normalised (sets, defaults, server-owned fields). One finding per path, with "
        "`desired` and `actual`.",
        why="The declaration is what was reviewed. A live update that differs was changed "
        "outside review, or the repository no longer describes what devices receive.",
        fix="OTA updates are immutable: delete and recreate the update from the declaration, "
        "or change the declaration to what should be live and get it reviewed.",
        failing="""\
# declared                       # live (GetOTAUpdate)
awsJobPresignedUrlConfig:        awsJobPresignedUrlConfig:
  expiresInSec: 600                expiresInSec: 3600
""",
        passing="""\
# declared                       # live (GetOTAUpdate)
awsJobPresignedUrlConfig:        awsJobPresignedUrlConfig:
  expiresInSec: 600                expiresInSec: 600
""",
    ),
)
MISSING = RuleMeta(
    rule_id="OTA002",
    title="Ensure every declared OTA update exists",
    severity=Severity.HIGH,
    applies_to="drift",
    doc=RuleDoc(
        what="An OTA update is declared, but the live state has no update with its id.",
        why="Devices the declaration targets are not being updated: a security fix the "
        "repository claims is rolling out is not.",
        fix="Create the update (e.g. `pulumi up` or your deployment job), or remove the "
        "declaration if the update was deliberately deleted.",
        failing="# declared: otaUpdateId sensor-fw-5     # live: no such update\n",
        passing="# declared: otaUpdateId sensor-fw-5     # live: sensor-fw-5 exists\n",
    ),
)
UNMANAGED = RuleMeta(
    rule_id="OTA003",
    title="Ensure every live OTA update is declared",
    severity=Severity.MEDIUM,
    applies_to="drift",
    doc=RuleDoc(
        what="A live OTA update has no declaration.",
        why="An update created by hand skipped review: its signing, targets and rollout were "
        "never checked, yet it can install firmware on devices.",
        fix="Declare it (then the rules review it), or delete it if it should not exist.",
        failing="# live: lab-fw-test exists          # declared: nothing\n",
        passing="# live: lab-fw-test exists          # declared: otaUpdateId lab-fw-test\n",
    ),
)
NOT_VERIFIABLE = RuleMeta(
    rule_id="OTA004",
    title="Declared fields that this source cannot verify",
    severity=Severity.INFO,
    applies_to="drift",
    doc=RuleDoc(
        what="The declaration sets create-only fields (`roleArn`, `awsJobAbortConfig`, "
        "`awsJobTimeoutConfig`, `tags`) that GetOTAUpdate never returns.",
        why="Drift in these fields cannot be seen from GetOTAUpdate alone; the report says so "
        "rather than implying they were checked.",
        fix="Nothing to fix. A source that reads the update's job and tags can verify the "
        "abort, timeout and tags; no API returns `roleArn`.",
        failing="roleArn: arn:aws:iam::123456789012:role/ota\n",
        passing="# (informational)\n",
    ),
)
DRIFT_RULES = (CHANGED, MISSING, UNMANAGED, NOT_VERIFIABLE)


_ABSENT = object()


@dataclass(frozen=True)
class DriftResult:
    """Drift findings plus the per-update verdicts the summary counts."""

    findings: tuple[Finding, ...]
    in_sync: frozenset[str]
    drifted: frozenset[str]
    missing: frozenset[str]
    unmanaged: frozenset[str]


def judged_drift_rules(
    declared_ids: Collection[str], live_ids: Collection[str], unreadable: Collection[str]
) -> dict[str, set[str]]:
    """Update id → the drift rules `compare` judges on it: all four on an update declared and
    live, OTA002 on one only declared, OTA003 on one only live, none on one not read."""
    judged: dict[str, set[str]] = {}
    for ota_id in declared_ids:
        if ota_id in unreadable:
            continue
        if ota_id in live_ids:
            judged[ota_id] = {meta.rule_id for meta in DRIFT_RULES}
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
    readable_create_only: Collection[str] = (),
) -> DriftResult:
    """Compare every declared update with the live one of the same id.

    `unreadable` ids could not be read live: they are neither missing nor in sync (the source
    reports their errors). `readable_create_only` names create-only fields the source did read
    (deep mode); the others are left out of the comparison and reported as OTA004.
    """
    live_by_id = {u.ota_update_id: u for u in live}
    declared_ids: set[str] = set()
    findings: list[Finding] = []
    in_sync: set[str] = set()
    drifted: set[str] = set()
    missing: set[str] = set()
    not_read = frozenset(CREATE_ONLY_FIELDS) - frozenset(readable_create_only)
    for update in declared:
        declared_ids.add(update.ota_update_id)
        actual = live_by_id.get(update.ota_update_id)
        if actual is None:
            if update.ota_update_id not in unreadable:
                missing.add(update.ota_update_id)
                findings.append(_missing(update))
            continue
        changes = list(diff_update(update, actual, not_read))
        (drifted if changes else in_sync).add(update.ota_update_id)
        findings.extend(changes)
        findings.extend(_not_verifiable(update, not_read))
    unmanaged = {i for i in live_by_id if i not in declared_ids}
    findings.extend(_unmanaged(live_by_id[i]) for i in unmanaged)
    return DriftResult(
        tuple(findings),
        frozenset(in_sync),
        frozenset(drifted),
        frozenset(missing),
        frozenset(unmanaged),
    )


def diff_update(
    declared: DeclaredUpdate, live: LiveUpdate, not_read: Collection[str] = CREATE_ONLY_FIELDS
) -> Iterable[Finding]:
    """One OTA001 finding per differing path; nothing at all when the canonical forms agree."""
    want = canonical(declared.config, files_field="files", unreadable=not_read)
    have = canonical(live.info, files_field="otaUpdateFiles", unreadable=not_read)
    if want.data == have.data:  # the fast path: most updates are in sync, DeepDiff is slow
        return []
    diff = DeepDiff(
        want.data, have.data, view="tree", ignore_numeric_type_changes=True, verbose_level=2
    )
    paths: dict[Path, None] = {}
    for changes in diff.values():
        for level in changes:
            paths[_whole_value_path(tuple(level.path(output_format="list")))] = None
    return [_changed(declared, want, have, path) for path in paths]


def _whole_value_path(path: Path) -> Path:
    """Cut a path at its first list index: a changed list is reported as one whole value.

    File keys below `files` are not list indexes: files are keyed by name (or position).
    """
    for depth, step in enumerate(path):
        if isinstance(step, int) and not (depth == 1 and path[0] == "files"):
            return path[:depth]
    return path


def _changed(declared: DeclaredUpdate, want: Canonical, have: Canonical, path: Path) -> Finding:
    desired = _get(want.data, path)
    actual = _get(have.data, path)
    shown = display(path)
    default_note = " (service default)" if path in want.defaulted else ""
    if isinstance(desired, list) and isinstance(actual, list):
        message = f"{shown}: {_list_change(desired, actual)}"
    else:
        message = f"{shown}: declared {_show(desired)}{default_note}, live {_show(actual)}"
    return Finding(
        rule_id=CHANGED.rule_id,
        severity=CHANGED.severity,
        ota_update_id=declared.ota_update_id,
        source="drift",
        path=shown,
        message=message,
        location=declared.location_of(_declared_path(want, path)),
        drift=DriftValues(
            None if desired is _ABSENT else desired, None if actual is _ABSENT else actual
        ),
    )


def display(path: Path) -> str:
    """`files[fw.bin].codeSigning.awsSignerJobId`: a canonical path in the user's terms."""
    out = ""
    for depth, step in enumerate(path):
        if isinstance(step, int) or (depth == 1 and path[0] in ("files", *SET_FIELDS)):
            out += f"[{step}]"
        else:
            out += f".{step}" if out else str(step)
    return out


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
            return _ABSENT
        node = node[step]
    return node


def _list_change(desired: list[Any], actual: list[Any]) -> str:
    """What a set-like list gained and lost live, which reads better than two long lists."""
    added = [v for v in actual if v not in desired]
    removed = [v for v in desired if v not in actual]
    parts = []
    if added:
        parts.append(f"live also has {', '.join(map(str, added))}")
    if removed:
        parts.append(f"live lacks {', '.join(map(str, removed))}")
    return "; ".join(parts) or f"declared {_show(desired)}, live {_show(actual)}"


def _show(value: Any) -> str:
    if value is _ABSENT:
        return "absent"
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


def _missing(update: DeclaredUpdate) -> Finding:
    return Finding(
        rule_id=MISSING.rule_id,
        severity=MISSING.severity,
        ota_update_id=update.ota_update_id,
        source="drift",
        path="",
        message="declared, but no such OTA update exists live",
        location=update.location,
    )


def _unmanaged(update: LiveUpdate) -> Finding:
    return Finding(
        rule_id=UNMANAGED.rule_id,
        severity=UNMANAGED.severity,
        ota_update_id=update.ota_update_id,
        source="drift",
        path="",
        message="exists live, but is not declared",
        location=None,
    )


def _not_verifiable(update: DeclaredUpdate, not_read: Collection[str]) -> list[Finding]:
    fields = [f for f in CREATE_ONLY_FIELDS if f in not_read and f in update.config]
    if not fields:
        return []
    return [
        Finding(
            rule_id=NOT_VERIFIABLE.rule_id,
            severity=NOT_VERIFIABLE.severity,
            ota_update_id=update.ota_update_id,
            source="drift",
            path="",
            message=f"{', '.join(fields)} cannot be verified: GetOTAUpdate does not return "
            f"{'it' if len(fields) == 1 else 'them'}",
            location=update.location_of((fields[0],)),
        )
    ]
