"""Values computed at deploy time (`Unknown`): never drift, never a rule's verdict, always OTA005.

Declarations are written in the ota-drift format and loaded as usual, then given computed
values at chosen paths (`computed`), so the tests need no CloudFormation or Pulumi reader.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import checker.rules
from checker import audit
from checker.cli import EXIT_CLEAN, EXIT_FINDINGS, exit_code
from checker.declared import load_declared
from checker.drift import compare, diff_update
from checker.evaluate import evaluation
from checker.formats import FORMATS, get_format
from checker.model import DeclaredUpdate, Finding, LiveUpdate, Report, Severity, Unknown
from checker.normalise import computed_values, has_computed
from checker.policy.model import DEFAULT_POLICY
from checker.policy.packs import load_policy
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation, judge
from checker.rules.registry import CONFIG_RULES

NOW = datetime(2026, 11, 25, tzinfo=UTC)
TARGET = "arn:aws:iot:eu-central-1:123456789012:thinggroup/sensors"
GETATT = Unknown("!GetAtt Signer.JobId")

YAML = f"""\
otaUpdates:
  - otaUpdateId: fw-1
    targets: [{TARGET}]
    protocols: [HTTP, MQTT]
    awsJobPresignedUrlConfig:
      expiresInSec: 600
    awsJobExecutionsRolloutConfig:
      maximumPerMinute: 100
    awsJobAbortConfig:
      abortCriteriaList:
        - {{failureType: FAILED, action: CANCEL, thresholdPercentage: 10,
           minNumberOfExecutedThings: 10}}
    awsJobTimeoutConfig: {{inProgressTimeoutInMinutes: 60}}
    files:
      - fileName: fw.bin
        fileLocation:
          s3Location: {{bucket: fw-bucket, key: fw.bin, version: v1}}
        codeSigning: {{awsSignerJobId: job-1}}
      - fileName: boot.bin
        fileLocation:
          stream: {{streamId: s1, fileId: 0}}
        codeSigning: {{awsSignerJobId: job-2}}
    roleArn: arn:aws:iam::123456789012:role/ota
"""
"""Clean on every rule, in sync with `live_info()`. Lines: targets 3, protocols 4,
expiresInSec 6, rollout 8, abort 9, timeout 13, files 14, fw.bin 15 (its s3Location 17,
codeSigning 18), boot.bin 19 (its stream 21, codeSigning 22), roleArn 23."""

pytestmark = pytest.mark.usefixtures("in_tmp")


def declared() -> DeclaredUpdate:
    Path("ota.yaml").write_text(YAML, encoding="utf-8")
    (update,) = load_declared(["ota.yaml"])
    return update


def computed(update: DeclaredUpdate, values: Mapping[tuple[Any, ...], Any]) -> DeclaredUpdate:
    """`update` with the value at each path replaced (a computed value, or anything), as a
    template reader would hand it over; deleting where the value is `...`."""
    config = copy.deepcopy(dict(update.config))
    for path, value in values.items():
        node: Any = config
        for step in path[:-1]:
            node = node[step]
        if value is ...:
            del node[path[-1]]
        else:
            node[path[-1]] = value
    return replace(update, config=config)


def live_info(**changes: Any) -> dict[str, Any]:
    info: dict[str, Any] = {
        "otaUpdateId": "fw-1",
        "otaUpdateArn": "arn:aws:iot:eu-central-1:123456789012:otaupdate/fw-1",
        "targets": [TARGET],
        "protocols": ["HTTP", "MQTT"],
        "targetSelection": "SNAPSHOT",
        "awsJobPresignedUrlConfig": {"expiresInSec": 600},
        "awsJobExecutionsRolloutConfig": {"maximumPerMinute": 100},
        "otaUpdateFiles": [
            {
                "fileName": "boot.bin",
                "fileLocation": {"stream": {"streamId": "s1", "fileId": 0}},
                "codeSigning": {"awsSignerJobId": "job-2"},
            },
            {
                "fileName": "fw.bin",
                "fileLocation": {
                    "s3Location": {"bucket": "fw-bucket", "key": "fw.bin", "version": "v1"}
                },
                "codeSigning": {"awsSignerJobId": "job-1"},
            },
        ],
        "otaUpdateStatus": "CREATE_COMPLETE",
        "awsIotJobId": "AFR_OTA-fw-1",
    }
    info.update(changes)
    return info


class _Source:
    deep = False

    def __init__(self, info: dict[str, Any], deep: bool = False) -> None:
        self.info = info
        self.deep = deep

    def fetch(self) -> Iterator[LiveUpdate]:
        yield LiveUpdate("fw-1", self.info, origin="snap.json#otaUpdates[0]")

    @property
    def captured_at(self) -> datetime | None:
        return None


def facts(findings: tuple[Finding, ...] | list[Finding]) -> list[tuple[Any, ...]]:
    return [
        (f.rule_id, f.severity, f.side, f.path, f.message, str(f.location) if f.location else None)
        for f in findings
    ]


def judged(report: Report) -> set[str]:
    (update,) = report.audited
    return set(update.rules or ())


def test_the_declaration_is_clean_and_in_sync_without_computed_values() -> None:
    """The baseline every test below changes one thing of."""
    assert audit.lint([declared()], as_of=NOW).findings == ()
    findings = audit.check([declared()], _Source(live_info()), as_of=NOW).findings
    assert [f.rule_id for f in findings] == ["OTA004"]


# --- drift ------------------------------------------------------------------------------------


def test_a_computed_scalar_where_live_differs_is_no_drift_but_one_ota005() -> None:
    update = computed(declared(), {("awsJobPresignedUrlConfig", "expiresInSec"): GETATT})
    live = live_info(awsJobPresignedUrlConfig={"expiresInSec": 3600})
    result = compare([update], [LiveUpdate("fw-1", live, "snap")])
    assert facts([f for f in result.findings if f.rule_id != "OTA004"]) == [
        (
            "OTA005",
            Severity.INFO,
            "drift",
            "",
            "awsJobPresignedUrlConfig.expiresInSec not compared with live: depends on values "
            "computed at deploy time (!GetAtt Signer.JobId)",
            "ota.yaml:6",
        )
    ]
    assert result.in_sync == {"fw-1"} and result.drifted == frozenset()
    assert list(diff_update(update, LiveUpdate("fw-1", live, "snap"))) == []


def test_computed_values_where_live_agrees_elsewhere_raise_nothing_for_the_rest() -> None:
    """Real drift beside a computed value is still drift; one OTA005 lists every path left
    uncompared, at the first one's line."""
    update = computed(
        declared(),
        {
            ("targets",): [Unknown("!GetAtt Sensors.Arn")],
            ("awsJobPresignedUrlConfig", "expiresInSec"): GETATT,
        },
    )
    live = live_info(
        targets=["arn:aws:iot:eu-central-1:123456789012:thinggroup/other"],
        awsJobPresignedUrlConfig={"expiresInSec": 3600},
        awsJobExecutionsRolloutConfig={"maximumPerMinute": 500},
    )
    result = compare([update], [LiveUpdate("fw-1", live, "snap")])
    assert facts([f for f in result.findings if f.rule_id != "OTA004"]) == [
        (
            "OTA001",
            Severity.HIGH,
            "drift",
            "awsJobExecutionsRolloutConfig.maximumPerMinute",
            "awsJobExecutionsRolloutConfig.maximumPerMinute: declared 100, live 500",
            "ota.yaml:8",
        ),
        (
            "OTA005",
            Severity.INFO,
            "drift",
            "",
            "targets, awsJobPresignedUrlConfig.expiresInSec not compared with live: depend on "
            "values computed at deploy time (!GetAtt Sensors.Arn, !GetAtt Signer.JobId)",
            "ota.yaml:3",
        ),
    ]


def test_a_computed_value_inside_a_file_is_no_file_drift() -> None:
    """The file is still matched by its name: only the computed key goes uncompared, and the
    other keys of the file (and the other files) are compared as ever."""
    update = computed(declared(), {("files", 0, "codeSigning", "awsSignerJobId"): GETATT})
    info = live_info()
    info["otaUpdateFiles"][1]["codeSigning"] = {"awsSignerJobId": "job-9"}
    info["otaUpdateFiles"][0]["fileLocation"]["stream"]["fileId"] = 1
    findings = compare([update], [LiveUpdate("fw-1", info, "snap")]).findings
    assert facts([f for f in findings if f.rule_id != "OTA004"]) == [
        (
            "OTA001",
            Severity.HIGH,
            "drift",
            "files[boot.bin].fileLocation.stream.fileId",
            "files[boot.bin].fileLocation.stream.fileId: declared 0, live 1",
            "ota.yaml:21",
        ),
        (
            "OTA005",
            Severity.INFO,
            "drift",
            "",
            "files[fw.bin].codeSigning.awsSignerJobId not compared with live: depends on values "
            "computed at deploy time (!GetAtt Signer.JobId)",
            "ota.yaml:18",
        ),
    ]


def test_a_file_whose_name_is_computed_is_matched_with_no_live_file() -> None:
    """Files are matched by name; a computed name matches none, so neither that file nor the
    live files no declared name matches are compared (either may be the other), and neither
    is reported as removed or added. The files named in the declaration still are."""
    update = computed(declared(), {("files", 0, "fileName"): Unknown("!GetAtt Build.Name")})
    info = live_info()
    info["otaUpdateFiles"][0]["codeSigning"] = {"awsSignerJobId": "job-9"}  # boot.bin
    findings = compare([update], [LiveUpdate("fw-1", info, "snap")]).findings
    assert facts([f for f in findings if f.rule_id != "OTA004"]) == [
        (
            "OTA001",
            Severity.HIGH,
            "drift",
            "files[boot.bin].codeSigning.awsSignerJobId",
            'files[boot.bin].codeSigning.awsSignerJobId: declared "job-2", live "job-9"',
            "ota.yaml:22",
        ),
        (
            "OTA005",
            Severity.INFO,
            "drift",
            "",
            "files[0], files[fw.bin] not compared with live: depend on values computed at "
            "deploy time (!GetAtt Build.Name)",
            "ota.yaml:15",
        ),
    ]


def test_a_file_computed_whole_is_matched_with_no_live_file() -> None:
    update = computed(declared(), {("files", 0): Unknown("!ImportValue firmware-file")})
    findings = compare([update], [LiveUpdate("fw-1", live_info(), "snap")]).findings
    assert [f.message for f in findings if f.rule_id == "OTA005"] == [
        "files[0], files[fw.bin] not compared with live: depend on values computed at deploy "
        "time (!ImportValue firmware-file)"
    ]
    assert not [f for f in findings if f.rule_id == "OTA001"]


def test_computed_lists_and_blocks_are_not_compared_whole() -> None:
    """A set-like list, an unordered list of mappings and a whole block holding a computed
    value are each one uncompared path (deep mode compares the job's config)."""
    update = computed(
        declared(),
        {
            ("protocols",): ["MQTT", Unknown("!If [UseHttp, HTTP, !Ref AWS::NoValue]")],
            ("awsJobAbortConfig", "abortCriteriaList", 0, "thresholdPercentage"): GETATT,
            ("awsJobTimeoutConfig",): Unknown("!ImportValue timeouts"),
        },
    )
    info = live_info(
        protocols=["HTTP", "MQTT"],
        awsJobAbortConfig={
            "abortCriteriaList": [
                {
                    "failureType": "FAILED",
                    "action": "CANCEL",
                    "thresholdPercentage": 20,
                    "minNumberOfExecutedThings": 10,
                }
            ]
        },
        awsJobTimeoutConfig={"inProgressTimeoutInMinutes": 30},
    )
    findings = compare([update], [LiveUpdate("fw-1", info, "snap")], deep=True).findings
    assert facts(findings) == [
        (
            "OTA004",
            Severity.INFO,
            "drift",
            "",
            "roleArn cannot be verified: GetOTAUpdate does not return it",
            "ota.yaml:23",
        ),
        (
            "OTA005",
            Severity.INFO,
            "drift",
            "",
            "protocols, awsJobAbortConfig.abortCriteriaList, awsJobTimeoutConfig not compared "
            "with live: depend on values computed at deploy time (!If [UseHttp, HTTP, !Ref "
            "AWS::NoValue], !GetAtt Signer.JobId, !ImportValue timeouts)",
            "ota.yaml:4",
        ),
    ]


def test_a_computed_value_the_live_side_agrees_with_in_form_is_still_not_compared() -> None:
    """Nothing is known about a computed value, not even that it equals what live has."""
    update = computed(declared(), {("roleArn",): GETATT, ("targets", 0): GETATT})
    findings = compare([update], [LiveUpdate("fw-1", live_info(), "snap")]).findings
    assert [f.message for f in findings if f.rule_id == "OTA005"] == [
        "targets not compared with live: depends on values computed at deploy time "
        "(!GetAtt Signer.JobId)"
    ]


# --- rules ------------------------------------------------------------------------------------


def test_a_computed_abort_config_is_not_checked_by_ota306() -> None:
    update = computed(declared(), {("awsJobAbortConfig",): Unknown("!GetAtt Abort.Config")})
    report = audit.lint([update], as_of=NOW)
    assert facts(report.findings) == [
        (
            "OTA005",
            Severity.INFO,
            "declared",
            "awsJobAbortConfig",
            "OTA306 not checked: awsJobAbortConfig is computed at deploy time "
            "(!GetAtt Abort.Config)",
            "ota.yaml:9",
        )
    ]
    assert "OTA306" not in judged(report)  # neither passed nor failed
    assert "OTA307" in judged(report)


def test_a_computed_s3_version_neither_fires_nor_passes_ota402() -> None:
    path = ("files", 0, "fileLocation", "s3Location", "version")
    report = audit.lint([computed(declared(), {path: GETATT})], as_of=NOW)
    assert facts(report.findings) == [
        (
            "OTA005",
            Severity.INFO,
            "declared",
            "files[fw.bin].fileLocation.s3Location.version",
            "OTA402 not checked: files[fw.bin].fileLocation.s3Location.version is computed at "
            "deploy time (!GetAtt Signer.JobId)",
            "ota.yaml:17",
        )
    ]
    assert "OTA402" not in judged(report)


def test_a_computed_value_a_rule_only_names_in_its_message_keeps_the_finding() -> None:
    """OTA402 fires on the missing version whatever the bucket is: the bucket is only shown,
    as what str() of the computed value says."""
    update = computed(
        declared(),
        {
            ("files", 0, "fileLocation", "s3Location", "bucket"): Unknown("!Ref FirmwareBucket"),
            ("files", 0, "fileLocation", "s3Location", "version"): ...,
        },
    )
    report = audit.lint([update], as_of=NOW)
    assert facts(report.findings) == [
        (
            "OTA402",
            Severity.HIGH,
            "declared",
            "files[fw.bin].fileLocation.s3Location",
            "file fw.bin: s3Location s3://<computed at deploy time: !Ref FirmwareBucket>/fw.bin "
            "has no version, so the firmware under the key can change",
            "ota.yaml:17",
        )
    ]
    assert "OTA402" in judged(report)


def test_a_rule_that_asks_only_whether_a_computed_value_is_there_is_not_checked() -> None:
    """An `!If` may resolve to no value: OTA203 fires when expiresInSec is absent and not when
    it is set, so with it computed OTA203 has no verdict (OTA201 and OTA202 look at it; OTA204
    says nothing whether it is there or not, with HTTP among the protocols)."""
    update = computed(declared(), {("awsJobPresignedUrlConfig", "expiresInSec"): GETATT})
    (finding,) = audit.lint([update], as_of=NOW).findings
    assert finding.message == (
        "OTA201, OTA202, OTA203 not checked: awsJobPresignedUrlConfig.expiresInSec is computed "
        "at deploy time (!GetAtt Signer.JobId)"
    )


def test_one_finding_per_computed_value_names_every_rule_it_kept_from_a_verdict() -> None:
    update = computed(
        declared(),
        {
            ("protocols",): [Unknown("!Ref Protocol")],
            ("targets", 0): Unknown("!GetAtt Sensors.Arn"),
        },
    )
    report = audit.lint([update], as_of=NOW)
    assert facts(report.findings) == [
        (
            "OTA005",
            Severity.INFO,
            "declared",
            "protocols[0]",
            "OTA203, OTA204 not checked: protocols[0] is computed at deploy time (!Ref Protocol)",
            "ota.yaml:4",
        ),
        (
            "OTA005",
            Severity.INFO,
            "declared",
            "targets[0]",
            "OTA403 not checked: targets[0] is computed at deploy time (!GetAtt Sensors.Arn)",
            "ota.yaml:3",
        ),
    ]
    assert not {"OTA203", "OTA204", "OTA403"} & judged(report)
    assert "OTA202" in judged(report)  # expiresInSec is set: the protocols do not matter


def test_a_computed_file_entry_keeps_every_file_rule_from_a_verdict() -> None:
    """Rules over the files cannot tell what a computed entry is; the rest still run (OTA104
    too: with no allowed profiles listed it looks at no file)."""
    update = computed(
        declared(),
        {("files", 0): Unknown("!ImportValue firmware-file"), ("targets",): ["not-an-arn"]},
    )
    report = audit.lint([update], as_of=NOW)
    assert [(f.rule_id, f.path) for f in report.findings] == [
        ("OTA005", "files[0]"),
        ("OTA403", "targets[not-an-arn]"),
    ]
    assert report.findings[0].message == (
        "OTA101, OTA102, OTA103, OTA105, OTA106, OTA107, OTA108, OTA109, OTA110, OTA111, "
        "OTA402 not checked: files[0] is computed at deploy time (!ImportValue firmware-file)"
    )


def test_check_leaves_a_rule_unjudged_that_only_the_live_side_could_judge() -> None:
    """Deep mode judges OTA306 live; its declared side computed, it is no pass on the update,
    and a live finding of it is still reported."""
    update = computed(declared(), {("awsJobAbortConfig",): Unknown("!GetAtt Abort.Config")})
    info = live_info(awsJobTimeoutConfig={"inProgressTimeoutInMinutes": 60})
    report = audit.check([update], _Source(info, deep=True), as_of=NOW)
    assert "OTA306" not in judged(report)
    assert [(f.rule_id, f.side, f.path) for f in report.findings] == [
        ("OTA004", "drift", ""),
        ("OTA005", "drift", ""),
        ("OTA005", "declared", "awsJobAbortConfig"),
        ("OTA306", "live", ""),
    ]
    assert report.summary.drifted == 0 and report.summary.in_sync == 1


# --- policy, exit code, reports ---------------------------------------------------------------


def _pack(text: str) -> Any:
    Path("pack.yaml").write_text("version: 1\n" + text, encoding="utf-8")
    return load_policy(["pack.yaml"])


ABORT_COMPUTED = {("awsJobAbortConfig",): Unknown("!GetAtt Abort.Config")}


def test_a_pack_can_disable_ota005_which_still_guesses_nothing() -> None:
    policy = _pack("rules:\n  OTA005: {enabled: false}\n")
    report = audit.lint([computed(declared(), ABORT_COMPUTED)], policy, as_of=NOW)
    assert report.findings == ()
    assert "OTA306" not in judged(report)


def test_a_pack_can_raise_ota005_and_suppress_it_by_path() -> None:
    update = computed(declared(), ABORT_COMPUTED)
    raised = _pack("rules:\n  OTA005: {severity: high}\n")
    report = audit.lint([update], raised, as_of=NOW)
    assert [f.severity for f in report.findings] == [Severity.HIGH]
    assert exit_code(report, raised.fail_on) == EXIT_FINDINGS
    accepted = _pack(
        "suppressions:\n  - rule: OTA005\n    otaUpdates: [fw-*]\n"
        "    paths: [awsJobAbortConfig]\n    reason: the abort policy stack is reviewed\n"
    )
    (finding,) = audit.lint([update], accepted, as_of=NOW).findings
    assert finding.suppressed is not None and not finding.active


def test_ota005_alone_is_info_and_fails_no_run_at_the_default_fail_on() -> None:
    """failOn defaults to low and info is below low: OTA005 never fails a run unless a pack
    raises it (or `--fail-on info`)."""
    report = audit.lint([computed(declared(), ABORT_COMPUTED)], as_of=NOW)
    assert DEFAULT_POLICY.fail_on == "low"
    assert exit_code(report, DEFAULT_POLICY.fail_on) == EXIT_CLEAN
    assert exit_code(report, "info") == EXIT_FINDINGS
    assert report.summary.findings[Severity.INFO] == 1


def test_ota005_is_no_rule_a_report_calls_evaluated_or_passed() -> None:
    """It notes what was not judged: no passing testcase, not among the rules evaluated."""
    report = audit.check([declared()], _Source(live_info()), as_of=NOW)
    assert "OTA005" not in report.rules and "OTA005" not in judged(report)
    assert "OTA004" in report.rules


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_shows_ota005_as_text(name: str) -> None:
    """Findings carry strings: no `Unknown` reaches a renderer, and what a computed value is
    shows as its expression."""
    update = computed(declared(), {("files", 0, "fileLocation", "s3Location", "version"): GETATT})
    info = live_info()
    info["otaUpdateFiles"][1]["fileLocation"]["s3Location"]["version"] = "v2"
    report = audit.check([update], _Source(info), as_of=NOW)
    assert all(isinstance(f.message, str) for f in report.findings)
    text = get_format(name).render(report)
    assert "OTA005" in text
    assert "!GetAtt Signer.JobId" in text
    assert "Unknown(" not in text


# --- the mechanism ----------------------------------------------------------------------------


def test_computed_values_are_found_in_the_order_written() -> None:
    a, b = Unknown("a"), Unknown("b")
    config = {"x": [1, a], "y": {"z": b}, "w": "plain"}
    assert computed_values(config) == [(("x", 1), a), (("y", "z"), b)]
    assert has_computed(config) and not has_computed({"x": [1, {"y": "z"}]})


class _Spy:
    """A rule that records what it was given and fires on a config without files."""

    meta = RuleMeta(
        "OTA999", "Spy", Severity.LOW, "declared", RuleDoc("a.", "b.", "c.", "x: 1", "x: 2")
    )

    def __init__(self) -> None:
        self.seen: list[Mapping[str, Any]] = []

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        self.seen.append(view.config)
        if not view.files:
            yield Violation((), "no files")


def test_a_config_without_computed_values_is_checked_once_and_as_it_is() -> None:
    """The plain path: one run per rule on the declared config itself, no copy, no probe."""
    spy = _Spy()
    update = declared()
    found = evaluation([update], [], DEFAULT_POLICY, NOW, rules=(spy,))
    assert found.findings == () and found.not_checked == {}
    assert len(spy.seen) == 1 and spy.seen[0] is update.config


def test_a_probe_is_a_stand_in_that_records_looks_and_refuses_to_be_used() -> None:
    seen: list[Any] = []

    class Look:
        meta = _Spy.meta

        def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
            value = view.config["x"]
            seen.append((f"{value}", repr(value), str(value)))
            with pytest.raises(TypeError):
                value + 1
            yield Violation(("x",), "looked")

    view = ConfigView("fw-1", "declared", {"x": GETATT}, NOW)
    verdict = judge(Look(), view, {}, [(("x",), GETATT)])
    assert verdict.violations is None and verdict.needed == ((("x",), GETATT),)
    shown = "<computed at deploy time: !GetAtt Signer.JobId>"
    assert seen[0] == (shown, shown, shown)


def test_a_rule_failing_on_its_own_raises_and_one_failing_on_a_probe_is_not_checked() -> None:
    class Broken:
        meta = _Spy.meta

        def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
            raise RuntimeError("bug")
            yield  # pragma: no cover

    class Sums:
        meta = _Spy.meta

        def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
            if sum(v for v in view.config.get("n", []) if v is not None) > 10:
                yield Violation(("n",), "too much")

    computed_n = [(("n", 1), GETATT)]
    view = ConfigView("fw-1", "declared", {"n": [5, GETATT]}, NOW)
    with pytest.raises(RuntimeError, match="bug"):
        judge(Broken(), view, {}, computed_n)
    assert judge(Sums(), view, {}, computed_n).violations is None


def test_a_rule_cannot_change_the_declared_config_through_its_view() -> None:
    class Writes:
        meta = _Spy.meta

        def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
            view.config["targets"].append("x")
            view.config["files"].clear()
            return iter(())

    update = computed(declared(), {("targets", 0): GETATT})
    before = copy.deepcopy(update.config)
    evaluation([update], [], DEFAULT_POLICY, NOW, rules=(Writes(),))
    assert update.config == before


RULE_SOURCES = sorted(Path(checker.rules.__file__).parent.glob("ota[1-5]*.py"))


@pytest.mark.parametrize("source", RULE_SOURCES, ids=lambda p: p.stem)
def test_config_rules_decide_on_values_only_in_ways_a_probe_sees(source: Path) -> None:
    """A probe cannot see `type(x)` or `x is True`: a rule using them could decide on a
    computed value unseen (`judge`), so no config rule does."""
    code = source.read_text(encoding="utf-8")
    assert not re.search(r"\btype\(|\bis (not )?(True|False)\b", code)


def test_every_config_rule_is_covered_by_the_source_check() -> None:
    assert {p.stem[:6].upper() for p in RULE_SOURCES} == {r.meta.rule_id for r in CONFIG_RULES}
