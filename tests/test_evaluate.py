"""Rules on declared and live configs: sides merged per (update, rule, path), deep mode."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from checker.declared import load_declared
from checker.evaluate import evaluate
from checker.model import DeclaredUpdate, Finding, LiveUpdate, Location, Severity
from checker.policy.model import DEFAULT_POLICY, Policy, RuleSetting
from checker.rules.interface import AppliesTo, ConfigView, Param, RuleDoc, RuleMeta, Violation
from checker.rules.ota101_code_signing import CodeSigningMissing
from checker.rules.ota302_rollout_rate import RolloutRateTooHigh

NOW = datetime(2026, 11, 25, tzinfo=UTC)
TARGET = "arn:aws:iot:eu-west-1:123456789012:thinggroup/sensors"
ROLE = "arn:aws:iam::123456789012:role/ota"
RULES = (CodeSigningMissing(), RolloutRateTooHigh())

DECLARED = f"""\
otaUpdates:
  - otaUpdateId: fleet-a
    targets: [{TARGET}]
    roleArn: {ROLE}
    awsJobExecutionsRolloutConfig:
      maximumPerMinute: 300
    files:
      - fileName: fw.bin
        fileLocation: {{stream: {{streamId: s1, fileId: 0}}}}
      - fileName: cfg.bin
        fileLocation: {{stream: {{streamId: s1, fileId: 1}}}}
        codeSigning: {{awsSignerJobId: job-2}}
  - otaUpdateId: fleet-b
    targets: [{TARGET}]
    roleArn: {ROLE}
    files:
      - fileName: fw.bin
        fileLocation: {{stream: {{streamId: s1, fileId: 0}}}}
        codeSigning: {{awsSignerJobId: job-1}}
      - fileName: cfg.bin
        fileLocation: {{stream: {{streamId: s1, fileId: 1}}}}
        codeSigning: {{awsSignerJobId: job-2}}
"""
"""fleet-a: rate 300 (line 6), fw.bin unsigned (line 8). fleet-b (line 13): clean, files on 16."""


pytestmark = pytest.mark.usefixtures("in_tmp")


def load(text: str = DECLARED) -> tuple[DeclaredUpdate, ...]:
    Path("ota.yaml").write_text(text, encoding="utf-8")
    return load_declared(["ota.yaml"])


def file(name: str, signed: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "fileName": name,
        "fileLocation": {"stream": {"streamId": "s1", "fileId": 0}},
    }
    if signed:
        out["codeSigning"] = {"awsSignerJobId": f"job-{name}"}
    return out


def live(
    ota_update_id: str, files: list[dict[str, Any]], rollout: dict[str, Any] | None = None
) -> LiveUpdate:
    info: dict[str, Any] = {
        "otaUpdateId": ota_update_id,
        "targets": [TARGET],
        "otaUpdateFiles": files,
        "otaUpdateStatus": "CREATE_COMPLETE",
        "awsIotJobId": f"AFR_OTA-{ota_update_id}",
    }
    if rollout is not None:
        info["awsJobExecutionsRolloutConfig"] = rollout
    return LiveUpdate(ota_update_id, info, f"snapshot.json#{ota_update_id}")


def rows(findings: list[Finding]) -> list[tuple[str, str, str, str, str | None]]:
    """(update, rule, path, source, location) of each finding, sorted."""
    return sorted(
        (f.ota_update_id, f.rule_id, f.path, f.side, str(f.location) if f.location else None)
        for f in findings
    )


# --- both sides merged -----------------------------------------------------------------------


def test_same_rule_and_path_on_both_sides_is_one_finding_with_source_both() -> None:
    """A violation in the declared and the live config of one update is ONE `both` finding."""
    declared = load()
    live_a = live(
        "fleet-a",
        [file("cfg.bin", signed=True), file("fw.bin", signed=False)],  # positions swapped
        {"maximumPerMinute": 300},
    )
    findings = evaluate(declared, [live_a], DEFAULT_POLICY, NOW, rules=RULES)
    assert rows(findings) == [
        ("fleet-a", "OTA101", "files[fw.bin]", "both", "ota.yaml:8"),
        (
            "fleet-a",
            "OTA302",
            "awsJobExecutionsRolloutConfig.maximumPerMinute",
            "both",
            "ota.yaml:6",
        ),
    ]


def test_a_both_finding_keeps_the_declared_finding_and_adds_a_differing_live_message() -> None:
    """Same rule and path on both sides is one `both` finding: the declared one, at its line,
    whose message also gives the live side's message when the values differ."""
    declared = load()
    live_a = live(
        "fleet-a", [file("fw.bin", False), file("cfg.bin", True)], {"maximumPerMinute": 900}
    )
    (rate,) = [
        f
        for f in evaluate(declared, [live_a], DEFAULT_POLICY, NOW, rules=RULES)
        if f.rule_id == "OTA302"
    ]
    assert rate == Finding(
        rule_id="OTA302",
        severity=Severity.HIGH,
        ota_update_id="fleet-a",
        side="both",
        path="awsJobExecutionsRolloutConfig.maximumPerMinute",
        message="maximumPerMinute 300 is above the policy's 200 "
        "(live: maximumPerMinute 900 is above the policy's 200)",
        location=Location("ota.yaml", 6),
        references=RolloutRateTooHigh.meta.doc.references,
    )


def test_same_rule_on_different_paths_of_the_two_sides_stays_two_findings() -> None:
    """Only the same path merges: a declared and a different live violation are reported apart."""
    declared = load()
    live_a = live(
        "fleet-a",
        [file("fw.bin", True), file("cfg.bin", True)],
        {"exponentialRate": {"baseRatePerMinute": 80, "incrementFactor": 2}},
    )
    findings = [
        f
        for f in evaluate(declared, [live_a], DEFAULT_POLICY, NOW, rules=RULES)
        if f.rule_id == "OTA302"
    ]
    assert rows(findings) == [
        (
            "fleet-a",
            "OTA302",
            "awsJobExecutionsRolloutConfig.exponentialRate.baseRatePerMinute",
            "live",
            "ota.yaml:5",
        ),
        (
            "fleet-a",
            "OTA302",
            "awsJobExecutionsRolloutConfig.maximumPerMinute",
            "declared",
            "ota.yaml:6",
        ),
    ]


def test_declared_only_violations_have_source_declared() -> None:
    """Without live state every finding is `declared`, at its line in the YAML."""
    findings = evaluate(load(), [], DEFAULT_POLICY, NOW, rules=RULES)
    assert rows(findings) == [
        ("fleet-a", "OTA101", "files[fw.bin]", "declared", "ota.yaml:8"),
        (
            "fleet-a",
            "OTA302",
            "awsJobExecutionsRolloutConfig.maximumPerMinute",
            "declared",
            "ota.yaml:6",
        ),
    ]


# --- live-only violations and their locations ------------------------------------------------


def test_live_only_violation_points_at_the_declared_file_matched_by_file_name() -> None:
    """fw.bin unsigned live (2nd file), signed and 1st in the YAML: `live`, at the YAML's fw.bin."""
    declared = load()
    live_b = live("fleet-b", [file("cfg.bin", True), file("fw.bin", False)])
    findings = evaluate(declared, [live_b], DEFAULT_POLICY, NOW, rules=RULES)
    assert rows(findings) == [
        ("fleet-a", "OTA101", "files[fw.bin]", "declared", "ota.yaml:8"),
        (
            "fleet-a",
            "OTA302",
            "awsJobExecutionsRolloutConfig.maximumPerMinute",
            "declared",
            "ota.yaml:6",
        ),
        ("fleet-b", "OTA101", "files[fw.bin]", "live", "ota.yaml:17"),
    ]


def test_live_only_violation_on_a_key_not_in_the_yaml_points_into_the_entry() -> None:
    """A live file the YAML lacks points at `files:`; a live block it lacks at the entry's start."""
    declared = load()
    live_b = live(
        "fleet-b",
        [file("fw.bin", True), file("cfg.bin", True), file("extra.bin", False)],
        {"maximumPerMinute": 500},
    )
    findings = [
        f
        for f in evaluate(declared, [live_b], DEFAULT_POLICY, NOW, rules=RULES)
        if f.ota_update_id == "fleet-b"
    ]
    assert rows(findings) == [
        ("fleet-b", "OTA101", "files[extra.bin]", "live", "ota.yaml:16"),
        (
            "fleet-b",
            "OTA302",
            "awsJobExecutionsRolloutConfig.maximumPerMinute",
            "live",
            "ota.yaml:13",
        ),
    ]


def test_live_violation_on_an_unmanaged_update_has_no_location() -> None:
    """An update nobody declared has no YAML to point at: location None, source `live`."""
    declared = load()
    ghost = live("ghost", [file("fw.bin", False)], {"maximumPerMinute": 500})
    findings = [
        f
        for f in evaluate(declared, [ghost], DEFAULT_POLICY, NOW, rules=RULES)
        if f.ota_update_id == "ghost"
    ]
    assert rows(findings) == [
        ("ghost", "OTA101", "files[fw.bin]", "live", None),
        ("ghost", "OTA302", "awsJobExecutionsRolloutConfig.maximumPerMinute", "live", None),
    ]


def test_the_registered_rules_run_by_default() -> None:
    """Without `rules=`, evaluate runs the registry's rules, OTA101 and OTA302 among them."""
    live_b = live("fleet-b", [file("cfg.bin", True), file("fw.bin", False)])
    findings = [
        f
        for f in evaluate(load(), [live_b], DEFAULT_POLICY, NOW)
        if f.rule_id in ("OTA101", "OTA302")
    ]
    assert rows(findings) == [
        ("fleet-a", "OTA101", "files[fw.bin]", "declared", "ota.yaml:8"),
        (
            "fleet-a",
            "OTA302",
            "awsJobExecutionsRolloutConfig.maximumPerMinute",
            "declared",
            "ota.yaml:6",
        ),
        ("fleet-b", "OTA101", "files[fw.bin]", "live", "ota.yaml:17"),
    ]


# --- policy: enabled and params --------------------------------------------------------------


def test_a_disabled_rule_is_not_run() -> None:
    """A rule the policy disables yields nothing on either side."""
    policy = Policy("low", {"OTA302": RuleSetting(enabled=False)}, (), (), ())
    ghost = live("ghost", [file("fw.bin", True)], {"maximumPerMinute": 500})
    findings = evaluate(load(), [ghost], policy, NOW, rules=RULES)
    assert [f.rule_id for f in findings] == ["OTA101"]


def test_the_policy_params_reach_the_rule() -> None:
    """The rule checks against the policy's params, defaults filling the keys it does not set."""
    policy = Policy("low", {"OTA302": RuleSetting(params={"maxPerMinute": 400})}, (), (), ())
    ghost = live(
        "ghost", [], {"maximumPerMinute": 500, "exponentialRate": {"baseRatePerMinute": 51}}
    )
    findings = evaluate(load(), [ghost], policy, NOW, rules=(RolloutRateTooHigh(),))
    assert sorted((f.ota_update_id, f.message) for f in findings) == [
        ("ghost", "baseRatePerMinute 51 is above the policy's 50"),
        ("ghost", "maximumPerMinute 500 is above the policy's 400"),
    ]


# --- needs_deep: live side only in deep mode -------------------------------------------


@dataclass
class FakeRule:
    """A rule that fires wherever `awsJobAbortConfig` is absent, recording what it was given."""

    applies_to: AppliesTo = "both"
    needs_deep: bool = False
    seen: list[tuple[str, str, datetime, dict[str, Any]]] = field(default_factory=list)

    @property
    def meta(self) -> RuleMeta:
        return RuleMeta(
            rule_id="TEST01",
            title="Fake abort-config rule",
            severity=Severity.MEDIUM,
            applies_to=self.applies_to,
            doc=RuleDoc(what="w", why="y", fix="f", failing="", passing=""),
            params=(Param("limit", "int", 5, "a limit"),),
            needs_deep=self.needs_deep,
        )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        self.seen.append((view.ota_update_id, view.side, view.now, dict(params)))
        if view.get("awsJobAbortConfig") is None:
            yield Violation(("awsJobAbortConfig",), "no abort config")


def test_job_config_rule_skips_live_unless_the_source_read_job_config() -> None:
    """`needs_deep` rules run on live only with deep=True; declared always."""
    declared = load()
    live_a = live("fleet-a", [file("fw.bin", True)])
    ghost = live("ghost", [file("fw.bin", True)])
    rule = FakeRule(needs_deep=True)
    shallow = evaluate(declared, [live_a, ghost], DEFAULT_POLICY, NOW, rules=(rule,))
    assert rows(shallow) == [
        ("fleet-a", "TEST01", "awsJobAbortConfig", "declared", "ota.yaml:2"),
        ("fleet-b", "TEST01", "awsJobAbortConfig", "declared", "ota.yaml:13"),
    ]
    assert {side for _, side, _, _ in rule.seen} == {"declared"}
    deep = evaluate(declared, [live_a, ghost], DEFAULT_POLICY, NOW, deep=True, rules=(rule,))
    assert rows(deep) == [
        ("fleet-a", "TEST01", "awsJobAbortConfig", "both", "ota.yaml:2"),
        ("fleet-b", "TEST01", "awsJobAbortConfig", "declared", "ota.yaml:13"),
        ("ghost", "TEST01", "awsJobAbortConfig", "live", None),
    ]


def test_job_config_rule_skips_a_live_update_that_has_no_job() -> None:
    """In deep mode, an update whose creation failed (no awsIotJobId) has no job config to judge."""
    failed = live("broken", [file("fw.bin", True)])
    failed = LiveUpdate(
        "broken",
        {**failed.info, "otaUpdateStatus": "CREATE_FAILED", "awsIotJobId": None},
        failed.origin,
    )
    rule = FakeRule(needs_deep=True)
    findings = evaluate([], [failed], DEFAULT_POLICY, NOW, deep=True, rules=(rule,))
    assert findings == []
    assert rule.seen == []


def test_a_rule_without_needs_job_config_runs_on_live_in_shallow_mode() -> None:
    """Only `needs_deep` holds a rule back: an ordinary `both` rule runs on live anyway."""
    ghost = live("ghost", [file("fw.bin", True)])
    findings = evaluate(load(), [ghost], DEFAULT_POLICY, NOW, rules=(FakeRule(),))
    assert ("ghost", "TEST01", "awsJobAbortConfig", "live", None) in rows(findings)


@pytest.mark.parametrize(
    ("applies_to", "sides"),
    [
        ("declared", {"declared"}),
        ("live", {"live"}),
        ("both", {"declared", "live"}),
        ("drift", set()),
        ("checker", set()),
    ],
)
def test_a_rule_runs_only_on_the_sides_it_applies_to(
    applies_to: AppliesTo, sides: set[str]
) -> None:
    """`applies_to` picks the sides: declared, live, both, or neither (drift/checker rules)."""
    rule = FakeRule(applies_to=applies_to)
    evaluate(load(), [live("ghost", [])], DEFAULT_POLICY, NOW, deep=True, rules=(rule,))
    assert {side for _, side, _, _ in rule.seen} == sides


def test_every_view_gets_the_one_clock_and_the_merged_params() -> None:
    """Both sides see `now` as passed and the policy's params over the rule's defaults."""
    rule = FakeRule()
    policy = Policy("low", {"TEST01": RuleSetting(params={"limit": 9})}, (), (), ())
    evaluate(load(), [live("ghost", [])], policy, NOW, rules=(rule,))
    assert sorted(rule.seen) == [
        ("fleet-a", "declared", NOW, {"limit": 9}),
        ("fleet-b", "declared", NOW, {"limit": 9}),
        ("ghost", "live", NOW, {"limit": 9}),
    ]
