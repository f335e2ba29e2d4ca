"""Runs one rule over a fixture whose updates are named for what they prove.

A fixture `fixtures/OTA123.yaml` declares updates named `pass_*` and `fail_*`;
`fixtures/OTA123.live.json` is a snapshot with the same naming. Each side the rule applies to
has its fixture, and the rule must fire on exactly its `fail_*` updates
(tests/rules/test_contract.py). `fixtures/OTA123.params.yaml` (optional) holds the parameters
the fixtures are judged with, for a rule whose defaults make it fire on nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from checker.declared import load_declared
from checker.evaluate import declared_view, live_view
from checker.model import LiveUpdate, Partition
from checker.policy.model import DEFAULT_POLICY
from checker.rules.interface import ConfigView, Rule, Side, Violation
from checker.sources.snapshot import SnapshotSource

FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = datetime(2026, 11, 25, tzinfo=UTC)
PARTITION = Partition("123456789012", "eu-west-1")
"""Where fixtures and examples are audited: the rules that need a partition judge them there."""


def fixture_path(rule_id: str, side: Side) -> Path:
    return FIXTURES / (f"{rule_id}.yaml" if side == "declared" else f"{rule_id}.live.json")


def fixture_params(rule_id: str) -> dict[str, Any]:
    """The parameters `fixtures/ID.params.yaml` sets, or none (the rule's defaults)."""
    path = FIXTURES / f"{rule_id}.params.yaml"
    if not path.exists():
        return {}
    params = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(params, dict), f"{path.name} must be a mapping of parameters"
    return params


def side_views(rule_id: str, side: Side) -> list[ConfigView]:
    return declared_views(rule_id) if side == "declared" else live_views(rule_id)


def declared_views(rule_id: str) -> list[ConfigView]:
    path = fixture_path(rule_id, "declared")
    return [declared_view(u, AS_OF, PARTITION) for u in load_declared([str(path)])]


def live_views(rule_id: str) -> list[ConfigView]:
    path = fixture_path(rule_id, "live")
    return [
        live_view(u, AS_OF, PARTITION)
        for u in SnapshotSource(str(path)).fetch()
        if isinstance(u, LiveUpdate)
    ]


def violations(
    rule: Rule, views: list[ConfigView], params: Mapping[str, Any] | None = None
) -> dict[str, list[Violation]]:
    """Violations by update id, with the rule's defaults overlaid by `params`.

    Only values a policy pack could set are used: tests never rely on a limit packs refuse.
    """
    for name, value in (params or {}).items():
        problem = rule.meta.param(name).problem(value)
        assert problem is None, f"{rule.meta.rule_id}.{name} {problem.message}"
    merged = {**DEFAULT_POLICY.params(rule.meta), **(params or {})}
    return {view.ota_update_id: list(rule.check(view, merged)) for view in views}


def fired(rule: Rule, views: list[ConfigView], params: Mapping[str, Any] | None = None) -> set[str]:
    return {ota_id for ota_id, found in violations(rule, views, params).items() if found}


def expected_failures(views: list[ConfigView]) -> set[str]:
    ids = {view.ota_update_id for view in views}
    unnamed = {i for i in ids if not i.startswith(("pass_", "fail_"))}
    assert not unnamed, f"fixture updates must be named pass_* or fail_*: {sorted(unnamed)}"
    assert any(i.startswith("pass_") for i in ids) and any(i.startswith("fail_") for i in ids)
    return {i for i in ids if i.startswith("fail_")}
