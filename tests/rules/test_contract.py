"""The contract every rule keeps, checked over the registry: adding a rule is one module in
checker/rules/ and one registry line, and these tests say what else it needs.

Config rules (applies to declared, live or both) need a pass/fail fixture on each side they
apply to. Drift rules (OTA001-OTA005) and the checker's own OTA900 judge pairs of updates or
policy packs, not one config, so they have no config fixtures: here they are held to
registration and complete metadata, and their behaviour is tested where they are raised
(tests/test_drift.py, tests/policy/test_apply.py).
"""

from __future__ import annotations

import ast
import copy
import importlib
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, get_args

import pytest
import yaml

import checker.drift
import checker.rules
from checker.model import DeclaredUpdate, LiveUpdate, Location, Severity, Unknown
from checker.policy.model import DEFAULT_POLICY
from checker.rules.interface import AppliesTo, ConfigView, Rule, RuleDoc, RuleMeta, Side
from checker.rules.registry import ALL_RULES, CONFIG_RULES, META_BY_ID
from tests.rules.harness import (
    AS_OF,
    FIXTURES,
    PARTITION,
    expected_failures,
    fired,
    fixture_params,
    fixture_path,
    side_views,
)

RULES_DIR = Path(checker.rules.__file__).parent
MODULES = sorted(p.stem for p in RULES_DIR.glob("ota*.py"))
CONFIG_SIDES: dict[AppliesTo, tuple[Side, ...]] = {
    "declared": ("declared",),
    "live": ("live",),
    "both": ("declared", "live"),
}


def _sides(meta: RuleMeta) -> tuple[Side, ...]:
    """The sides a rule runs on, so the sides that need a fixture; none for drift and OTA900."""
    return CONFIG_SIDES.get(meta.applies_to, ())


SIDED = [(rule, side) for rule in CONFIG_RULES for side in _sides(rule.meta)]


def _metas_in(module: ModuleType) -> list[RuleMeta]:
    """The rule metas a module defines: those whose `RuleMeta(rule_id=...)` is written in its
    source. A meta imported from another rule's module, or one constant a class's `meta` also
    names, is not a second definition."""
    tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
    ids = [
        keyword.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "RuleMeta"
        for keyword in node.keywords
        if keyword.arg == "rule_id" and isinstance(keyword.value, ast.Constant)
    ]
    return [META_BY_ID[rule_id] for rule_id in ids if rule_id in META_BY_ID] + [
        RuleMeta(rule_id, "", Severity.INFO, "checker", _NO_DOC)
        for rule_id in ids
        if rule_id not in META_BY_ID
    ]


_NO_DOC = RuleDoc("", "", "", "", "")
"""For a meta a module defines but the registry does not know: it fails the test that calls it."""


def test_a_meta_imported_from_another_rule_module_is_not_a_second_definition() -> None:
    """`_metas_in` reads definitions, so a rule may import another's meta (OTA005 names the rules
    it stands in for) and a class may point its `meta` at a module constant."""
    ota004 = importlib.import_module("checker.rules.ota004_not_verifiable")
    assert [m.rule_id for m in _metas_in(ota004)] == ["OTA004"]
    ota306 = importlib.import_module("checker.rules.ota306_abort_config")
    assert [m.rule_id for m in _metas_in(ota306)] == ["OTA306"]


def test_the_rule_modules_are_found() -> None:
    """Discovery sees every kind of rule module, so the tests below cannot pass on none."""
    assert {"ota001_changed", "ota101_code_signing", "ota900_expired_suppression"} <= set(MODULES)


@pytest.mark.parametrize("stem", MODULES)
def test_every_rule_module_defines_one_registered_rule_named_for_it(stem: str) -> None:
    """checker/rules/otaNNN_*.py defines exactly rule OTANNN, and the registry lists that very
    meta (a config rule's class among CONFIG_RULES): a module nobody registered never runs."""
    module = importlib.import_module(f"checker.rules.{stem}")
    metas = _metas_in(module)
    assert [m.rule_id for m in metas] == [stem[:6].upper()], f"{stem} must define one rule"
    (meta,) = metas
    assert META_BY_ID.get(meta.rule_id) is meta, f"{meta.rule_id} is not in rules/registry.py"
    rule_classes = {type(rule) for rule in CONFIG_RULES if rule.meta is meta}
    if meta.applies_to in CONFIG_SIDES:
        assert len(rule_classes) == 1, f"{meta.rule_id} must be listed once in CONFIG_RULES"
        assert rule_classes.pop().__module__ == module.__name__
    else:
        assert not rule_classes, f"{meta.rule_id} is not a config check"


def test_every_registered_rule_has_its_own_module() -> None:
    """No rule is defined outside checker/rules/otaNNN_*.py, and no ID is registered twice."""
    assert len(META_BY_ID) == len(ALL_RULES)
    assert sorted(META_BY_ID) == [stem[:6].upper() for stem in MODULES]


def test_config_rules_are_exactly_the_rules_that_check_one_config() -> None:
    """CONFIG_RULES holds every declared/live/both rule and nothing else, in ID order."""
    ids = [rule.meta.rule_id for rule in CONFIG_RULES]
    assert ids == sorted(ids)
    assert ids == [m.rule_id for m in ALL_RULES if m.applies_to in CONFIG_SIDES]


def test_the_drift_rules_are_the_ones_drift_compare_raises() -> None:
    """`checker.drift.compare`, given one case of each kind of drift, raises exactly the
    registry's drift rules: one registered but never raised, or raised but registered as
    another kind, fails here."""

    def declared(ota_id: str, **config: Any) -> DeclaredUpdate:
        return DeclaredUpdate(ota_id, {"otaUpdateId": ota_id, **config}, Location("a.yaml", 1), {})

    def live(ota_id: str, **info: Any) -> LiveUpdate:
        return LiveUpdate(ota_id, {"otaUpdateId": ota_id, **info}, "snap.json")

    result = checker.drift.compare(
        [
            declared("changed", description="a"),
            declared("missing"),
            declared("create-only", tags=[{"Key": "team", "Value": "fw"}]),  # a shallow source
            declared("computed", description=Unknown("!Ref Description")),
        ],
        [
            live("changed", description="b"),
            live("create-only"),
            live("computed", description="b"),
            live("unmanaged"),
        ],
    )
    raised = {f.rule_id for f in result.findings}
    assert raised == {m.rule_id for m in ALL_RULES if m.applies_to == "drift"}
    assert {m.rule_id for m in checker.drift.DRIFT_RULES} == raised


@pytest.mark.parametrize("meta", ALL_RULES, ids=lambda m: m.rule_id)
def test_metadata_is_complete(meta: RuleMeta) -> None:
    """ID, title, severity, where it applies and every documentation field are set, config
    rules cite a standard, and every parameter says what values it takes."""
    assert re.fullmatch(r"OTA\d{3}", meta.rule_id)
    assert meta.title and meta.title == " ".join(meta.title.split())
    assert not meta.title.endswith("."), "a title is a heading, not a sentence"
    assert isinstance(meta.severity, Severity)
    assert meta.applies_to in get_args(AppliesTo)
    doc = meta.doc
    for name in ("what", "why", "fix"):
        text = getattr(doc, name)
        assert text.strip().endswith("."), f"{meta.rule_id} doc.{name} must be sentences"
    assert doc.failing.strip() and doc.passing.strip() and doc.failing != doc.passing
    if meta.applies_to in CONFIG_SIDES:
        assert doc.references, f"{meta.rule_id} cites no standard"
    assert all(r.strip() for r in doc.references)
    assert len(set(doc.references)) == len(doc.references)
    assert not meta.needs_deep or meta.applies_to in ("both", "live")  # a job is only live
    assert not meta.needs_partition or meta.applies_to == "declared"
    names = [p.name for p in meta.params]
    assert len(set(names)) == len(names)
    for param in meta.params:
        assert param.description.strip(), f"{meta.rule_id}.{param.name} has no description"
        if param.type == "string-list":
            assert param.items is not None, f"{meta.rule_id}.{param.name} has no items"
        else:
            assert param.bounds is not None, f"{meta.rule_id}.{param.name} has no bounds"


@pytest.mark.parametrize(("rule", "side"), SIDED, ids=[f"{r.meta.rule_id}-{s}" for r, s in SIDED])
def test_fixtures_fire_on_exactly_the_failing_updates(rule: Rule, side: Side) -> None:
    """On each side the rule applies to, its fixture has pass_* and fail_* updates and the rule
    fires on exactly the fail_* ones (with fixtures/ID.params.yaml, if there is one)."""
    rule_id = rule.meta.rule_id
    path = fixture_path(rule_id, side)
    assert path.is_file(), f"{rule_id} applies to the {side} side: add {path.name}"
    views = side_views(rule_id, side)
    assert fired(rule, views, fixture_params(rule_id)) == expected_failures(views)


def test_every_fixture_file_belongs_to_a_side_its_rule_applies_to() -> None:
    """No fixture tests a side a rule never runs on, or a rule that is not registered (a
    params file only for a rule with parameters)."""
    wanted = {fixture_path(rule.meta.rule_id, side).name for rule, side in SIDED}
    wanted |= {f"{rule.meta.rule_id}.params.yaml" for rule in CONFIG_RULES if rule.meta.params}
    stray = sorted(p.name for p in FIXTURES.iterdir() if p.name not in wanted)
    assert stray == []


@pytest.mark.parametrize(("rule", "side"), SIDED, ids=[f"{r.meta.rule_id}-{s}" for r, s in SIDED])
def test_documented_examples_fail_and_pass(rule: Rule, side: Side) -> None:
    """On every side the rule applies to, it fires on the failing example `ota-drift rules ID`
    shows and not on the passing one (with the fixtures' parameters)."""
    params = fixture_params(rule.meta.rule_id)

    def fires_on(example: str) -> bool:
        view = ConfigView("example", side, yaml.safe_load(example), AS_OF, PARTITION)
        return fired(rule, [view], params) == {"example"}

    assert fires_on(rule.meta.doc.failing)
    assert not fires_on(rule.meta.doc.passing)


ODD_VALUES: tuple[Any, ...] = (None, "x", 3, 2.5, True, [], {}, [None], [3], {"x": None})
"""What a hand-edited snapshot or a future API field may put anywhere."""


def _replacements(node: Any) -> Iterator[Any]:
    """`node` with, in turn, each of its values (at any depth) replaced by each odd value."""
    yield from ODD_VALUES
    if isinstance(node, dict):
        for key, value in node.items():
            for changed in _replacements(value):
                yield {**node, key: changed}
    elif isinstance(node, list):
        for index, value in enumerate(node):
            for changed in _replacements(value):
                yield [*node[:index], changed, *node[index + 1 :]]


@pytest.mark.parametrize(("rule", "side"), SIDED, ids=[f"{r.meta.rule_id}-{s}" for r, s in SIDED])
def test_odd_data_anywhere_neither_raises_nor_is_changed(rule: Rule, side: Side) -> None:
    """Every value of both documented examples, replaced by each odd value in turn: the rule
    yields its violations (or none) without raising, and leaves what it was given as it was."""
    params = {**DEFAULT_POLICY.params(rule.meta), **fixture_params(rule.meta.rule_id)}
    configs = 0
    for example in (rule.meta.doc.failing, rule.meta.doc.passing):
        for config in _replacements(yaml.safe_load(example)):
            if not isinstance(config, dict):
                continue
            before = copy.deepcopy(config)
            list(rule.check(ConfigView("odd", side, config, AS_OF, PARTITION), params))
            assert config == before
            configs += 1
    assert configs > len(ODD_VALUES)
