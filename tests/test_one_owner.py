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
    `import` and Pulumi; only `snapshot`, which always reads AWS, builds an AwsSource itself."""
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
