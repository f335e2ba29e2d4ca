"""The packs shipped in policies/: the baseline states the registry's defaults exactly."""

from __future__ import annotations

from pathlib import Path

import yaml

from checker.policy.packs import default_pack_path, load_policy
from checker.rules.registry import ALL_RULES

ROOT = Path(__file__).resolve().parent.parent.parent


def test_default_pack_is_the_repositorys_policies_default_yaml() -> None:
    """The pack loaded first is policies/default.yaml (installed as checker.policies data)."""
    assert default_pack_path().resolve() == (ROOT / "policies" / "default.yaml").resolve()


def test_default_pack_lists_every_rule_with_its_default_severity_and_params() -> None:
    """default.yaml names every rule, with the severity and parameters the rule declares."""
    pack = yaml.safe_load((ROOT / "policies" / "default.yaml").read_text(encoding="utf-8"))
    assert pack["version"] == 1
    assert pack["failOn"] == "low"
    expected = {}
    for meta in ALL_RULES:
        entry: dict[str, object] = {"severity": meta.severity.value}
        if meta.params:
            entry["params"] = {p.name: p.default for p in meta.params}
        expected[meta.rule_id] = entry
    assert pack["rules"] == expected
    assert pack["ignoreDrift"] == [] and pack["suppressions"] == []


def test_default_policy_changes_nothing() -> None:
    """Loading only the baseline gives every rule's own default severity and parameters."""
    policy = load_policy()
    for meta in ALL_RULES:
        assert policy.enabled(meta.rule_id)
        assert policy.severity(meta.rule_id, meta.severity) == meta.severity
        assert policy.params(meta) == {p.name: p.default for p in meta.params}


def test_every_shipped_pack_loads() -> None:
    """Each *.yaml in policies/ (but the CrossGuard project file) is a valid pack."""
    packs = sorted(p for p in (ROOT / "policies").glob("*.yaml") if p.name != "PulumiPolicy.yaml")
    assert [p.name for p in packs] == ["default.yaml", "strict.yaml"]
    load_policy([str(p) for p in packs])
