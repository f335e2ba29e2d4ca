"""Which rules the audit judged on each update: a report may call a rule passed only there."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from checker import audit
from checker.model import Report, SourceError
from checker.policy.packs import load_policy
from checker.rules.registry import ALL_RULES, CONFIG_RULES
from tests.test_drift import YAML, _Source, declare, live, live_info

DRIFT = {"OTA001", "OTA002", "OTA003", "OTA004"}
DECLARED_SIDE = {
    r.meta.rule_id
    for r in CONFIG_RULES
    if r.meta.applies_to in ("declared", "both") and not r.meta.needs_partition
}
"""Judged on a declaration in a single-partition run (not those needing a fleet partition)."""
LIVE_SIDE = {
    r.meta.rule_id
    for r in CONFIG_RULES
    if r.meta.applies_to in ("live", "both") and not r.meta.needs_verify
}
"""Judged on a live update read deep but not verified (the chain rules need `--verify`)."""
JOB_CONFIG = {r.meta.rule_id for r in CONFIG_RULES if r.meta.needs_deep}


pytestmark = pytest.mark.usefixtures("in_tmp")


def _judged(report: Report) -> dict[str, set[str]]:
    return {a.ota_update_id: set(a.rules or ()) for a in report.audited}


class _DeepSource(_Source):
    deep = True


def test_declared_and_live_update_is_judged_by_every_rule_of_both_sides() -> None:
    report = audit.check(declare(), _DeepSource([live(live_info())]))
    assert _judged(report)["fw-1"] == DRIFT | DECLARED_SIDE | LIVE_SIDE


def test_without_job_config_the_live_side_skips_rules_that_need_it() -> None:
    """Unmanaged, shallow: OTA306/OTA307 never ran, so they must not read as passed."""
    report = audit.check((), _Source([live(live_info())]))
    assert _judged(report)["fw-1"] == {"OTA003"} | (LIVE_SIDE - JOB_CONFIG)
    assert JOB_CONFIG and not JOB_CONFIG & _judged(report)["fw-1"]


def test_a_live_update_without_a_job_skips_rules_that_need_its_config() -> None:
    info = live_info()
    info.pop("awsIotJobId", None)
    report = audit.check((), _DeepSource([live(info)]))
    assert not JOB_CONFIG & _judged(report)["fw-1"]


def test_a_missing_update_is_judged_by_ota002_and_declared_side_rules_only() -> None:
    report = audit.check(declare(), _Source([]))
    assert _judged(report)["fw-1"] == {"OTA002"} | DECLARED_SIDE


def test_an_unreadable_update_is_judged_by_no_drift_rule() -> None:
    error = SourceError("fw-1", "GetOTAUpdate", "AccessDeniedException", "not allowed")
    report = audit.check(declare(), _Source([error]))
    assert _judged(report)["fw-1"] == DECLARED_SIDE


def test_a_failed_listing_leaves_no_drift_rule_judged_on_any_declared_update() -> None:
    text = YAML + YAML.replace("otaUpdates:\n", "").replace("fw-1", "fw-2")
    error = SourceError(None, "ListOTAUpdates", "AccessDeniedException", "not allowed")
    report = audit.check(declare(text), _Source([error]))
    assert _judged(report) == {"fw-1": DECLARED_SIDE, "fw-2": DECLARED_SIDE}


def test_drift_ignored_for_a_whole_update_is_not_judged(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text("version: 1\nignoreDrift:\n  - otaUpdates: [fw-*]\n", encoding="utf-8")
    report = audit.check((), _Source([live(live_info())]), load_policy([str(pack)]))
    assert "OTA003" not in _judged(report)["fw-1"]
    assert _judged(report)["fw-1"] == LIVE_SIDE - JOB_CONFIG


def test_drift_ignored_on_some_paths_still_judges_the_update(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "version: 1\nignoreDrift:\n  - otaUpdates: [fw-1]\n    paths: [description]\n",
        encoding="utf-8",
    )
    report = audit.check(declare(), _Source([live(live_info())]), load_policy([str(pack)]))
    assert _judged(report)["fw-1"] >= DRIFT


@pytest.mark.parametrize("rule_id", ["OTA001", "OTA101"])
def test_a_disabled_rule_is_judged_nowhere(tmp_path: Path, rule_id: str) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(f"version: 1\nrules:\n  {rule_id}: {{enabled: false}}\n", encoding="utf-8")
    report = audit.check(declare(), _Source([live(live_info())]), load_policy([str(pack)]))
    assert rule_id not in _judged(report)["fw-1"]
    assert rule_id not in report.rules


def test_lint_judges_declared_side_rules_only() -> None:
    report = audit.lint(declare())
    assert _judged(report) == {"fw-1": DECLARED_SIDE}


def test_judged_rules_are_sorted_and_among_the_report_rules() -> None:
    info = copy.deepcopy(live_info())
    report = audit.check(declare(), _DeepSource([live(info), live(live_info("fw-9"))]))
    known = {meta.rule_id for meta in ALL_RULES}
    for update in report.audited:
        assert update.rules is not None
        assert list(update.rules) == sorted(update.rules)
        assert set(update.rules) <= set(report.rules) <= known
