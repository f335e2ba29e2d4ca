"""The JUnit XML report, for CI systems that show test results (GitLab, Jenkins, Azure).

Valid against `junit-10.xsd`, the schema Jenkins' xunit plugin publishes (vendored in
`tests/schemas/`). It requires `name`, `tests`, `failures` and `errors` on `testsuite`, `name`
on `testcase`, `name` and `value` on `property`, nothing on `testsuites`; it has no `file`
attribute on `testcase` and no `skipped` on `testsuites`, so neither is written. No `time`
either (optional everywhere): an audit runs no timed test.

Layout. One `testsuite` per audited OTA update, named by its id, with `declared`/`live`
properties. In it, in rule ID order: for each rule judged on the update (`AuditedUpdate.rules`,
or `Report.rules` when a report does not say) that found nothing, one passing testcase
`<ruleId> <title>`; for each finding, whatever its rule, one testcase named
`<ruleId> <title> at <path>` (no ` at` for a finding on the whole update). A rule that was not
judged on an update (its side was not read, the source reads no job config, the policy ignores
the update's drift) gets no testcase there: it neither passed nor failed. Every testcase has at
most one child, so every consumer counts and shows every finding (junit2html keeps the last
`<failure>` of a testcase, Jenkins the first):
- an active finding: `<failure type="<severity>" message="<file:line>: <message>">`, its text the
  same line and then the details (rule, update, path, location, drift, references); a finding
  on an update nobody declared has no file, and its headline starts `not declared (live only): `;
- a suppressed finding: `<skipped message="suppressed: <reason>">`, the details as its text.
Findings about policy packs (OTA900, whose id is a suppression's pattern) and findings on
updates that were not audited go to the suite `ota-drift: policy`, named `... for <id>`; source
read errors are `<error>` testcases in `ota-drift: read errors`; updates a source left out on
purpose are skipped testcases in `ota-drift: skipped updates`. The last suite, `ota-drift:
summary`, always holds one testcase, `ota-drift <command>`: Jenkins' `junit` step fails a build
on a file without any test result unless `allowEmptyResults` is set, and a clean audit of no
updates is not a broken build. Every `failure`, `error` and `skipped` has text: GitLab shows
only that text (an element with attributes and no text reaches it as a hash), Jenkins shows
`skipped`'s `message`. `type` is only ever a severity word: GitLab's XML-to-hash conversion reads
`type` as a type cast (`integer`, `yaml`, ...), so an error code from AWS cannot go there.

A fleet report (`--fleet`) names each update by its partition too, since two accounts may
both have `fw-1`: its suite is `<account>/<region>/<otaUpdateId>` (`111122223333/eu-west-1/fw-1`)
and its classname `ota-drift.<account>/<region>/<otaUpdateId>`, and the details of a finding
say `account:` and `region:`. Read errors go to a suite per partition, named
`<account>/<region>` (classname `ota-drift.<account>/<region>`), where a partition that could
not be read at all (its role could not be assumed: no update of it was audited) is seen beside
the other partitions; skipped updates and policy findings on updates that were not audited are
named `<account>/<region>/<otaUpdateId>`. The summary suite's properties count the partitions
and those not wholly read.

Names carry neither line nor message, so a finding keeps its name while the file around it is
edited, and GitLab compares it across branches as one test. Findings of one rule on one path
from different sides are told apart by their side, ` (declared)`, ` (live)`, ` (both)`, and
only then (a name that gains the suffix when the other side's finding appears is the price of
not renaming every finding of a rule that is judged on both sides). Names that still repeat in
a suite (same rule, path and side) are numbered ` (2)`, ` (3)` in the order of their
messages, so the number depends on the other findings of that name, never on the order the
rules emitted them. Names are unique per suite and classname, which GitLab needs: it keys tests
by suite, classname and name (`Gitlab::Ci::Reports::TestCase#key`), and a later test with the
key and status of an earlier one replaces it (`TestSuite#add_test_case`; the docs put it as
"only the first test is used").

Classnames are `ota-drift.<otaUpdateId>`, and `ota-drift.policy packs`, `ota-drift.read
errors`, `ota-drift.skipped updates`, `ota-drift.audit summary` for the other suites (a space,
which no OTA update id holds, keeps them apart from an update named `policy`). Jenkins splits a
classname at its last dot: package `ota-drift`, one class per update (update ids hold no dot).

Within GitLab's limits (GITLAB_DOCS): a JUnit file must be "smaller than 30 MB", all JUnit files
of a job "under 100 MB" (a job that writes other JUnit files must add them up itself), and
GitLab.com parses at most 500,000 test cases a report (its parser
counts every `testcase` element of a file, duplicates too). A report over `max_bytes` (default
DEFAULT_MAX_BYTES) or `max_testcases` (default GITLAB_MAX_TESTCASES) is written without its
passing testcases (they carry no finding); if that is still too much, the least severe findings
go too (`_keep_order`: read errors first, then findings most severe first, active before
suppressed; skipped updates last), so everything listed is at least as severe as anything left
out. A suite with nothing left to list is left out; one that lost cases says how many in its
properties `passingRulesNotListed` and `findingsNotListed`. The summary testcase is then a
`<skipped>` whose message counts what was left out by severity, and `notices` gives the same
line for stderr. Each testcase is rendered once; the choice sums their sizes.

What each consumer shows, from which element:
- GitLab (GITLAB_DOCS, `lib/gitlab/ci/parsers/test/junit.rb`): Suite column = testcase
  `classname`; Name = testcase `name`; status from the `failure`, `error` or `skipped` child;
  "System output" in the details dialog = that child's text (followed by `system-out`/
  `system-err` for failures and errors); the failure `message` and `type` attributes, testsuite
  `name` and properties are not shown. File (testcase `file`) and "Copy failed tests" stay
  empty: the schema has no `file`, so `file:line` is in the text.
- Jenkins junit plugin (`CaseResult.java`, `CaseResult/test-output.jelly`), also behind the
  xunit plugin: package and class from `classname` split at the last dot, test from `name`;
  on a test's page "Error Details" = `message` of the first `error` or `failure`, "Stack Trace"
  = its text, "Skip Message" = `skipped`'s `message` (its text when there is none), "Standard
  Output" = `system-out`, and "(from <testsuite name>)" when it differs from the classname.

Written as ElementTree writes (the same layout, the same escaping of `&`, `<`, `>`, `"`), a
testcase at a time so that each is rendered once. Names, classnames, property values and
`message` attributes are one line: control characters (newlines and tabs included), lone
surrogates, which XML 1.0 cannot carry, and invisible characters (bidi overrides) are written as
escapes (`\\n`, `\\x1b`, `\\u202e`, `checker.textsafe.visible`). Element text is lines joined
by newlines, each line escaped the same way, so no value (a file name, a path, a message) can
split the `file:line` headline or forge a line of the details.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from checker.formats.common import incomplete_partitions, plural
from checker.jsonsafe import json_line
from checker.model import (
    AuditedUpdate,
    Finding,
    Partition,
    Report,
    Severity,
    SkippedUpdate,
    SourceError,
    most_severe_first,
    partition_key,
)
from checker.rules.registry import META_BY_ID
from checker.textsafe import visible

GITLAB_DOCS = "https://docs.gitlab.com/ci/testing/unit_test_reports/"
"""GitLab's unit test reports, "File format and size limits": each file "smaller than 30 MB",
"a total size under 100 MB for all JUnit files in a job", and for test cases "Maximum test cases
per unit test report" on GITLAB_COM_DOCS."""
GITLAB_COM_DOCS = "https://docs.gitlab.com/user/gitlab_com/"
"""GitLab.com settings, CI/CD: 500,000 test cases per unit test report (issue
gitlab-org/gitlab#247886, "500,000 tests per file"); Self-Managed instances set their own."""
GITLAB_MAX_FILE_BYTES = 30_000_000
""""Smaller than 30 MB per individual file" (GITLAB_DOCS), read as 10^6 bytes: GitLab's code
writes its limits as Ruby `n.megabytes` (MiB), and 30 MiB (31,457,280 bytes) is the larger of
the two readings."""
GITLAB_MAX_TESTCASES = 500_000
"""Test cases GitLab.com parses in one report (GITLAB_COM_DOCS); more and the parser fails
with "number of test cases exceeded the limit"."""
DEFAULT_MAX_BYTES = 29_000_000
"""The default budget: 1 MB under the smaller reading of GITLAB_MAX_FILE_BYTES, so the file is
"smaller than" 30 MB however GitLab counts, with room to spare for stdout's newline translation
on Windows (a byte a line: 0.3 MB on the 10,000-update benchmark fleet)."""

POLICY_SUITE = "ota-drift: policy"
ERRORS_SUITE = "ota-drift: read errors"
SKIPPED_SUITE = "ota-drift: skipped updates"
SUMMARY_SUITE = "ota-drift: summary"
CLASS_PREFIX = "ota-drift."
POLICY_CLASS = "ota-drift.policy packs"
ERRORS_CLASS = "ota-drift.read errors"
SKIPPED_CLASS = "ota-drift.skipped updates"
SUMMARY_CLASS = "ota-drift.audit summary"
NOT_DECLARED = "not declared (live only)"
"""Where a headline names `file:line`, for a finding on an update nobody declared."""
SEVERITIES = sorted(Severity, key=lambda s: -s.rank)
"""Most severe first, the order counts are written in."""


@dataclass(frozen=True)
class _Result:
    """The one child of a testcase that did not pass; its values already `visible`."""

    tag: str
    """`failure`, `error` or `skipped`."""
    message: str
    text: str
    type: str | None = None
    """A severity word, for failures only."""


@dataclass(frozen=True)
class _Case:
    name: str
    result: _Result | None = None
    """None for a passing case."""
    finding: Finding | None = None

    @property
    def outcome(self) -> str:
        return "passed" if self.result is None else self.result.tag


@dataclass
class _Suite:
    name: str
    classname: str
    cases: list[_Case]
    properties: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Written:
    """One testcase as it is written (rendered once), with its size in UTF-8 bytes."""

    case: _Case
    text: str
    size: int


@dataclass(frozen=True)
class _LeftOut:
    """What a limited report does not list."""

    findings: int
    """Findings in the report, listed or not."""
    listed: int
    """Of those, how many are listed."""
    by_severity: Counter[Severity]
    """Findings not listed, by severity."""
    suppressed: int
    """Of those, how many are suppressed."""
    passing: int
    errors: int
    skipped: int

    def note(self, why: str) -> str:
        """One line: what is listed, what is not, by severity, and why."""
        left = sum(self.by_severity.values())
        findings = plural(self.findings, "finding")
        if left:
            counts = ", ".join(
                f"{self.by_severity[s]:,} {s.value}" for s in SEVERITIES if self.by_severity[s]
            )
            if self.suppressed:
                counts += f"; {self.suppressed:,} of them suppressed"
            listed = f"the {self.listed:,} most severe of {findings} (left out: {counts})"
        else:
            listed = f"all {findings}"
        passing = "no passing testcase"
        if self.passing:
            passing = f"none of its {plural(self.passing, 'passing testcase')}"
        text = f"JUnit report lists {listed} and {passing}"
        others = [plural(self.errors, "read error")] if self.errors else []
        others += [plural(self.skipped, "skipped update")] if self.skipped else []
        if others:
            text += f"; not listed either: {', '.join(others)}"
        return f"{text}, to stay within {why}"


@dataclass(frozen=True)
class _Rendering:
    text: str
    note: str | None
    """What was left out, in one line; None when everything is listed."""


class JunitFormat:
    """Deterministic XML: suites by update id, cases by rule ID, findings in report order,
    within `max_bytes` UTF-8 bytes and `max_testcases` testcases (GitLab's limits by default)."""

    def __init__(self, max_bytes: int | None = None, max_testcases: int | None = None) -> None:
        for name, value in (("max_bytes", max_bytes), ("max_testcases", max_testcases)):
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1, not {value}")
        self.max_bytes = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
        self.max_testcases = GITLAB_MAX_TESTCASES if max_testcases is None else max_testcases
        self._last: tuple[Report, _Rendering] | None = None

    def notices(self, report: Report) -> list[str]:
        """The left-out line, when the report was over a limit; else nothing."""
        note = self._rendering(report).note
        return [] if note is None else [note]

    def render(self, report: Report) -> str:
        return self._rendering(report).text

    def _rendering(self, report: Report) -> _Rendering:
        """`render` and `notices` of one report share one rendering."""
        if self._last is None or self._last[0] is not report:
            self._last = (report, _render(report, self.max_bytes, self.max_testcases, self._why()))
        return self._last[1]

    def _why(self) -> str:
        if (self.max_bytes, self.max_testcases) == (DEFAULT_MAX_BYTES, GITLAB_MAX_TESTCASES):
            return (
                f"GitLab's limits: JUnit files smaller than {GITLAB_MAX_FILE_BYTES // 10**6} MB, "
                f"at most {GITLAB_MAX_TESTCASES:,} test cases ({GITLAB_DOCS})"
            )
        return f"{plural(self.max_bytes, 'byte')} and {plural(self.max_testcases, 'test case')}"


def _render(report: Report, max_bytes: int, max_testcases: int, why: str) -> _Rendering:
    """Everything when it fits; else no passing case and the findings that fit, most severe
    first. Each case is rendered once; the choice adds up sizes."""
    suites = _suites(report)
    written = [_written(suite) for suite in suites]
    full = _document(report, suites, written, None)
    cases = sum(len(suite.cases) for suite in suites) + 1  # and the summary's
    if len(full.encode("utf-8")) <= max_bytes and cases <= max_testcases:
        return _Rendering(full, None)
    keep = _choose(
        report, suites, written, max_bytes=max_bytes, max_testcases=max_testcases, why=why
    )
    left = _left_out(report, written, keep)
    text = _document(report, suites, written, keep, left=left, why=why)
    return _Rendering(text, left.note(why))


def _keep_order(case_kind: str, finding: Finding | None) -> tuple[Any, ...]:
    """Which testcases a limited report keeps first: read errors (the audit is incomplete),
    then findings most severe first, active before suppressed, then by update, rule, path,
    side, message and location (so the order does not depend on the order findings came in),
    then skipped updates. Passing cases are never kept in a limited report."""
    if finding is None:
        return (0 if case_kind == "error" else 2,)
    return (1, *most_severe_first(finding))


def _choose(
    report: Report,
    suites: Sequence[_Suite],
    written: Sequence[Sequence[_Written]],
    *,
    max_bytes: int,
    max_testcases: int,
    why: str,
) -> list[list[bool]]:
    """Which cases to list: the longest prefix of `_keep_order` that fits, counted with upper
    bounds of the suite tags, root and summary (their counts only shrink when cases go)."""
    keep = [[False] * len(cases) for cases in written]
    ranked = sorted(
        (
            (_keep_order(w.case.outcome, w.case.finding), s, c)
            for s, cases in enumerate(written)
            for c, w in enumerate(cases)
            if w.case.result is not None
        ),
        key=lambda item: item[0],
    )
    used = _utf8(_skeleton_bound(report, written, why))
    count = 1
    opened: set[int] = set()
    for _, s, c in ranked:
        size = written[s][c].size
        if s not in opened:
            size += _utf8(_suite_bound(suites[s], written[s]))
        if used + size > max_bytes or count + 1 > max_testcases:
            break
        used += size
        count += 1
        opened.add(s)
        keep[s][c] = True
    return keep


def _left_out(
    report: Report, written: Sequence[Sequence[_Written]], keep: Sequence[Sequence[bool]]
) -> _LeftOut:
    dropped = [
        w.case
        for cases, kept in zip(written, keep, strict=True)
        for w, k in zip(cases, kept, strict=True)
        if not k
    ]
    findings = [case.finding for case in dropped if case.finding is not None]
    return _LeftOut(
        findings=len(report.findings),
        listed=len(report.findings) - len(findings),
        by_severity=Counter(f.severity for f in findings),
        suppressed=sum(1 for f in findings if not f.active),
        passing=sum(1 for case in dropped if case.result is None),
        errors=sum(1 for case in dropped if case.outcome == "error"),
        skipped=sum(1 for case in dropped if case.finding is None and case.outcome == "skipped"),
    )


def _utf8(text: str) -> int:
    return len(text.encode("utf-8"))


# -- the layout ----------------------------------------------------------------------------


def _is_policy_rule(rule_id: str) -> bool:
    meta = META_BY_ID.get(rule_id)
    return meta is not None and meta.applies_to == "checker"


def _title(rule_id: str) -> str:
    meta = META_BY_ID.get(rule_id)
    return f"{rule_id} {meta.title}" if meta else rule_id


_UpdateKey = tuple[str, str, str]
"""(account, region, otaUpdateId), ("", "", id) in a single-partition run: what names an update."""


def _key(partition: Partition | None, ota_update_id: str) -> _UpdateKey:
    return (*partition_key(partition), ota_update_id)


def update_name(partition: Partition | None, ota_update_id: str) -> str:
    """`111122223333/eu-west-1/fw-1` in a fleet run, `fw-1` otherwise: the suite of an update."""
    return ota_update_id if partition is None else f"{partition}/{ota_update_id}"


def _suites(report: Report) -> list[_Suite]:
    """Every suite but the summary, every case in it."""
    audited = {_key(a.partition, a.ota_update_id): a for a in report.audited}
    by_update: dict[_UpdateKey, list[Finding]] = {}
    policy: list[Finding] = []
    for finding in report.findings:
        key = _key(finding.partition, finding.ota_update_id)
        if _is_policy_rule(finding.rule_id) or key not in audited:
            policy.append(finding)
        else:
            by_update.setdefault(key, []).append(finding)
    suites = [
        _update_suite(audited[key], report, by_update.get(key, [])) for key in sorted(audited)
    ]
    policy_rules = [r for r in report.rules if _is_policy_rule(r)]
    if policy_rules or policy:
        cases = _cases(policy_rules, policy, own_suite=False)
        suites.append(_Suite(POLICY_SUITE, POLICY_CLASS, cases))
    unplaced = [e for e in report.errors if e.partition is None]
    if unplaced:
        suites.append(_Suite(ERRORS_SUITE, ERRORS_CLASS, [_error_case(e) for e in unplaced]))
    by_partition: dict[Partition, list[SourceError]] = {}
    for error in report.errors:
        if error.partition is not None:
            by_partition.setdefault(error.partition, []).append(error)
    for partition in sorted(by_partition):
        cases = [_error_case(e) for e in by_partition[partition]]
        suites.append(_Suite(str(partition), f"{CLASS_PREFIX}{partition}", cases))
    if report.skipped:
        cases = [_skipped_case(s) for s in report.skipped]
        suites.append(_Suite(SKIPPED_SUITE, SKIPPED_CLASS, cases))
    return suites


def _update_suite(update: AuditedUpdate, report: Report, findings: Sequence[Finding]) -> _Suite:
    """Passing cases for the rules judged on `update` (all of the run's when not recorded)."""
    judged = report.rules if update.rules is None else update.rules
    properties = {}
    if update.partition is not None:
        properties = {"account": update.partition.account, "region": update.partition.region}
    properties |= {
        "declared": str(update.declared) if update.declared else "no",
        "live": "yes" if update.live else "no",
    }
    rules = [r for r in judged if not _is_policy_rule(r)]
    cases = _cases(rules, findings, own_suite=True)
    name = update_name(update.partition, update.ota_update_id)
    return _Suite(name, CLASS_PREFIX + name, cases, properties)


def _cases(rules: Iterable[str], findings: Sequence[Finding], *, own_suite: bool) -> list[_Case]:
    """Per rule (judged or fired), in ID order: a case per finding, or a passing case when a
    judged rule found nothing. `own_suite`: the suite is the findings' update's."""
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    cases: list[_Case] = []
    for rule_id in sorted({*rules, *by_rule}):
        fired = by_rule.get(rule_id)
        if fired:
            cases.extend(_finding_cases(fired, own_suite))
        else:
            cases.append(_Case(_title(rule_id)))
    return cases


def _finding_cases(fired: Sequence[Finding], own_suite: bool) -> Iterator[_Case]:
    """One rule's findings, by update and path, then side, message and location; a name
    shared by findings from different sides gets each one's side."""
    names = {id(f): _finding_name(f, own_suite) for f in fired}
    sides: dict[str, set[str]] = {}
    for f in fired:
        sides.setdefault(names[id(f)], set()).add(f.side)
    for f in sorted(fired, key=_tie_order):
        name = names[id(f)]
        if len(sides[name]) > 1:
            name += f" ({f.side})"
        yield _Case(name, _finding_result(f), f)


def _tie_order(finding: Finding) -> tuple[Any, ...]:
    location = finding.location
    return (
        *partition_key(finding.partition),
        finding.ota_update_id,
        finding.path,
        finding.side,
        finding.message,
        location is not None,
        location.file if location else "",
        location.line if location else 0,
    )


def _finding_name(finding: Finding, own_suite: bool) -> str:
    """Stable across runs: rule, title, path (and update), never the line or the message."""
    name = _title(finding.rule_id)
    if finding.path:
        name += f" at {finding.path}"
    if not own_suite:
        name += f" for {update_name(finding.partition, finding.ota_update_id)}"
    return name


def headline(finding: Finding) -> str:
    """`file:line: message`; `not declared (live only): message` for an update nobody
    declared. Raw: escape it (`visible`) before writing it."""
    return f"{finding.location or NOT_DECLARED}: {finding.message}"


def _finding_result(finding: Finding) -> _Result:
    if finding.suppressed is None:
        message = visible(headline(finding))
        return _Result("failure", message, details(finding), finding.severity.value)
    reason = visible(f"suppressed: {finding.suppressed.reason}")
    return _Result("skipped", reason, details(finding))


def _error_case(error: SourceError) -> _Case:
    result = _Result("error", visible(f"{error.code}: {error.message}"), visible(error.sentence))
    return _Case(f"{error.operation} {error.subject}", result)


def _skipped_case(skipped: SkippedUpdate) -> _Case:
    name = update_name(skipped.partition, skipped.ota_update_id)
    text = f"{name} was left out of the audit: {skipped.reason}"
    result = _Result("skipped", visible(f"skipped: {skipped.reason}"), visible(text))
    return _Case(name, result)


def details(finding: Finding) -> str:
    """The text of a failure or suppressed skip, as written: its headline, then everything a
    reader needs without opening the JSON report, one escaped line each. GitLab shows this
    text and nothing else of the finding."""
    where = str(finding.location) if finding.location else NOT_DECLARED
    lines = [
        headline(finding),
        f"rule: {finding.rule_id} ({finding.severity.value}, {finding.side})",
        f"otaUpdateId: {finding.ota_update_id}",
    ]
    if finding.partition is not None:
        lines += [f"account: {finding.partition.account}", f"region: {finding.partition.region}"]
    lines += [
        f"path: {finding.path or '(whole update)'}",
        f"location: {where}",
    ]
    if finding.drift is not None:
        declared, live = json_line(finding.drift.declared), json_line(finding.drift.live)
        lines.append(f"desired → actual: {declared} → {live}")
    if finding.suppressed is not None:
        until = finding.suppressed.expires
        lines.append(
            f"suppressed{f' until {until.isoformat()}' if until else ''}: "
            f"{finding.suppressed.reason}"
        )
    if finding.references:
        lines.append("references:")
        lines.extend(f"  - {ref}" for ref in finding.references)
    return "\n".join(visible(line) for line in lines)


# -- writing ---------------------------------------------------------------------------------


def _unique(names: Iterable[str]) -> list[str]:
    """The names in order, a repeat suffixed ` (2)`, ` (3)`: GitLab keeps one test per name."""
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


def _written(suite: _Suite) -> list[_Written]:
    """The suite's testcases as text, indented for their place in the file."""
    classname = visible(suite.classname)
    names = _unique(visible(case.name) for case in suite.cases)
    out: list[_Written] = []
    for case, name in zip(suite.cases, names, strict=True):
        text = _testcase(classname, name, case.result)
        out.append(_Written(case, text, _utf8(text)))
    return out


def _testcase(classname: str, name: str, result: _Result | None) -> str:
    """The testcase on its lines, laid out as `ElementTree.indent` would at depth 2."""
    attrs = _attrs(("classname", classname), ("name", name))
    if result is None:
        return f"    <testcase{attrs} />\n"
    inner = _attrs(("message", result.message), ("type", result.type))
    child = f"<{result.tag}{inner}>{_escape_text(result.text)}</{result.tag}>"
    return f"    <testcase{attrs}>\n      {child}\n    </testcase>\n"


_TEXT_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))
_ATTRIBUTE_ESCAPES = (
    *_TEXT_ESCAPES,
    ('"', "&quot;"),
    ("\r", "&#13;"),
    ("\n", "&#10;"),
    ("\t", "&#09;"),
)


def _escape(text: str, escapes: tuple[tuple[str, str], ...]) -> str:
    for char, reference in escapes:  # `&` first, as ElementTree does
        if char in text:
            text = text.replace(char, reference)
    return text


def _escape_text(text: str) -> str:
    """Element text as ElementTree writes it (`>` too, so `]]>` is never markup)."""
    return _escape(text, _TEXT_ESCAPES)


def _attrs(*pairs: tuple[str, str | None]) -> str:
    """` name="value"` for each pair with a value, escaped as ElementTree escapes attributes
    (values are `visible` already; a newline would still be `&#10;`, never raw)."""
    return "".join(
        f' {key}="{_escape(value, _ATTRIBUTE_ESCAPES)}"'
        for key, value in pairs
        if value is not None
    )


def _open_tag(tag: str, attrs: dict[str, str], level: int) -> str:
    return f"{'  ' * level}<{tag}{_attrs(*attrs.items())}>\n"


def _counts(outcomes: Iterable[str]) -> dict[str, str]:
    """`tests`, `failures`, `errors`, `skipped` of the cases with these outcomes."""
    counted = Counter(outcomes)
    tests = sum(counted.values())
    return {
        "tests": str(tests),
        "failures": str(counted["failure"]),
        "errors": str(counted["error"]),
        "skipped": str(counted["skipped"]),
    }


def _suite_xml(
    name: str,
    properties: dict[str, str],
    outcomes: Sequence[str],
    cases: Iterable[str],
) -> str:
    attrs = {"name": visible(name), **_counts(outcomes)}
    parts = [_open_tag("testsuite", attrs, level=1)]
    if properties:
        parts.append("    <properties>\n")
        parts.extend(
            f"      <property{_attrs(('name', key), ('value', visible(value)))} />\n"
            for key, value in properties.items()
        )
        parts.append("    </properties>\n")
    parts.extend(cases)
    parts.append("  </testsuite>\n")
    return "".join(parts)


def _suite_bound(suite: _Suite, written: Sequence[_Written]) -> str:
    """The suite without its cases, at its largest: all its counts, both left-out properties
    at their highest (a limited suite's counts and properties only shrink)."""
    properties = {**suite.properties, **_not_listed(len(written), len(written))}
    return _suite_xml(suite.name, properties, [w.case.outcome for w in written], [])


def _not_listed(passing: int, findings: int) -> dict[str, str]:
    out = {"passingRulesNotListed": str(passing)} if passing else {}
    return out | ({"findingsNotListed": str(findings)} if findings else {})


def _root(outcomes: Sequence[str]) -> str:
    counts = _counts(outcomes)
    del counts["skipped"]  # junit-10.xsd has no `skipped` on testsuites
    return _open_tag("testsuites", {"name": "ota-drift", **counts}, level=0)


def _summary(report: Report, left: _LeftOut | None, why: str = "") -> tuple[str, str]:
    """The summary suite's text and its one case's outcome: passing when everything is
    listed, else skipped, saying what was left out."""
    properties = {
        "command": report.command,
        "updates": str(len(report.audited)),
        "rules": str(len(report.rules)),
        "findings": str(len(report.findings)),
        "readErrors": str(len(report.errors)),
    }
    if report.fleet is not None:
        properties["partitions"] = str(len(report.partitions))
        properties["partitionsNotWhollyRead"] = str(len(incomplete_partitions(report)))
    result = None
    if left is not None:
        properties |= _not_listed(left.passing, sum(left.by_severity.values()))
        note = visible(left.note(why))
        more = "Every finding is in the JSON report (--report json=FILE), and the exit code "
        result = _Result("skipped", note, f"{note}\n{more}counts them all.")
    case = _testcase(SUMMARY_CLASS, visible(f"ota-drift {report.command}"), result)
    outcome = "passed" if result is None else "skipped"
    return _suite_xml(SUMMARY_SUITE, properties, [outcome], [case]), outcome


def _skeleton_bound(report: Report, written: Sequence[Sequence[_Written]], why: str) -> str:
    """Declaration, root tags and summary suite at their largest: the root with every case
    counted, the summary's note with every part present and every count at its highest."""
    total = len(report.findings)
    everything = sum(len(cases) for cases in written)
    worst = _LeftOut(
        findings=total,
        listed=total,
        by_severity=Counter(dict.fromkeys(Severity, total)),
        suppressed=total,
        passing=everything,
        errors=everything,
        skipped=everything,
    )
    summary, _ = _summary(report, worst, why)
    outcomes = [w.case.outcome for cases in written for w in cases] + ["skipped"]
    return _XML_DECLARATION + _root(outcomes) + summary + "</testsuites>\n"


_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _document(
    report: Report,
    suites: Sequence[_Suite],
    written: Sequence[Sequence[_Written]],
    keep: Sequence[Sequence[bool]] | None,
    *,
    left: _LeftOut | None = None,
    why: str = "",
) -> str:
    """The file: every suite and case (`keep` None), or the kept cases of the suites that
    keep any, with what each left out in its properties and the totals in the summary."""
    parts: list[str] = []
    outcomes: list[str] = []
    for s, (suite, cases) in enumerate(zip(suites, written, strict=True)):
        properties = dict(suite.properties)
        listed = list(cases)
        if keep is not None:
            listed = [w for w, k in zip(cases, keep[s], strict=True) if k]
            if not listed:
                continue
            passing = sum(1 for w in cases if w.case.result is None)
            findings = sum(1 for w in cases if w.case.finding) - sum(
                1 for w in listed if w.case.finding
            )
            properties |= _not_listed(passing, findings)
        suite_outcomes = [w.case.outcome for w in listed]
        outcomes += suite_outcomes
        parts.append(_suite_xml(suite.name, properties, suite_outcomes, (w.text for w in listed)))
    summary, outcome = _summary(report, left, why)
    outcomes.append(outcome)
    return _XML_DECLARATION + _root(outcomes) + "".join(parts) + summary + "</testsuites>\n"
