"""The JUnit XML report: valid against Jenkins' junit-10.xsd, one testcase per finding with at
most one result each, counts junitparser agrees with, every finding shown by junit2html."""

from __future__ import annotations

import copy
import dataclasses
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from junit2htmlreport import parser as junit2html_parser
from junit2htmlreport import runner as junit2html
from junitparser import Error, Failure, JUnitXml, Skipped, TestCase, TestSuite

from checker.formats.junit import JunitFormat, details, headline, xml_safe
from checker.model import (
    AuditedUpdate,
    DriftValues,
    Finding,
    FindingSource,
    Location,
    Report,
    Severity,
    SkippedUpdate,
    SourceError,
    Summary,
    Suppressed,
)
from checker.rules.registry import ALL_RULES
from tests.formats.golden import ROOT, example_report
from tests.formats.test_hostile_values import hostile_report

XSD_PATH = ROOT / "tests" / "schemas" / "junit-10.xsd"
FW_YAML = Location("ota/fw.yaml", 3)
HOSTILE = (
    '"><img src=x onerror=alert(1)> </script> a|b `rm -rf` line1\nline2 & '
    "\u00fcml\u00e4ut \U0001f525"
)
UPDATE_RULES = 24
"""Rules evaluated on each update in the example: all but OTA900, which checks policy packs."""
OTA001 = "OTA001 Ensure the live OTA update matches its declaration"
OTA900 = "OTA900 Ensure suppressions are reviewed before they expire"


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


def render(report: Report) -> str:
    return JunitFormat().render(report)


def parse(report: Report) -> JUnitXml:
    return JUnitXml.fromstring(render(report).encode("utf-8"))


def suites(doc: JUnitXml) -> dict[str, TestSuite]:
    return {suite.name: suite for suite in doc}


def by_name(suite: TestSuite) -> dict[str, TestCase]:
    return {case.name: case for case in suite}


def finding(
    rule_id: str = "OTA306",
    ota_update_id: str = "fw-1",
    *,
    severity: Severity = Severity.HIGH,
    message: str = "no awsJobAbortConfig",
    location: Location | None = FW_YAML,
    source: FindingSource = "declared",
    suppressed: Suppressed | None = None,
    path: str = "",
) -> Finding:
    return Finding(
        rule_id=rule_id,
        severity=severity,
        ota_update_id=ota_update_id,
        source=source,
        path=path,
        message=message,
        location=location,
        suppressed=suppressed,
    )


def report_of(*findings: Finding, **kwargs: Any) -> Report:
    fields: dict[str, Any] = {
        "tool_version": "1.2.3",
        "summary": Summary(
            declared=1, live=1, in_sync=0, drifted=0, missing=0, unmanaged=0, findings={}
        ),
        "findings": tuple(sorted(findings, key=lambda f: f.sort_key)),
        "errors": (),
        "as_of": datetime(2026, 11, 25, tzinfo=UTC),
        "declared_files": ("ota/fw.yaml",),
        "audited": (AuditedUpdate("fw-1", Location("ota/fw.yaml", 1), True),),
        "rules": ("OTA101", "OTA306", "OTA307", "OTA900"),
    }
    fields.update(kwargs)
    return Report(**fields)


def busy_report() -> Report:
    """Every outcome at once: several findings of a rule, two on one path, suppressed ones,
    a live-only update, two expired suppressions, a finding on an unaudited update, read
    errors (one whose code is a type GitLab casts) and skipped updates."""
    later = Suppressed("accepted in SR-7", date(2027, 1, 1))
    fw2 = Location("ota/fw.yaml", 30)
    findings = [
        finding("OTA001", path="targets", message="targets: live also has tg/a", source="drift"),
        finding("OTA001", path="targets", message="targets: live lacks tg/b", source="drift"),
        finding("OTA001", path="roleArn", message="roleArn: declared r1, live r2", source="drift"),
        finding("OTA306"),
        finding("OTA307", severity=Severity.INFO, suppressed=later),
        finding("OTA401", "fw-2", path="targetSelection", location=fw2, suppressed=later),
        finding("OTA401", "fw-2", path="targetSelection", location=fw2, message="second"),
        finding("OTA101", "live-1", path="files[a.bin]", location=None, source="live"),
        finding("OTA501", "live-1", location=None, source="live", message="FAILED"),
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


def outcome(case: TestCase) -> str:
    (result,) = case.result or [None]
    return {Failure: "failure", Error: "error", Skipped: "skipped"}.get(type(result), "passed")


def details_of(f: Finding) -> str:
    """The text of `f`'s result as written."""
    return xml_safe(details(f))


def case_of(doc: JUnitXml, f: Finding) -> list[TestCase]:
    """The testcases whose one result has `f`'s details as its text."""
    text = details_of(f)
    return [case for suite in doc for case in suite if case.result and case.result[0].text == text]


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


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_reports_are_valid_against_junit_10_xsd(name: str, schema: xmlschema.XMLSchema10) -> None:
    """The example, a report with every outcome and one of hostile values all validate."""
    errors = [str(e.reason) for e in schema.iter_errors(render(REPORTS[name]()))]
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


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_no_file_on_testcases_and_no_skipped_on_testsuites(name: str) -> None:
    """The two attributes the xunit plugin's schema refuses are written nowhere."""
    root = ET.fromstring(render(REPORTS[name]()).encode("utf-8"))
    assert [e.tag for e in root.iter() if "file" in e.attrib] == []
    assert "skipped" not in root.attrib


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_every_testcase_has_at_most_one_result(name: str) -> None:
    """A testcase holds one `failure`, `error` or `skipped`, or none, and nothing else."""
    root = ET.fromstring(render(REPORTS[name]()).encode("utf-8"))
    shapes = Counter(tuple(child.tag for child in case) for case in root.iter("testcase"))
    assert set(shapes) <= {(), ("failure",), ("error",), ("skipped",)}
    assert shapes[()] > 0


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_every_result_has_text(name: str) -> None:
    """GitLab shows only a result's text (an element with attributes and no text reaches
    it as a hash): every failure, error and skipped has some."""
    root = ET.fromstring(render(REPORTS[name]()).encode("utf-8"))
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


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_no_two_testcases_share_a_classname_and_name(name: str) -> None:
    """GitLab keeps only the first of tests with one suite, classname and name, and Jenkins
    merges classes across suites: every (classname, name) is unique in the file."""
    root = ET.fromstring(render(REPORTS[name]()).encode("utf-8"))
    keys = Counter((c.get("classname"), c.get("name")) for c in root.iter("testcase"))
    assert [key for key, n in keys.items() if n > 1] == []


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_counts_equal_what_junitparser_recomputes(name: str) -> None:
    """tests/failures/errors/skipped of every suite, and tests/failures/errors of the file
    (the schema allows no `skipped` there), equal junitparser's count of the cases."""
    text = render(REPORTS[name]()).encode("utf-8")
    written = JUnitXml.fromstring(text)
    recomputed = copy.deepcopy(written)
    recomputed.update_statistics()
    counts = ("tests", "failures", "errors", "skipped")
    for mine, theirs in zip(written, recomputed, strict=True):
        assert [getattr(mine, c) for c in counts] == [getattr(theirs, c) for c in counts]
    assert [getattr(written, c) for c in counts[:3]] == [getattr(recomputed, c) for c in counts[:3]]
    assert "skipped" not in ET.fromstring(text).attrib


def test_example_totals(xml: JUnitXml) -> None:
    """170 cases (24 rules on 7 updates, a second OTA001 case, OTA900), 28 failing, 1 skipped."""
    listed = list(xml)
    assert xml.tests == sum(s.tests for s in listed) == 7 * UPDATE_RULES + 1 + 1 == 170
    assert xml.failures == sum(s.failures for s in listed) == 28
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
        (index,) = [i for i, c in enumerate(cases) if c[0:1] and c[0].text == details_of(f)]
        assert xml_safe(headline(f)) in blocks[index]
        if f.suppressed is not None:
            assert xml_safe(f"suppressed: {f.suppressed.reason}") in blocks[index]
    shown = junit2html_parser.Junit(str(xml_file))
    active = sum(f.active for f in report.findings)
    assert sum(len(suite.failed()) for suite in shown) == active + len(report.errors)


def test_one_suite_per_audited_update_then_the_policy_suite(xml: JUnitXml, example: Report) -> None:
    """Suites are the audited updates in id order, then `ota-drift: policy` for OTA900."""
    names = [suite.name for suite in xml]
    assert names == [*sorted(a.ota_update_id for a in example.audited), "ota-drift: policy"]
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
    """gw-fw-4's cases are `ota-drift.gw-fw-4`: `<ruleId> <title>` for a rule with nothing
    or a whole-update finding, `... at <path>` for a finding on a path; in rule ID order."""
    suite = suites(xml)["gw-fw-4"]
    titles = {m.rule_id: f"{m.rule_id} {m.title}" for m in ALL_RULES if m.rule_id != "OTA900"}
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


def test_names_do_not_change_when_lines_move() -> None:
    """A name holds no line and no message: GitLab compares the finding across branches."""
    before = report_of(finding(path="a", message="x is 1"))
    after = report_of(finding(path="a", message="x is 2", location=Location("ota/fw.yaml", 90)))
    names = [[case.name for case in suites(parse(r))["fw-1"]] for r in (before, after)]
    assert names[0] == names[1]
    assert "OTA306 Ensure the OTA job aborts when installs fail at a" in names[0]


def test_a_repeated_name_gets_a_number() -> None:
    """Two findings of one rule on one path are two cases, the second named `... (2)`."""
    report = report_of(finding(path="p", message="one"), finding(path="p", message="two"))
    suite = suites(parse(report))["fw-1"]
    title = "OTA306 Ensure the OTA job aborts when installs fail at p"
    cases = [case for case in suite if case.name.startswith(title)]
    assert [(case.name, case.result[0].message) for case in cases] == [
        (title, "ota/fw.yaml:3: one"),
        (f"{title} (2)", "ota/fw.yaml:3: two"),
    ]


def test_two_findings_of_one_rule_are_two_testcases(xml: JUnitXml) -> None:
    """gw-fw-4's two OTA001 drifts are two cases, each with one failure, in report order."""
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
    assert len(located) == 22
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


def test_unmanaged_update_failures_say_where_they_come_from(xml: JUnitXml, example: Report) -> None:
    """lab-fw-test has no declared file: its messages have no location, its texts say so."""
    suite = suites(xml)["lab-fw-test"]
    (failure,) = by_name(suite)["OTA301 Ensure the rollout rate is limited"].result
    (ota301,) = [
        f for f in example.findings if (f.ota_update_id, f.rule_id) == ("lab-fw-test", "OTA301")
    ]
    assert failure.message == ota301.message
    assert failure.message.startswith("awsJobExecutionsRolloutConfig is empty: ")
    assert "location: not declared (live only)" in failure.text.splitlines()
    assert suite.failures == 6
    assert {p.name: p.value for p in suite.properties()} == {"declared": "no", "live": "yes"}


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


def test_passing_cases_are_rules_evaluated_minus_rules_that_fired(
    xml: JUnitXml, example: Report
) -> None:
    """Per update, passing cases = rules evaluated on it minus rules with findings."""
    titles = {m.rule_id: f"{m.rule_id} {m.title}" for m in ALL_RULES}
    by_suite = suites(xml)
    for audited in example.audited:
        fired = {f.rule_id for f in example.findings if f.ota_update_id == audited.ota_update_id}
        passing = {case.name for case in by_suite[audited.ota_update_id] if case.is_passed}
        expected = {titles[r] for r in example.rules if r not in fired and r != "OTA900"}
        assert passing == expected
        assert len(passing) == UPDATE_RULES - len(fired)


def test_a_rule_with_a_finding_but_not_listed_still_gets_a_case() -> None:
    """A finding of a rule missing from report.rules adds that rule's case to the suite."""
    report = report_of(finding("OTA402"), rules=("OTA101",))
    names = [case.name.split(" ", 1)[0] for case in suites(parse(report))["fw-1"]]
    assert names == ["OTA101", "OTA402"]


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
        "OTA306 Ensure the OTA job aborts when installs fail for gone-1",
        f"{OTA900} for cam-*",
        f"{OTA900} for cam-* (2)",
    ]
    assert [case.result[0].message.split(":", 2)[:2] for case in suite] == [
        ["ota/old.yaml", "9"],
        ["pack.yaml", "4"],
        ["pack.yaml", "9"],
    ]


def test_an_update_named_policy_keeps_its_own_classname() -> None:
    """An update may be named `policy`; the policy suite's classname holds a space, which no
    OTA update id can, so Jenkins shows them as two classes."""
    report = report_of(audited=(AuditedUpdate("policy", Location("ota/fw.yaml", 1), True),))
    classnames = {suite.name: {case.classname for case in suite} for suite in parse(report)}
    assert classnames == {
        "policy": {"ota-drift.policy"},
        "ota-drift: policy": {"ota-drift.policy packs"},
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
    assert [case.name for case in suite] == ["GetOTAUpdate fw-2", "ListOTAUpdates (all)"]
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


def test_hostile_strings_are_escaped() -> None:
    """Markup, quotes and newlines in messages stay text; control characters are escaped."""
    hostile = dataclasses.replace(
        finding(message=HOSTILE + "\x1b[31m\x00", path=HOSTILE),
        drift=DriftValues(desired=HOSTILE, actual=None),
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
    (case,) = [c for c in suites(doc)["fw-1"] if c.name.startswith("OTA306")]
    assert case.name == f"OTA306 Ensure the OTA job aborts when installs fail at {HOSTILE}"
    (failure,) = case.result
    assert failure.message == f"ota/fw.yaml:3: {HOSTILE}\\x1b[31m\\x00"
    assert f"path: {HOSTILE}" in failure.text
    (skipped_case,) = [c for c in suites(doc)["fw-1"] if c.name.startswith("OTA307")]
    assert skipped_case.result[0].message == f"suppressed: {HOSTILE}\\ud800"
    (error_case,) = list(suites(doc)["ota-drift: read errors"])
    assert error_case.result[0].message == f"{HOSTILE}: {HOSTILE}"


def test_output_is_deterministic_with_a_declaration(example: Report) -> None:
    """Two renderings are byte-identical and start with the XML declaration."""
    first = render(example)
    assert first == render(example_report())
    assert first.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="ota-drift"')
    assert first.endswith("</testsuites>\n")


def test_nothing_is_left_out(example: Report) -> None:
    """JUnit carries every finding, so it has no notice to give."""
    assert JunitFormat().notices(example) == []
