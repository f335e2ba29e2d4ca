"""Decisions with one owner stay with it: no other module of checker/ writes them again.

A behaviour test cannot see a second copy that still agrees with the first, so these read the
source: the next change would have to be made twice, and one copy would be missed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKER = ROOT / "checker"


def _trees() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(CHECKER.rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _called(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def test_the_modules_are_found() -> None:
    """The checks below read every module, so they cannot pass on none."""
    assert {"checker/cli.py", "checker/sources/choice.py"} <= {name for name, _ in _trees()}


def test_only_source_for_picks_the_state_source() -> None:
    """`checker.sources.choice.source_for` builds the snapshot or AWS source for `check`,
    `import` and Pulumi; only `snapshot`, which always reads AWS, builds an AwsSource itself,
    and a fleet run, whose every partition is read from AWS with its own credentials."""
    built = {
        (name, called)
        for name, tree in _trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (called := _called(node)) in ("SnapshotSource", "AwsSource")
    }
    assert built == {
        ("checker/sources/choice.py", "SnapshotSource"),
        ("checker/sources/choice.py", "AwsSource"),
        ("checker/cli.py", "AwsSource"),
        ("checker/fleet/run.py", "AwsSource"),
    }


def test_only_assume_utc_takes_a_naive_time_as_utc() -> None:
    """`.replace(tzinfo=...)` is written once, in `checker.model.assume_utc`."""
    sites = [
        name
        for name, tree in _trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and _called(node) == "replace"
        and any(k.arg == "tzinfo" for k in node.keywords)
    ]
    assert sites == ["checker/model.py"]


def test_only_the_policy_falls_back_to_the_packs_fail_on() -> None:
    """`--fail-on` or `ota-drift:failOn`, else the packs' failOn, is
    `checker.policy.model.effective_fail_on`: outside checker/policy/ no expression falls back
    to a `fail_on` with `or`."""
    sites = [
        f"{name}:{node.lineno}"
        for name, tree in _trees()
        if not name.startswith("checker/policy/")
        for node in ast.walk(tree)
        if isinstance(node, ast.BoolOp)
        and isinstance(node.op, ast.Or)
        and any(isinstance(v, ast.Attribute) and v.attr == "fail_on" for v in node.values)
    ]
    assert sites == []


def test_ota002s_message_is_written_by_its_rule_alone() -> None:
    """The Pulumi provider's errors for a missing update quote the rule's finding."""
    sites = [
        name
        for name, tree in _trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and "no such OTA update" in node.value
    ]
    assert sites == ["checker/rules/ota002_missing.py"]


def _module_level_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


OWNED_NAMES = {
    "CREATE_ONLY_FIELDS": "checker/normalise.py",
    "DEEP_FIELDS": "checker/normalise.py",
    "SERVER_FIELDS": "checker/normalise.py",
    "LIVE_NAMES": "checker/normalise.py",
    "JOB_HEALTH_FIELD": "checker/normalise.py",
    "Side": "checker/model.py",
}
"""Tables and types that had a second copy elsewhere, each with the one module defining it."""


def test_each_owned_table_is_defined_by_its_owner_alone() -> None:
    """`DEEP_FIELDS` and the other field tables live in `checker.normalise`, the config side
    type in `checker.model`: every other module imports them."""
    defined = {
        (owned, name)
        for name, tree in _trees()
        for owned in _module_level_names(tree) & set(OWNED_NAMES)
    }
    assert defined == set(OWNED_NAMES.items())


def test_only_not_read_fields_says_which_create_only_fields_a_source_cannot_read() -> None:
    """`CREATE_ONLY_FIELDS` less `DEEP_FIELDS` for a deep source is
    `checker.normalise.not_read_fields`: no other module uses both names."""
    both = [
        name
        for name, tree in _trees()
        if {"CREATE_ONLY_FIELDS", "DEEP_FIELDS"}
        <= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    ]
    assert both == ["checker/normalise.py"]


def test_only_job_health_field_names_the_jobs_health() -> None:
    """`awsIotJob` is written once, as `checker.normalise.JOB_HEALTH_FIELD`: the source that
    keeps it, the snapshot checks, drift (which never compares it) and the rules all import
    the name."""
    sites = {
        name
        for name, tree in _trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value == "awsIotJob"
    }
    assert sites == {"checker/normalise.py"}


def test_only_declared_names_renames_a_live_member() -> None:
    """`otaUpdateFiles` read as `files` is `checker.normalise.LIVE_NAMES`, used by drift, the
    rules' live view and `import` alike; the snapshot source names the member only to decode
    the signatures below it, and the chain modules only to read the live files the chain
    (`awsChain`, one entry per file) is aligned with: none of them renames it."""
    sites = {
        name
        for name, tree in _trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value == "otaUpdateFiles"
    }
    assert sites == {
        "checker/normalise.py",
        "checker/sources/snapshot.py",
        "checker/chain.py",
        "checker/sources/chain.py",
        "checker/servicemodel.py",
    }


def test_a_read_error_is_put_in_words_by_source_error_alone() -> None:
    """`could not read X: OP failed with CODE: ...` is `SourceError.sentence`, which JUnit and
    SARIF both write."""
    sites = [
        name
        for name, tree in _trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and " failed with" in node.value
    ]
    assert set(sites) == {"checker/model.py"}


def test_findings_are_built_by_the_rule_modules() -> None:
    """A `Finding` is constructed only by `RuleMeta.finding` (checker/rules/interface.py, which
    fills in the rule's id and severity) or in a rule's own module (`checker/rules/otaNNN_*.py`,
    OTA900 at the policy's severity); `checker.evaluate` turns a config rule's `Violation` into
    one through its meta. Drift, the policy and the formats call the rule module's function.
    `ota-drift merge` (checker/fleet/merge.py) reads findings back from a report: it raises
    none."""
    sites = {
        name
        for name, tree in _trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _called(node) in ("Finding", "DriftValues")
    }
    outside = {s for s in sites if not s.startswith("checker/rules/ota")}
    assert outside == {"checker/rules/interface.py", "checker/fleet/merge.py"}
    assert "checker/rules/ota001_changed.py" in sites
