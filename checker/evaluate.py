"""Stage 4b: run the rules over declared and live configs; one finding per (update, rule, path).

A violation found on both sides of the same update becomes one finding with `source: both`.

A declared config holding values computed at deploy time (`Unknown`) is judged rule by rule
(`checker.rules.interface.judge`): a rule whose verdict depends on such a value reports
nothing there, and the update gets one OTA005 finding per value that kept rules from a
verdict, naming them. Configs without any take the plain path, unchanged.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from checker.model import (
    SET_FIELDS,
    DeclaredUpdate,
    Finding,
    LiveUpdate,
    Location,
    Partition,
    Path,
    Unknown,
    display,
)
from checker.normalise import computed_values, declared_names, has_computed
from checker.policy.model import Policy
from checker.rules.interface import ConfigView, Rule, Violation, judge
from checker.rules.ota005_computed import not_checked_finding
from checker.rules.registry import CONFIG_RULES


def declared_view(
    update: DeclaredUpdate, now: datetime, partition: Partition | None = None
) -> ConfigView:
    return ConfigView(update.ota_update_id, "declared", update.config, now, partition)


def live_view(update: LiveUpdate, now: datetime, partition: Partition | None = None) -> ConfigView:
    """The live info as rules read it: in declared names (`otaUpdateFiles` as `files`)."""
    return ConfigView(update.ota_update_id, "live", declared_names(update.info), now, partition)


@dataclass(frozen=True)
class Evaluation:
    """What `evaluation` found, and which rules it could not judge where."""

    findings: tuple[Finding, ...]
    not_checked: Mapping[str, frozenset[str]]
    """Update id → the rules whose verdict on its declared config depends on values computed
    at deploy time: neither passed nor failed there. Only updates with such rules."""


def evaluate(
    declared: Sequence[DeclaredUpdate],
    live: Sequence[LiveUpdate],
    policy: Policy,
    now: datetime,
    *,
    deep: bool = False,
    verified: bool = False,
    rules: Iterable[Rule] = CONFIG_RULES,
    partition: Partition | None = None,
) -> list[Finding]:
    """Findings of every enabled rule on every declared and live config, sides merged (see
    `evaluation`)."""
    return list(
        evaluation(
            declared,
            live,
            policy,
            now,
            deep=deep,
            verified=verified,
            rules=rules,
            partition=partition,
        ).findings
    )


def evaluation(
    declared: Sequence[DeclaredUpdate],
    live: Sequence[LiveUpdate],
    policy: Policy,
    now: datetime,
    *,
    deep: bool = False,
    verified: bool = False,
    rules: Iterable[Rule] = CONFIG_RULES,
    partition: Partition | None = None,
) -> Evaluation:
    """Findings of every enabled rule on every declared and live config, sides merged, and the
    OTA005 findings for rules that values computed at deploy time kept from a verdict.

    `deep` says the source read each update's job (deep mode: its abort and timeout config,
    its health), so rules that need it run on the live side too: on updates that have a job
    (`awsIotJobId`); an update whose creation failed has none, and no config to judge.
    `verified` says it also read the chain behind each file (`--verify`: `awsChain`), so the
    rules that need it run on every live update (one without links gives them nothing to
    find). `partition` is where they are audited (a fleet run): only then do the rules that
    need it run.
    """
    on_declared, on_live = _selected(policy, rules, deep, verified, partition)
    found_declared: list[Finding] = []
    not_checked: dict[str, frozenset[str]] = {}
    for update in declared:
        view = declared_view(update, now, partition)
        if has_computed(update.config):
            found, skipped = _judged(update, view, on_declared)
            found_declared.extend(found)
            if skipped:
                not_checked[update.ota_update_id] = skipped
            continue
        for rule, params in on_declared:
            found_declared.extend(_finding(rule, view, v, update) for v in rule.check(view, params))
    declared_by_id = {d.ota_update_id: d for d in declared}
    found_live: list[Finding] = []
    for live_update in live:
        view = live_view(live_update, now, partition)
        owner = declared_by_id.get(live_update.ota_update_id)
        for rule, params in _on_this_live(on_live, live_update):
            found_live.extend(_finding(rule, view, v, owner) for v in rule.check(view, params))
    return Evaluation(tuple(merge_sides(found_declared, found_live)), not_checked)


def _judged(
    update: DeclaredUpdate, view: ConfigView, on_declared: _Selected
) -> tuple[list[Finding], frozenset[str]]:
    """The rules' findings on a declared config holding computed values, with one OTA005 per
    value that kept rules from a verdict (in the order written), and those rules."""
    computed = computed_values(update.config)
    found: list[Finding] = []
    blocked: dict[Path, tuple[Unknown, list[str]]] = {}
    for rule, params in on_declared:
        verdict = judge(rule, view, params, computed)
        if verdict.violations is not None:
            found.extend(_finding(rule, view, v, update) for v in verdict.violations)
            continue
        for path, value in verdict.needed:
            blocked.setdefault(path, (value, []))[1].append(rule.meta.rule_id)
    for path, value in computed:
        if path in blocked:
            named = _written_name(path, update.config)
            rule_ids = blocked[path][1]
            location = update.location_of(path)
            found.append(not_checked_finding(update, display(named), value, rule_ids, location))
    skipped = frozenset(r for _, rule_ids in blocked.values() for r in rule_ids)
    return found, skipped


def _written_name(path: Path, config: Mapping[str, Any]) -> Path:
    """A path in the config as written (positions in `files` count every entry, mappings or
    not) with the file's position replaced by its name where the name is known and unique."""
    files = config.get("files")
    if (
        len(path) >= 2
        and path[0] == "files"
        and isinstance(path[1], int)
        and isinstance(files, list)
    ):
        names = [f.get("fileName") if isinstance(f, dict) else None for f in files]
        name = names[path[1]] if path[1] < len(names) else None
        if isinstance(name, str) and names.count(name) == 1:
            return ("files", name, *path[2:])
    return path


def evaluated_rules(
    declared: Sequence[DeclaredUpdate],
    live: Sequence[LiveUpdate],
    policy: Policy,
    *,
    deep: bool = False,
    verified: bool = False,
    rules: Iterable[Rule] = CONFIG_RULES,
    not_checked: Mapping[str, Collection[str]] | None = None,
    partition: Partition | None = None,
) -> dict[str, set[str]]:
    """Update id → the config rules `evaluate` judges on it, with the same arguments: what a
    report may call passed where nothing was found. Not the rules `not_checked`
    (`Evaluation.not_checked`) names for an update: half a verdict (the live side's alone) is
    not a pass. Never OTA005: it notes what was not judged and has no pass of its own (most
    declaration formats cannot even hold a computed value)."""
    on_declared, on_live = _selected(policy, rules, deep, verified, partition)
    judged: dict[str, set[str]] = {}
    for update in declared:
        judged.setdefault(update.ota_update_id, set()).update(
            r.meta.rule_id for r, _ in on_declared
        )
    for live_update in live:
        judged.setdefault(live_update.ota_update_id, set()).update(
            r.meta.rule_id for r, _ in _on_this_live(on_live, live_update)
        )
    for ota_id, rule_ids in (not_checked or {}).items():
        if ota_id in judged:
            judged[ota_id] -= set(rule_ids)
    return judged


_Selected = list[tuple[Rule, Mapping[str, Any]]]


def _selected(
    policy: Policy, rules: Iterable[Rule], deep: bool, verified: bool, partition: Partition | None
) -> tuple[_Selected, _Selected]:
    """The enabled rules with their parameters: those run on declared configs, on live ones.
    A rule that needs the partition is not run (neither passes nor fails) without one, nor one
    that needs the chain on a live config whose chain was not read."""
    active: _Selected = [
        (rule, policy.params(rule.meta))
        for rule in rules
        if policy.enabled(rule.meta.rule_id)
        and (partition is not None or not rule.meta.needs_partition)
    ]
    on_declared = [(r, p) for r, p in active if r.meta.applies_to in ("declared", "both")]
    on_live = [
        (r, p)
        for r, p in active
        if r.meta.applies_to in ("live", "both")
        and (deep or not r.meta.needs_deep)
        and (verified or not r.meta.needs_verify)
    ]
    return on_declared, on_live


def _on_this_live(on_live: _Selected, update: LiveUpdate) -> _Selected:
    """Rules that need the job's config skip an update without a job: a failed create has
    none, and no config to judge."""
    if update.info.get("awsIotJobId"):
        return on_live
    return [(r, p) for r, p in on_live if not r.meta.needs_deep]


def merge_sides(declared: Iterable[Finding], live: Iterable[Finding]) -> list[Finding]:
    """One finding per (update, rule, path): found on both sides, it becomes `both`.

    The declared finding leads (its location is where to fix it); where the live value differs,
    the message says both.
    """
    live_by_key: dict[tuple[str, str, str], list[Finding]] = {}
    for finding in live:
        live_by_key.setdefault(_key(finding), []).append(finding)
    out: list[Finding] = []
    for finding in declared:
        partners = live_by_key.get(_key(finding))
        if not partners:
            out.append(finding)
            continue
        other = partners.pop(0)
        message = finding.message
        if other.message != message:
            message = f"{message} (live: {other.message})"
        out.append(replace(finding, side="both", message=message))
    out.extend(f for partners in live_by_key.values() for f in partners)
    return out


def _key(finding: Finding) -> tuple[str, str, str]:
    return (finding.ota_update_id, finding.rule_id, finding.path)


def _finding(
    rule: Rule, view: ConfigView, violation: Violation, owner: DeclaredUpdate | None
) -> Finding:
    files = view.files
    named = _named_path(violation.path, files, view.config)
    return rule.meta.finding(
        ota_update_id=view.ota_update_id,
        side=view.side,
        path=display(named),
        message=violation.message,
        location=_location(owner, named),
        references=rule.meta.doc.references,
    )


def _named_path(path: Path, files: Sequence[Mapping[str, Any]], config: Mapping[str, Any]) -> Path:
    """`("files", 0, ...)` → `("files", "fw.bin", ...)` and `("targets", 1)` → the ARN.

    Positions in files and set-like lists differ between the declared and live sides; names
    and values do not, so the same violation on both sides gets the same path.
    """
    if len(path) == 2 and path[0] in SET_FIELDS and isinstance(path[1], int):
        values = config.get(str(path[0]))
        if isinstance(values, list) and path[1] < len(values):
            return (path[0], str(values[path[1]]))
    if len(path) >= 2 and path[0] == "files" and isinstance(path[1], int):
        index = path[1]
        name = files[index].get("fileName") if index < len(files) else None
        names = [f.get("fileName") for f in files]
        if isinstance(name, str) and names.count(name) == 1:
            return ("files", name, *path[2:])
    return path


def _location(owner: DeclaredUpdate | None, named: Path) -> Location | None:
    """Where the declared YAML says it: a live finding on a declared update points there too."""
    if owner is None:
        return None
    path = named
    if len(named) == 2 and named[0] in SET_FIELDS:
        values = owner.config.get(str(named[0])) or []
        path = (named[0], values.index(named[1])) if named[1] in values else (named[0],)
    elif len(named) >= 2 and named[0] == "files" and isinstance(named[1], str):
        files = owner.config.get("files") or []
        names = [f.get("fileName") if isinstance(f, dict) else None for f in files]
        path = ("files", names.index(named[1]), *named[2:]) if named[1] in names else ("files",)
    return owner.location_of(path)
