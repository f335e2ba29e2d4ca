"""The JUnit XML report: valid against Jenkins' junit-10.xsd, one testcase per finding with at
most one result each, passing testcases only for rules judged on an update, counts junitparser
agrees with, every finding shown by junit2html, and within GitLab's size and testcase limits
(checked on the 10,000-update benchmark fleet, generated once per module)."""

from __future__ import annotations

import copy
import dataclasses
import json
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from junit2htmlreport import parser as junit2html_parser
from junit2htmlreport import runner as junit2html
from junitparser import Error, Failure, JUnitXml, Skipped, TestCase, TestSuite

from checker import audit
from checker.formats.junit import (
    DEFAULT_MAX_BYTES,
    GITLAB_MAX_FILE_BYTES,
    GITLAB_MAX_TESTCASES,
    JunitFormat,
    details,
    headline,
)
from checker.model import (
    AuditedUpdate,
    DriftValues,
    Finding,
    Location,
    Report,
    Severity,
    SkippedUpdate,
    SourceError,
    Suppressed,
)
from checker.policy.packs import load_policy
from checker.rules.registry import ALL_RULES
from checker.textsafe import visible
from tests.formats.golden import ROOT, example_report
from tests.formats.test_hostile_values import hostile_report
from tests.support.builders import finding, report
from tests.support.fleet import check_fleet
from tests.test_drift import _Source, declare, live, live_info

XSD_PATH = ROOT / "tests" / "schemas" / "junit-10.xsd"
HOSTILE = (
    '"><img src=x onerror=alert(1)> </script> a|b `rm -rf` line1\nline2 & '
    "\u00fcml\u00e4ut \U0001f525"
)
OTA001 = "OTA001 Ensure the live OTA update matches its declaration"
OTA306 = "OTA306 Ensure the OTA job aborts when installs fail"
OTA900 = "OTA900 Ensure suppressions are reviewed before they expire"
UNLIMITED = {"max_bytes": 10**12, "max_testcases": 10**9}
"""Limits no test report comes near: the full report, nothing left out."""
SEVERITIES = sorted(Severity, key=lambda s: -s.rank)


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema10:
    """junit-10.xsd as vendored; `allow="local"`: no resource is ever fetched remotely."""
    return xmlschema.XMLSchema10(str(XSD_PATH), allow="local")


@pytest.fixture(scope="module")
def example() -> Report:
    return example_report()


@pytest.fixture(scope="module")
def xml(example: Report) -> JUnitXml:
    return parse(example)


def report_of(*findings: Finding, **fields: Any) -> Report:
    """`builders.report`, run with the four rules these tests judge."""
    return report(*findings, **({"rules": ("OTA101", "OTA306", "OTA307", "OTA900")} | fields))


def render(report: Report, **limits: int) -> str:
    return JunitFormat(**limits).render(report)


def parse(report: Report, **limits: int) -> JUnitXml:
    return JUnitXml.fromstring(render(report, **limits).encode("utf-8"))


def suites(doc: JUnitXml) -> dict[str, TestSuite]:
    return {suite.name: suite for suite in doc}


def by_name(suite: TestSuite) -> dict[str, TestCase]:
    return {case.name: case for case in suite}


def properties(suite: TestSuite) -> dict[str, str]:
    return {p.name: p.value for p in suite.properties()}


def busy_report() -> Report:
    """Every outcome at once: several findings of a rule, two on one path, suppressed ones,
    a live-only update, two expired suppressions, a finding on an unaudited update, read
    errors (one whose code is a type GitLab casts) and skipped updates."""
    later = Suppressed("accepted in SR-7", date(2027, 1, 1))
    fw2 = Location("ota/fw.yaml", 30)
    findings = [
        finding("OTA001", path="targets", message="targets: live also has tg/a", side="drift"),
        finding("OTA001", path="targets", message="targets: live lacks tg/b", side="drift"),
        finding("OTA001", path="roleArn", message="roleArn: declared r1, live r2", side="drift"),
        finding("OTA306"),
        finding("OTA307", severity=Severity.INFO, suppressed=later),
        finding("OTA401", "fw-2", path="targetSelection", location=fw2, suppressed=later),
        finding("OTA401", "fw-2", path="targetSelection", location=fw2, message="second"),
        finding("OTA101", "live-1", path="files[a.bin]", location=None, side="live"),
        finding("OTA501", "live-1", location=None, side="live", message="FAILED"),
        finding("OTA306", "gone-1", location=Location("ota/old.yaml", 9)),
        finding("OTA900", "cam-*", severity=Severity.LOW, location=Location("pack.yaml", 4)),
        finding("OTA900", "cam-*", severity=Severity.LOW, location=Location("pack.yaml", 9)),
    ]
    return report_of(
        *findings,
        rules=tuple(m.rule_id for m in ALL_RULES),
        audited=(
            AuditedUpdate("fw-1", Location("ota/fw.yaml", 1), True),
            AuditedUpdate("fw-2", fw2, True),
            AuditedUpdate("live-1", None, True),
        ),
        errors=(
            SourceError("fw-3", "GetOTAUpdate", "AccessDeniedException", "not authorised"),
            SourceError("fw-3", "GetOTAUpdate", "yaml", "the same call failed twice"),
            SourceError(None, "ListOTAUpdates", "ThrottlingException", "rate exceeded"),
        ),
        skipped=(SkippedUpdate("fw-9", "deleted while the audit ran"),),
    )


REPORTS = {"example": example_report, "busy": busy_report, "hostile": hostile_report}


def _in_full(make: Callable[[], Report]) -> Callable[[], str]:
    return lambda: render(make())


RENDERINGS: dict[str, Callable[[], str]] = {
    **{name: _in_full(make) for name, make in REPORTS.items()},
    "limited": lambda: render(busy_report(), max_testcases=6),
}
"""The reports above in full, and the busy one cut to 6 testcases: no passing case, the 3 read
errors, the 2 most severe findings and the summary."""


def outcome(case: TestCase) -> str:
    (result,) = case.result or [None]
    return {Failure: "failure", Error: "error", Skipped: "skipped"}.get(type(result), "passed")


def case_of(doc: JUnitXml, f: Finding) -> list[TestCase]:
    """The testcases whose one result has `f`'s details as its text."""
    text = details(f)
    return [case for suite in doc for case in suite if case.result and case.result[0].text == text]


def outcomes_by_rule(doc: JUnitXml, suite_name: str) -> dict[str, set[str]]:
    """Rule ID → the outcomes of its testcases in the suite."""
    out: dict[str, set[str]] = {}
    for case in suites(doc)[suite_name]:
        out.setdefault(case.name.split(" ", 1)[0], set()).add(outcome(case))
    return out


def findings_listed(doc: JUnitXml) -> list[str]:
    """The text of every failure and skip that is a finding's (not a read error, a skipped
    update or the summary)."""
    others = {"ota-drift: read errors", "ota-drift: skipped updates", "ota-drift: summary"}
    return [
        case.result[0].text
        for suite in doc
        if suite.name not in others
        for case in suite
        if case.result and isinstance(case.result[0], Failure | Skipped)
    ]


class _TestBlocks(HTMLParser):
    """The text of each test on a junit2html page (`<div class="test outcome ...">`), in
    page order, character references decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._depth = 0
        """How many divs deep inside the current test block; 0 outside one."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "div":
            return
        if self._depth:
            self._depth += 1
        elif "test" in (dict(attrs).get("class") or "").split():
            self._depth = 1
            self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.blocks[-1] += data


def junit2html_blocks(xml_file: Path) -> list[str]:
    """Runs the junit2html command on `xml_file`; returns the text of each test it shows."""
    html_file = xml_file.with_suffix(".html")
    junit2html.run([str(xml_file), str(html_file)])
    page = _TestBlocks()
    page.feed(html_file.read_text(encoding="utf-8"))
    return page.blocks


def assert_counts_match_junitparser(text: bytes) -> None:
    """tests/failures/errors/skipped of every suite, and tests/failures/errors of the file
    (the schema allows no `skipped` there), equal junitparser's count of the cases written."""
    written = JUnitXml.fromstring(text)
    recomputed = copy.deepcopy(written)
    recomputed.update_statistics()
    counts = ("tests", "failures", "errors", "skipped")
    for mine, theirs in zip(written, recomputed, strict=True):
        assert [getattr(mine, c) for c in counts] == [getattr(theirs, c) for c in counts]
    assert [getattr(written, c) for c in counts[:3]] == [getattr(recomputed, c) for c in counts[:3]]
    assert "skipped" not in ET.fromstring(text).attrib


# -- structure, for every rendering ---------------------------------------------------------


@pytest.mark.parametrize("name", sorted(RENDERINGS))
def test_renderings_are_valid_against_junit_10_xsd(
    name: str, schema: xmlschema.XMLSchema10
) -> None:
    """The example, a report with every outcome, one of hostile values and a limited one all
    validate."""
    errors = [str(e.reason) for e in schema.iter_errors(RENDERINGS[name]())]
    assert errors == []


def test_the_schema_rejects_what_the_issue_found(schema: xmlschema.XMLSchema10) -> None:
    """The validation above can fail: `file` on testcase and `skipped` on testsuites are
    invalid, and so is a suite without `failures`."""
    valid = '<testsuites><testsuite name="s" tests="1" failures="0" errors="0">'
    assert schema.is_valid(f'{valid}<testcase name="c"/></testsuite></testsuites>')
    assert not schema.is_valid(f'{valid}<testcase name="c" file="a"/></testsuite></testsuites>')
    assert not schema.is_valid('<testsuites skipped="0"/>')
    assert not schema.is_valid(
        '<testsuites><testsuite name="s" tests="0" errors="0"/></testsuites>'
    )


@pytest.mark.parametrize("name", sorted(RENDERINGS))
def test_no_file_on_testcases_and_no_skipped_on_testsuites(name: str) -> None:
    """The two attributes the xunit plugin's schema refuses are written nowhere."""
    root = ET.fromstring(RENDERINGS[name]().encode("utf-8"))
    assert [e.tag for e in root.iter() if "file" in e.attrib] == []
    assert "skipped" not in root.attrib


@pytest.mark.parametrize("name", sorted(RENDERINGS))
def test_every_testcase_has_at_most_one_result(name: str) -> None:
    """A testcase holds one `failure`, `error` or `skipped`, or none, and nothing else."""
    root = ET.fromstring(RENDERINGS[name]().encode("utf-8"))
    shapes = Counter(tuple(child.tag for child in case) for case in root.iter("testcase"))
    assert set(shapes) <= {(), ("failure",), ("error",), ("skipped",)}
    assert sum(shapes.values()) > 0


@pytest.mark.parametrize("name", sorted(RENDERINGS))
def test_every_result_has_text(name: str) -> None:
    """GitLab shows only a result's text (an element with attributes and no text reaches
    it as a hash): every failure, error and skipped has some."""
    root = ET.fromstring(RENDERINGS[name]().encode("utf-8"))
    results = [r for case in root.iter("testcase") for r in case]
    assert results
    assert all((r.text or "").strip() for r in results)


@pytest.mark.parametrize("name", ["example", "busy"])
def test_one_testcase_per_finding(name: str) -> None:
    """Each finding is the one result of exactly one testcase: a failure when active, a
    skip when suppressed; there are as many results as findings and read errors and skips."""
    report = REPORTS[name]()
    doc = parse(report)
    for f in report.findings:
        (case,) = case_of(doc, f)
        assert outcome(case) == ("failure" if f.active else "skipped")
    results = [case.result[0] for suite in doc for case in suite if case.result]
    assert len(results) == len(report.findings) + len(report.errors) + len(report.skipped)


@pytest.mark.parametrize("name", sorted(RENDERINGS))
def test_no_two_testcases_share_a_classname_and_name(name: str) -> None:
    """GitLab keeps one of the tests with one suite, classname, name and status, and Jenkins
    merges classes across suites: every (classname, name) is unique in the file."""
    root = ET.fromstring(RENDERINGS[name]().encode("utf-8"))
    keys = Counter((c.get("classname"), c.get("name")) for c in root.iter("testcase"))
    assert [key for key, n in keys.items() if n > 1] == []


@pytest.mark.parametrize("name", sorted(RENDERINGS))
def test_counts_equal_what_junitparser_recomputes(name: str) -> None:
    """Every count written is junitparser's count of the cases written."""
    assert_counts_match_junitparser(RENDERINGS[name]().encode("utf-8"))


@pytest.mark.parametrize("name", sorted(RENDERINGS))
def test_names_classnames_properties_and_messages_are_one_line(name: str) -> None:
    """No newline, tab or carriage return in a name, classname, property value or `message`
    as a parser reads them (an attribute's `&#10;` is a real newline): the README promises
    `\n` escapes, and a test name in GitLab or Jenkins is one line."""
    root = ET.fromstring(RENDERINGS[name]().encode("utf-8"))
    values = [
        value
        for element in root.iter()
        for key, value in element.attrib.items()
        if key in {"name", "classname", "value", "message"}
    ]
    assert values
    assert [v for v in values if {"\n", "\t", "\r"} & set(v)] == []


# -- the example ----------------------------------------------------------------------------


def test_example_totals(xml: JUnitXml, example: Report) -> None:
    """One case per rule judged on each of the 7 updates that passed there, the 30 findings on
    them, OTA900 in the policy suite and the summary; 30 failing, 1 skipped (the suppressed
    OTA401). The passing count follows the registry: a new rule is one more per update."""
    listed = list(xml)
    judged = sum(len(a.rules or ()) for a in example.audited)
    fired = {(f.ota_update_id, f.rule_id) for f in example.findings}
    passing = judged - len(fired - {("cam-fw-*", "OTA900")})
    assert passing > 0
    assert xml.tests == sum(s.tests for s in listed) == passing + 30 + 1 + 1
    assert xml.failures == sum(s.failures for s in listed) == 30
    assert sum(s.skipped for s in listed) == 1
    assert xml.errors == sum(s.errors for s in listed) == 0


@pytest.mark.parametrize("name", ["example", "busy"])
def test_junit2html_shows_every_finding(name: str, tmp_path: Path) -> None:
    """junit2html shows every testcase with its name and its result's message and text, so
    every finding's `file:line: message` (and every suppression's reason) is on the page, in
    its own test; its model counts one failure per active finding and read error."""
    report = REPORTS[name]()
    xml_file = tmp_path / "report.xml"
    xml_file.write_text(render(report), encoding="utf-8")
    blocks = junit2html_blocks(xml_file)
    cases = list(ET.parse(xml_file).getroot().iter("testcase"))
    assert len(blocks) == len(cases)
    for block, case in zip(blocks, cases, strict=True):
        assert case.get("name", "") in block
        for result in case:
            assert result.get("message", "") in block
            assert result.text and result.text in block
    for f in report.findings:
        (index,) = [i for i, c in enumerate(cases) if c[0:1] and c[0].text == details(f)]
        assert visible(headline(f)) in blocks[index]
        if f.suppressed is not None:
            assert visible(f"suppressed: {f.suppressed.reason}") in blocks[index]
    shown = junit2html_parser.Junit(str(xml_file))
    active = sum(f.active for f in report.findings)
    assert sum(len(suite.failed()) for suite in shown) == active + len(report.errors)


def test_suites_are_the_updates_then_policy_then_summary(xml: JUnitXml, example: Report) -> None:
    """Suites are the audited updates in id order, `ota-drift: policy` for OTA900, and the
    summary last."""
    names = [suite.name for suite in xml]
    assert names == [
        *sorted(a.ota_update_id for a in example.audited),
        "ota-drift: policy",
        "ota-drift: summary",
    ]
    assert names[:7] == [
        "cam-fw-0",
        "cam-fw-1",
        "gw-fw-3",
        "gw-fw-4",
        "lab-fw-test",
        "sensor-fw-2026-10",
        "sensor-fw-2026-11",
    ]


def test_cases_are_named_by_rule_title_and_path_and_classed_by_update(xml: JUnitXml) -> None:
    """gw-fw-4 (declared and live: every rule judged but OTA900, OTA005, which notes what
    was not judged, those judged in fleet runs only and the live-only rules that need a deep
    or a verifying read, which the example's snapshot is not) has cases `ota-drift.gw-fw-4`:
    `<ruleId> <title>` for a rule with nothing or a whole-update finding, `... at <path>` for a
    finding on a path; in rule ID order."""
    suite = suites(xml)["gw-fw-4"]
    titles = {
        m.rule_id: f"{m.rule_id} {m.title}"
        for m in ALL_RULES
        if m.rule_id not in ("OTA900", "OTA005")
        and not m.needs_partition
        and not (m.needs_deep and m.applies_to == "live")
        and not m.needs_verify
    }
    on_path = {
        "OTA401": ["targetSelection"],
        "OTA402": ["files[gw-4.0.0-rc1.bin].fileLocation.s3Location"],
        "OTA001": ["awsJobExecutionsRolloutConfig.maximumPerMinute", "targets"],
    }
    expected = [
        name
        for rule_id, title in sorted(titles.items())
        for name in ([f"{title} at {path}" for path in on_path.get(rule_id, [])] or [title])
    ]
    assert [case.name for case in suite] == expected
    assert expected[:2] == [
        f"{OTA001} at awsJobExecutionsRolloutConfig.maximumPerMinute",
        f"{OTA001} at targets",
    ]
    assert {case.classname for case in suite} == {"ota-drift.gw-fw-4"}


def test_two_findings_of_one_rule_are_two_testcases(xml: JUnitXml) -> None:
    """gw-fw-4's two OTA001 drifts are two cases, each with one failure, by path."""
    cases = [case for case in suites(xml)["gw-fw-4"] if case.name.startswith(OTA001)]
    assert [[r.message for r in case.result] for case in cases] == [
        [
            "examples/ota/gateways.yaml:41: awsJobExecutionsRolloutConfig.maximumPerMinute: "
            "declared 10, live 100"
        ],
        [
            "examples/ota/gateways.yaml:36: targets: live also has "
            "arn:aws:iot:eu-central-1:123456789012:thinggroup/gateways"
        ],
    ]
    assert cases[0].result[0].type == "high"
    assert cases[0].result[0].text == (
        "examples/ota/gateways.yaml:41: awsJobExecutionsRolloutConfig.maximumPerMinute: "
        "declared 10, live 100\n"
        "rule: OTA001 (high, drift)\n"
        "otaUpdateId: gw-fw-4\n"
        "path: awsJobExecutionsRolloutConfig.maximumPerMinute\n"
        "location: examples/ota/gateways.yaml:41\n"
        "desired → actual: 10 → 100"
    )


def test_failures_start_with_file_and_line(xml: JUnitXml, example: Report) -> None:
    """Every located active finding's failure message and text start with `file:line: `."""
    located = [f for f in example.findings if f.active and f.location is not None]
    assert len(located) == 24
    for f in located:
        (case,) = case_of(xml, f)
        (failure,) = case.result
        assert failure.message == f"{f.location}: {f.message}"
        assert failure.text.startswith(f"{f.location}: {f.message}\n")
        assert f"location: {f.location}" in failure.text.splitlines()


def test_failure_details_carry_references(xml: JUnitXml) -> None:
    """A rule finding lists its references in the failure text."""
    title = "OTA202 Ensure pre-signed URLs expire within policy"
    case = by_name(suites(xml)["gw-fw-3"])[f"{title} at awsJobPresignedUrlConfig.expiresInSec"]
    (failure,) = case.result
    assert failure.text.splitlines()[-2:] == [
        "references:",
        "  - AWS IoT API reference, AwsJobPresignedUrlConfig.expiresInSec: "
        "60-3600 seconds, default 1800",
    ]


def test_unmanaged_update_failures_start_with_the_not_declared_placeholder(
    xml: JUnitXml, example: Report
) -> None:
    """lab-fw-test has no declared file: its messages and texts start with
    `not declared (live only): `, where a located finding has `file:line: `."""
    suite = suites(xml)["lab-fw-test"]
    (failure,) = by_name(suite)["OTA301 Ensure the rollout rate is limited"].result
    (ota301,) = [
        f for f in example.findings if (f.ota_update_id, f.rule_id) == ("lab-fw-test", "OTA301")
    ]
    assert failure.message == f"not declared (live only): {ota301.message}"
    assert failure.message.startswith(
        "not declared (live only): awsJobExecutionsRolloutConfig is empty: "
    )
    assert failure.text.splitlines()[0] == failure.message
    assert "location: not declared (live only)" in failure.text.splitlines()
    assert suite.failures == 6
    messages = [case.result[0].message for case in suite if case.result]
    assert len(messages) == 6
    assert all(m.startswith("not declared (live only): ") for m in messages)
    assert properties(suite) == {"declared": "no", "live": "yes"}


def test_a_suppressed_finding_is_a_skipped_testcase_with_its_reason(xml: JUnitXml) -> None:
    """gw-fw-4's suppressed OTA401 is skipped: `suppressed: <reason>` as the message, the
    finding with its location and expiry as the text."""
    case = by_name(suites(xml)["gw-fw-4"])[
        "OTA401 Ensure OTA updates target a snapshot of the fleet at targetSelection"
    ]
    (skipped,) = case.result
    assert isinstance(skipped, Skipped)
    assert skipped.message == (
        "suppressed: Pilot gateways join the pilot group one by one; continuous targeting "
        "approved in security review SR-142"
    )
    assert skipped.text.startswith("examples/ota/gateways.yaml:39: targetSelection is CONTINUOUS")
    assert "suppressed until 2027-03-31: Pilot gateways" in skipped.text


def test_passing_cases_are_the_rules_judged_on_the_update_minus_rules_that_fired(
    xml: JUnitXml, example: Report
) -> None:
    """Per update, passing cases = `AuditedUpdate.rules` minus rules with findings: cam-fw-1
    (declared, not live) has no OTA001/OTA003/OTA004/OTA501/OTA502 case, lab-fw-test
    (unmanaged, drift ignored by the pack, no deep mode) none for OTA001-OTA004, OTA306,
    OTA307."""
    titles = {m.rule_id: f"{m.rule_id} {m.title}" for m in ALL_RULES}
    by_suite = suites(xml)
    for audited in example.audited:
        fired = {f.rule_id for f in example.findings if f.ota_update_id == audited.ota_update_id}
        passing = {case.name for case in by_suite[audited.ota_update_id] if case.is_passed}
        assert passing == {titles[r] for r in audited.rules or () if r not in fired}
    assert set(outcomes_by_rule(xml, "cam-fw-1")).isdisjoint(
        {"OTA001", "OTA003", "OTA004", "OTA501", "OTA502"}
    )
    assert set(outcomes_by_rule(xml, "lab-fw-test")).isdisjoint(
        {"OTA001", "OTA002", "OTA003", "OTA004", "OTA306", "OTA307"}
    )


# -- which rules get testcases: through audit.check -----------------------------------------


class _DeepSource(_Source):
    deep = True


@pytest.mark.usefixtures("in_tmp")
def test_an_unmanaged_update_without_deep_mode_has_no_ota306_or_ota307_case() -> None:
    """A snapshot without job configs: OTA306/OTA307 never ran on the live side, so they
    neither pass nor fail; OTA003 fails, the live-side rules that ran pass."""
    shallow = outcomes_by_rule(parse(audit.check((), _Source([live(live_info())]))), "fw-1")
    assert "OTA306" not in shallow
    assert "OTA307" not in shallow
    assert shallow["OTA003"] == {"failure"}
    assert shallow["OTA102"] == {"passed"}
    deep = outcomes_by_rule(parse(audit.check((), _DeepSource([live(live_info())]))), "fw-1")
    assert {"OTA306", "OTA307"} <= set(deep)


@pytest.mark.usefixtures("in_tmp")
def test_an_unreadable_update_has_no_drift_case() -> None:
    """GetOTAUpdate failed: nothing says fw-1 matches or exists, so no OTA001/OTA002 case
    (the read error is the `error` case); declared-side rules still pass."""
    error = SourceError("fw-1", "GetOTAUpdate", "AccessDeniedException", "not allowed")
    doc = parse(audit.check(declare(), _Source([error])))
    rules = outcomes_by_rule(doc, "fw-1")
    assert {"OTA001", "OTA002", "OTA003", "OTA004"}.isdisjoint(rules)
    assert rules["OTA102"] == {"passed"}
    assert [outcome(c) for c in suites(doc)["ota-drift: read errors"]] == ["error"]


@pytest.mark.usefixtures("in_tmp")
def test_a_missing_update_has_no_live_side_case() -> None:
    """Declared, not live: OTA002 fails; OTA501/OTA502 (live status) were never judged."""
    rules = outcomes_by_rule(parse(audit.check(declare(), _Source([]))), "fw-1")
    assert rules["OTA002"] == {"failure"}
    assert "OTA501" not in rules
    assert "OTA502" not in rules
    assert "OTA001" not in rules


def test_drift_ignored_by_the_policy_has_no_ota003_case(in_tmp: Path) -> None:
    """`ignoreDrift` for the whole update: OTA003 is not judged there, not passed."""
    pack = in_tmp / "pack.yaml"
    pack.write_text("version: 1\nignoreDrift:\n  - otaUpdates: [fw-*]\n", encoding="utf-8")
    report = audit.check((), _Source([live(live_info())]), load_policy([str(pack)]))
    rules = outcomes_by_rule(parse(report), "fw-1")
    assert "OTA003" not in rules
    assert rules["OTA102"] == {"passed"}


def test_a_finding_of_a_rule_not_judged_still_gets_its_testcase() -> None:
    """`AuditedUpdate.rules` decides the passing cases only: a finding of a rule outside it
    still has its failing case, and the run's other rules get none."""
    update = AuditedUpdate("fw-1", Location("ota/fw.yaml", 1), True, ("OTA101",))
    report = report_of(finding("OTA402"), audited=(update,))
    assert outcomes_by_rule(parse(report), "fw-1") == {
        "OTA101": {"passed"},
        "OTA402": {"failure"},
    }


def test_without_recorded_rules_every_rule_of_the_run_counts() -> None:
    """A hand-built report (`rules` None): every rule of `Report.rules` but OTA900 is judged
    on the update; a finding of another rule adds its case."""
    assert outcomes_by_rule(parse(report_of()), "fw-1") == {
        "OTA101": {"passed"},
        "OTA306": {"passed"},
        "OTA307": {"passed"},
    }
    report = report_of(finding("OTA402"), rules=("OTA101",))
    assert list(outcomes_by_rule(parse(report), "fw-1")) == ["OTA101", "OTA402"]


# -- names ----------------------------------------------------------------------------------


def test_names_do_not_change_when_lines_move() -> None:
    """A name holds no line and no message: GitLab compares the finding across branches."""
    before = report_of(finding(path="a", message="x is 1"))
    after = report_of(finding(path="a", message="x is 2", location=Location("ota/fw.yaml", 90)))
    names = [[case.name for case in suites(parse(r))["fw-1"]] for r in (before, after)]
    assert names[0] == names[1]
    assert f"{OTA306} at a" in names[0]


def test_a_repeated_name_gets_a_number_in_message_order() -> None:
    """Two findings of one rule, path and source are two cases, numbered by their messages,
    whatever order the rules emitted them in."""
    one, two = finding(path="p", message="one"), finding(path="p", message="two")
    for given in ((one, two), (two, one)):
        report = dataclasses.replace(report_of(), findings=given)
        cases = [c for c in suites(parse(report))["fw-1"] if c.name.startswith(OTA306)]
        assert [(case.name, case.result[0].message) for case in cases] == [
            (f"{OTA306} at p", "ota/fw.yaml:3: one"),
            (f"{OTA306} at p (2)", "ota/fw.yaml:3: two"),
        ]


def test_findings_that_differ_by_source_are_named_by_source() -> None:
    """The same rule and path found on the declared and on the live side: ` (declared)` and
    ` (live)`, not a number that depends on their order; a name without a twin keeps no
    suffix."""
    declared = finding(path="p", message="declared side", side="declared")
    live_side = finding(path="p", message="live side", side="live", location=None)
    alone = finding(path="q", side="live", location=None)
    for given in ((declared, live_side, alone), (alone, live_side, declared)):
        report = dataclasses.replace(report_of(), findings=given)
        names = [c.name for c in suites(parse(report))["fw-1"] if c.name.startswith(OTA306)]
        assert names == [f"{OTA306} at p (declared)", f"{OTA306} at p (live)", f"{OTA306} at q"]


def test_active_and_suppressed_findings_of_one_rule_are_separate_testcases() -> None:
    """An active and a suppressed finding of one rule: a failing and a skipped case."""
    report = report_of(
        finding(path="a"),
        finding(path="b", suppressed=Suppressed("ok for now", date(2027, 1, 1))),
    )
    suite = suites(parse(report))["fw-1"]
    cases = [case for case in suite if case.name.startswith("OTA306")]
    assert [(case.name.rsplit(" ", 1)[-1], outcome(case)) for case in cases] == [
        ("a", "failure"),
        ("b", "skipped"),
    ]
    assert "suppressed until 2027-01-01: ok for now" in cases[1].result[0].text
    assert all(case.system_out is None for case in cases)
    assert (suite.failures, suite.skipped) == (1, 1)


# -- the other suites -----------------------------------------------------------------------


def test_expired_suppressions_are_in_the_policy_suite(xml: JUnitXml) -> None:
    """OTA900 (id `cam-fw-*`, not an audited update) fails in `ota-drift: policy`, named
    for its pattern, located in the pack."""
    (case,) = list(suites(xml)["ota-drift: policy"])
    assert case.classname == "ota-drift.policy packs"
    assert case.name == f"{OTA900} for cam-fw-*"
    (failure,) = case.result
    assert failure.type == "low"
    assert failure.message.startswith(
        "examples/policy.yaml:14: the suppression of OTA306 for cam-fw-* expired on "
    )


def test_policy_suite_passes_when_no_suppression_expired() -> None:
    """With OTA900 evaluated and silent, the policy suite holds one passing case."""
    suite = suites(parse(report_of()))["ota-drift: policy"]
    assert [(case.name, case.is_passed) for case in suite] == [(OTA900, True)]


def test_findings_on_unaudited_updates_are_named_for_their_update() -> None:
    """Two expired suppressions of one pattern and a finding on an update not audited are
    distinct cases of the policy suite."""
    suite = suites(parse(busy_report()))["ota-drift: policy"]
    assert [case.name for case in suite] == [
        f"{OTA306} for gone-1",
        f"{OTA900} for cam-*",
        f"{OTA900} for cam-* (2)",
    ]
    assert [case.result[0].message.split(":", 2)[:2] for case in suite] == [
        ["ota/old.yaml", "9"],
        ["pack.yaml", "4"],
        ["pack.yaml", "9"],
    ]


def test_an_update_named_policy_keeps_its_own_classname() -> None:
    """An update may be named `policy` or `summary`; the other suites' classnames hold a
    space, which no OTA update id can, so Jenkins shows them as separate classes."""
    report = report_of(
        audited=(
            AuditedUpdate("policy", Location("ota/fw.yaml", 1), True),
            AuditedUpdate("summary", Location("ota/fw.yaml", 9), True),
        )
    )
    classnames = {suite.name: {case.classname for case in suite} for suite in parse(report)}
    assert classnames == {
        "policy": {"ota-drift.policy"},
        "summary": {"ota-drift.summary"},
        "ota-drift: policy": {"ota-drift.policy packs"},
        "ota-drift: summary": {"ota-drift.audit summary"},
    }


def test_read_errors_get_their_own_suite() -> None:
    """Each source error is an `<error>` case in `ota-drift: read errors`, counted as error."""
    report = report_of(
        errors=(
            SourceError("fw-2", "GetOTAUpdate", "AccessDeniedException", "not authorised"),
            SourceError(None, "ListOTAUpdates", "ThrottlingException", "rate exceeded"),
        )
    )
    doc = parse(report)
    suite = suites(doc)["ota-drift: read errors"]
    assert (suite.tests, suite.errors, suite.failures, suite.skipped) == (2, 2, 0, 0)
    assert [case.name for case in suite] == ["GetOTAUpdate fw-2", "ListOTAUpdates (listing)"]
    assert {case.classname for case in suite} == {"ota-drift.read errors"}
    (error,) = next(iter(suite)).result
    assert isinstance(error, Error)
    assert error.message == "AccessDeniedException: not authorised"
    assert error.text == (
        "could not read fw-2: GetOTAUpdate failed with AccessDeniedException: not authorised"
    )
    assert doc.errors == 2


def test_type_is_only_ever_a_severity() -> None:
    """GitLab reads `type="yaml"` or `"integer"` as a cast (and refuses the file for
    `yaml`): an AWS error code never goes there, only a failure's severity does."""
    root = ET.fromstring(render(busy_report()).encode("utf-8"))
    types = {(e.tag, e.get("type")) for e in root.iter() if "type" in e.attrib}
    assert types == {("failure", s.value) for s in (Severity.HIGH, Severity.LOW)}
    assert [e.get("message") for e in root.iter("error")][1] == "yaml: the same call failed twice"


def test_skipped_updates_are_skipped_cases() -> None:
    """An update the source left out on purpose is a skipped case with the reason."""
    report = report_of(skipped=(SkippedUpdate("fw-9", "deleted while the audit ran"),))
    suite = suites(parse(report))["ota-drift: skipped updates"]
    (case,) = list(suite)
    assert (case.name, case.classname) == ("fw-9", "ota-drift.skipped updates")
    assert case.result[0].message == "skipped: deleted while the audit ran"
    assert case.result[0].text == "fw-9 was left out of the audit: deleted while the audit ran"
    assert suite.skipped == 1


def test_the_summary_suite_has_one_passing_case_saying_what_was_audited(
    xml: JUnitXml, example: Report
) -> None:
    """`ota-drift: summary` holds `ota-drift check`, passing when everything is listed; its
    properties count updates, rules, findings and read errors."""
    suite = suites(xml)["ota-drift: summary"]
    assert [(case.name, case.classname, outcome(case)) for case in suite] == [
        ("ota-drift check", "ota-drift.audit summary", "passed")
    ]
    assert properties(suite) == {
        "command": "check",
        "updates": "7",
        "rules": str(len(example.rules)),
        "findings": "31",
        "readErrors": "0",
    }


def test_an_empty_report_still_has_one_testcase(schema: xmlschema.XMLSchema10) -> None:
    """No update and no rule (an empty folder, everything disabled): the file still holds one
    passing testcase, so Jenkins' `junit` step does not fail the build for "no test
    results", and it is valid and counted."""
    text = render(report_of(audited=(), rules=(), declared_files=(), command="lint"))
    assert schema.is_valid(text)
    doc = JUnitXml.fromstring(text.encode("utf-8"))
    assert (doc.tests, doc.failures, doc.errors) == (1, 0, 0)
    assert [(s.name, [(c.name, outcome(c)) for c in s]) for s in doc] == [
        ("ota-drift: summary", [("ota-drift lint", "passed")])
    ]


# -- escaping -------------------------------------------------------------------------------


def test_hostile_strings_are_escaped() -> None:
    """Markup and quotes stay text; newlines in names and messages are `\\n`, control
    characters escaped everywhere; the element text is lines of escaped values."""
    hostile = dataclasses.replace(
        finding(message=HOSTILE + "\x1b[31m\x00", path=HOSTILE),
        drift=DriftValues(declared=HOSTILE, live=None),
        references=(HOSTILE,),
    )
    suppressed = finding("OTA307", message=HOSTILE, suppressed=Suppressed(HOSTILE + "\ud800", None))
    report = report_of(
        hostile,
        suppressed,
        errors=(SourceError(HOSTILE, HOSTILE, HOSTILE, HOSTILE),),
    )
    text = render(report)
    assert "<img" not in text
    assert "</script>" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    root = ET.fromstring(text.encode("utf-8"))
    assert [e.tag for e in root.iter() if e.tag in {"img", "script"}] == []
    doc = parse(report)
    one_line = HOSTILE.replace("\n", "\\n")
    (case,) = [c for c in suites(doc)["fw-1"] if c.name.startswith("OTA306")]
    assert case.name == f"{OTA306} at {one_line}"
    (failure,) = case.result
    assert failure.message == f"ota/fw.yaml:3: {one_line}\\x1b[31m\\x00"
    lines = failure.text.split("\n")
    assert lines[0] == failure.message
    assert f"path: {one_line}" in lines
    assert lines[-2:] == ["references:", f"  - {one_line}"]
    (skipped_case,) = [c for c in suites(doc)["fw-1"] if c.name.startswith("OTA307")]
    assert skipped_case.result[0].message == f"suppressed: {one_line}\\ud800"
    (error_case,) = list(suites(doc)["ota-drift: read errors"])
    assert error_case.result[0].message == f"{one_line}: {one_line}"
    assert error_case.name == f"{one_line} {one_line}"


def test_a_newline_in_a_file_name_does_not_split_the_headline() -> None:
    """`file:line: message` stays the first line of the text and the whole `message`: the
    file name's newline is `\\n`, and so is the update's in the suite and class names."""
    f = finding(ota_update_id="fw\n1", location=Location("ota/a\nb.yaml", 3))
    update = AuditedUpdate("fw\n1", Location("ota/a\nb.yaml", 1), True)
    doc = parse(report_of(f, audited=(update,)))
    (failure,) = next(c for c in suites(doc)["fw\\n1"] if c.result).result
    assert failure.message == "ota/a\\nb.yaml:3: no awsJobAbortConfig"
    assert failure.text.split("\n")[:3] == [
        "ota/a\\nb.yaml:3: no awsJobAbortConfig",
        "rule: OTA306 (high, declared)",
        "otaUpdateId: fw\\n1",
    ]
    assert "location: ota/a\\nb.yaml:3" in failure.text.split("\n")
    assert properties(suites(doc)["fw\\n1"])["declared"] == "ota/a\\nb.yaml:1"
    assert {c.classname for c in suites(doc)["fw\\n1"]} == {"ota-drift.fw\\n1"}


def test_output_is_deterministic_with_a_declaration(example: Report) -> None:
    """Two renderings are byte-identical and start with the XML declaration."""
    first = render(example)
    assert first == render(example_report())
    assert first.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="ota-drift"')
    assert first.endswith("</testsuites>\n")


# -- limits ---------------------------------------------------------------------------------


def test_the_defaults_are_gitlabs_limits_with_a_margin() -> None:
    """30 MB read as 10^6 bytes (smaller than Ruby's 30.megabytes), 1 MB kept spare; the
    500,000 testcases GitLab.com parses."""
    assert GITLAB_MAX_FILE_BYTES == 30_000_000 < 30 * 2**20
    assert DEFAULT_MAX_BYTES == 29_000_000
    assert GITLAB_MAX_TESTCASES == 500_000
    junit = JunitFormat()
    assert (junit.max_bytes, junit.max_testcases) == (DEFAULT_MAX_BYTES, GITLAB_MAX_TESTCASES)


@pytest.mark.parametrize("limit", ["max_bytes", "max_testcases"])
def test_limits_below_one_are_refused(limit: str) -> None:
    with pytest.raises(ValueError, match=f"{limit} must be at least 1, not 0"):
        JunitFormat(**{limit: 0})


def test_a_report_within_the_limits_is_written_whole(example: Report) -> None:
    """The example is far under both limits: no notice, and the same file as without any."""
    junit = JunitFormat()
    assert junit.render(example) == render(example, **UNLIMITED)
    assert junit.notices(example) == []


def test_over_the_byte_budget_passing_cases_go_first() -> None:
    """One byte short of the full busy report: every passing case goes (each suite says how
    many in `passingRulesNotListed`), every other case stays as it was, and the summary says
    so."""
    report = busy_report()
    full = render(report, **UNLIMITED)
    junit = JunitFormat(max_bytes=len(full.encode("utf-8")) - 1)
    text = junit.render(report)
    whole, cut = (JUnitXml.fromstring(t.encode("utf-8")) for t in (full, text))

    def results(doc: JUnitXml) -> list[tuple[str, str, str | None]]:
        return [(s.name, c.name, c.result[0].text) for s in doc for c in s if c.result]

    assert results(cut)[:-1] == results(whole)  # the last is the summary, now skipped
    assert [c for s in cut for c in s if c.is_passed] == []
    passing = {s.name: sum(c.is_passed for c in s) for s in whole if s.name != "ota-drift: summary"}
    kept = {
        s.name: properties(s).get("passingRulesNotListed")
        for s in cut
        if s.name != "ota-drift: summary"
    }
    assert kept == {name: str(n) if n else None for name, n in passing.items() if name in kept}
    assert "ota-drift: policy" in kept
    assert {s.name for s in whole} - {s.name for s in cut} == set()  # each has a result here
    note = (
        f"JUnit report lists all 12 findings and none of its {sum(passing.values())} passing "
        f"testcases, to stay within {len(full.encode('utf-8')) - 1:,} bytes and 500,000 "
        "test cases"
    )
    assert junit.notices(report) == [note]
    (summary,) = list(suites(cut)["ota-drift: summary"])
    assert summary.result[0].message == note
    assert properties(suites(cut)["ota-drift: summary"])["passingRulesNotListed"] == str(
        sum(passing.values())
    )


def test_a_suite_with_nothing_listed_is_left_out() -> None:
    """fw-2 found nothing: with the passing cases gone it has no testcase, so no suite (an
    empty suite shows nothing in GitLab or Jenkins); fw-1 keeps its finding."""
    report = report_of(
        finding(),
        audited=(
            AuditedUpdate("fw-1", Location("ota/fw.yaml", 1), True),
            AuditedUpdate("fw-2", Location("ota/fw.yaml", 20), True),
        ),
    )
    assert [s.name for s in parse(report, **UNLIMITED)] == [
        "fw-1",
        "fw-2",
        "ota-drift: policy",
        "ota-drift: summary",
    ]
    cut = parse(report, max_testcases=2)
    assert [(s.name, [outcome(c) for c in s]) for s in cut] == [
        ("fw-1", ["failure"]),
        ("ota-drift: summary", ["skipped"]),
    ]
    assert properties(suites(cut)["fw-1"])["passingRulesNotListed"] == "2"


def ranked_report() -> Report:
    """Findings of every severity on two updates, a suppressed high among them."""
    later = Suppressed("accepted", date(2027, 1, 1))
    made = [
        finding("OTA101", "fw-1", severity=Severity.CRITICAL, path="a"),
        finding("OTA306", "fw-2", severity=Severity.HIGH, path="b"),
        finding("OTA306", "fw-1", severity=Severity.HIGH, path="c", suppressed=later),
        finding("OTA307", "fw-1", severity=Severity.MEDIUM, path="d"),
        finding("OTA307", "fw-2", severity=Severity.LOW, path="e"),
        finding("OTA101", "fw-2", severity=Severity.INFO, path="f"),
        finding("OTA306", "fw-1", severity=Severity.INFO, path="g"),
    ]
    return report_of(
        *made,
        audited=(
            AuditedUpdate("fw-1", Location("ota/fw.yaml", 1), True),
            AuditedUpdate("fw-2", Location("ota/fw.yaml", 20), True),
        ),
    )


@pytest.mark.parametrize(
    ("cap", "kept"),
    [(1, ""), (2, "a"), (3, "ab"), (4, "abc"), (5, "abcd"), (7, "abcdeg"), (8, "abcdefg")],
)
def test_then_the_least_severe_findings_go(cap: int, kept: str) -> None:
    """With room for `cap` testcases (the summary is one), the most severe findings stay:
    critical, then high (active before suppressed), medium, low, info; by update, rule and
    path within a severity. What went is counted by severity in the summary, the notice and
    each suite's `findingsNotListed`."""
    report = ranked_report()
    junit = JunitFormat(max_testcases=cap)
    doc = JUnitXml.fromstring(junit.render(report).encode("utf-8"))
    listed = [c.name.rsplit(" ", 1)[-1] for s in doc if s.name.startswith("fw-") for c in s]
    assert sorted(listed) == list(kept)
    assert doc.tests == cap
    left = [f for f in report.findings if f.path not in kept]
    for suite in doc:
        if suite.name.startswith("fw-"):
            gone = sum(1 for f in left if f.ota_update_id == suite.name)
            assert properties(suite).get("findingsNotListed") == (str(gone) if gone else None)
    counts = Counter(f.severity for f in left)
    by_severity = ", ".join(f"{counts[s]} {s.value}" for s in SEVERITIES if counts[s])
    suppressed = "; 1 of them suppressed" if "c" not in kept else ""
    listed_part = (
        f"the {len(kept)} most severe of 7 findings (left out: {by_severity}{suppressed})"
        if left
        else "all 7 findings"
    )
    note = (
        f"JUnit report lists {listed_part} and none of its 1 passing testcase, to "  # OTA900
        f"stay within 29,000,000 bytes and {cap} test case{'s' if cap > 1 else ''}"
    )
    assert junit.notices(report) == [note]
    (summary,) = list(suites(doc)["ota-drift: summary"])
    assert (outcome(summary), summary.result[0].message) == ("skipped", note)
    assert summary.result[0].text == (
        f"{note}\nEvery finding is in the JSON report (--report json=FILE), and the exit code "
        "counts them all."
    )


def test_read_errors_are_kept_before_findings_and_skipped_updates_after() -> None:
    """Read errors say the audit is incomplete: they outrank every finding; skipped updates
    (notes) rank below them all."""
    doc = parse(busy_report(), max_testcases=6)
    kept = {s.name: [outcome(c) for c in s] for s in doc}
    assert kept["ota-drift: read errors"] == ["error", "error", "error"]
    assert "ota-drift: skipped updates" not in kept
    assert sum(len(v) for v in kept.values()) == 6
    everything = parse(busy_report(), max_testcases=len(busy_report().findings) + 3 + 1 + 1)
    assert [outcome(c) for c in suites(everything)["ota-drift: skipped updates"]] == ["skipped"]


def test_the_byte_budget_holds_at_every_size(schema: xmlschema.XMLSchema10) -> None:
    """For every budget from the bare skeleton to the full busy report, the file fits it, is
    valid with matching counts, and lists a prefix of the same order: a bigger budget never
    lists fewer results."""
    report = busy_report()
    full = len(render(report, **UNLIMITED).encode("utf-8"))
    skeleton = len(render(report, max_bytes=1).encode("utf-8")) + 16  # the note names the budget
    listed_before = -1
    for budget in range(skeleton, full + 1, max(1, (full - skeleton) // 60)):
        text = render(report, max_bytes=budget)
        assert len(text.encode("utf-8")) <= budget
        assert schema.is_valid(text)
        assert_counts_match_junitparser(text.encode("utf-8"))
        listed = text.count("<failure") + text.count("<error") + text.count("<skipped")
        assert listed >= listed_before
        listed_before = listed
    assert listed_before > len(report.errors)


def test_the_testcase_cap_holds_at_every_count() -> None:
    """For every cap from 1 to the full report's count, the file has at most that many: up to
    the 16 results and the summary while passing cases are left out, all of them once they
    fit (each rule but OTA900, judged in the policy suite, that did not fire on an update
    passes there: the count follows the registry)."""
    report = busy_report()
    full = parse(report, **UNLIMITED).tests
    per_update = set(report.rules) - {"OTA900"}
    passing = sum(
        len(per_update - {f.rule_id for f in report.findings if f.ota_update_id == a.ota_update_id})
        for a in report.audited
    )
    assert full == passing + 16 + 1
    for cap in range(1, full + 2):
        doc = parse(report, max_testcases=cap)
        expected = full if cap >= full else min(cap, 16 + 1)
        assert doc.tests == len([c for s in doc for c in s]) == expected


def test_a_budget_too_small_for_anything_writes_the_summary_alone() -> None:
    """One byte: the file cannot fit, but it is still a valid report of one skipped summary
    case saying everything was left out."""
    report = busy_report()
    junit = JunitFormat(max_bytes=1)
    doc = JUnitXml.fromstring(junit.render(report).encode("utf-8"))
    assert [s.name for s in doc] == ["ota-drift: summary"]
    (note,) = junit.notices(report)
    assert note.startswith("JUnit report lists the 0 most severe of 12 findings (left out: ")
    assert note.endswith(
        "; not listed either: 3 read errors, 1 skipped update, to stay within 1 byte and "
        "500,000 test cases"
    )


# -- the 10,000-update benchmark fleet -----------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FleetRun:
    """One `ota-drift check` of the benchmark fleet, writing JUnit and JSON."""

    code: int
    stderr: str
    junit_bytes: bytes
    json_report: dict[str, Any]
    report: Report
    """The audit's own report, to render again with other limits."""


@pytest.fixture(scope="module")
def fleet(benchmark_fleet: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FleetRun]:
    """Check the benchmark fleet with `--format junit --report json=...` from its directory
    (so paths are relative, as in CI)."""
    work = tmp_path_factory.mktemp("fleet-junit")
    run = check_fleet(
        benchmark_fleet,
        work,
        "--format",
        "junit",
        "--output",
        "ota.xml",
        "--report",
        "json=ota.json",
    )
    yield FleetRun(
        code=run.code,
        stderr=run.stderr,
        junit_bytes=(work / "ota.xml").read_bytes(),
        json_report=json.loads((work / "ota.json").read_text(encoding="utf-8")),
        report=run.report,
    )


@pytest.fixture(scope="module")
def fleet_doc(fleet: FleetRun) -> JUnitXml:
    return JUnitXml.fromstring(fleet.junit_bytes)


def passing_rules(report: Report) -> dict[str, int]:
    """Update id → how many of the rules judged on it did not fire there: its passing cases.
    It counts the registry's rules, so it is derived, never written down (the fleet's total
    is 280,740 today; a rule added is one more on each update it is judged on)."""
    fired: dict[str, set[str]] = {}
    for f in report.findings:
        fired.setdefault(f.ota_update_id, set()).add(f.rule_id)
    return {
        a.ota_update_id: len(set(a.rules or ()) - fired.get(a.ota_update_id, set()))
        for a in report.audited
    }


def fleet_passing(report: Report) -> int:
    """Every passing case of the fleet's full report: the updates', and OTA900's in the policy
    suite (the fleet has no suppressions to expire)."""
    return sum(passing_rules(report).values()) + 1


def fleet_note(report: Report) -> str:
    return (
        f"JUnit report lists all 29,261 findings and none of its {fleet_passing(report):,} "
        "passing testcases, to stay within GitLab's limits: JUnit files smaller than 30 MB, at "
        "most 500,000 test cases (https://docs.gitlab.com/ci/testing/unit_test_reports/)"
    )


def test_the_whole_fleet_report_is_over_gitlabs_limits(fleet: FleetRun) -> None:
    """The premise: with every passing case the file is about 55.7 MB, over 30 MB."""
    whole = render(fleet.report, **UNLIMITED).encode("utf-8")
    assert len(whole) > GITLAB_MAX_FILE_BYTES * 3 // 2
    assert whole.count(b"<testcase ") == fleet_passing(fleet.report) + 29_261 + 1


def test_the_fleet_report_is_within_gitlabs_limits(fleet: FleetRun, fleet_doc: JUnitXml) -> None:
    """By default: under 29,000,000 bytes (so under 30 MB either way), 29,262 testcases (every
    finding and the summary), no passing one."""
    assert len(fleet.junit_bytes) <= DEFAULT_MAX_BYTES < GITLAB_MAX_FILE_BYTES
    cases = [c for s in fleet_doc for c in s]
    assert len(cases) == fleet_doc.tests == 29_262 <= GITLAB_MAX_TESTCASES
    assert [c.name for c in cases if c.is_passed] == []


def test_the_fleet_report_is_valid_against_the_xsd(
    fleet: FleetRun, schema: xmlschema.XMLSchema10
) -> None:
    """A structural sample (the first 200 suites, with their properties and failures, and the
    summary suite with its skipped case) validates; the whole file is one well-formed tree
    of the same element kinds."""
    root = ET.fromstring(fleet.junit_bytes)
    sample = ET.Element("testsuites", root.attrib)
    sample.extend([*root[:200], root[-1]])
    assert [str(e.reason) for e in schema.iter_errors(sample)] == []
    kinds = {e.tag for e in root.iter()}
    assert kinds == {e.tag for e in sample.iter()}


def test_the_fleet_counts_equal_what_junitparser_recomputes(fleet: FleetRun) -> None:
    assert_counts_match_junitparser(fleet.junit_bytes)


def test_the_fleet_report_lists_every_finding_once(fleet: FleetRun, fleet_doc: JUnitXml) -> None:
    """Every one of the 29,261 findings (all active) is exactly one failure, by its text."""
    assert all(f.active for f in fleet.report.findings)
    assert Counter(findings_listed(fleet_doc)) == Counter(details(f) for f in fleet.report.findings)


def test_the_fleet_suites_count_the_passing_rules_left_out(
    fleet: FleetRun, fleet_doc: JUnitXml
) -> None:
    """Each update's suite says how many of its judged rules passed and are not listed, and
    the summary the total, with OTA900's in the policy suite."""
    fired = {f.ota_update_id for f in fleet.report.findings}
    expected = passing_rules(fleet.report)
    written = {
        s.name: int(properties(s)["passingRulesNotListed"]) for s in fleet_doc if s.name in expected
    }
    assert written == {k: v for k, v in expected.items() if k in fired}
    summary = properties(suites(fleet_doc)["ota-drift: summary"])
    assert summary["passingRulesNotListed"] == str(fleet_passing(fleet.report))


def test_the_fleet_note_is_on_stderr_and_in_the_summary(
    fleet: FleetRun, fleet_doc: JUnitXml
) -> None:
    """stderr holds the left-out line once, as a note; the summary case says the same."""
    note = fleet_note(fleet.report)
    assert fleet.stderr == f"note: ota.xml: {note}\n"
    (summary,) = list(suites(fleet_doc)["ota-drift: summary"])
    assert (outcome(summary), summary.result[0].message) == ("skipped", note)


def test_the_fleet_exit_code_and_json_report_count_every_finding(fleet: FleetRun) -> None:
    """Limiting JUnit changes no verdict: exit 1, and JSON lists all 29,261 findings."""
    assert fleet.code == 1
    assert len(fleet.json_report["findings"]) == 29_261
    assert sum(fleet.json_report["summary"]["findings"].values()) == 29_261


def test_a_smaller_budget_on_the_fleet_keeps_the_most_severe(fleet: FleetRun) -> None:
    """8 MB: about a third of the findings; everything listed is at least as severe as
    everything left out, and listed plus left out is the JSON report's count, severity by
    severity."""
    junit = JunitFormat(max_bytes=8_000_000)
    text = junit.render(fleet.report).encode("utf-8")
    assert len(text) <= 8_000_000
    doc = JUnitXml.fromstring(text)
    shown = Counter(c.result[0].type for s in doc if s.name.startswith("fw-") for c in s)
    totals = fleet.json_report["summary"]["findings"]
    left = {s: totals[s] - shown[s] for s in totals}
    assert min(Severity(s).rank for s in shown) >= max(
        Severity(s).rank for s, n in left.items() if n
    )
    assert 0 < sum(left.values()) < 29_261
    by_severity = ", ".join(f"{left[s.value]:,} {s.value}" for s in SEVERITIES if left[s.value])
    (note,) = junit.notices(fleet.report)
    assert note.startswith(
        f"JUnit report lists the {sum(shown.values()):,} most severe of 29,261 findings "
        f"(left out: {by_severity}) and none of its {fleet_passing(fleet.report):,} passing "
        "testcases"
    )
    not_listed = sum(
        int(properties(s).get("findingsNotListed", 0)) for s in doc if s.name.startswith("fw-")
    )
    written_suites = {s.name for s in doc}
    dropped_whole = {
        a.ota_update_id for a in fleet.report.audited if a.ota_update_id not in written_suites
    }
    in_dropped = sum(1 for f in fleet.report.findings if f.ota_update_id in dropped_whole)
    assert not_listed + in_dropped == sum(left.values())
    assert_counts_match_junitparser(text)
