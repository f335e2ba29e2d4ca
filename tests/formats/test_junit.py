"""The JUnit XML report: a suite per OTA update, a case per rule, counts that add up."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from typing import Any

import pytest
from junitparser import Error, Failure, JUnitXml, Skipped, TestCase, TestSuite

from checker.formats.junit import JunitFormat
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
from tests.formats.golden import example_report

FW_YAML = Location("ota/fw.yaml", 3)
HOSTILE = (
    '"><img src=x onerror=alert(1)> </script> a|b `rm -rf` line1\nline2 & '
    "\u00fcml\u00e4ut \U0001f525"
)
UPDATE_RULES = 24
"""Rules evaluated on each update in the example: all but OTA900, which checks policy packs."""


@pytest.fixture(scope="module")
def example() -> Report:
    return example_report()


@pytest.fixture(scope="module")
def xml(example: Report) -> JUnitXml:
    return parse(example)


def parse(report: Report) -> JUnitXml:
    return JUnitXml.fromstring(JunitFormat().render(report).encode("utf-8"))


def suites(doc: JUnitXml) -> dict[str, TestSuite]:
    return {suite.name: suite for suite in doc}


def cases(suite: TestSuite) -> dict[str, TestCase]:
    return {case.name.split(" ", 1)[0]: case for case in suite}


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


def outcome(case: TestCase) -> str:
    kinds = {type(r) for r in case.result}
    if Error in kinds:
        return "error"
    if Failure in kinds:
        return "failure"
    if Skipped in kinds:
        return "skipped"
    return "passed"


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


def test_suite_counts_agree_with_their_cases(xml: JUnitXml) -> None:
    """Each suite's tests/failures/skipped/errors equal what its cases say."""
    for suite in xml:
        outcomes = [outcome(case) for case in suite]
        assert suite.tests == len(outcomes)
        assert suite.failures == outcomes.count("failure")
        assert suite.skipped == outcomes.count("skipped")
        assert suite.errors == outcomes.count("error")


def test_total_counts_are_the_sums_of_the_suites(xml: JUnitXml) -> None:
    """The `<testsuites>` totals are the sums over its suites (169 cases, 27 failing, 1 skipped)."""
    listed = list(xml)
    assert xml.tests == sum(s.tests for s in listed) == 7 * UPDATE_RULES + 1 == 169
    assert xml.failures == sum(s.failures for s in listed) == 27
    assert xml.skipped == sum(s.skipped for s in listed) == 1
    assert xml.errors == sum(s.errors for s in listed) == 0


def test_cases_are_named_by_rule_and_classed_by_update(xml: JUnitXml) -> None:
    """gw-fw-3's cases are `ota-drift.gw-fw-3` / `<ruleId> <title>`, one per update rule."""
    suite = suites(xml)["gw-fw-3"]
    names = [case.name for case in suite]
    assert names == [f"{m.rule_id} {m.title}" for m in ALL_RULES if m.rule_id != "OTA900"]
    assert {case.classname for case in suite} == {"ota-drift.gw-fw-3"}


def test_a_failure_per_active_finding_with_its_message(xml: JUnitXml, example: Report) -> None:
    """Every active finding is a `<failure>` with its message and severity as type."""
    by_suite = suites(xml)
    active = [f for f in example.findings if f.active]
    failures = [r for suite in xml for case in suite for r in case.result if isinstance(r, Failure)]
    assert len(failures) == len(active) == 28
    for f in active:
        suite = (
            by_suite[f.ota_update_id] if f.rule_id != "OTA900" else by_suite["ota-drift: policy"]
        )
        case = cases(suite)[f.rule_id]
        assert (f.message, f.severity.value) in [
            (r.message, r.type) for r in case.result if isinstance(r, Failure)
        ]


def test_several_findings_of_one_rule_are_several_failures_in_one_case(xml: JUnitXml) -> None:
    """gw-fw-4's two OTA001 drifts are two failures of the one OTA001 case, in report order."""
    case = cases(suites(xml)["gw-fw-4"])["OTA001"]
    assert [r.message for r in case.result] == [
        "awsJobExecutionsRolloutConfig.maximumPerMinute: declared 10, live 100",
        "targets: live also has arn:aws:iot:eu-central-1:123456789012:thinggroup/gateways",
    ]
    assert case.result[0].text == (
        "OTA001 (high, drift): awsJobExecutionsRolloutConfig.maximumPerMinute: "
        "declared 10, live 100\n"
        "otaUpdateId: gw-fw-4\n"
        "path: awsJobExecutionsRolloutConfig.maximumPerMinute\n"
        "location: examples/ota/gateways.yaml:41\n"
        "desired → actual: 10 → 100"
    )


def test_failure_details_carry_references(xml: JUnitXml) -> None:
    """A rule finding lists its references in the failure text."""
    (failure,) = cases(suites(xml)["gw-fw-3"])["OTA202"].result
    assert failure.text.splitlines()[-2:] == [
        "references:",
        "  - AWS IoT API reference, AwsJobPresignedUrlConfig.expiresInSec: "
        "60-3600 seconds, default 1800",
    ]


def test_unmanaged_update_failures_say_where_they_come_from(xml: JUnitXml) -> None:
    """lab-fw-test has no declared file: its failures say it is live only."""
    suite = suites(xml)["lab-fw-test"]
    (failure,) = cases(suite)["OTA101"].result
    assert "location: not declared (live only)" in failure.text.splitlines()
    assert suite.failures == 6
    assert {p.name: p.value for p in suite.properties()} == {"declared": "no", "live": "yes"}


def test_cases_name_the_declared_file_when_there_is_one(example: Report) -> None:
    """Cases of a declared update carry `file`; those of an unmanaged update do not."""
    root = ET.fromstring(JunitFormat().render(example).encode("utf-8"))
    declared = root.findall("testsuite[@name='gw-fw-3']/testcase")
    unmanaged = root.findall("testsuite[@name='lab-fw-test']/testcase")
    assert {case.get("file") for case in declared} == {"examples/ota/gateways.yaml"}
    assert len(unmanaged) == UPDATE_RULES
    assert {case.get("file") for case in unmanaged} == {None}


def test_a_suppressed_only_rule_is_skipped_with_its_reason(xml: JUnitXml) -> None:
    """gw-fw-4's suppressed OTA401 is skipped, with `suppressed: <reason>` as the message."""
    case = cases(suites(xml)["gw-fw-4"])["OTA401"]
    (skipped,) = case.result
    assert isinstance(skipped, Skipped)
    assert skipped.message == (
        "suppressed: Pilot gateways join the pilot group one by one; continuous targeting "
        "approved in security review SR-142"
    )
    assert "suppressed until 2027-03-31: Pilot gateways" in skipped.text


def test_active_and_suppressed_findings_of_one_rule_fail() -> None:
    """An active finding wins: the case fails and the suppressed one goes to system-out."""
    report = report_of(
        finding(path="a"),
        finding(path="b", suppressed=Suppressed("ok for now", date(2027, 1, 1))),
    )
    case = cases(suites(parse(report))["fw-1"])["OTA306"]
    assert [type(r) for r in case.result] == [Failure]
    assert "suppressed until 2027-01-01: ok for now" in case.system_out


def test_passing_cases_are_rules_evaluated_minus_rules_that_fired(
    xml: JUnitXml, example: Report
) -> None:
    """Per update, passing cases = rules evaluated on it minus distinct rules with findings."""
    by_suite = suites(xml)
    for audited in example.audited:
        suite = by_suite[audited.ota_update_id]
        fired = {f.rule_id for f in example.findings if f.ota_update_id == audited.ota_update_id}
        passing = [case for case in suite if case.is_passed]
        assert len(passing) == UPDATE_RULES - len(fired)
        assert {case.name.split(" ")[0] for case in passing}.isdisjoint(fired)


def test_a_rule_with_a_finding_but_not_listed_still_gets_a_case() -> None:
    """A finding of a rule missing from report.rules adds that rule's case to the suite."""
    report = report_of(finding("OTA402"), rules=("OTA101",))
    assert list(cases(suites(parse(report))["fw-1"])) == ["OTA101", "OTA402"]


def test_expired_suppression_is_in_the_policy_suite(xml: JUnitXml) -> None:
    """OTA900 (id `cam-fw-*`, not an audited update) fails in `ota-drift: policy`."""
    suite = suites(xml)["ota-drift: policy"]
    (case,) = list(suite)
    assert case.classname == "ota-drift.policy"
    assert case.name == "OTA900 Ensure suppressions are reviewed before they expire"
    (failure,) = case.result
    assert failure.type == "low"
    assert failure.message.startswith("the suppression of OTA306 for cam-fw-* expired on ")
    assert "location: examples/policy.yaml:14" in failure.text.splitlines()


def test_policy_suite_passes_when_no_suppression_expired() -> None:
    """With OTA900 evaluated and silent, the policy suite holds one passing case."""
    suite = suites(parse(report_of()))["ota-drift: policy"]
    assert [(case.name.split(" ")[0], case.is_passed) for case in suite] == [("OTA900", True)]


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
    (error,) = next(iter(suite)).result
    assert isinstance(error, Error)
    assert error.message == "AccessDeniedException: not authorised"
    assert error.type == "AccessDeniedException"
    assert error.text == (
        "could not read fw-2: GetOTAUpdate failed with AccessDeniedException: not authorised"
    )
    assert doc.errors == 2


def test_skipped_updates_are_skipped_cases() -> None:
    """An update the source left out on purpose is a skipped case with the reason."""
    report = report_of(skipped=(SkippedUpdate("fw-9", "deleted while the audit ran"),))
    suite = suites(parse(report))["ota-drift: skipped updates"]
    (case,) = list(suite)
    assert case.name == "fw-9"
    assert case.result[0].message == "skipped: deleted while the audit ran"
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
    text = JunitFormat().render(report)
    assert "<img" not in text
    assert "</script>" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    root = ET.fromstring(text.encode("utf-8"))
    assert [e.tag for e in root.iter() if e.tag in {"img", "script"}] == []
    doc = parse(report)
    case = cases(suites(doc)["fw-1"])["OTA306"]
    (failure,) = case.result
    assert failure.message == HOSTILE + "\\x1b[31m\\x00"
    assert f"path: {HOSTILE}" in failure.text
    skipped = cases(suites(doc)["fw-1"])["OTA307"].result[0]
    assert skipped.message == f"suppressed: {HOSTILE}\\ud800"
    (error_case,) = list(suites(doc)["ota-drift: read errors"])
    assert error_case.result[0].message == f"{HOSTILE}: {HOSTILE}"


def test_output_is_deterministic_with_a_declaration(example: Report) -> None:
    """Two renderings are byte-identical and start with the XML declaration."""
    first = JunitFormat().render(example)
    assert first == JunitFormat().render(example_report())
    assert first.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="ota-drift"')
    assert first.endswith("</testsuites>\n")
