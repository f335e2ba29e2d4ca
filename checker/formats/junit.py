"""The JUnit XML report, for CI systems that show test results (GitLab, Jenkins, Azure).

Valid against `junit-10.xsd`, the schema Jenkins' xunit plugin publishes (vendored in
`tests/schemas/`). It requires `name`, `tests`, `failures` and `errors` on `testsuite`, `name`
on `testcase`, `name` and `value` on `property`, nothing on `testsuites`; it has no `file`
attribute on `testcase` and no `skipped` on `testsuites`, so neither is written. No `time`
either (optional everywhere): an audit runs no timed test.

Layout. One `testsuite` per audited OTA update, named by its id, with `declared`/`live`
properties. In it, for each rule evaluated on the update, in ID order: one passing testcase
`<ruleId> <title>` when the rule found nothing, else one testcase per finding, named
`<ruleId> <title> at <path>` (no ` at` for a finding on the whole update). Every testcase has at
most one child, so every consumer counts and shows every finding (junit2html keeps the last
`<failure>` of a testcase, Jenkins the first):
- an active finding: `<failure type="<severity>" message="<file:line>: <message>">`, its text the
  same line and then the details (rule, update, path, location, drift, references);
- a suppressed finding: `<skipped message="suppressed: <reason>">`, the details as its text.
Names carry neither line nor message, so a finding keeps its name while the file around it is
edited, and GitLab compares it across branches as one test; a name that would repeat in a suite
gets ` (2)`, ` (3)`. Findings about policy packs (OTA900, whose id is a suppression's pattern)
go to the suite `ota-drift: policy`, named `... for <pattern>`; source read errors are
`<error>` testcases in `ota-drift: read errors`; updates a source left out on purpose are
skipped testcases in `ota-drift: skipped updates`. Every `failure`, `error` and `skipped` has
text: GitLab shows only that text (an element with attributes and no text reaches it as a
hash), Jenkins shows `skipped`'s `message`. `type` is only ever a severity word: GitLab's
XML-to-hash conversion reads `type` as a type cast (`integer`, `yaml`, ...), so an error code
from AWS cannot go there.

Classnames are `ota-drift.<otaUpdateId>`, and `ota-drift.policy packs`, `ota-drift.read
errors`, `ota-drift.skipped updates` for the other suites (a space, which no OTA update id
holds, keeps them apart from an update named `policy`). Jenkins splits a classname at its last
dot: package `ota-drift`, one class per update (update ids hold no dot).

What each consumer shows, from which element:
- GitLab (docs.gitlab.com/ci/testing/unit_test_reports, `lib/gitlab/ci/parsers/test/junit.rb`):
  Suite column = testcase `classname`; Name = testcase `name`; status from the `failure`,
  `error` or `skipped` child; "System output" in the details dialog = that child's text
  (followed by `system-out`/`system-err` for failures and errors); the failure `message` and
  `type` attributes, testsuite `name` and properties are not shown. File (testcase `file`) and
  "Copy failed tests" stay empty: the schema has no `file`, so `file:line` is in the text.
  Tests with the same suite, classname and name are merged into the first.
- Jenkins junit plugin (`CaseResult.java`, `CaseResult/test-output.jelly`), also behind the
  xunit plugin: package and class from `classname` split at the last dot, test from `name`;
  on a test's page "Error Details" = `message` of the first `error` or `failure`, "Stack Trace"
  = its text, "Skip Message" = `skipped`'s `message` (its text when there is none), "Standard
  Output" = `system-out`, and "(from <testsuite name>)" when it differs from the classname.

Built with ElementTree, so every message is escaped; characters XML 1.0 cannot carry at all
(control characters, lone surrogates) and invisible ones (bidi overrides) are written as
escapes (`\\x1b`, `\\u202e`, `checker.textsafe`).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from checker.formats.json import json_safe
from checker.model import AuditedUpdate, Finding, Report, SkippedUpdate, SourceError
from checker.rules.registry import META_BY_ID
from checker.textsafe import visible

POLICY_SUITE = "ota-drift: policy"
ERRORS_SUITE = "ota-drift: read errors"
SKIPPED_SUITE = "ota-drift: skipped updates"
CLASS_PREFIX = "ota-drift."
POLICY_CLASS = "ota-drift.policy packs"
ERRORS_CLASS = "ota-drift.read errors"
SKIPPED_CLASS = "ota-drift.skipped updates"


def xml_safe(text: str) -> str:
    """`text` with the characters XML 1.0 forbids (NUL, ESC, lone surrogates, U+FFFE) and the
    invisible ones (DEL, C1, bidi overrides) written as escapes; tabs and newlines are kept."""
    return visible(text, multiline=True)


@dataclass(frozen=True)
class _Case:
    name: str
    result: ET.Element | None = None
    """The one `failure`, `error` or `skipped` child; None for a passing case."""


@dataclass
class _Suite:
    name: str
    classname: str
    cases: list[_Case]
    properties: dict[str, str] = field(default_factory=dict)


class JunitFormat:
    """Deterministic XML: suites by update id, cases by rule ID, findings in report order."""

    def notices(self, report: Report) -> list[str]:
        """Nothing is left out of this format."""
        return []

    def render(self, report: Report) -> str:
        root = to_junit(report)
        ET.indent(root, space="  ")
        xml = ET.tostring(root, encoding="unicode")
        return f'<?xml version="1.0" encoding="UTF-8"?>\n{xml}\n'


def to_junit(report: Report) -> ET.Element:
    """The report as a `<testsuites>` element, its totals the sums of its suites' counts."""
    suites = [_suite_element(suite) for suite in _suites(report)]
    root = ET.Element("testsuites", {"name": "ota-drift"})
    for count in ("tests", "failures", "errors"):  # junit-10.xsd has no `skipped` here
        root.set(count, str(sum(int(suite.get(count, "0")) for suite in suites)))
    root.extend(suites)
    return root


def _is_policy_rule(rule_id: str) -> bool:
    meta = META_BY_ID.get(rule_id)
    return meta is not None and meta.applies_to == "checker"


def _title(rule_id: str) -> str:
    meta = META_BY_ID.get(rule_id)
    return f"{rule_id} {meta.title}" if meta else rule_id


def _suites(report: Report) -> list[_Suite]:
    audited = {a.ota_update_id: a for a in report.audited}
    by_update: dict[str, list[Finding]] = {}
    policy: list[Finding] = []
    for finding in report.findings:
        if _is_policy_rule(finding.rule_id) or finding.ota_update_id not in audited:
            policy.append(finding)
        else:
            by_update.setdefault(finding.ota_update_id, []).append(finding)
    update_rules = [r for r in report.rules if not _is_policy_rule(r)]
    suites = [
        _update_suite(audited[ota_id], update_rules, by_update.get(ota_id, []))
        for ota_id in sorted(audited)
    ]
    policy_rules = [r for r in report.rules if _is_policy_rule(r)]
    if policy_rules or policy:
        cases = _cases(policy_rules, policy, own_suite=False)
        suites.append(_Suite(POLICY_SUITE, POLICY_CLASS, cases))
    if report.errors:
        suites.append(_Suite(ERRORS_SUITE, ERRORS_CLASS, [_error_case(e) for e in report.errors]))
    if report.skipped:
        cases = [_skipped_case(s) for s in report.skipped]
        suites.append(_Suite(SKIPPED_SUITE, SKIPPED_CLASS, cases))
    return suites


def _update_suite(
    update: AuditedUpdate, rules: Sequence[str], findings: Sequence[Finding]
) -> _Suite:
    properties = {
        "declared": str(update.declared) if update.declared else "no",
        "live": "yes" if update.live else "no",
    }
    cases = _cases(rules, findings, own_suite=True)
    return _Suite(update.ota_update_id, CLASS_PREFIX + update.ota_update_id, cases, properties)


def _cases(rules: Iterable[str], findings: Sequence[Finding], *, own_suite: bool) -> list[_Case]:
    """Per rule (listed or fired), in ID order: a case per finding, in report order, or a
    passing case when it found nothing. `own_suite`: the suite is the findings' update's."""
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    cases: list[_Case] = []
    for rule_id in sorted({*rules, *by_rule}):
        fired = by_rule.get(rule_id)
        if not fired:
            cases.append(_Case(_title(rule_id)))
        cases.extend(_Case(_finding_name(f, own_suite), _finding_result(f)) for f in fired or ())
    return cases


def _finding_name(finding: Finding, own_suite: bool) -> str:
    """Stable across runs: rule, title, path (and update), never the line or the message."""
    name = _title(finding.rule_id)
    if finding.path:
        name += f" at {finding.path}"
    if not own_suite:
        name += f" for {finding.ota_update_id}"
    return name


def headline(finding: Finding) -> str:
    """`file:line: message`, or the message alone for an update nobody declared."""
    return f"{finding.location}: {finding.message}" if finding.location else finding.message


def _finding_result(finding: Finding) -> ET.Element:
    if finding.suppressed is None:
        attrs = {"message": xml_safe(headline(finding)), "type": finding.severity.value}
        element = ET.Element("failure", attrs)
    else:
        reason = xml_safe(f"suppressed: {finding.suppressed.reason}")
        element = ET.Element("skipped", {"message": reason})
    element.text = xml_safe(details(finding))
    return element


def _error_case(error: SourceError) -> _Case:
    target = error.ota_update_id or "(all)"
    element = ET.Element("error", {"message": xml_safe(f"{error.code}: {error.message}")})
    element.text = xml_safe(
        f"could not read {target}: {error.operation} failed with {error.code}: {error.message}"
    )
    return _Case(f"{error.operation} {target}", element)


def _skipped_case(skipped: SkippedUpdate) -> _Case:
    element = ET.Element("skipped", {"message": xml_safe(f"skipped: {skipped.reason}")})
    element.text = xml_safe(f"{skipped.ota_update_id} was left out of the audit: {skipped.reason}")
    return _Case(skipped.ota_update_id, element)


def _unique(names: Iterable[str]) -> list[str]:
    """The names in order, a repeat suffixed ` (2)`, ` (3)`: consumers merge same-named tests."""
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        unique, n = name, 1
        while unique in seen:
            n += 1
            unique = f"{name} ({n})"
        seen.add(unique)
        out.append(unique)
    return out


def _suite_element(suite: _Suite) -> ET.Element:
    outcomes = [case.result.tag for case in suite.cases if case.result is not None]
    element = ET.Element(
        "testsuite",
        {
            "name": xml_safe(suite.name),
            "tests": str(len(suite.cases)),
            "failures": str(outcomes.count("failure")),
            "errors": str(outcomes.count("error")),
            "skipped": str(outcomes.count("skipped")),
        },
    )
    if suite.properties:
        properties = ET.SubElement(element, "properties")
        for name, value in suite.properties.items():
            ET.SubElement(properties, "property", {"name": name, "value": xml_safe(value)})
    classname = xml_safe(suite.classname)
    names = _unique(xml_safe(case.name) for case in suite.cases)
    for case, name in zip(suite.cases, names, strict=True):
        testcase = ET.SubElement(element, "testcase", {"classname": classname, "name": name})
        if case.result is not None:
            testcase.append(case.result)
    return element


def details(finding: Finding) -> str:
    """The text of a failure or suppressed skip: its headline, then everything a reader needs
    without opening the JSON report. GitLab shows this text and nothing else of the finding."""
    where = str(finding.location) if finding.location else "not declared (live only)"
    lines = [
        headline(finding),
        f"rule: {finding.rule_id} ({finding.severity.value}, {finding.source})",
        f"otaUpdateId: {finding.ota_update_id}",
        f"path: {finding.path or '(whole update)'}",
        f"location: {where}",
    ]
    if finding.drift is not None:
        lines.append(
            f"desired → actual: {_json(finding.drift.desired)} → {_json(finding.drift.actual)}"
        )
    if finding.suppressed is not None:
        until = finding.suppressed.expires
        lines.append(
            f"suppressed{f' until {until.isoformat()}' if until else ''}: "
            f"{finding.suppressed.reason}"
        )
    if finding.references:
        lines.append("references:")
        lines.extend(f"  - {ref}" for ref in finding.references)
    return "\n".join(lines)


def _json(value: object) -> str:
    return json.dumps(json_safe(value), ensure_ascii=False, sort_keys=True, allow_nan=False)
