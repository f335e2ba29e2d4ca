"""The JUnit XML report, for CI systems that show test results (GitLab, Jenkins, Azure).

One test suite per audited OTA update and one test case per rule evaluated on it: a rule
that found nothing passes, a rule with active findings fails (one `<failure>` per finding),
a rule whose only findings are suppressed is skipped. Findings about policy packs (OTA900,
whose id is a suppression's pattern) get a suite of their own, as do source read errors.
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


def xml_safe(text: str) -> str:
    """`text` with the characters XML 1.0 forbids (NUL, ESC, lone surrogates, U+FFFE) and the
    invisible ones (DEL, C1, bidi overrides) written as escapes; tabs and newlines are kept."""
    return visible(text, multiline=True)


@dataclass
class _Case:
    classname: str
    name: str
    file: str | None = None
    failures: list[Finding] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    error: SourceError | None = None
    skip_reason: str | None = None

    @property
    def outcome(self) -> str:
        if self.error is not None:
            return "error"
        if self.failures:
            return "failure"
        if self.suppressed or self.skip_reason is not None:
            return "skipped"
        return "passed"


@dataclass
class _Suite:
    name: str
    cases: list[_Case]
    properties: dict[str, str] = field(default_factory=dict)

    def count(self, outcome: str) -> int:
        return sum(1 for case in self.cases if case.outcome == outcome)


class JunitFormat:
    """Deterministic XML: suites by update id, cases by rule ID, failures in report order."""

    def notices(self, report: Report) -> list[str]:
        """Nothing is left out of this format."""
        return []

    def render(self, report: Report) -> str:
        root = to_junit(report)
        ET.indent(root, space="  ")
        xml = ET.tostring(root, encoding="unicode")
        return f'<?xml version="1.0" encoding="UTF-8"?>\n{xml}\n'


def to_junit(report: Report) -> ET.Element:
    """The report as a `<testsuites>` element."""
    suites = _suites(report)
    root = ET.Element("testsuites", {"name": "ota-drift"})
    _set_counts(root, [case for suite in suites for case in suite.cases])
    for suite in suites:
        root.append(_suite_element(suite))
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
        suites.append(_Suite(POLICY_SUITE, _cases("ota-drift.policy", policy_rules, policy)))
    if report.errors:
        suites.append(_Suite(ERRORS_SUITE, [_error_case(e) for e in report.errors]))
    if report.skipped:
        suites.append(_Suite(SKIPPED_SUITE, [_skipped_case(s) for s in report.skipped]))
    return suites


def _update_suite(
    update: AuditedUpdate, rules: Sequence[str], findings: Sequence[Finding]
) -> _Suite:
    ota_id = update.ota_update_id
    file = update.declared.file if update.declared else None
    cases = _cases(f"ota-drift.{ota_id}", rules, findings, file)
    properties = {
        "declared": str(update.declared) if update.declared else "no",
        "live": "yes" if update.live else "no",
    }
    return _Suite(ota_id, cases, properties)


def _cases(
    classname: str, rules: Iterable[str], findings: Sequence[Finding], file: str | None = None
) -> list[_Case]:
    """One case per rule (listed or fired), in ID order; findings in report order."""
    cases = {
        rule_id: _Case(classname, _title(rule_id), file)
        for rule_id in sorted({*rules, *(f.rule_id for f in findings)})
    }
    for finding in findings:
        case = cases[finding.rule_id]
        (case.failures if finding.active else case.suppressed).append(finding)
    return list(cases.values())


def _error_case(error: SourceError) -> _Case:
    name = f"{error.operation} {error.ota_update_id or '(all)'}"
    return _Case("ota-drift.read-errors", name, error=error)


def _skipped_case(skipped: SkippedUpdate) -> _Case:
    return _Case("ota-drift.skipped", skipped.ota_update_id, skip_reason=skipped.reason)


def _set_counts(element: ET.Element, cases: Sequence[_Case]) -> None:
    outcomes = [case.outcome for case in cases]
    element.set("tests", str(len(cases)))
    for outcome in ("failures", "skipped", "errors"):
        element.set(outcome, str(outcomes.count(outcome.removesuffix("s"))))


def _suite_element(suite: _Suite) -> ET.Element:
    element = ET.Element("testsuite", {"name": xml_safe(suite.name)})
    _set_counts(element, suite.cases)
    if suite.properties:
        properties = ET.SubElement(element, "properties")
        for name, value in suite.properties.items():
            ET.SubElement(properties, "property", {"name": name, "value": xml_safe(value)})
    for case in suite.cases:
        element.append(_case_element(case))
    return element


def _case_element(case: _Case) -> ET.Element:
    attrs = {"classname": xml_safe(case.classname), "name": xml_safe(case.name)}
    if case.file is not None:
        attrs["file"] = xml_safe(case.file)
    element = ET.Element("testcase", attrs)
    if case.error is not None:
        e = case.error
        error = ET.SubElement(
            element,
            "error",
            {"message": xml_safe(f"{e.code}: {e.message}"), "type": xml_safe(e.code)},
        )
        error.text = xml_safe(
            f"could not read {e.ota_update_id or '(all)'}: {e.operation} failed with "
            f"{e.code}: {e.message}"
        )
        return element
    for finding in case.failures:
        failure = ET.SubElement(
            element,
            "failure",
            {"message": xml_safe(finding.message), "type": finding.severity.value},
        )
        failure.text = xml_safe(details(finding))
    if case.skip_reason is not None:
        ET.SubElement(element, "skipped", {"message": xml_safe(f"skipped: {case.skip_reason}")})
    elif case.suppressed and not case.failures:
        reasons = dict.fromkeys(_suppressed_reason(f) for f in case.suppressed)
        skipped = ET.SubElement(
            element, "skipped", {"message": xml_safe(f"suppressed: {'; '.join(reasons)}")}
        )
        skipped.text = xml_safe("\n\n".join(details(f) for f in case.suppressed))
    elif case.suppressed:
        out = ET.SubElement(element, "system-out")
        out.text = xml_safe("\n\n".join(details(f) for f in case.suppressed))
    return element


def _suppressed_reason(finding: Finding) -> str:
    return finding.suppressed.reason if finding.suppressed else ""


def details(finding: Finding) -> str:
    """The body of a failure: everything a reader needs without opening the JSON report."""
    where = str(finding.location) if finding.location else "not declared (live only)"
    lines = [
        f"{finding.rule_id} ({finding.severity.value}, {finding.source}): {finding.message}",
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
