"""The HTML report: self-contained, strict-CSP-clean, escaped, and working in a real browser."""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from checker.formats.html import HtmlFormat
from checker.formats.json import to_json
from checker.model import DriftValues, Report, Severity, SkippedUpdate, SourceError, Suppressed
from tests.formats.golden import example_report
from tests.formats.test_markdown import HOSTILE, finding, hostile_report, report_of

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
IMG_XSS = '<img src=x onerror="window.__xss=1">'
SCRIPT_XSS = "</script><script>window.__xss=2</script>"
URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "poster", "xlink:href", "data"}
COLUMNS = ["Severity", "Rule", "Update", "Source", "Path", "Message", "Location", "Suppressed"]


class Element:
    """One parsed element: tag, attributes, and the text inside it (entities decoded)."""

    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.text: list[str] = []
        self.children: list[Element] = []

    @property
    def content(self) -> str:
        return "".join(self.text)

    def find(self, tag: str) -> list[Element]:
        """Descendants with this tag, in document order."""
        found = []
        for child in self.children:
            if child.tag == tag:
                found.append(child)
            found += child.find(tag)
        return found


VOID = {"meta", "link", "br", "wbr", "input", "img", "hr", "col", "source", "area", "base"}
SVG_VOID = {"rect"}


class Document(HTMLParser):
    """The page as a tree of elements, every element also in `elements` in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {})
        self.elements: list[Element] = []
        self._stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        assert len(dict(attrs)) == len(attrs), f"duplicate attribute on <{tag}>"
        self.elements.append(element)
        self._stack[-1].children.append(element)
        if tag not in VOID:
            self._stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        assert self._stack[-1].tag == tag, f"</{tag}> closes <{self._stack[-1].tag}>"
        self._stack.pop()

    def handle_data(self, data: str) -> None:
        for element in self._stack[1:]:
            element.text.append(data)

    def by_id(self, element_id: str) -> Element:
        (found,) = [e for e in self.elements if e.attrs.get("id") == element_id]
        return found

    def tags(self, tag: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag]


def parse(text: str) -> Document:
    document = Document()
    document.feed(text)
    document.close()
    assert document._stack == [document.root], "unclosed elements"
    return document


def sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def rows_of(document: Document) -> list[Element]:
    return document.by_id("findings").find("tbody")[0].find("tr")


def cells_of(row: Element) -> list[str]:
    return [td.content for td in row.find("td")]


@pytest.fixture(scope="module")
def example() -> Report:
    return example_report()


@pytest.fixture(scope="module")
def example_html(example: Report) -> str:
    return HtmlFormat().render(example)


@pytest.fixture(scope="module")
def hostile_html() -> str:
    return HtmlFormat().render(xss_report())


def xss_report() -> Report:
    """The hostile report plus two findings whose messages try to run script."""
    report = hostile_report()
    extra = [
        finding("xss-img", message=IMG_XSS, path=IMG_XSS),
        finding("xss-script", message=SCRIPT_XSS, path=SCRIPT_XSS),
    ]
    return report_of([*report.findings, *extra], report.errors, report.skipped, (SCRIPT_XSS,))


def test_page_is_one_html5_document(example_html: str) -> None:
    """The output is one HTML5 document that parses with every element closed."""
    assert example_html.startswith(
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">'
    )
    assert example_html.endswith("</body>\n</html>\n")
    document = parse(example_html)
    assert [e.tag for e in document.root.children] == ["html"]


@pytest.mark.parametrize("fixture", ["example_html", "hostile_html"])
def test_no_event_handlers_and_no_external_urls(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    """No element has an on* attribute, a style attribute, or a URL leaving the page."""
    document = parse(request.getfixturevalue(fixture))
    for element in document.elements:
        for name, value in element.attrs.items():
            assert not name.startswith("on"), f"<{element.tag} {name}>"
            assert name != "style", f"<{element.tag} style>"
            if name in URL_ATTRIBUTES:
                assert value is not None
                assert value.startswith("#") or value == "data:,", f"<{element.tag} {name}={value}>"
    links = [e.attrs["href"] for e in document.tags("a")]
    assert links
    assert all(href is not None and re.fullmatch(r"#[\w-]+", href) for href in links)


def test_no_handler_or_script_url_text_anywhere_in_the_example(example_html: str) -> None:
    """The raw text of the example page has no on*= attribute, javascript: URL or http(s) URL."""
    assert re.search(r"<[^>]*\son\w+\s*=", example_html) is None
    assert "javascript:" not in example_html.lower()
    assert re.search(r"(src|href|action)\s*=\s*[\"']?\s*https?:", example_html) is None
    assert "http://" not in example_html
    assert "https://" not in example_html


def test_one_style_one_script_and_csp_hashes_match(example_html: str) -> None:
    """The CSP names the sha256 of the page's one <style> and one <script>, and comes first."""
    document = parse(example_html)
    (style,) = document.tags("style")
    (script,) = document.tags("script")
    assert script.attrs == {}
    (csp,) = [m for m in document.tags("meta") if m.attrs.get("http-equiv")]
    assert csp.attrs["http-equiv"] == "Content-Security-Policy"
    assert csp.attrs["content"] == (
        f"default-src 'none'; style-src 'sha256-{sha256(style.content)}'; "
        f"script-src 'sha256-{sha256(script.content)}'; img-src data:; base-uri 'none'; "
        "form-action 'none'"
    )
    order = document.elements
    assert order.index(csp) < order.index(style) < order.index(script)
    assert order[-1] is script or order.index(script) > order.index(document.by_id("findings"))
    assert "addEventListener" in script.content


def test_header_names_version_command_time_and_packs(example_html: str) -> None:
    """The header shows tool version, command, --as-of, capture time, packs and files."""
    meta = parse(example_html).tags("dl")[0]
    pairs = [(div.find("dt")[0].content, div.find("dd")[0].content) for div in meta.find("div")]
    assert pairs == [
        ("Tool", "ota-drift 0.1.0"),
        ("Command", "ota-drift check"),
        ("As of", "2026-11-25T00:00:00Z"),
        ("Live state captured", "2026-11-20T06:00:00Z"),
        ("Policy packs", "policies/default.yaml examples/policy.yaml"),
        (
            "Declared files",
            "examples/ota/cameras.yaml examples/ota/gateways.yaml examples/ota/sensors.yaml",
        ),
        ("Rules evaluated", "25"),
    ]


def test_summary_counts_and_bar_chart(example_html: str) -> None:
    """Summary cards count updates; the SVG chart has one bar per severity plus suppressed."""
    document = parse(example_html)
    cards = [e.content for e in document.elements if e.attrs.get("class") == "card"]
    assert cards == ["6Declared", "6Live", "3In sync", "2Drifted", "1Missing", "0Unmanaged"]
    (svg,) = document.tags("svg")
    bars = [r for r in svg.find("rect") if "chart-bar" in (r.attrs.get("class") or "")]
    assert [r.attrs["class"] for r in bars] == [
        "chart-bar sev-critical",
        "chart-bar sev-high",
        "chart-bar sev-medium",
        "chart-bar sev-low",
        "chart-bar sev-info",
        "chart-bar sev-suppressed",
    ]
    assert [float(r.attrs["width"] or "") for r in bars] == [19.2, 250.0, 57.7, 19.2, 192.3, 19.2]
    assert svg.find("title")[0].content == (
        "Findings by severity: 1 critical, 13 high, 3 medium, 1 low, 10 info, 1 suppressed"
    )


def test_verdict_reflects_findings_and_completeness() -> None:
    """The verdict says findings, 'No findings', or 'Incomplete' when something was unread."""

    def verdict(report: Report) -> str:
        document = parse(HtmlFormat().render(report))
        (section,) = [e for e in document.tags("section") if e.attrs.get("role") == "status"]
        return section.find("strong")[0].content

    assert (
        verdict(example_report())
        == "28 active findings: 1 critical, 13 high, 3 medium, 1 low, 10 info"
    )
    assert verdict(report_of([])) == "No findings"
    error = SourceError("fw", "GetOTAUpdate", "AccessDenied", "denied")
    assert verdict(report_of([], (error,))) == "Incomplete: 1 item could not be read"


def test_one_row_per_finding_with_data_attributes(example: Report, example_html: str) -> None:
    """Every JSON finding has one row whose data-* attributes are its severity, rule, update
    and source, most severe first."""
    findings = to_json(example)["findings"]
    rows = rows_of(parse(example_html))
    assert len(rows) == len(findings) == 29
    seen = Counter(
        (
            r.attrs["data-severity"],
            r.attrs["data-rule"],
            r.attrs["data-update"],
            r.attrs["data-source"],
        )
        for r in rows
    )
    expected = Counter(
        (f["severity"], f["ruleId"], f["otaUpdateId"], f["source"]) for f in findings
    )
    assert seen == expected
    ranks = [Severity(r.attrs["data-severity"] or "").rank for r in rows]
    assert ranks == sorted(ranks, reverse=True)
    assert [r.attrs["data-order"] for r in rows] == [str(i) for i in range(29)]
    assert [r.attrs["data-state"] for r in rows].count("suppressed") == 1


def test_rows_show_each_column(example_html: str) -> None:
    """A row's cells are severity, rule, update, source, path, message, location, suppressed."""
    document = parse(example_html)
    header = document.by_id("findings").find("thead")[0]
    assert [th.content for th in header.find("th")] == COLUMNS
    assert [b.attrs["data-column"] for b in header.find("button")] == [str(i) for i in range(8)]
    assert all(b.attrs["type"] == "button" for b in header.find("button"))
    rows = {
        (r.attrs["data-rule"], r.attrs["data-update"], cells_of(r)[4]): r for r in rows_of(document)
    }
    suppressed = rows[("OTA401", "gw-fw-4", "targetSelection")]
    assert cells_of(suppressed) == [
        "medium",
        "OTA401",
        "gw-fw-4",
        "both",
        "targetSelection",
        "targetSelection is CONTINUOUS: things that join a target group later get the update at "
        "once, outside the rollout rate",
        "examples/ota/gateways.yaml:39",
        "until 2027-03-31 Pilot gateways join the pilot group one by one; continuous targeting "
        "approved in security review SR-142",
    ]
    drift = rows[("OTA001", "gw-fw-3", "awsJobPresignedUrlConfig.expiresInSec")]
    assert cells_of(drift)[5] == (
        "awsJobPresignedUrlConfig.expiresInSec: declared 600, live 3600"
        "600 → 3600 compare side by side"
    )
    unmanaged = rows[("OTA101", "lab-fw-test", "files[lab-build-7731.bin]")]
    assert cells_of(unmanaged)[6:] == ["not declared", "—"]


def test_filters_are_built_from_the_findings(example_html: str) -> None:
    """Each filter offers 'all' and exactly the values present, with their counts."""
    document = parse(example_html)
    assert "hidden" in document.by_id("filters").attrs

    def options(name: str) -> list[tuple[str | None, str]]:
        select = document.by_id(f"filter-{name}")
        assert select.attrs["data-filter"] == name
        return [(o.attrs["value"], o.content) for o in select.find("option")]

    assert options("severity") == [
        ("", "All severities"),
        ("critical", "critical (1)"),
        ("high", "high (13)"),
        ("medium", "medium (4)"),
        ("low", "low (1)"),
        ("info", "info (10)"),
    ]
    assert options("source") == [
        ("", "All sources"),
        ("both", "both (2)"),
        ("declared", "declared (11)"),
        ("drift", "drift (9)"),
        ("live", "live (7)"),
    ]
    assert [value for value, _ in options("rule")] == [
        "",
        "OTA001",
        "OTA002",
        "OTA004",
        "OTA101",
        "OTA202",
        "OTA301",
        "OTA306",
        "OTA307",
        "OTA401",
        "OTA402",
        "OTA501",
        "OTA900",
    ]
    assert [value for value, _ in options("update")] == [
        "",
        "cam-fw-*",
        "cam-fw-0",
        "cam-fw-1",
        "gw-fw-3",
        "gw-fw-4",
        "lab-fw-test",
        "sensor-fw-2026-10",
        "sensor-fw-2026-11",
    ]


def test_rule_documentation_for_each_rule_that_appears(example: Report, example_html: str) -> None:
    """Each rule with a finding has a <details id=rule-ID>, and its row links there."""
    document = parse(example_html)
    details = [e for e in document.tags("details") if (e.attrs.get("id") or "").startswith("rule-")]
    rules = sorted({f.rule_id for f in example.findings})
    assert [d.attrs["id"] for d in details] == [f"rule-{r}" for r in rules]
    for row in rows_of(document):
        (link,) = row.find("a")[:1]
        assert link.attrs["href"] == f"#rule-{row.attrs['data-rule']}"
    ota101 = document.by_id("rule-OTA101")
    assert ota101.find("summary")[0].content == (
        "OTA101 Ensure every OTA file is code-signeddefault critical"
    )
    assert [h.content for h in ota101.find("h4")] == [
        "What it checks",
        "Why it matters",
        "How to fix it",
        "Fails",
        "Passes",
        "References",
    ]
    quiet = [p.content for p in document.tags("p") if p.content.startswith("Evaluated without")]
    assert quiet == [
        "Evaluated without findings: OTA003, OTA102, OTA103, OTA104, OTA201, OTA203, OTA204, "
        "OTA302, OTA303, OTA304, OTA305, OTA403, OTA502."
    ]


def test_drift_side_by_side(example_html: str) -> None:
    """OTA001 drift appears per update as path | declared | live, values as indented JSON."""
    document = parse(example_html)
    cards = [e for e in document.tags("article") if e.attrs.get("class") == "drift-card"]
    assert [(c.attrs["id"], c.find("h3")[0].content) for c in cards] == [
        ("drift-1", "gw-fw-3 declared at examples/ota/gateways.yaml"),
        ("drift-2", "gw-fw-4 declared at examples/ota/gateways.yaml"),
    ]
    header = [th.content for th in cards[1].find("thead")[0].find("th")]
    assert header == ["Path", "Declared", "Live"]
    rows = cards[1].find("tbody")[0].find("tr")
    assert [[pre.content for pre in row.find("pre")] for row in rows] == [
        ["10", "100"],
        [
            '[\n  "arn:aws:iot:eu-central-1:123456789012:thinggroup/gateways-pilot"\n]',
            '[\n  "arn:aws:iot:eu-central-1:123456789012:thinggroup/gateways",\n'
            '  "arn:aws:iot:eu-central-1:123456789012:thinggroup/gateways-pilot"\n]',
        ],
    ]
    links = [a.attrs["href"] for a in document.tags("a") if a.content == "compare side by side"]
    assert links == ["#drift-1", "#drift-2", "#drift-2"]


def test_absent_drift_side_reads_absent() -> None:
    """A drift value one side lacks shows `absent` in both the row and the side-by-side view."""
    drift = finding("fw", rule="OTA001", source="drift", drift=DriftValues({"a": 1}, None))
    document = parse(HtmlFormat().render(report_of([drift])))
    assert [pre.content for pre in document.by_id("drift-1").find("pre")] == [
        '{\n  "a": 1\n}',
        "absent",
    ]


def test_read_errors_and_notes_sections() -> None:
    """Read errors list operation, code and message; notes list skipped updates."""
    errors = (SourceError(None, "ListOTAUpdates", "AccessDenied", "not authorised"),)
    skipped = (SkippedUpdate("fw-2", "deleted while the audit ran"),)
    document = parse(HtmlFormat().render(report_of([finding("fw")], errors, skipped)))
    section = [s for s in document.tags("section") if s.attrs.get("aria-labelledby") == "h-errors"]
    (errors_section,) = section
    rows = errors_section.find("tbody")[0].find("tr")
    assert [cells_of(r) for r in rows] == [
        ["(all)", "ListOTAUpdates", "AccessDenied", "not authorised"]
    ]
    notes = [s for s in document.tags("section") if s.attrs.get("aria-labelledby") == "h-notes"]
    assert [li.content for li in notes[0].find("li")] == ["fw-2: deleted while the audit ran"]
    clean = parse(HtmlFormat().render(report_of([])))
    (empty,) = [s for s in clean.tags("section") if s.attrs.get("aria-labelledby") == "h-errors"]
    assert empty.find("p")[0].content == "None: every live update was read."
    assert clean.by_id("h-findings").content == "Findings 0"


def test_hostile_strings_render_as_text(hostile_html: str) -> None:
    """Hostile values add no element and no attribute: they read back as text, exactly (a
    carriage return reads `\\r`, as everywhere)."""
    document = parse(hostile_html)
    assert document.tags("img") == []
    assert len(document.tags("script")) == 1
    assert document.tags("script")[0].attrs == {}
    assert all(not name.startswith("on") for e in document.elements for name in e.attrs)
    rows = {r.attrs["data-update"]: r for r in rows_of(document)}
    for index, hostile in enumerate(HOSTILE):
        value = hostile.replace("\r", "\\r")
        row = rows[f"{value} #{index}"]
        cells = cells_of(row)
        assert cells[2] == f"{value} #{index}"
        assert cells[4:7] == [value, value, f"{value}:{index + 1}"]
    assert cells_of(rows["xss-img"])[5] == IMG_XSS
    assert cells_of(rows["xss-script"])[5] == SCRIPT_XSS
    assert cells_of(rows["accepted"])[7] == f"until 2027-03-31 {HOSTILE[7]}".replace("\r", "\\r")
    assert "&lt;/script&gt;&lt;script&gt;window.__xss=2&lt;/script&gt;" in hostile_html
    assert "onerror=&quot;window.__xss=1&quot;" in hostile_html
    options = [o.attrs["value"] for o in document.by_id("filter-update").find("option")]
    assert f"{HOSTILE[0]} #0" in options


def test_invisible_characters_are_spelled_out() -> None:
    """Bidi overrides and control characters in a value show as escapes, never raw."""
    document = parse(HtmlFormat().render(report_of([finding("fw", message="a\u202eb\x00c")])))
    assert cells_of(rows_of(document)[0])[5] == "a\\u202eb\\x00c"


def test_output_is_deterministic(example: Report, example_html: str) -> None:
    """The same report renders byte for byte the same, from a fresh audit too."""
    assert HtmlFormat().render(example) == example_html
    assert HtmlFormat().render(example_report()) == example_html
    suppressed = finding("fw", suppressed=Suppressed("ok", date(2027, 1, 1)))
    assert HtmlFormat().render(report_of([suppressed])) == HtmlFormat().render(
        report_of([suppressed])
    )


# --- a real browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium driven by Playwright; skipped, saying which, if one is missing."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser test needs Chromium at {CHROMIUM}, which is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser test needs the playwright Python package, which is missing")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Loaded:
    """A page loaded from file://, with every console message, page error and CSP violation."""

    def __init__(self, browser: Browser, text: str, path: Path, bypass_csp: bool = False) -> None:
        path.write_text(text, encoding="utf-8")
        self.context = browser.new_context(
            viewport={"width": 1440, "height": 900}, bypass_csp=bypass_csp
        )
        self.page: Page = self.context.new_page()
        self.console: list[str] = []
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.add_init_script(
            "window.__csp = [];"
            "document.addEventListener('securitypolicyviolation', function (e) {"
            "  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI); });"
        )
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")

    def csp_violations(self) -> Any:
        return self.page.evaluate("window.__csp")

    def visible_rows(self) -> int:
        return self.page.locator("#findings tbody tr:visible").count()

    def column(self, index: int) -> list[str]:
        return self.page.locator(f"#findings tbody tr td:nth-child({index + 1})").all_inner_texts()

    def orders(self) -> list[int]:
        return [
            int(o)
            for o in self.page.eval_on_selector_all(
                "#findings tbody tr", "rows => rows.map(r => r.dataset.order)"
            )
        ]


@pytest.fixture()
def loaded_example(browser: Browser, example_html: str, tmp_path: Path) -> Iterator[Loaded]:
    loaded = Loaded(browser, example_html, tmp_path / "report.html")
    yield loaded
    loaded.context.close()


def test_browser_runs_clean_under_csp(loaded_example: Loaded, example: Report) -> None:
    """The page loads offline with no console output, page error or CSP violation, shows its
    filters, has one row per JSON finding, and is saved as a screenshot."""
    page = loaded_example.page
    assert loaded_example.console == []
    assert loaded_example.errors == []
    assert loaded_example.csp_violations() == []
    assert page.locator("#filters").is_visible()
    rows = len(to_json(example)["findings"])
    assert page.locator("#findings tbody tr").count() == rows == 29
    assert loaded_example.visible_rows() == rows
    assert page.locator("#shown").inner_text() == "Showing 29 of 29 findings"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000


def test_browser_filters_rows(loaded_example: Loaded, example: Report) -> None:
    """Each filter shows exactly the matching rows; they combine, and Reset shows all again."""
    page = loaded_example.page
    findings = to_json(example)["findings"]
    page.select_option("#filter-severity", "high")
    high = sum(1 for f in findings if f["severity"] == "high")
    assert loaded_example.visible_rows() == high == 13
    assert set(
        loaded_example.page.locator("#findings tbody tr:visible td:nth-child(1)").all_inner_texts()
    ) == {"high"}
    assert page.locator("#shown").inner_text() == "Showing 13 of 29 findings"
    page.select_option("#filter-source", "drift")
    expected = sum(1 for f in findings if f["severity"] == "high" and f["source"] == "drift")
    assert loaded_example.visible_rows() == expected == 4
    page.select_option("#filter-severity", "")
    page.select_option("#filter-source", "")
    page.select_option("#filter-rule", "OTA401")
    assert loaded_example.visible_rows() == 2
    page.uncheck("#show-suppressed")
    assert loaded_example.visible_rows() == 1
    page.select_option("#filter-update", "gw-fw-4")
    assert loaded_example.visible_rows() == 0
    assert page.locator("#no-match").is_visible()
    page.click("#reset")
    assert loaded_example.visible_rows() == len(findings)
    assert not page.locator("#no-match").is_visible()
    page.select_option("#filter-update", "lab-fw-test")
    assert loaded_example.visible_rows() == sum(
        1 for f in findings if f["otaUpdateId"] == "lab-fw-test"
    )
    assert loaded_example.console == [] and loaded_example.errors == []


def test_browser_sorts_by_clicked_column(loaded_example: Loaded) -> None:
    """Clicking a header button sorts by that column, again reverses; ties keep report order."""
    page = loaded_example.page
    initial = loaded_example.column(1)
    assert loaded_example.orders() == list(range(29))
    rule = page.locator('#findings thead button[data-column="1"]')
    rule.click()
    ascending = sorted(range(29), key=lambda i: initial[i])
    assert loaded_example.orders() == ascending
    assert loaded_example.column(1) == sorted(initial)
    assert loaded_example.column(1) != initial
    assert page.locator("#findings thead th").nth(1).get_attribute("aria-sort") == "ascending"
    assert page.locator("#findings thead th").nth(0).get_attribute("aria-sort") == "none"
    rule.click()
    assert loaded_example.orders() == sorted(range(29), key=lambda i: initial[i], reverse=True)
    assert page.locator("#findings thead th").nth(1).get_attribute("aria-sort") == "descending"
    page.locator('#findings thead button[data-column="0"]').click()
    severities = loaded_example.column(0)
    assert severities[0] == "critical" and severities[-1] == "info"
    page.locator('#findings thead button[data-column="0"]').click()
    severities = loaded_example.column(0)
    assert severities[0] == "info" and severities[-1] == "critical"
    assert loaded_example.console == [] and loaded_example.errors == []


def test_browser_rule_link_opens_its_documentation(loaded_example: Loaded) -> None:
    """Clicking a rule ID opens that rule's <details> documentation."""
    page = loaded_example.page
    assert page.evaluate("document.getElementById('rule-OTA101').open") is False
    page.locator('#findings a[href="#rule-OTA101"]').first.click()
    assert page.evaluate("document.getElementById('rule-OTA101').open") is True
    assert page.locator("#rule-OTA101 .rule-body").is_visible()
    assert loaded_example.console == [] and loaded_example.errors == []


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["csp", "no-csp"])
def test_browser_hostile_descriptions_do_not_execute(
    browser: Browser, tmp_path: Path, bypass_csp: bool
) -> None:
    """Script-like values stay text even with the CSP switched off: escaping alone holds."""
    report = xss_report()
    loaded = Loaded(browser, HtmlFormat().render(report), tmp_path / "xss.html", bypass_csp)
    try:
        page = loaded.page
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert page.locator("img").count() == 0
        assert page.locator("script").count() == 1
        assert loaded.errors == []
        assert loaded.csp_violations() == []
        assert loaded.console == []
        messages = loaded.column(5)
        assert IMG_XSS in messages
        assert SCRIPT_XSS in messages
        assert loaded.visible_rows() == len(report.findings)
        page.select_option("#filter-update", f"{HOSTILE[0]} #0")
        assert loaded.visible_rows() == 1
        page.locator('#findings thead button[data-column="5"]').click()
        assert page.evaluate("typeof window.__xss") == "undefined"
    finally:
        loaded.context.close()
