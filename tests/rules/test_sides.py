"""Where each config rule runs, proved by running the audit's own evaluation on it.

`checker.evaluate` judges a rule on exactly the sides its `applies_to` names; on the live side a
rule that `needs_deep` runs only when the source read deep (the job's abort and timeout config)
and only on an update that has a job. Each rule's failing example is put on every side, so a
rule that ran where it must not would be found there.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from checker.evaluate import evaluate
from checker.model import DeclaredUpdate, LiveUpdate, Location
from checker.policy.model import DEFAULT_POLICY, Policy, RuleSetting
from checker.rules.interface import Rule
from checker.rules.registry import CONFIG_RULES
from tests.rules.harness import AS_OF, PARTITION, fixture_params

DEEP_RULES = [rule for rule in CONFIG_RULES if rule.meta.needs_deep]
JOB = {"awsIotJobId": "AFR_OTA-example"}
SIDES = {"declared": {"declared"}, "live": {"live"}, "both": {"both"}}
"""A rule's `applies_to` → the sides its findings on an example failing on both sides carry."""


def _policy(rule: Rule) -> Policy:
    """The default policy with the rule's fixture parameters, those its examples assume."""
    setting = RuleSetting(params=fixture_params(rule.meta.rule_id))
    return Policy(
        DEFAULT_POLICY.fail_on,
        {rule.meta.rule_id: setting},
        DEFAULT_POLICY.ignore_drift,
        DEFAULT_POLICY.suppressions,
        DEFAULT_POLICY.packs,
    )


def _failing(rule: Rule) -> dict[str, Any]:
    config = yaml.safe_load(rule.meta.doc.failing)
    assert isinstance(config, dict)
    return config


def _sides_found(rule: Rule, declared: bool, live: dict[str, Any] | None, deep: bool) -> set[str]:
    """The sides of the rule's findings on `example`: its failing example declared (if
    `declared`) and `live` as the update's live info (if given)."""
    on_declared = [DeclaredUpdate("example", _failing(rule), Location("ota.yaml", 1), {})]
    on_live = [] if live is None else [LiveUpdate("example", live, origin="test")]
    findings = evaluate(
        on_declared if declared else [],
        on_live,
        _policy(rule),
        AS_OF,
        deep=deep,
        verified=deep,
        rules=[rule],
        partition=PARTITION,
    )
    return {f.side for f in findings}


@pytest.mark.parametrize("rule", CONFIG_RULES, ids=lambda r: r.meta.rule_id)
def test_a_rule_runs_on_exactly_the_sides_it_applies_to(rule: Rule) -> None:
    """The failing example declared and live (read deep, with a job): findings on the rule's
    sides only: a declared-only rule never judges live state, a live-only one (status) never
    a declaration."""
    live = {**_failing(rule), **JOB}
    assert _sides_found(rule, True, live, deep=True) == SIDES[rule.meta.applies_to]


def test_the_rules_that_need_a_partition_run_only_with_one() -> None:
    """OTA404 judges a declaration against its fleet partition: without one, no finding."""
    (rule,) = [r for r in CONFIG_RULES if r.meta.needs_partition]
    on_declared = [DeclaredUpdate("example", _failing(rule), Location("ota.yaml", 1), {})]
    assert evaluate(on_declared, [], _policy(rule), AS_OF, rules=[rule]) == []
    within = evaluate(on_declared, [], _policy(rule), AS_OF, rules=[rule], partition=PARTITION)
    assert {f.rule_id for f in within} == {"OTA404"}


def test_the_rules_that_need_a_deep_read_are_found() -> None:
    """The job's abort and timeout config and its health are only read deep: those rules say
    so."""
    assert {r.meta.rule_id for r in DEEP_RULES} >= {"OTA306", "OTA307", "OTA503", "OTA505"}


@pytest.mark.parametrize("rule", DEEP_RULES, ids=lambda r: r.meta.rule_id)
def test_a_rule_that_needs_a_deep_read_runs_live_only_on_a_deep_read_of_an_update_with_a_job(
    rule: Rule,
) -> None:
    """Live, the rule runs when the source read deep and the update has a job; a shallow read
    has no job config to judge, and an update without a job (its create failed) none either.
    The declared side, for a rule that has one, is judged either way."""
    live = {**_failing(rule), **JOB}
    assert _sides_found(rule, False, live, deep=True) == {"live"}
    assert _sides_found(rule, False, live, deep=False) == set()
    assert _sides_found(rule, False, _failing(rule), deep=True) == set()
    declared = {"declared"} if rule.meta.applies_to == "both" else set()
    assert _sides_found(rule, True, live, deep=False) == declared
