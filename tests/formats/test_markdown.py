"""The Markdown report: headline, counts, one escaped table row per finding, folded sections."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from checker.formats.markdown import MarkdownFormat, cell
from checker.model import (
    AuditedUpdate,
    DriftValues,
    Finding,
    Location,
    Report,
    Severity,
    SkippedUpdate,
    SourceError,
    Summary,
    Suppressed,
)
from tests.formats.golden import example_report

HOSTILE = (
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(1)</script>",
    '<img src=x onerror="window.__xss=1">',
    "pipe | in | the | cell",
    "`code` and ``double`` and ```",
    "*bold* **strong** _em_ __em__",
    "[link](javascript:alert(1)) ![img](x) <https://evil.example>",
    "line one\nline two\r\n\tthree",
    "&lt;already escaped&gt; &amp; &#60;script&#62;",
    "back\\slash \\| and \\` and trailing\\",
    "~~strike~~ $math$ <!-- comment --> <![CDATA[x]]>",
    "| leading pipe",
    "<details><summary>x</summary>",
)
"""Strings an attacker controlling YAML, a policy pack or AWS could put in a report."""

ALLOWED_TAGS = {
    "h2",
    "h3",
    "p",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "br",
    "details",
    "summary",
}
"""The only HTML tags the Markdown report may produce; values never add any."""

FINDING_COLUMNS = 6
SUPPRESSED_COLUMNS = 8


def collapsed(text: str) -> str:
    """`text` as a one-line cell shows it: whitespace runs as one space."""
    return " ".join(text.split())


def markdown_it() -> MarkdownIt:
    """CommonMark with raw HTML passed through (as GitHub does before sanitising) and GFM
    tables and strikethrough: the strictest renderer to prove escaping against."""
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


class Page(HTMLParser):
    """Rendered HTML as tags seen and tables of cells (text, tags inside the cell)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.tables: list[list[list[tuple[str, list[str]]]]] = []
        self._cell: tuple[list[str], list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = ([], [])
        elif self._cell is not None:
            self._cell[1].append(tag)
            if tag == "br":
                self._cell[0].append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(("".join(self._cell[0]), self._cell[1]))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[0].append(data)


def parse(markdown: str) -> Page:
    page = Page()
    page.feed(markdown_it().render(markdown))
    page.close()
    return page


def body(table: list[list[tuple[str, list[str]]]]) -> list[list[str]]:
    """The text of every body row (the header row dropped)."""
    return [[text for text, _ in row] for row in table[1:]]


def finding(ota_id: str, rule: str = "OTA101", **changes: object) -> Finding:
    base = Finding(
        rule_id=rule,
        severity=Severity.HIGH,
        ota_update_id=ota_id,
        source="live",
        path="files[fw.bin]",
        message="file fw.bin has no code signing",
        location=Location("ota/fw.yaml", 3),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def report_of(
    findings: list[Finding],
    errors: tuple[SourceError, ...] = (),
    skipped: tuple[SkippedUpdate, ...] = (),
    policy_packs: tuple[str, ...] = ("policies/default.yaml",),
) -> Report:
    counts = dict.fromkeys(Severity, 0)
    for f in findings:
        if f.active:
            counts[f.severity] += 1
    ids = sorted({f.ota_update_id for f in findings})
    return Report(
        tool_version="0.1.0",
        summary=Summary(
            declared=len(ids),
            live=len(ids),
            in_sync=0,
            drifted=0,
            missing=0,
            unmanaged=0,
            findings=counts,
            suppressed=sum(1 for f in findings if not f.active),
        ),
        findings=tuple(sorted(findings, key=lambda f: f.sort_key)),
        errors=errors,
        as_of=datetime(2026, 11, 25, tzinfo=UTC),
        policy_packs=policy_packs,
        skipped=skipped,
        rules=("OTA101",),
        audited=tuple(AuditedUpdate(i, Location("ota/fw.yaml", 3), True) for i in ids),
        declared_files=("ota/fw.yaml",),
    )


def hostile_report() -> Report:
    """Every hostile string in every value a format shows: ids, paths, messages, locations,
    drift values, suppression reasons, read errors, notes and policy pack names."""
    findings = []
    for index, text in enumerate(HOSTILE):
        findings.append(
            finding(
                f"{text} #{index}",
                path=text,
                message=text,
                location=Location(text, index + 1),
            )
        )
    findings.append(
        finding(
            "drifted",
            rule="OTA001",
            source="drift",
            message=HOSTILE[0],
            drift=DriftValues(desired=HOSTILE[1], actual=[HOSTILE[3], HOSTILE[4]]),
        )
    )
    findings.append(
        finding(
            "accepted",
            severity=Severity.MEDIUM,
            message=HOSTILE[2],
            suppressed=Suppressed(HOSTILE[7], date(2027, 3, 31)),
        )
    )
    errors = tuple(
        SourceError(text, "GetOTAUpdate", "AccessDenied`|", text) for text in HOSTILE[:3]
    )
    skipped = (SkippedUpdate(HOSTILE[1], HOSTILE[2]),)
    return report_of(findings, errors, skipped, policy_packs=(HOSTILE[3], HOSTILE[0]))


@pytest.fixture(scope="module")
def example() -> Report:
    return example_report()


@pytest.fixture(scope="module")
def example_page(example: Report) -> Page:
    return parse(MarkdownFormat().render(example))


def test_headline_counts_active_findings_by_severity(example: Report) -> None:
    """The headline counts active findings, most severe first, without judging pass or fail."""
    first = MarkdownFormat().render(example).splitlines()[0]
    assert first == (
        "## ❌ ota-drift check: 28 active findings (1 critical, 13 high, 3 medium, 1 low, 10 info)"
    )


def test_headline_without_findings_says_no_findings() -> None:
    """No active findings reads 'No findings', naming suppressed ones when there are any."""
    clean = MarkdownFormat().render(report_of([]))
    assert clean.splitlines()[0] == "## ✅ ota-drift check: No findings"
    accepted = finding("fw", suppressed=Suppressed("accepted in SR-1", None))
    quiet = MarkdownFormat().render(report_of([accepted]))
    assert quiet.splitlines()[0] == "## ✅ ota-drift check: No findings (1 suppressed)"


def test_headline_of_an_incomplete_audit_says_incomplete() -> None:
    """Read errors make the headline 'Incomplete', never 'No findings'."""
    errors = (
        SourceError("fw-1", "GetOTAUpdate", "ThrottlingException", "Rate exceeded"),
        SourceError(None, "ListOTAUpdates", "AccessDenied", "not authorised"),
    )
    text = MarkdownFormat().render(report_of([], errors))
    assert text.splitlines()[0] == (
        "## ⚠️ ota-drift check: Incomplete: 2 items could not be read; 0 active findings"
    )
    one = MarkdownFormat().render(report_of([finding("fw")], errors[:1]))
    assert one.splitlines()[0] == (
        "## ⚠️ ota-drift check: Incomplete: 1 item could not be read; 1 active finding (1 high)"
    )


def test_context_line_names_time_state_and_policy_packs(example: Report) -> None:
    """The line under the headline gives version, --as-of, the drift summary and the packs."""
    second = MarkdownFormat().render(example).splitlines()[2]
    assert second == (
        "ota-drift 0.1.0 · as of 2026-11-25T00:00:00Z · 6 declared, 6 live: 3 in sync, "
        "2 drifted, 1 missing, 0 unmanaged · policy <code>policies/default.yaml</code>, "
        "<code>examples/policy.yaml</code>"
    )


def test_counts_table_lists_every_severity_and_suppressed(example_page: Page) -> None:
    """The first table counts active findings per severity, most severe first, then suppressed."""
    assert body(example_page.tables[0]) == [
        ["🟣 critical", "1"],
        ["🔴 high", "13"],
        ["🟠 medium", "3"],
        ["🟡 low", "1"],
        ["🔵 info", "10"],
        ["suppressed", "1"],
    ]


def test_one_table_row_per_finding(example: Report, example_page: Page) -> None:
    """Active findings fill the findings table and suppressed ones their own table, one row each."""
    _counts, active, suppressed = example_page.tables
    assert len(example_page.tables) == 3
    assert len(body(active)) == 28
    assert {len(row) for row in active} == {FINDING_COLUMNS}
    assert len(body(suppressed)) == 1
    assert {len(row) for row in suppressed} == {SUPPRESSED_COLUMNS}
    assert len(body(active)) + len(body(suppressed)) == len(example.findings)
    assert [text for text, _ in active[0]] == [
        "Severity",
        "Rule",
        "Update",
        "Path",
        "Message",
        "Location",
    ]
    assert body(active)[0] == [
        "🟣 critical",
        "OTA101",
        "lab-fw-test",
        "files[lab-build-7731.bin]",
        "file lab-build-7731.bin has no code signing",
        "not declared",
    ]
    assert body(suppressed)[0] == [
        "🟠 medium",
        "OTA401",
        "gw-fw-4",
        "targetSelection",
        "targetSelection is CONTINUOUS: things that join a target group later get the update "
        "at once, outside the rollout rate",
        "examples/ota/gateways.yaml:39",
        "Pilot gateways join the pilot group one by one; continuous targeting approved in "
        "security review SR-142",
        "2027-03-31",
    ]


def test_findings_are_ordered_most_severe_first(example_page: Page) -> None:
    """Rows run from critical to info; within a severity they keep the report's order."""
    severities = [row[0].split()[1] for row in body(example_page.tables[1])]
    ranks = [Severity(s).rank for s in severities]
    assert ranks == sorted(ranks, reverse=True)
    high = [row[2] for row in body(example_page.tables[1]) if row[0] == "🔴 high"]
    assert high == sorted(high)


def test_drift_is_shown_desired_then_actual(example_page: Page) -> None:
    """A drift finding's message cell ends with `desired → actual`, JSON-rendered."""
    rows = {(row[1], row[2], row[3]): row for row in body(example_page.tables[1])}
    expiry = rows[("OTA001", "gw-fw-3", "awsJobPresignedUrlConfig.expiresInSec")]
    assert expiry[4] == "awsJobPresignedUrlConfig.expiresInSec: declared 600, live 3600\n600 → 3600"
    targets = rows[("OTA001", "gw-fw-4", "targets")]
    pilot = "arn:aws:iot:eu-central-1:123456789012:thinggroup/gateways-pilot"
    fleet = "arn:aws:iot:eu-central-1:123456789012:thinggroup/gateways"
    assert targets[4] == (f'targets: live also has {fleet}\n["{pilot}"] → ["{fleet}", "{pilot}"]')


def test_absent_drift_side_reads_absent() -> None:
    """A drift value one side lacks shows as `absent`, not as JSON null."""
    drift = finding("fw", rule="OTA001", source="drift", drift=DriftValues(None, {"a": 1}))
    page = parse(MarkdownFormat().render(report_of([drift])))
    assert body(page.tables[1])[0][4] == 'file fw.bin has no code signing\nabsent → {"a": 1}'
    cell_tags = page.tables[1][1][4][1]
    assert cell_tags == ["br", "code", "code"]


def test_long_findings_table_is_folded(example: Report) -> None:
    """More than 20 findings fold into <details>; suppressed findings always fold."""
    text = MarkdownFormat().render(example)
    assert "<details><summary>Findings (28)</summary>\n\n| Severity |" in text
    assert "<details><summary>Suppressed findings (1)</summary>\n\n| Severity |" in text
    assert text.count("<details>") == text.count("</details>") == 2
    assert "### Findings" not in text


def test_short_findings_table_is_not_folded() -> None:
    """Up to 20 findings show under a heading, unfolded."""
    twenty = [finding(f"fw-{i:02}") for i in range(20)]
    text = MarkdownFormat().render(report_of(twenty))
    assert "### Findings (20)\n\n| Severity |" in text
    assert "<details>" not in text
    twenty_one = [finding(f"fw-{i:02}") for i in range(21)]
    assert "<details><summary>Findings (21)</summary>" in MarkdownFormat().render(
        report_of(twenty_one)
    )


def test_read_errors_and_notes_are_folded() -> None:
    """Read errors and notes are folded sections with one row each."""
    errors = (SourceError("fw-1", "GetOTAUpdate", "ThrottlingException", "Rate exceeded"),)
    skipped = (SkippedUpdate("fw-2", "deleted while the audit ran"),)
    text = MarkdownFormat().render(report_of([], errors, skipped))
    assert "<details><summary>Could not read (1)</summary>" in text
    assert "<details><summary>Notes (1)</summary>" in text
    page = parse(text)
    assert body(page.tables[1]) == [
        ["fw-1", "GetOTAUpdate", "ThrottlingException", "Rate exceeded"]
    ]
    assert body(page.tables[2]) == [["fw-2", "deleted while the audit ran"]]


def test_output_ends_with_one_newline(example: Report) -> None:
    """The report ends with exactly one newline, ready to append to a job summary."""
    text = MarkdownFormat().render(example)
    assert text.endswith("|\n\n</details>\n")
    assert not text.endswith("\n\n")


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("a|b", "a\\|b"),
        ("`x`", "\\`x\\`"),
        ("*a* _b_", "\\*a\\* \\_b\\_"),
        ("[t](u)", "\\[t\\]\\(u\\)"),
        ("<script>", "&lt;script&gt;"),
        ("a & b", "a &amp; b"),
        ("one\n  two\r\nthree", "one two three"),
        ("back\\", "back\\\\"),
        ("rtl\u202eevil", "rtl\\\\u202eevil"),
        ("plain-id.v1:2", "plain-id.v1:2"),
    ],
)
def test_cell_escapes_markdown_and_html(value: str, escaped: str) -> None:
    """`cell` backslash-escapes Markdown punctuation, entity-escapes HTML, joins lines."""
    assert cell(value) == escaped


@pytest.mark.parametrize("text", HOSTILE)
def test_cell_text_renders_back_exactly(text: str) -> None:
    """Whatever a value holds, its rendered cell reads as the value, whitespace collapsed."""
    page = parse(f"| a | b |\n| --- | --- |\n| {cell(text)} | end |\n")
    assert body(page.tables[0]) == [[collapsed(text), "end"]]
    assert page.tags == ["table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"]


def test_hostile_values_cannot_add_html_or_columns() -> None:
    """Hostile ids, paths, messages, reasons and errors add no tag and no column anywhere."""
    report = hostile_report()
    text = MarkdownFormat().render(report)
    rendered = markdown_it().render(text)
    page = parse(text)
    assert set(page.tags) <= ALLOWED_TAGS
    assert "<script" not in rendered
    assert "<img" not in rendered
    assert "<a " not in rendered
    assert "&lt;script&gt;" in rendered
    assert "&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;" in rendered
    _counts, active, suppressed, errors, notes = page.tables
    assert len(body(active)) == len(HOSTILE) + 1
    assert {len(row) for row in active} == {FINDING_COLUMNS}
    assert {len(row) for row in suppressed} == {SUPPRESSED_COLUMNS}
    assert {len(row) for row in errors} == {4}
    assert {len(row) for row in notes} == {2}
    rows = {row[2]: row for row in body(active)}
    for index, value in enumerate(HOSTILE):
        row = rows[collapsed(f"{value} #{index}")]
        assert row[3:6] == [collapsed(value), collapsed(value), f"{collapsed(value)}:{index + 1}"]
    assert body(suppressed)[0][6] == collapsed(HOSTILE[7])
    assert [row[0] for row in body(errors)] == [collapsed(v) for v in HOSTILE[:3]]
    assert {row[2] for row in body(errors)} == {"AccessDenied`|"}
    assert body(notes) == [[collapsed(HOSTILE[1]), collapsed(HOSTILE[2])]]
    drift = rows["drifted"][4]
    assert drift == f'{HOSTILE[0]}\n"{HOSTILE[1]}" → ["{HOSTILE[3]}", "{HOSTILE[4]}"]'


def test_hostile_values_stay_on_their_line() -> None:
    """A newline in any value never starts a new Markdown line: every table line is one row."""
    text = MarkdownFormat().render(hostile_report())
    table_lines = [line for line in text.splitlines() if line.startswith("|")]
    assert all(line.endswith(" |") for line in table_lines)
    assert len(table_lines) == (2 + 6) + (2 + len(HOSTILE) + 1) + (2 + 1) + (2 + 3) + (2 + 1)
