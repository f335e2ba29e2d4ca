"""Runs one rule over a fixture whose updates are named for what they prove.

A fixture `fixtures/OTA123.yaml` declares updates named `pass_*` and `fail_*`;
`fixtures/OTA123.live.json` (optional) is a snapshot with the same naming. The rule must fire
on exactly the `fail_*` updates, on each side.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from checker.declared import load_declared
from checker.evaluate import declared_view, live_view
from checker.model import LiveUpdate
from checker.policy.model import DEFAULT_POLICY
from checker.rules.interface import ConfigView, Rule, Violation
from checker.sources.snapshot import SnapshotSource

FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = datetime(2026, 11, 25, tzinfo=UTC)


def declared_views(rule_id: str) -> list[ConfigView]:
    return [declared_view(u, AS_OF) for u in load_declared([str(FIXTURES / f"{rule_id}.yaml")])]


def live_views(rule_id: str) -> list[ConfigView]:
    path = FIXTURES / f"{rule_id}.live.json"
    return [
        live_view(u, AS_OF) for u in SnapshotSource(str(path)).fetch() if isinstance(u, LiveUpdate)
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
