"""The Markdown report: headline, counts, one escaped table row per finding, folded sections,
and a byte budget (`--markdown-max-bytes`, the job summary's 1 MiB) it never exceeds."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from checker.cli import main
from checker.formats import markdown
from checker.formats.markdown import GITHUB_SUMMARY_MAX_BYTES, MIN_MAX_BYTES, MarkdownFormat, cell
from checker.model import (
    DriftValues,
    Finding,
    Location,
    Report,
    Severity,
    SkippedUpdate,
    SourceError,
    Suppressed,
)
from tests.formats.golden import example_report
from tests.support import builders
from tests.support.fleet import check_fleet, generate_fleet

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
        if self._cell is not None:  # the zero-width spaces after `@` and `#` read as nothing
            self._cell[0].append(data.replace("\u200b", ""))


def parse(markdown: str) -> Page:
    page = Page()
    page.feed(markdown_it().render(markdown))
    page.close()
    return page


def body(table: list[list[tuple[str, list[str]]]]) -> list[list[str]]:
    """The text of every body row (the header row dropped)."""
    return [[text for text, _ in row] for row in table[1:]]


def finding(ota_id: str, rule: str = "OTA101", **changes: Any) -> Finding:
    """An unsigned-file finding on the live side, which every Markdown table has a row for."""
    fields: dict[str, Any] = {
        "side": "live",
        "path": "files[fw.bin]",
        "message": "file fw.bin has no code signing",
    }
    return builders.finding(rule, ota_id, **(fields | changes))


def report_of(
    findings: list[Finding],
    errors: tuple[SourceError, ...] = (),
    skipped: tuple[SkippedUpdate, ...] = (),
    policy_packs: tuple[str, ...] = ("policies/default.yaml",),
) -> Report:
    return builders.report(
        *findings,
        tool_version="0.1.0",
        errors=errors,
        skipped=skipped,
        policy_packs=policy_packs,
        rules=("OTA101",),
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
            side="drift",
            message=HOSTILE[0],
            drift=DriftValues(declared=HOSTILE[1], live=[HOSTILE[3], HOSTILE[4]]),
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
        "## ❌ ota-drift check: 30 active findings (1 critical, 15 high, 3 medium, 1 low, 10 info)"
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
        ["🔴 high", "15"],
        ["🟠 medium", "3"],
        ["🟡 low", "1"],
        ["🔵 info", "10"],
        ["suppressed", "1"],
    ]


def test_one_table_row_per_finding(example: Report, example_page: Page) -> None:
    """Active findings fill the findings table and suppressed ones their own table, one row each."""
    _counts, active, suppressed = example_page.tables
    assert len(example_page.tables) == 3
    assert len(body(active)) == 30
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
    drift = finding("fw", rule="OTA001", side="drift", drift=DriftValues(None, {"a": 1}))
    page = parse(MarkdownFormat().render(report_of([drift])))
    assert body(page.tables[1])[0][4] == 'file fw.bin has no code signing\nabsent → {"a": 1}'
    cell_tags = page.tables[1][1][4][1]
    assert cell_tags == ["br", "code", "code"]


def test_long_findings_table_is_folded(example: Report) -> None:
    """More than 20 findings fold into <details>; suppressed findings always fold."""
    text = MarkdownFormat().render(example)
    assert "<details><summary>Findings (30)</summary>\n\n| Severity |" in text
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


# --- The byte budget (--markdown-max-bytes, --github-summary) ---------------------------------

ROOT = Path(__file__).resolve().parent.parent.parent
AS_OF = ["--as-of", "2026-11-25T00:00:00Z"]
FULL_REPORT = "The full report is in the other formats (`--format json`, `--report sarif=…`)."
LEFT_OUT_LINE = re.compile(
    r"_(?P<left>[\d,]+) of (?P<total>[\d,]+) findings? (?:is|are) not shown here "
    r"\(budget (?P<budget>[\d,]+) bytes\): (?P<counts>.+)\. " + re.escape(FULL_REPORT) + "_"
)
ALL_SHOWN_LINE = re.compile(
    r"_(?:All (?P<total>[\d,]+) findings are shown|There are no findings); left out to stay "
    r"within the budget \((?P<budget>[\d,]+) bytes\): (?P<cut>.+)\. " + re.escape(FULL_REPORT) + "_"
)
ERRORS_LEFT_OUT = re.compile(
    r"… (?P<left>[\d,]+) of (?P<total>[\d,]+) items that could not be read are not shown here"
)
NOTES_LEFT_OUT = re.compile(r"… (?P<left>[\d,]+) of (?P<total>[\d,]+) notes are not shown here")
SEVERITY_ORDER = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO]
FINDING_HEADER = ["Severity", "Rule", "Update", "Path", "Message", "Location"]


def gfm() -> MarkdownIt:
    """markdown-it-py's GitHub-like preset (tables, strikethrough, raw HTML as GitHub passes it
    before sanitising). Its linkify needs linkify-it-py, which is not a dependency; it only
    turns bare URLs into links and changes no table."""
    renderer = MarkdownIt("gfm-like", {"linkify": False})
    assert "table" in renderer.get_active_rules()["block"]
    return renderer


def gfm_page(markdown: str) -> Page:
    page = Page()
    page.feed(gfm().render(markdown))
    page.close()
    return page


def finding_rows(page: Page) -> tuple[list[list[str]], list[list[str]]]:
    """Body rows of the active and of the suppressed findings tables, as rendered."""
    active: list[list[str]] = []
    suppressed: list[list[str]] = []
    for table in page.tables:
        header = [text for text, _ in table[0]]
        if header == FINDING_HEADER:
            active += body(table)
        elif header[:6] == FINDING_HEADER:
            suppressed += body(table)
    return active, suppressed


def number(text: str) -> int:
    return int(text.replace(",", ""))


def synthetic_report(
    findings: int,
    *,
    errors: int = 0,
    notes: int = 0,
    suppressed_every: int = 0,
    width: int = 40,
    packs: int = 1,
) -> Report:
    """A report of `findings` findings over every severity (unique ids, in no severity order),
    every `suppressed_every`-th one suppressed, with `errors` read errors and `notes` notes;
    values `width` characters long, with multi-byte and escaped characters so that bytes,
    characters and rendered text all differ."""
    filler = ("é|<x>💥 " * (width // 7 + 1))[:width]
    made = []
    for index in range(findings):
        severity = SEVERITY_ORDER[(index * 7) % 5]
        accepted = bool(suppressed_every) and index % suppressed_every == 0
        made.append(
            finding(
                f"fw-{index:05d}",
                rule=f"OTA{100 + index % 9}",
                severity=severity,
                message=f"finding {index}: {filler}",
                suppressed=Suppressed(f"accepted {filler}", None) if accepted else None,
            )
        )
    read_errors = tuple(
        SourceError(f"gone-{index:05d}-{filler}", "GetOTAUpdate", "Throttling", filler)
        for index in range(errors)
    )
    skipped = tuple(SkippedUpdate(f"deleted-{i:05d}", f"deleted {filler}") for i in range(notes))
    pack_names = tuple(f"policies/{i:04d}-{filler}.yaml" for i in range(packs))
    return report_of(made, read_errors, skipped, policy_packs=pack_names)


def expected_order(report: Report) -> tuple[list[str], list[str]]:
    """Update ids of active and of suppressed findings, most severe first, then report order."""

    def order(findings: list[Finding]) -> list[str]:
        ranked = sorted(findings, key=lambda f: (-f.severity.rank, f.sort_key))
        return [collapsed(f.ota_update_id) for f in ranked]

    return (
        order([f for f in report.findings if f.active]),
        order([f for f in report.findings if not f.active]),
    )


def check_budgeted(report: Report, budget: int) -> str:
    """Render `report` within `budget` and check everything a budgeted report promises;
    returns the text. Shared by the property and the parametrised cases."""
    fmt = MarkdownFormat(max_bytes=budget)
    text = fmt.render(report)
    assert len(text.encode("utf-8")) <= budget
    assert text.endswith("\n")
    assert not text.endswith("\n\n")
    full = MarkdownFormat().render(report)
    if len(full.encode("utf-8")) <= budget:
        assert text == full
        assert fmt.notices(report) == []
        return text
    lines = text.splitlines()
    assert lines[0] == full.splitlines()[0]  # the verdict
    assert text.count("<details>") == text.count("</details>")
    assert all(line.endswith(" |") for line in lines if line.startswith("|"))  # whole rows
    counts = lines.index("| Severity | Active findings |")
    assert lines[counts : counts + 9] == full.splitlines()[counts : counts + 9]  # the counts
    page = gfm_page(text)
    active, suppressed = finding_rows(page)
    assert {len(row) for row in active} <= {FINDING_COLUMNS}
    assert {len(row) for row in suppressed} <= {SUPPRESSED_COLUMNS}
    want_active, want_suppressed = expected_order(report)
    assert [row[2] for row in active] == want_active[: len(active)]  # the most severe
    assert [row[2] for row in suppressed] == want_suppressed[: len(suppressed)]
    if suppressed:
        assert len(active) == len(want_active)  # suppressed ones only once every active one is
    shown = len(active) + len(suppressed)
    total = len(report.findings)
    closing = LEFT_OUT_LINE.fullmatch(lines[-1]) or ALL_SHOWN_LINE.fullmatch(lines[-1])
    assert closing is not None, lines[-1]
    assert number(closing["budget"]) == budget
    if closing.re is LEFT_OUT_LINE:
        assert number(closing["total"]) == total
        assert number(closing["left"]) == total - shown > 0
    else:
        assert shown == total
    [note] = fmt.notices(report)
    assert f"within {budget:,} bytes" in note
    for name, found, matches in (
        ("errors", ERRORS_LEFT_OUT, len(report.errors)),
        ("notes", NOTES_LEFT_OUT, len(report.skipped)),
    ):
        more = found.search(text)
        if more:
            assert number(more["total"]) == matches, name
    return text


def test_a_report_within_its_budget_is_unchanged(example: Report) -> None:
    """A report that fits (to the byte, final newline included) is the unbudgeted one."""
    full = MarkdownFormat().render(example)
    size = len(full.encode("utf-8"))
    for budget in (size, GITHUB_SUMMARY_MAX_BYTES):
        fmt = MarkdownFormat(max_bytes=budget)
        assert fmt.render(example) == full
        assert fmt.notices(example) == []
    assert MarkdownFormat().notices(example) == []


def test_one_byte_over_its_budget_the_report_is_shortened(example: Report) -> None:
    """One byte less than the full report: findings are left out and the closing line says so."""
    full = MarkdownFormat().render(example)
    budget = len(full.encode("utf-8")) - 1
    text = check_budgeted(example, budget)
    closing = LEFT_OUT_LINE.fullmatch(text.splitlines()[-1])
    assert closing is not None
    assert number(closing["left"]) >= 1


@pytest.mark.parametrize(
    ("case", "report"),
    [
        ("thousands of findings", synthetic_report(3000)),
        ("suppressed findings", synthetic_report(300, suppressed_every=3)),
        ("few, suppressed", synthetic_report(12, suppressed_every=2, width=400)),
        ("thousands of read errors", synthetic_report(500, errors=3000)),
        ("long read error ids", synthetic_report(50, errors=40, width=5000)),
        ("only read errors", synthetic_report(0, errors=2000)),
        ("many notes", synthetic_report(200, notes=800)),
        ("rows longer than the budget", synthetic_report(30, width=30_000)),
        ("long policy pack names", synthetic_report(40, packs=200)),
        ("everything at once", synthetic_report(800, errors=900, notes=300, suppressed_every=5)),
        ("hostile values", hostile_report()),
    ],
)
@pytest.mark.parametrize("budget", [4096, 4097, 5000, 16_384, 65_536, 250_000])
def test_budget_is_never_exceeded(case: str, report: Report, budget: int) -> None:
    """Whatever the report holds, its Markdown stays within the budget, valid and truthful."""
    check_budgeted(report, budget)


@settings(derandomize=True, database=None, deadline=None, max_examples=60)
@given(
    findings=st.integers(0, 400),
    errors=st.integers(0, 200),
    notes=st.integers(0, 60),
    suppressed_every=st.sampled_from([0, 1, 2, 7]),
    width=st.sampled_from([1, 40, 300, 3000]),
    packs=st.integers(0, 30),
    budget=st.integers(4096, 200_000),
)
def test_budget_holds_for_any_report_and_budget(
    *,
    findings: int,
    errors: int,
    notes: int,
    suppressed_every: int,
    width: int,
    packs: int,
    budget: int,
) -> None:
    """The budget's promises as a property over report shapes and budgets from 4096 up."""
    report = synthetic_report(
        findings,
        errors=errors,
        notes=notes,
        suppressed_every=suppressed_every,
        width=width,
        packs=packs,
    )
    check_budgeted(report, budget)


def test_30000_findings_within_a_mib_render_each_row_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """At 30,000 findings each row is rendered once for render and notices together: fitting
    is arithmetic on byte counts, never a re-render."""
    report = synthetic_report(30_000, errors=50, notes=10, suppressed_every=40)
    calls = []
    real = markdown._finding_cells

    def counting(finding: Finding, fleet: bool) -> list[str]:
        calls.append(1)
        return real(finding, fleet)

    monkeypatch.setattr(markdown, "_finding_cells", counting)
    fmt = MarkdownFormat(max_bytes=GITHUB_SUMMARY_MAX_BYTES)
    text = fmt.render(report)
    [note] = fmt.notices(report)
    assert len(calls) == len(report.findings)
    assert len(text.encode("utf-8")) <= GITHUB_SUMMARY_MAX_BYTES
    assert note.startswith("Markdown report shows ")
    assert "of 30,000 findings (the most severe), within 1,048,576 bytes" in note


def test_the_most_severe_findings_are_kept() -> None:
    """Over budget, every finding shown is at least as severe as every one left out."""
    report = synthetic_report(600)
    text = check_budgeted(report, 16_384)
    active, _ = finding_rows(gfm_page(text))
    by_id = {f.ota_update_id: f.severity for f in report.findings}
    shown = {row[2] for row in active}
    assert 0 < len(shown) < 600
    least_shown = min(by_id[i] for i in shown)
    assert all(sev <= least_shown for i, sev in by_id.items() if i not in shown)
    assert active[0][0] == "🟣 critical"


def test_the_closing_line_counts_what_is_left_out_by_severity() -> None:
    """The closing line's counts are the findings not in any table, by severity, suppressed last."""
    report = synthetic_report(500, suppressed_every=10)
    text = check_budgeted(report, 20_000)
    active, suppressed = finding_rows(gfm_page(text))
    shown = {row[2] for row in active + suppressed}
    left = [f for f in report.findings if f.ota_update_id not in shown]
    want = [
        f"{sum(1 for f in left if f.active and f.severity is sev):,} {sev.value}"
        for sev in SEVERITY_ORDER
        if any(f.active and f.severity is sev for f in left)
    ] + [f"{sum(1 for f in left if not f.active):,} suppressed"]
    closing = LEFT_OUT_LINE.fullmatch(text.splitlines()[-1])
    assert closing is not None
    assert closing["counts"] == ", ".join(want)
    assert number(closing["left"]) == len(left) == len(report.findings) - len(shown)
    assert text.splitlines()[-1] == (
        f"_{len(left):,} of 500 findings are not shown here (budget 20,000 bytes): "
        f"{', '.join(want)}. {FULL_REPORT}_"
    )


def test_rendered_finding_rows_equal_the_findings_shown() -> None:
    """Rendered by a GitHub-flavoured renderer, the finding rows are the total less those left
    out, as many as the notice says are shown; the closing line is one emphasised paragraph."""
    report = synthetic_report(2000, suppressed_every=50)
    fmt = MarkdownFormat(max_bytes=65_536)
    text = fmt.render(report)
    page = gfm_page(text)
    active, suppressed = finding_rows(page)
    closing = LEFT_OUT_LINE.fullmatch(text.splitlines()[-1])
    assert closing is not None
    shown = len(report.findings) - number(closing["left"])
    assert len(active) + len(suppressed) == shown > 0
    assert fmt.notices(report) == [
        f"Markdown report shows {shown:,} of 2,000 findings (the most severe), within 65,536 "
        "bytes; the other formats have the full report"
    ]
    html = gfm().render(text)
    assert html.rstrip().endswith("<code>--report sarif=…</code>).</em></p>")


def test_shown_sections_keep_their_layout() -> None:
    """What is shown keeps the full report's layout: up to 20 rows under a heading, more
    folded in `<details>`, suppressed findings and read errors always folded."""
    few = check_budgeted(synthetic_report(200), 4096)
    assert re.search(r"^### Findings \(\d+ of 200\)$", few, re.MULTILINE)
    assert "<details>" not in few
    many = check_budgeted(synthetic_report(2000, errors=3), 65_536)
    assert re.search(r"^<details><summary>Findings \([\d,]+ of 2,000\)</summary>$", many, re.M)
    assert "<details><summary>Could not read (3)</summary>" in many
    assert many.count("<details>") == many.count("</details>") == 2


def test_suppressed_findings_are_shown_only_after_every_active_one() -> None:
    """An accepted finding never takes the place of an active one, however short its row."""
    long = [finding(f"fw-{i:02d}", message="m" * 6000) for i in range(50)]
    accepted = Suppressed("accepted", None)
    short = [finding(f"ok-{i:02d}", message="m", suppressed=accepted) for i in range(5)]
    text = check_budgeted(report_of([*long, *short]), 16_384)
    active, suppressed = finding_rows(gfm_page(text))
    assert 0 < len(active) < 50
    assert suppressed == []
    assert "Suppressed findings" not in text
    assert text.splitlines()[-1].endswith(f"{50 - len(active)} high, 5 suppressed. {FULL_REPORT}_")


def test_read_errors_are_bounded_and_counted() -> None:
    """Thousands of read errors take at most a quarter of a busy budget, and a counted line
    says how many are not shown; the headline still counts them all."""
    report = synthetic_report(3000, errors=3000)
    text = check_budgeted(report, 65_536)
    assert text.startswith("## ⚠️ ota-drift check: Incomplete: 3,000 items could not be read;")
    page = gfm_page(text)
    [errors] = [t for t in page.tables if [c for c, _ in t[0]][:2] == ["Update", "Operation"]]
    section = text[text.index("<details><summary>Could not read") :]
    section = section[: section.index("</details>")]
    assert len(section.encode("utf-8")) <= 65_536 // 4
    more = ERRORS_LEFT_OUT.search(section)
    assert more is not None
    assert len(body(errors)) + number(more["left"]) == 3000
    assert re.search(r"<summary>Could not read \([\d,]+ of 3,000\)</summary>", text)
    active, _ = finding_rows(page)
    assert len(active) > len(body(errors))  # findings still get most of the room


def test_read_errors_use_the_room_findings_leave() -> None:
    """With few findings, read errors fill what the findings do not need, beyond a quarter."""
    report = synthetic_report(3, errors=3000)
    text = check_budgeted(report, 65_536)
    page = gfm_page(text)
    [errors] = [t for t in page.tables if [c for c, _ in t[0]][:2] == ["Update", "Operation"]]
    assert len(finding_rows(page)[0]) == 3
    section = text[text.index("<details><summary>Could not read") :]
    assert len(section.encode("utf-8")) > 65_536 // 2
    closing = ALL_SHOWN_LINE.fullmatch(text.splitlines()[-1])
    assert closing is not None
    assert closing["cut"] == f"{3000 - len(body(errors)):,} of 3,000 items that could not be read"


def test_read_errors_too_long_for_any_row_are_still_counted() -> None:
    """Read errors whose rows cannot fit keep a folded section that counts them."""
    report = synthetic_report(10, errors=5, width=40_000)
    text = check_budgeted(report, 65_536)
    assert "<details><summary>Could not read (5)</summary>" in text
    assert "… 5 of 5 items that could not be read are not shown here" in text


def test_a_row_longer_than_what_is_left_ends_the_table() -> None:
    """A row that does not fit is never cut and nothing less severe is shown in its place."""
    huge = finding("aa-huge", severity=Severity.CRITICAL, message="x" * 100_000)
    small = [finding(f"fw-{i:02d}", severity=Severity.LOW) for i in range(5)]
    report = report_of([huge, *small])
    text = check_budgeted(report, 65_536)
    assert finding_rows(gfm_page(text)) == ([], [])
    assert "Findings (" not in text
    assert text.splitlines()[-1] == (
        f"_6 of 6 findings are not shown here (budget 65,536 bytes): 1 critical, 5 low. "
        f"{FULL_REPORT}_"
    )


def test_notes_left_out_are_counted() -> None:
    """Notes that do not fit are counted in their folded section."""
    text = check_budgeted(synthetic_report(1000, notes=500), 16_384)
    more = NOTES_LEFT_OUT.search(text)
    assert more is not None
    assert number(more["total"]) == 500
    assert re.search(r"<summary>Notes \((\d+ of )?500\)</summary>", text)


def test_long_policy_pack_names_give_way_to_their_number() -> None:
    """A context line over an eighth of the budget names the number of packs instead."""
    report = synthetic_report(5, packs=100)
    text = check_budgeted(report, 8192)
    assert text.splitlines()[2].endswith(" · 100 policy packs")
    closing = ALL_SHOWN_LINE.fullmatch(text.splitlines()[-1])
    assert closing is not None
    assert closing["cut"] == "the policy pack names"
    assert MarkdownFormat(max_bytes=8192).notices(report) == [
        "Markdown report shows every finding, within 8,192 bytes; left out: the policy pack "
        "names; the other formats have the full report"
    ]


def test_a_budget_below_the_minimum_is_refused() -> None:
    """Under MIN_MAX_BYTES the verdict, counts and closing line might not fit: refused."""
    assert MIN_MAX_BYTES == 4096
    with pytest.raises(ValueError, match="at least 4096 bytes"):
        MarkdownFormat(max_bytes=MIN_MAX_BYTES - 1)
    assert MarkdownFormat(max_bytes=MIN_MAX_BYTES).max_bytes == MIN_MAX_BYTES


@pytest.fixture(scope="module")
def fleet_2000(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The issue's example: the benchmark fleet at 2,000 updates (5,870 findings). Its full
    Markdown is already over GitHub's 1 MiB, and each audit takes about a quarter of the
    10,000-update `benchmark_fleet`'s time (three audits here)."""
    return generate_fleet(tmp_path_factory.mktemp("fleet-2000"), 2000)


def test_github_summary_of_2000_updates_stays_within_1_mib(
    fleet_2000: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's case: the full Markdown is over 1 MiB; the step's summary, with what an
    earlier command of the step wrote, is not."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", "summary.md")
    earlier = "earlier step\n" * 1000
    Path("summary.md").write_text(earlier, encoding="utf-8")
    options = ["--format", "markdown", "--output", "full.md", "--github-summary", *AS_OF]
    run = check_fleet(fleet_2000, tmp_path, *options)
    assert run.code == 1
    full = Path("full.md").read_text(encoding="utf-8")
    assert len(full.encode("utf-8")) > GITHUB_SUMMARY_MAX_BYTES
    written = Path("summary.md").read_text(encoding="utf-8")
    assert written.startswith(earlier)
    appended = written[len(earlier) :]
    assert len(written.encode("utf-8")) <= GITHUB_SUMMARY_MAX_BYTES
    assert appended.splitlines()[0] == full.splitlines()[0]
    total = len(finding_rows(gfm_page(full))[0])
    active, _ = finding_rows(gfm_page(appended))
    closing = LEFT_OUT_LINE.fullmatch(appended.splitlines()[-1])
    assert closing is not None
    assert number(closing["total"]) == total
    assert len(active) == total - number(closing["left"]) > 0
    assert run.stderr == (
        f"note: $GITHUB_STEP_SUMMARY: Markdown report shows {len(active):,} of {total:,} "
        "findings (the most severe), "
        f"within {GITHUB_SUMMARY_MAX_BYTES - len(earlier):,} bytes; the other formats have the "
        "full report\n"
    )


def test_github_summary_with_no_room_left_appends_nothing_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A step whose summary is already (nearly) at GitHub's limit gets nothing more, and a note;
    the exit code and the other reports are unchanged."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", "summary.md")
    earlier = "x" * (GITHUB_SUMMARY_MAX_BYTES - 100)
    Path("summary.md").write_text(earlier, encoding="utf-8")
    code = main(
        [
            "check",
            str(ROOT / "examples" / "ota"),
            "--state",
            str(ROOT / "examples" / "live-snapshot.json"),
            "--format",
            "json",
            "--output",
            "r.json",
            "--github-summary",
        ]
    )
    assert code == 1
    assert Path("summary.md").read_text(encoding="utf-8") == earlier
    assert Path("r.json").stat().st_size > 0
    assert capsys.readouterr().err == (
        f"note: $GITHUB_STEP_SUMMARY: the step's job summary already holds {len(earlier):,} "
        "bytes of the 1,048,576 GitHub shows for a step: nothing appended; the other reports "
        "are complete\n"
    )


@pytest.mark.parametrize("budget", [4096, 65536])
def test_markdown_max_bytes_keeps_stdout_and_reports_within_it(
    budget: int,
    fleet_2000: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--markdown-max-bytes holds --format markdown, --report markdown= and the job summary
    to N bytes (65,536: a pull-request comment), with a note on stderr for each output."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", "summary.md")
    Path("summary.md").write_text("", encoding="utf-8")
    options = ["--format", "markdown", "--report", "markdown=pr.md", "--github-summary", *AS_OF]
    run = check_fleet(fleet_2000, tmp_path, *options, "--markdown-max-bytes", str(budget))
    assert run.code == 1
    out, err = capsys.readouterr().out, run.stderr
    assert len(out.encode("utf-8")) <= budget
    assert Path("pr.md").read_text(encoding="utf-8") == out
    assert Path("summary.md").read_text(encoding="utf-8") == out
    assert LEFT_OUT_LINE.fullmatch(out.splitlines()[-1])
    notes = err.splitlines()
    assert [n.split(": ", 2)[1] for n in notes] == ["stdout", "pr.md", "$GITHUB_STEP_SUMMARY"]
    for note in notes:
        assert note.split(": ", 2)[2].startswith("Markdown report shows ")
        assert f"findings (the most severe), within {budget:,} bytes;" in note


@pytest.mark.parametrize("value", ["4095", "1048577", "0", "64k"])
def test_markdown_max_bytes_out_of_range_is_a_usage_error(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A budget outside 4096..1048576 is exit 2 with one error line, before the audit."""
    example = [str(ROOT / "examples/ota"), "--state", str(ROOT / "examples/live-snapshot.json")]
    with pytest.raises(SystemExit) as exited:
        main(["check", *example, "--format", "markdown", "--markdown-max-bytes", value])
    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    [error] = [line for line in err.splitlines() if "error:" in line]
    assert error == (
        "ota-drift check: error: argument --markdown-max-bytes: must be a whole number from "
        f"4096 to 1048576, not '{value}'"
    )


@pytest.mark.parametrize(
    "text", ["ping @octocat", "cc @github/security-team", "see #1", "fixes #12 and GH-3", "a@b"]
)
def test_mentions_and_issue_references_do_not_go_live(text: str) -> None:
    """GitHub notifies `@name` and cross-references `#12` outside code: a zero-width space
    after `@` and `#` keeps a pull-request author's YAML from pinging anyone."""
    rendered = markdown_it().render(f"| a |\n| --- |\n| {cell(text)} |\n")
    assert re.search(r"[@#][A-Za-z0-9]", rendered) is None, rendered
    assert rendered.count("\u200b") == text.count("@") + text.count("#")
