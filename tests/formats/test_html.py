"""The HTML report: self-contained, strict-CSP-clean, escaped, and working in a real browser.

Findings, updates and drift travel as a JSON data block that the page's one script draws a
page at a time; the static tests read that block back, the browser tests drive Chromium."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from checker.formats.common import DRIFT_RULE_ID
from checker.formats.html import (
    CHAIN_CARDS,
    CHAIN_KINDS,
    CHAIN_STYLE,
    DRIFT_CARDS,
    DRIFT_RULE_TOKEN,
    FINDING_FIELDS,
    FLEET_SCRIPT,
    PAGE_ROWS,
    SCRIPT,
    STYLE,
    UPDATE_ROWS,
    HtmlFormat,
    page_assets,
    script_for,
    script_json,
    style_for,
)
from checker.formats.json import to_json
from checker.model import (
    AuditedUpdate,
    ChainLink,
    DriftValues,
    FileChain,
    Location,
    Partition,
    Report,
    Severity,
    SkippedUpdate,
    SourceError,
    Suppressed,
)
from checker.textsafe import visible
from tests.formats.golden import example_report, fleet_example_report
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
COMMENT_XSS = "<!-- <script>window.__xss=3</script>"
SEPARATORS = "line\u2028separator\u2029paragraph"
URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "poster", "xlink:href", "data"}
COLUMNS = ["Severity", "Rule", "Update", "Source", "Path", "Message", "Location", "Suppressed"]
DATA_BLOCK = '<script type="application/json" id="report-data">'
LAB = Partition("444455556666", "us-east-1")


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


def scripts_of(document: Document) -> tuple[Element, Element]:
    """The page's one executable script and its one JSON data block; nothing else is a script."""
    scripts = document.tags("script")
    executable = [s for s in scripts if "type" not in s.attrs]
    blocks = [s for s in scripts if s.attrs.get("type") == "application/json"]
    assert len(scripts) == 2 and len(executable) == 1 and len(blocks) == 1
    assert executable[0].attrs == {}
    assert blocks[0].attrs == {"type": "application/json", "id": "report-data"}
    return executable[0], blocks[0]


def data_of(text: str) -> dict[str, Any]:
    """The page's data block, parsed with a strict JSON parser."""
    _, block = scripts_of(parse(text))
    return dict(json.loads(block.content, parse_constant=_no_constant))


def _no_constant(name: str) -> None:
    raise AssertionError(f"non-JSON constant {name} in the data block")


def decoded(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The data block's findings spelled out with the JSON format's keys (drift values parsed
    back from the indented text the side-by-side view shows)."""
    assert data["findingFields"] == list(FINDING_FIELDS)
    strings = data["strings"]

    def side(text: str) -> Any:
        return None if text == "absent" else json.loads(text)

    out = []
    for row in data["findings"]:
        assert 8 <= len(row) <= 11
        severity, rule, update, source, path, message, file, line = row[:8]
        suppressed, drift, resource = [*row[8:], 0, 0, 0][:3]
        item: dict[str, Any] = {
            "ruleId": strings[rule],
            "severity": data["severities"][severity],
            "otaUpdateId": strings[update],
            "source": strings[source],
            "path": strings[path],
            "message": strings[message],
            "file": strings[file] if file >= 0 else None,
            "line": line if file >= 0 else None,
            "resource": strings[resource] if resource else None,
        }
        if drift:
            item["desired"] = side(strings[drift[0]])
            item["actual"] = side(strings[drift[1]])
        if suppressed:
            reason, expires = suppressed
            item["suppressed"] = {
                "reason": strings[reason],
                "expires": strings[expires] if expires >= 0 else None,
            }
        out.append(item)
    return out


def json_findings(report: Report) -> list[dict[str, Any]]:
    """The JSON format's findings, without `references` (the HTML links rule docs instead)."""
    return [{k: v for k, v in f.items() if k != "references"} for f in to_json(report)["findings"]]


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
    """The hostile report plus findings whose values try to run script or to end, comment out
    or split the data block."""
    report = hostile_report()
    extra = [
        finding("xss-img", message=IMG_XSS, path=IMG_XSS),
        finding("xss-script", message=SCRIPT_XSS, path=SCRIPT_XSS),
        finding(
            "xss-comment",
            message=COMMENT_XSS,
            path=COMMENT_XSS,
            suppressed=Suppressed(SCRIPT_XSS, None),
        ),
        finding(
            "xss-separators",
            rule="OTA001",
            side="drift",
            message=SEPARATORS,
            drift=DriftValues(SCRIPT_XSS, {COMMENT_XSS: SEPARATORS}),
        ),
    ]
    return report_of([*report.findings, *extra], report.errors, report.skipped, (SCRIPT_XSS,))


def big_report() -> Report:
    """480 findings over 150 updates, every tenth suppressed, 30 updates drifted: three pages
    of findings, two of updates and two of drift cards."""
    findings = []
    rules = [("OTA101", Severity.HIGH), ("OTA202", Severity.MEDIUM), ("OTA004", Severity.INFO)]
    for number in range(150):
        update = f"fw-{number:03d}"
        for rule, severity in rules:
            accepted = Suppressed("accepted", date(2027, 1, 1)) if number % 10 == 0 else None
            findings.append(
                finding(update, rule=rule, severity=severity, suppressed=accepted, path="")
            )
        if number % 5 == 0:
            drift = DriftValues({"expiresInSec": number}, {"expiresInSec": number + 1})
            findings.append(
                finding(update, rule="OTA001", side="drift", path="config", drift=drift)
            )
    return report_of(findings)


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
    """The raw text of the example page has no on*= attribute, javascript: URL or http(s) URL,
    in markup, script or data."""
    assert re.search(r"<[^>]*\son\w+\s*=", example_html) is None
    assert "javascript:" not in example_html.lower()
    assert re.search(r"(src|href|action)\s*=\s*[\"']?\s*https?:", example_html) is None
    assert "http://" not in example_html
    assert "https://" not in example_html


def test_script_never_parses_data_as_html() -> None:
    """The script builds every element with createElement and sets text with textContent:
    no API that parses a string as HTML or code appears in it."""
    for api in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert api not in SCRIPT, api
    for api in ("setTimeout(", "Function(", "srcdoc", ".style"):
        assert api not in SCRIPT, api
    assert "textContent" in SCRIPT and "createElement" in SCRIPT


def test_style_and_script_are_package_files_with_the_drift_rule_filled_in() -> None:
    """The page's style and script are html_assets/ verbatim (tests/test_packaging.py checks
    the wheel ships them), but for the script's one placeholder, the drift rule's id as a JS
    string, and its blocks: `//#fleet` ... `//#end` left out of a single-partition page's
    script and kept without their marker lines in a fleet report's; `//#chain` ... `//#end`
    (and the style's `/*#chain*/` ... `/*#end*/`) kept only on a page with a chain view."""
    root = Path(__file__).resolve().parents[2]
    formats = root / "checker" / "formats"
    css = (formats / "html_assets" / "report.css").read_text(encoding="utf-8")
    js = (formats / "html_assets" / "report.js").read_text(encoding="utf-8")
    assert js.count(DRIFT_RULE_TOKEN) == 1
    filled = js.replace(DRIFT_RULE_TOKEN, json.dumps(DRIFT_RULE_ID))

    def blocks(name: str) -> re.Pattern[str]:
        return re.compile(rf"^[ \t]*//#{name}\n.*?^[ \t]*//#end\n", re.MULTILINE | re.DOTALL)

    def markers(name: str) -> re.Pattern[str]:
        return re.compile(rf"^[ \t]*//#{name}\n", re.MULTILINE)

    assert len(blocks("fleet").findall(filled)) == 6
    assert len(blocks("chain").findall(filled)) == 4
    chainless = blocks("chain").sub("", filled)
    single, fleet = blocks("fleet").sub("", chainless), markers("(?:fleet|end)").sub("", chainless)
    assert ("\n" + single, "\n" + fleet) == (SCRIPT, FLEET_SCRIPT)
    chained = markers("chain").sub("", blocks("fleet").sub("", filled))
    assert "\n" + markers("end").sub("", chained) == page_assets(fleet=False, chain=True)[1]
    every = markers("(?:fleet|chain|end)").sub("", filled)
    assert "\n" + every == page_assets(fleet=True, chain=True)[1]
    style_block = re.compile(r"^/\*#chain\*/\n.*?^/\*#end\*/\n", re.MULTILINE | re.DOTALL)
    assert len(style_block.findall(css)) == 1
    assert "\n" + style_block.sub("", css) == STYLE
    assert "\n" + re.sub(r"^/\*#(?:chain|end)\*/\n", "", css, flags=re.MULTILINE) == CHAIN_STYLE
    for fleet_page in (False, True):
        assert page_assets(fleet=fleet_page, chain=False)[:2] == (
            STYLE,
            FLEET_SCRIPT if fleet_page else SCRIPT,
        )
    scripts = [page_assets(fleet=f, chain=c)[1] for f in (False, True) for c in (False, True)]
    assert all("//#" not in script for script in scripts)
    assert "/*#" not in STYLE + CHAIN_STYLE
    assert "[11]" not in SCRIPT and "[11]" in FLEET_SCRIPT
    assert "chain" not in SCRIPT + FLEET_SCRIPT + STYLE


@pytest.mark.parametrize(
    "text",
    [
        "  //#fleet\n  //#fleet\n  //#end\n",
        "  //#end\n",
        "  //#fleet\n  x();\n",
        "  //#chain\n  //#fleet\n  //#end\n",
        "  //#chain\n  x();\n",
    ],
)
def test_fleet_blocks_of_the_script_must_pair_up(text: str) -> None:
    """A marker out of place is refused at import (tests run it), never a half-cut script."""
    with pytest.raises(RuntimeError, match=r"report\.js"):
        script_for(f"{DRIFT_RULE_TOKEN}\n{text}", fleet=False)


@pytest.mark.parametrize("text", ["/*#end*/\n", "/*#chain*/\na{}\n", "/*#chain*/\n/*#chain*/\n"])
def test_chain_blocks_of_the_style_must_pair_up(text: str) -> None:
    """The style's chain block is cut by the same rule: a marker out of place is refused."""
    with pytest.raises(RuntimeError, match=r"report\.css"):
        style_for(text, chain=True)


def test_one_style_one_script_one_data_block_and_csp_hashes_match(example_html: str) -> None:
    """The CSP names the sha256 of the page's one <style> and one executable <script>, and
    comes first; the JSON data block, which never runs, comes just before the script."""
    document = parse(example_html)
    (style,) = document.tags("style")
    script, block = scripts_of(document)
    assert script.content == SCRIPT
    (csp,) = [m for m in document.tags("meta") if m.attrs.get("http-equiv")]
    assert csp.attrs["http-equiv"] == "Content-Security-Policy"
    assert csp.attrs["content"] == (
        f"default-src 'none'; style-src 'sha256-{sha256(style.content)}'; "
        f"script-src 'sha256-{sha256(script.content)}'; img-src data:; base-uri 'none'; "
        "form-action 'none'"
    )
    order = document.elements
    assert order.index(csp) < order.index(style) < order.index(block) < order.index(script)
    assert order[-1] is script
    assert "addEventListener" in script.content


def test_header_names_version_command_time_and_packs(example: Report, example_html: str) -> None:
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
        ("Rules evaluated", str(len(example.rules))),
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
    assert [float(r.attrs["width"] or "") for r in bars] == [16.7, 250.0, 50.0, 16.7, 166.7, 16.7]
    assert svg.find("title")[0].content == (
        "Findings by severity: 1 critical, 15 high, 3 medium, 1 low, 10 info, 1 suppressed"
    )


def test_verdict_reflects_findings_and_completeness() -> None:
    """The verdict says findings, 'No findings', or 'Incomplete' when something was unread."""

    def verdict(report: Report) -> str:
        document = parse(HtmlFormat().render(report))
        (section,) = [e for e in document.tags("section") if e.attrs.get("role") == "status"]
        return section.find("strong")[0].content

    assert (
        verdict(example_report())
        == "30 active findings: 1 critical, 15 high, 3 medium, 1 low, 10 info"
    )
    assert verdict(report_of([])) == "No findings"
    error = SourceError("fw", "GetOTAUpdate", "AccessDenied", "denied")
    assert verdict(report_of([], (error,))) == "Incomplete: 1 item could not be read"


def test_data_block_holds_exactly_the_report_findings(example: Report, example_html: str) -> None:
    """Decoded, the data block's findings are the JSON report's findings, same order, same
    values, suppression and drift included."""
    findings = decoded(data_of(example_html))
    assert len(findings) == len(example.findings) == 31
    assert findings == json_findings(example)
    assert sum(1 for f in findings if "suppressed" in f) == 1
    assert sum(1 for f in findings if "desired" in f) == 3


def test_data_block_interns_repeated_strings() -> None:
    """Each distinct text is stored once and findings refer to it by number, so a message that
    a thousand findings share is in the page once."""
    shared = "roleArn cannot be verified: GetOTAUpdate does not return it"
    report = report_of([finding(f"fw-{n:04d}", message=shared) for n in range(1000)])
    text = HtmlFormat().render(report)
    data = data_of(text)
    assert len(data["strings"]) == len(set(data["strings"]))
    assert text.count(shared) == 1
    assert {len(row) for row in data["findings"]} == {8}
    assert all(isinstance(value, int) for row in data["findings"] for value in row)
    assert [f["message"] for f in decoded(data)] == [shared] * 1000


def test_data_block_records_page_sizes_rules_and_updates(
    example: Report, example_html: str
) -> None:
    """The script's page sizes come from the data block, as do the rules it may link to
    (those with a documentation section on the page) and the audited updates."""
    data = data_of(example_html)
    assert (data["pageRows"], data["updateRows"], data["driftCards"]) == (
        PAGE_ROWS,
        UPDATE_ROWS,
        DRIFT_CARDS,
    )
    strings = data["strings"]
    documented = [strings[rule] for rule, _ in data["rules"]]
    assert documented == sorted({f.rule_id for f in example.findings})
    titles = {strings[rule]: strings[title] for rule, title in data["rules"]}
    assert titles["OTA101"] == "Ensure every OTA file is code-signed"
    assert [strings[u[0]] for u in data["updates"]] == [u.ota_update_id for u in example.audited]
    assert data["updates"][0][3] == 1 and data["lint"] is False


def test_drift_values_are_shipped_indented_and_inline_when_short(example_html: str) -> None:
    """A drift finding carries both sides as indented JSON for the side-by-side view, plus the
    one-line form when both fit in the table (here `600 -> 3600`, not the target lists)."""
    data = data_of(example_html)
    strings = data["strings"]
    drifts = {
        strings[row[4]]: [strings[i] for i in row[9]] for row in data["findings"] if len(row) > 9
    }
    assert drifts["awsJobPresignedUrlConfig.expiresInSec"] == ["600", "3600", "600", "3600"]
    targets = drifts["targets"]
    assert len(targets) == 2
    assert targets[0] == (
        '[\n  "arn:aws:iot:eu-central-1:123456789012:thinggroup/gateways-pilot"\n]'
    )


def test_absent_drift_side_reads_absent() -> None:
    """A drift value one side lacks is shipped as `absent`, in both forms."""
    drift = finding("fw", rule="OTA001", side="drift", drift=DriftValues({"a": 1}, None))
    data = data_of(HtmlFormat().render(report_of([drift])))
    strings = data["strings"]
    assert [strings[i] for i in data["findings"][0][9]] == [
        '{\n  "a": 1\n}',
        "absent",
        '{"a": 1}',
        "absent",
    ]


def test_script_json_cannot_end_or_change_a_script_block() -> None:
    """`script_json` writes no `<`, `>`, `&`, U+2028 or U+2029, and reads back unchanged."""
    value = {"x": [SCRIPT_XSS, COMMENT_XSS, "<![CDATA[", "]]>", "&amp;", SEPARATORS, "</SCRIPT "]}
    text = script_json(value)
    assert not set(text) & set("<>&\u2028\u2029")
    assert "\\u003c/script\\u003e" in text
    assert json.loads(text) == value


def test_hostile_values_cannot_leave_the_data_block(hostile_html: str) -> None:
    """Values holding `</script>`, `<!--`, `<img ...>` or line separators leave the block
    intact: its raw text has none of `<>&`, the page has exactly one executable script and
    one data block, and the values decode to themselves (invisible characters spelled out)."""
    start = hostile_html.index(DATA_BLOCK) + len(DATA_BLOCK)
    raw = hostile_html[start : hostile_html.index("</script>", start)]
    assert not set(raw) & set("<>&\u2028\u2029")
    document = parse(hostile_html)
    script, _ = scripts_of(document)
    assert script.content == SCRIPT
    assert document.tags("img") == []
    findings = {f["otaUpdateId"]: f for f in decoded(data_of(hostile_html))}
    assert findings["xss-script"]["message"] == SCRIPT_XSS
    assert findings["xss-script"]["path"] == SCRIPT_XSS
    assert findings["xss-img"]["message"] == IMG_XSS
    assert findings["xss-comment"]["path"] == COMMENT_XSS
    assert findings["xss-comment"]["suppressed"] == {"reason": SCRIPT_XSS, "expires": None}
    separated = findings["xss-separators"]
    assert separated["message"] == "line\\u2028separator\\u2029paragraph"
    assert separated["desired"] == SCRIPT_XSS
    assert separated["actual"] == {COMMENT_XSS: SEPARATORS}  # shown as JSON escapes, see below
    data = data_of(hostile_html)
    shown = '{\n  "<!-- <script>window.__xss=3</script>": "line\\u2028separator'
    assert any(text.startswith(shown) for text in data["strings"])
    for index, hostile in enumerate(HOSTILE):
        value = visible(hostile, multiline=True)
        row = findings[f"{value} #{index}"]
        assert (row["path"], row["message"], row["file"]) == (value, value, value)


def test_filters_are_built_from_the_findings(example_html: str) -> None:
    """Each select offers 'all' and exactly the values present, with their counts; the update
    and text filters are inputs (a fleet has too many updates for a list)."""
    document = parse(example_html)
    assert "hidden" in document.by_id("filters").attrs

    def options(name: str) -> list[tuple[str | None, str]]:
        select = document.by_id(f"filter-{name}")
        assert select.attrs["data-filter"] == name
        return [(o.attrs["value"], o.content) for o in select.find("option")]

    assert options("severity") == [
        ("", "All severities"),
        ("critical", "critical (1)"),
        ("high", "high (15)"),
        ("medium", "medium (4)"),
        ("low", "low (1)"),
        ("info", "info (10)"),
    ]
    assert options("source") == [
        ("", "All sources"),
        ("both", "both (3)"),
        ("declared", "declared (12)"),
        ("drift", "drift (9)"),
        ("live", "live (7)"),
    ]
    assert [value for value, _ in options("rule")] == [
        "",
        "OTA001",
        "OTA002",
        "OTA004",
        "OTA101",
        "OTA105",
        "OTA202",
        "OTA301",
        "OTA306",
        "OTA307",
        "OTA401",
        "OTA402",
        "OTA501",
        "OTA900",
    ]
    for name in ("update", "text"):
        assert document.by_id(f"filter-{name}").attrs["type"] == "search"
    assert document.by_id("update-ids").children == []


def test_findings_by_rule_is_server_rendered(example: Report, example_html: str) -> None:
    """Without script a reviewer still sees, per rule, its severities, active and suppressed
    counts and how many updates it hits, most severe rule first."""
    document = parse(example_html)
    table = document.by_id("by-rule")
    rows = [[td.content for td in tr.find("td")] for tr in table.find("tbody")[0].find("tr")]
    by_rule = Counter(f.rule_id for f in example.findings)
    assert sorted(row[0] for row in rows) == sorted(by_rule)
    assert [int(row[3]) + int(row[4]) for row in rows] == [by_rule[row[0]] for row in rows]
    assert rows[0] == [
        "OTA101",
        "Ensure every OTA file is code-signed",
        "critical",
        "1",
        "0",
        "1",
        "Show",
    ]
    assert next(row for row in rows if row[0] == "OTA401")[2:6] == ["medium", "1", "1", "2"]
    assert rows[-1][0] == "OTA307"
    shows = [a for a in table.find("a") if a.content == "Show"]
    assert [(a.attrs["href"], a.attrs["data-show-rule"]) for a in shows] == [
        ("#h-findings", row[0]) for row in rows
    ]


def test_without_script_the_page_says_what_needs_it(example_html: str) -> None:
    """The findings, drift and updates panels each carry a note that the script hides; the
    table and the filters start hidden, so a page without script shows no empty controls."""
    document = parse(example_html)
    notes = [p for p in document.tags("p") if "needs-script" in (p.attrs.get("class") or "")]
    assert len(notes) == 3
    assert all("every finding is also in the JSON report" in p.content for p in notes)
    assert "hidden" in document.by_id("findings").attrs
    assert "hidden" in document.by_id("updates").attrs
    assert document.by_id("findings").find("tbody")[0].children == []


def test_rule_documentation_for_each_rule_that_appears(example: Report, example_html: str) -> None:
    """Each rule with a finding has a <details id=rule-ID>, linked from findings by rule."""
    document = parse(example_html)
    details = [e for e in document.tags("details") if (e.attrs.get("id") or "").startswith("rule-")]
    rules = sorted({f.rule_id for f in example.findings})
    assert [d.attrs["id"] for d in details] == [f"rule-{r}" for r in rules]
    links = [a.attrs["href"] for a in document.by_id("by-rule").find("a") if a.content != "Show"]
    assert sorted(links) == [f"#rule-{r}" for r in rules]
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
    unbroken = [r for r in example.rules if r not in rules]  # in the report's (ID) order
    assert {"OTA003", "OTA102", "OTA502"} <= set(unbroken)
    assert quiet == [f"Evaluated without findings: {', '.join(unbroken)}."]


def test_read_errors_and_notes_sections() -> None:
    """Read errors list operation, code and message; notes list skipped updates."""
    errors = (SourceError(None, "ListOTAUpdates", "AccessDenied", "not authorised"),)
    skipped = (SkippedUpdate("fw-2", "deleted while the audit ran"),)
    document = parse(HtmlFormat().render(report_of([finding("fw")], errors, skipped)))
    section = [s for s in document.tags("section") if s.attrs.get("aria-labelledby") == "h-errors"]
    (errors_section,) = section
    rows = errors_section.find("tbody")[0].find("tr")
    assert [[td.content for td in r.find("td")] for r in rows] == [
        ["(listing)", "ListOTAUpdates", "AccessDenied", "not authorised"]
    ]
    notes = [s for s in document.tags("section") if s.attrs.get("aria-labelledby") == "h-notes"]
    assert [li.content for li in notes[0].find("li")] == ["fw-2: deleted while the audit ran"]
    clean = parse(HtmlFormat().render(report_of([])))
    (empty,) = [s for s in clean.tags("section") if s.attrs.get("aria-labelledby") == "h-errors"]
    assert empty.find("p")[0].content == "None: every live update was read."
    assert clean.by_id("h-findings").content == "Findings 0"


def test_hostile_strings_in_markup_render_as_text(hostile_html: str) -> None:
    """Hostile values in server-rendered markup (packs, errors, notes, filter options) add no
    element and no attribute: they read back as text."""
    document = parse(hostile_html)
    assert all(not name.startswith("on") for e in document.elements for name in e.attrs)
    assert "&lt;/script&gt;&lt;script&gt;window.__xss=2&lt;/script&gt;" in hostile_html
    assert "onerror=&quot;window.__xss=1&quot;" in hostile_html
    header = {div.find("dt")[0].content: div for div in document.tags("dl")[0].find("div")}
    assert [c.content for c in header["Policy packs"].find("code")] == [SCRIPT_XSS]
    errors = [s for s in document.tags("section") if s.attrs.get("aria-labelledby") == "h-errors"]
    cells = [tr.find("td")[0].content for tr in errors[0].find("tbody")[0].find("tr")]
    assert cells == [visible(text, multiline=True) for text in HOSTILE[:3]]


def test_invisible_characters_are_spelled_out() -> None:
    """Bidi overrides and control characters in a value are shipped as escapes, never raw."""
    text = HtmlFormat().render(report_of([finding("fw", message="a\u202eb\x00c")]))
    assert [f["message"] for f in decoded(data_of(text))] == ["a\\u202eb\\x00c"]
    assert "\u202e" not in text and "\x00" not in text


def test_output_is_deterministic(example: Report, example_html: str) -> None:
    """The same report renders byte for byte the same, from a fresh audit too."""
    assert HtmlFormat().render(example) == example_html
    assert HtmlFormat().render(example_report()) == example_html
    suppressed = finding("fw", suppressed=Suppressed("ok", date(2027, 1, 1)))
    assert HtmlFormat().render(report_of([suppressed])) == HtmlFormat().render(
        report_of([suppressed])
    )


# --- the chain view (`--verify`) -------------------------------------------------------------

JOB = ChainLink("signingJob", "job-1", "Succeeded, until 2027-05-01", True)
PROFILE = ChainLink("signingProfile", "acme_prod", "Active", True)
CERTIFICATE = ChainLink(
    "certificate",
    "arn:aws:acm:eu-west-1:123456789012:certificate/4f1e",
    "ISSUED, until 2027-05-01",
    True,
)
STREAM = ChainLink("stream", "fw-stream", "1 file(s)", True)
GONE = ChainLink("object", "s3://acme-fw/fw.bin?versionId=v1", "delete marker", False)
WORDS = {
    "signingJob": "signing job",
    "signingProfile": "signing profile",
    "certificate": "certificate",
    "stream": "stream",
    "object": "firmware object",
}


def chain_of(number: int) -> tuple[FileChain, ...]:
    """Update `number`'s chain: a signed streamed file whose object version is a delete
    marker, and a file that names nothing to read."""
    job = dataclasses.replace(JOB, name=f"job-{number}")
    return (
        FileChain(f"fw-{number}.bin", (job, PROFILE, CERTIFICATE, STREAM, GONE)),
        FileChain("files[1]", ()),
    )


def chain_report(updates: int = 3) -> Report:
    """`updates` updates with a finding each; every one but the last with its chain."""
    report = report_of([finding(f"fw-{n:03d}") for n in range(updates)])
    audited = tuple(
        dataclasses.replace(u, chain=chain_of(n)) if n < updates - 1 else u
        for n, u in enumerate(report.audited)
    )
    return dataclasses.replace(report, audited=audited)


def chains_of(data: dict[str, Any]) -> list[tuple[str, list[tuple[str, list[Any]]]]]:
    """The data block's chains spelled out: per update its id, and per file its name and its
    links as (kind in words, name, status, found)."""
    strings, links = data["strings"], data["chainLinks"]
    return [
        (
            strings[data["updates"][update][0]],
            [
                (
                    strings[file],
                    [
                        (strings[k], strings[n], strings[s], f)
                        for k, n, s, f in map(links.__getitem__, at)
                    ],
                )
                for file, at in files
            ],
        )
        for update, files in data["chains"]
    ]


def test_a_page_without_a_chain_has_no_chain_view(example_html: str) -> None:
    """A report that read no chain (no `--verify`) has no chain section, data, style or
    script: its page is byte for byte what it was."""
    data = data_of(example_html)
    assert not {"chains", "chainLinks", "chainCards"} & set(data)
    assert 'id="h-chain"' not in example_html
    assert f"<style>{STYLE}</style>" in example_html
    assert f"<script>{SCRIPT}</script>" in example_html


def test_the_chain_view_ships_each_files_links_in_order_with_their_status() -> None:
    """Each update with a chain is in the data block, in report order, each file's links in
    chain order (job, profile, certificate, stream, object) with the kind in words, the
    name, what AWS said and whether it was found; an update without one is not there."""
    page = HtmlFormat().render(chain_report())
    data = data_of(page)
    assert data["chainCards"] == CHAIN_CARDS
    expected = [
        (
            f"fw-{n:03d}",
            [
                (
                    f"fw-{n}.bin",
                    [
                        ("signing job", f"job-{n}", "Succeeded, until 2027-05-01", 1),
                        ("signing profile", "acme_prod", "Active", 1),
                        ("certificate", CERTIFICATE.name, "ISSUED, until 2027-05-01", 1),
                        ("stream", "fw-stream", "1 file(s)", 1),
                        ("firmware object", GONE.name, "delete marker", 0),
                    ],
                ),
                ("files[1]", []),
            ],
        )
        for n in range(2)
    ]
    assert chains_of(data) == expected
    assert [u[0] for u in data["chains"]] == [0, 1]  # positions in `updates`
    assert set(WORDS) == set(CHAIN_KINDS) and WORDS == CHAIN_KINDS


def test_the_chain_page_has_its_section_style_and_script_under_its_csp() -> None:
    """The chain section says, without script, how many updates and files it covers and how
    many links AWS did not find; the page's style and script are the chain variants, and
    the CSP names their hashes."""
    document = parse(HtmlFormat().render(chain_report()))
    section = next(
        s for s in document.tags("section") if s.attrs.get("aria-labelledby") == "h-chain"
    )
    assert document.by_id("h-chain").content == "Chain 2"
    texts = [p.content for p in section.find("p")]
    assert texts[0].endswith(
        "for 4 files of 2 updates. The rules judge these links; their findings are in the "
        "table above."
    )
    assert texts[1] == "2 links name a resource AWS did not find (not found, or a delete marker)."
    assert "needs-script" in (section.find("p")[2].attrs.get("class") or "")
    assert document.by_id("chain-cards").children == []
    (style,) = document.tags("style")
    script, _ = scripts_of(document)
    chain_style, chain_script, csp = page_assets(fleet=False, chain=True)
    assert (style.content, script.content) == (chain_style, chain_script)
    assert "chainCard" in chain_script and ".chain-link" in chain_style
    (meta,) = [m for m in document.tags("meta") if m.attrs.get("http-equiv")]
    assert meta.attrs["content"] == csp
    assert f"script-src 'sha256-{sha256(chain_script)}'" in csp
    assert f"style-src 'sha256-{sha256(chain_style)}'" in csp
    headings = [h.content.split(" ")[0] for h in document.tags("h2")]
    assert headings.index("Chain") == headings.index("Updates") - 1


def test_shared_links_are_in_the_page_once() -> None:
    """1,000 updates share one profile and one certificate: each is one link of `chainLinks`
    and its name one string, so the chain grows with what differs (jobs, objects) only."""
    report = chain_report(1001)
    page = HtmlFormat().render(report)
    data = data_of(page)
    assert len(data["chains"]) == 1000
    assert len(data["chainLinks"]) == 1000 + 4  # a job each; the other four links shared
    assert page.count(CERTIFICATE.name) == 1
    assert page.count('"acme_prod"') == 1
    bare = dataclasses.replace(
        report, audited=tuple(dataclasses.replace(u, chain=()) for u in report.audited)
    )
    added = len(page) - len(HtmlFormat().render(bare))
    assert added < 100 * 1000, added  # the view's code, then ~80 bytes an update


def test_hostile_chain_values_stay_in_the_data_block() -> None:
    """Names, statuses and file names that try to end the block or add markup stay text:
    the raw block has no `<>&`, there is one script and one data block, and the values
    decode to themselves (invisible characters spelled out)."""
    hostile = ChainLink("signingProfile", SCRIPT_XSS, IMG_XSS, False)
    chain = (FileChain(COMMENT_XSS, (JOB, hostile)), FileChain(SEPARATORS, ()))
    report = chain_report(2)
    report = dataclasses.replace(
        report, audited=(dataclasses.replace(report.audited[0], chain=chain), report.audited[1])
    )
    page = HtmlFormat().render(report)
    start = page.index(DATA_BLOCK) + len(DATA_BLOCK)
    raw = page[start : page.index("</script>", start)]
    assert not set(raw) & set("<>&\u2028\u2029")
    document = parse(page)
    scripts_of(document)
    assert document.tags("img") == []
    ((_, files),) = chains_of(data_of(page))
    assert files == [
        (
            COMMENT_XSS,
            [("signing job", "job-1", JOB.status, 1), ("signing profile", SCRIPT_XSS, IMG_XSS, 0)],
        ),
        (visible(SEPARATORS, multiline=True), []),
    ]


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

    def __init__(
        self,
        browser: Browser,
        text: str,
        path: Path,
        bypass_csp: bool = False,
        javascript: bool = True,
    ) -> None:
        path.write_text(text, encoding="utf-8")
        self.context = browser.new_context(
            viewport={"width": 1440, "height": 900},
            bypass_csp=bypass_csp,
            java_script_enabled=javascript,
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

    def clean(self) -> bool:
        """No console output, no page error and no CSP violation so far."""
        return not self.console and not self.errors and self.csp_violations() == []

    def csp_violations(self) -> Any:
        return self.page.evaluate("window.__csp")

    def visible_rows(self) -> int:
        return self.page.locator("#findings tbody tr:visible").count()

    def column(self, index: int) -> list[str]:
        return self.page.locator(f"#findings tbody tr td:nth-child({index + 1})").all_inner_texts()

    def indices(self) -> list[int]:
        """The drawn rows, as positions of their findings in the report."""
        return [
            int(i)
            for i in self.page.eval_on_selector_all(
                "#findings tbody tr", "rows => rows.map(r => r.dataset.index)"
            )
        ]

    def shown(self) -> str:
        return self.page.locator("#shown").inner_text()


@pytest.fixture()
def loaded_example(browser: Browser, example_html: str, tmp_path: Path) -> Iterator[Loaded]:
    loaded = Loaded(browser, example_html, tmp_path / "report.html")
    yield loaded
    loaded.context.close()


@pytest.fixture()
def loaded_big(browser: Browser, tmp_path: Path) -> Iterator[Loaded]:
    loaded = Loaded(browser, HtmlFormat().render(big_report()), tmp_path / "big.html")
    yield loaded
    loaded.context.close()


def default_order(report: Report) -> list[int]:
    """Report positions most severe first, report order among equals: the page's first sort."""
    return sorted(range(len(report.findings)), key=lambda i: -report.findings[i].severity.rank)


def test_browser_runs_clean_under_csp(loaded_example: Loaded, example: Report) -> None:
    """The page loads offline with no console output, page error or CSP violation, marks
    itself ready, shows its filters and hides its no-script notes, draws one row per finding
    most severe first, and is saved as a screenshot."""
    page = loaded_example.page
    assert loaded_example.clean()
    assert page.evaluate("document.body.dataset.ready") == "1"
    assert page.locator("#filters").is_visible()
    assert page.locator(".needs-script:visible").count() == 0
    assert loaded_example.visible_rows() == len(json_findings(example)) == 31
    assert loaded_example.indices() == default_order(example)
    assert loaded_example.shown() == "Showing 1-31 of 31 findings"
    assert not page.locator("nav[data-pager='findings']").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000


def test_browser_parses_one_executable_script_and_the_data(
    loaded_example: Loaded, example: Report
) -> None:
    """Chromium's own HTML parser finds two script elements: the page's script and the JSON
    block, whose text parses to the report's findings."""
    page = loaded_example.page
    assert page.evaluate("document.scripts.length") == 2
    assert page.evaluate("document.querySelectorAll('script:not([type])').length") == 1
    data = page.evaluate("JSON.parse(document.getElementById('report-data').textContent)")
    assert decoded(data) == json_findings(example)


def test_browser_rows_show_each_column(loaded_example: Loaded, example: Report) -> None:
    """A drawn row's cells are severity, rule, update, source, path, message (with short drift
    inline), location and suppression (expiry and reason)."""
    page = loaded_example.page
    headers = page.locator("#findings thead th").all_inner_texts()
    assert [h.strip() for h in headers] == COLUMNS

    def cells(rule: str, update: str, path: str) -> list[str]:
        (index,) = [
            i
            for i, f in enumerate(example.findings)
            if (f.rule_id, f.ota_update_id, f.path) == (rule, update, path)
        ]
        row = page.locator(f"#findings tbody tr[data-index='{index}'] td")
        return [text.replace("\n", " ") for text in row.all_inner_texts()]

    assert cells("OTA401", "gw-fw-4", "targetSelection") == [
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
    assert page.locator("#findings tr.suppressed").count() == 1
    drift = cells("OTA001", "gw-fw-3", "awsJobPresignedUrlConfig.expiresInSec")
    assert drift[5] == (
        "awsJobPresignedUrlConfig.expiresInSec: declared 600, live 3600 "
        "600 → 3600 compare side by side"
    )
    assert cells("OTA101", "lab-fw-test", "files[lab-build-7731.bin]")[6:] == [
        "not declared",
        "—",
    ]
    links = page.eval_on_selector_all(
        "#findings a", "links => links.map(a => a.getAttribute('href'))"
    )
    assert sorted(h for h in links if h.startswith("#drift-")) == [
        "#drift-1",
        "#drift-2",
        "#drift-2",
    ]
    assert loaded_example.clean()


def test_browser_filters_rows(loaded_example: Loaded, example: Report) -> None:
    """Each filter shows exactly the matching findings; they combine, Reset shows all again,
    an exact update id picks that update, part of one picks every update containing it."""
    page = loaded_example.page
    findings = json_findings(example)
    page.select_option("#filter-severity", "high")
    high = sum(1 for f in findings if f["severity"] == "high")
    assert loaded_example.visible_rows() == high == 15
    assert set(loaded_example.column(0)) == {"high"}
    assert loaded_example.shown() == "Showing 1-15 of 15 matching findings (31 in all)"
    page.select_option("#filter-source", "drift")
    expected = sum(1 for f in findings if f["severity"] == "high" and f["source"] == "drift")
    assert loaded_example.visible_rows() == expected == 4
    page.select_option("#filter-severity", "")
    page.select_option("#filter-source", "")
    page.select_option("#filter-rule", "OTA401")
    assert loaded_example.visible_rows() == 2
    page.uncheck("#show-suppressed")
    assert loaded_example.visible_rows() == 1
    page.fill("#filter-update", "gw-fw-4")
    assert loaded_example.visible_rows() == 0
    assert page.locator("#no-match").is_visible()
    assert not page.locator("#findings").is_visible()
    assert loaded_example.shown() == "Showing 0 of 31 findings"
    page.click("#reset")
    assert loaded_example.visible_rows() == len(findings)
    assert not page.locator("#no-match").is_visible()
    page.fill("#filter-update", "lab-fw-test")
    assert loaded_example.visible_rows() == sum(
        1 for f in findings if f["otaUpdateId"] == "lab-fw-test"
    )
    page.fill("#filter-update", "CAM-FW")
    assert set(loaded_example.column(2)) == {"cam-fw-*", "cam-fw-0", "cam-fw-1"}
    assert loaded_example.visible_rows() == sum(1 for f in findings if "cam-fw" in f["otaUpdateId"])
    page.fill("#filter-update", "cam-fw-*")
    assert loaded_example.column(2) == ["cam-fw-*"]
    page.click("#reset")
    page.fill("#filter-text", "SR-142")
    assert loaded_example.column(1) == ["OTA401"]
    page.fill("#filter-text", "gateways.yaml")
    assert loaded_example.visible_rows() == sum(
        1 for f in findings if f["file"] == "examples/ota/gateways.yaml"
    )
    page.fill("#filter-text", "examples/ota/gateways.yaml:11")  # the Location as shown
    assert (
        loaded_example.visible_rows()
        == sum(1 for f in findings if (f["file"], f["line"]) == ("examples/ota/gateways.yaml", 11))
        > 0
    )
    page.click("#reset")
    page.fill("#filter-update", "CAM-FW-0")  # an id in another case: that id, as "cam-fw-0"
    assert set(loaded_example.column(2)) == {"cam-fw-0"}
    assert loaded_example.clean()


def test_browser_sorts_by_clicked_column(loaded_example: Loaded, example: Report) -> None:
    """Clicking a header button sorts all findings by that column, again reverses; ties keep
    the first order (most severe first); a filter keeps the sort."""
    page = loaded_example.page
    first = default_order(example)
    rule_of = {i: f.rule_id for i, f in enumerate(example.findings)}
    assert loaded_example.indices() == first
    rule = page.locator('#findings thead button[data-column="1"]')
    rule.click()
    assert loaded_example.indices() == sorted(first, key=rule_of.__getitem__)
    assert loaded_example.column(1) == sorted(rule_of.values())
    assert page.locator("#findings thead th").nth(1).get_attribute("aria-sort") == "ascending"
    assert page.locator("#findings thead th").nth(0).get_attribute("aria-sort") == "none"
    rule.click()
    assert loaded_example.indices() == sorted(first, key=rule_of.__getitem__, reverse=True)
    assert page.locator("#findings thead th").nth(1).get_attribute("aria-sort") == "descending"
    page.select_option("#filter-severity", "info")
    assert loaded_example.column(1) == ["OTA307"] * 5 + ["OTA004"] * 5
    page.click("#reset")
    page.locator('#findings thead button[data-column="0"]').click()
    severities = loaded_example.column(0)
    assert severities[0] == "critical" and severities[-1] == "info"
    assert loaded_example.indices() == first
    page.locator('#findings thead button[data-column="0"]').click()
    severities = loaded_example.column(0)
    assert severities[0] == "info" and severities[-1] == "critical"
    page.locator('#findings thead button[data-column="6"]').click()
    locations = loaded_example.column(6)
    assert locations[-1] == "not declared"
    gateway_lines = [int(t.split(":")[1]) for t in locations if "gateways.yaml" in t]
    assert gateway_lines == sorted(gateway_lines)
    assert len(gateway_lines) == sum(
        1 for f in example.findings if f.location and f.location.file.endswith("gateways.yaml")
    )
    page.locator('#findings thead button[data-column="7"]').click()
    assert loaded_example.column(7)[-1].startswith("until 2027-03-31")
    assert loaded_example.clean()


def test_browser_counts_match_the_report(loaded_big: Loaded) -> None:
    """On a report of 480 findings the page says it has 480, draws 200 at a time, and its
    pages together hold every finding exactly once; filtered counts match the report too."""
    report = big_report()
    page = loaded_big.page
    pager = page.locator("nav[data-pager='findings']")
    assert len(report.findings) == 480
    assert page.locator("#h-findings").inner_text() == "Findings 480"
    assert loaded_big.shown() == "Showing 1-200 of 480 findings"
    assert pager.locator(".page-info").inner_text() == "Page 1 of 3"
    assert pager.locator("button[data-page='prev']").is_disabled()
    seen = loaded_big.indices()
    pager.locator("button[data-page='next']").click()
    assert loaded_big.shown() == "Showing 201-400 of 480 findings"
    seen += loaded_big.indices()
    pager.locator("button[data-page='last']").click()
    assert loaded_big.shown() == "Showing 401-480 of 480 findings"
    assert pager.locator("button[data-page='next']").is_disabled()
    seen += loaded_big.indices()
    assert [len(seen), sorted(seen)] == [480, list(range(480))]
    assert seen == default_order(report)
    pager.locator("button[data-page='first']").click()
    assert loaded_big.indices() == seen[:200]
    page.select_option("#filter-severity", "medium")
    assert loaded_big.shown() == "Showing 1-150 of 150 matching findings (480 in all)"
    assert not pager.is_visible()
    page.uncheck("#show-suppressed")
    active = sum(1 for f in report.findings if f.active)
    assert loaded_big.shown() == "Showing 1-135 of 135 matching findings (480 in all)"
    page.select_option("#filter-severity", "")
    assert loaded_big.shown() == f"Showing 1-200 of {active} matching findings (480 in all)"
    assert loaded_big.clean()


def test_browser_updates_table_counts_and_filters(loaded_big: Loaded) -> None:
    """The updates table draws 100 updates a page with their active and suppressed counts;
    clicking an update shows exactly its findings."""
    page = loaded_big.page
    rows = page.locator("#updates tbody tr")
    assert rows.count() == UPDATE_ROWS
    assert rows.nth(0).locator("td").all_inner_texts() == [
        "fw-000",
        "ota/fw.yaml:3",
        "yes",
        "1",
        "3",
    ]
    assert rows.nth(1).locator("td").all_inner_texts() == [
        "fw-001",
        "ota/fw.yaml:3",
        "yes",
        "3",
        "0",
    ]
    pager = page.locator("nav[data-pager='updates']")
    pager.locator("button[data-page='next']").click()
    assert rows.count() == 50
    assert rows.nth(49).locator("td").nth(0).inner_text() == "fw-149"
    rows.nth(45).locator("a").click()
    assert page.input_value("#filter-update") == "fw-145"
    assert loaded_big.column(2) == ["fw-145"] * 4
    assert loaded_big.column(1) == ["OTA001", "OTA101", "OTA202", "OTA004"]
    assert loaded_big.clean()


def test_browser_drift_side_by_side(loaded_example: Loaded, example: Report) -> None:
    """OTA001 drift appears per update as path | declared | live, values as indented JSON, and
    a row's `compare side by side` link goes to its update's card."""
    page = loaded_example.page
    cards = page.locator("#drift-cards article.drift-card")
    assert cards.count() == 2
    assert [cards.nth(i).get_attribute("id") for i in range(2)] == ["drift-1", "drift-2"]
    assert cards.locator("h3").all_inner_texts() == [
        "gw-fw-3 declared at examples/ota/gateways.yaml",
        "gw-fw-4 declared at examples/ota/gateways.yaml",
    ]
    second = page.locator("#drift-2")
    assert second.locator("thead th").all_inner_texts() == ["Path", "Declared", "Live"]
    assert second.locator("pre").all_inner_texts() == [
        "10",
        "100",
        '[\n  "arn:aws:iot:eu-central-1:123456789012:thinggroup/gateways-pilot"\n]',
        '[\n  "arn:aws:iot:eu-central-1:123456789012:thinggroup/gateways",\n'
        '  "arn:aws:iot:eu-central-1:123456789012:thinggroup/gateways-pilot"\n]',
    ]
    assert second.locator("tbody th .muted").all_inner_texts() == [
        str(f.location)
        for f in example.findings
        if f.rule_id == "OTA001" and f.ota_update_id == "gw-fw-4"
    ]
    page.locator("#findings a[href='#drift-2']").first.click()
    assert page.evaluate("window.location.hash") == "#drift-2"
    assert page.evaluate("document.querySelector(':target').id") == "drift-2"
    assert loaded_example.clean()


def test_browser_drift_link_draws_the_page_holding_its_card(loaded_big: Loaded) -> None:
    """With more drifted updates than one page holds, a link to a card on another page draws
    that page first, so the link lands on the card."""
    page = loaded_big.page
    cards = page.locator("#drift-cards article")
    assert cards.count() == DRIFT_CARDS
    assert cards.nth(0).locator("h3").inner_text() == "fw-000 declared at ota/fw.yaml"
    assert page.locator("#drift-25").count() == 0
    page.fill("#filter-update", "fw-120")
    link = page.locator("#findings a[href='#drift-25']")
    link.click()
    assert cards.count() == 10
    assert page.locator("#drift-25 pre").all_inner_texts() == [
        '{\n  "expiresInSec": 120\n}',
        '{\n  "expiresInSec": 121\n}',
    ]
    assert page.evaluate("document.querySelector(':target').id") == "drift-25"
    assert page.locator("#drift-25").is_visible()
    assert page.locator("nav[data-pager='drift'] .page-info").inner_text() == "Page 2 of 2"
    assert loaded_big.clean()


def test_browser_rule_link_opens_its_documentation(loaded_example: Loaded) -> None:
    """Clicking a rule ID in the findings table opens that rule's <details> documentation."""
    page = loaded_example.page
    assert page.evaluate("document.getElementById('rule-OTA101').open") is False
    link = page.locator('#findings a[href="#rule-OTA101"]')
    assert link.get_attribute("title") == "Ensure every OTA file is code-signed"
    link.first.click()
    assert page.evaluate("document.getElementById('rule-OTA101').open") is True
    assert page.locator("#rule-OTA101 .rule-body").is_visible()
    assert loaded_example.clean()


@pytest.fixture()
def loaded_fleet(browser: Browser, tmp_path: Path) -> Iterator[Loaded]:
    loaded = Loaded(browser, HtmlFormat().render(fleet_example_report()), tmp_path / "fleet.html")
    yield loaded
    loaded.context.close()


def test_browser_fleet_filters_by_account_and_region(loaded_fleet: Loaded) -> None:
    """A fleet report's page shows each finding's account above its region, and its account
    and region filters show exactly that partition's findings, alone, together and with the
    other filters; sorting by the column groups by account; an update's link in the updates
    table filters to that update in its partition only. All under the page's CSP."""
    report = fleet_example_report()
    page = loaded_fleet.page
    assert loaded_fleet.clean()
    headers = [h.strip() for h in page.locator("#findings thead th").all_inner_texts()]
    assert headers == [*COLUMNS[:2], "Account / Region", *COLUMNS[2:]]
    total = len(report.findings)
    assert loaded_fleet.visible_rows() == total == 77
    shown = {
        index: cell.replace("\n", " ")
        for index, cell in zip(loaded_fleet.indices(), loaded_fleet.column(2), strict=True)
    }
    assert shown == {
        i: "—" if f.partition is None else f"{f.partition.account} {f.partition.region}"
        for i, f in enumerate(report.findings)
    }

    def count(**wanted: str) -> int:
        return sum(
            1
            for f in report.findings
            if f.partition is not None
            and all(getattr(f.partition, k) == v for k, v in wanted.items() if k != "rule")
            and f.rule_id == wanted.get("rule", f.rule_id)
        )

    lab = count(account="444455556666")
    page.select_option("#filter-account", "444455556666")
    assert loaded_fleet.visible_rows() == lab == 38
    assert set(loaded_fleet.column(2)) == {"444455556666\nus-east-1"}
    assert loaded_fleet.shown() == f"Showing 1-{lab} of {lab} matching findings ({total} in all)"
    page.select_option("#filter-region", "eu-west-1")  # no partition is both
    assert loaded_fleet.visible_rows() == 0
    assert page.locator("#no-match").is_visible()
    page.select_option("#filter-account", "")
    assert loaded_fleet.visible_rows() == count(region="eu-west-1") == 38
    assert set(loaded_fleet.column(2)) == {"111122223333\neu-west-1"}
    page.select_option("#filter-rule", "OTA404")
    assert loaded_fleet.visible_rows() == count(region="eu-west-1", rule="OTA404") == 8
    assert page.locator("#filter-account option").all_inner_texts() == [
        "All accounts",
        "111122223333 (38)",
        "444455556666 (38)",
    ]
    page.click("#reset")
    assert loaded_fleet.visible_rows() == total
    assert page.input_value("#filter-account") == page.input_value("#filter-region") == ""
    page.locator('#findings thead button[data-column="11"]').click()
    accounts = [cell.split("\n")[0] for cell in loaded_fleet.column(2)]
    assert accounts[0] == "—" and accounts[1:] == sorted(accounts[1:])  # no account first
    assert accounts.count("111122223333") == accounts.count("444455556666") == 38
    row = page.locator("#updates tbody tr").filter(has_text="444455556666").first
    assert row.locator("td").all_inner_texts()[:3] == ["444455556666", "us-east-1", "cam-fw-0"]
    row.locator("a").click()
    assert (
        page.input_value("#filter-account"),
        page.input_value("#filter-region"),
        page.input_value("#filter-update"),
    ) == ("444455556666", "us-east-1", "cam-fw-0")
    in_lab = [f for f in report.findings if f.partition == LAB and f.ota_update_id == "cam-fw-0"]
    assert loaded_fleet.visible_rows() == len(in_lab) == 6
    assert set(loaded_fleet.column(2)) == {"444455556666\nus-east-1"}
    assert loaded_fleet.clean()


def test_browser_findings_by_rule_show_filters_to_that_rule(loaded_example: Loaded) -> None:
    """`Show` on a rule's row resets the filters to that rule's findings, suppressed ones
    included."""
    page = loaded_example.page
    page.select_option("#filter-severity", "critical")
    page.locator("#by-rule a[data-show-rule='OTA401']").click()
    assert page.input_value("#filter-rule") == "OTA401"
    assert page.input_value("#filter-severity") == ""
    assert loaded_example.column(1) == ["OTA401", "OTA401"]
    assert page.evaluate("window.location.hash") == "#h-findings"
    assert loaded_example.clean()


def test_browser_without_javascript_shows_counts_and_says_why(
    browser: Browser, example_html: str, tmp_path: Path
) -> None:
    """With script off the verdict, summary, findings by rule, errors and rule docs are all
    there; the notes say the tables need the script, and no empty control is shown."""
    loaded = Loaded(browser, example_html, tmp_path / "nojs.html", javascript=False)
    try:
        page = loaded.page
        assert page.locator("section.verdict").inner_text().startswith("✕\n30 active findings")
        assert page.locator(".card").count() == 6
        assert page.locator("#by-rule tbody tr").count() == 13
        assert page.locator(".needs-script:visible").count() == 3
        assert not page.locator("#filters").is_visible()
        assert not page.locator("#findings").is_visible()
        assert not page.locator("#shown").is_visible()
        assert page.locator("details.rule").count() == 13
    finally:
        loaded.context.close()


def test_browser_lint_report_without_findings(browser: Browser, tmp_path: Path) -> None:
    """A lint report with no findings draws its updates (live: `not read`) and nothing else,
    and runs clean: the script copes with a page that has no findings table."""
    audited = (AuditedUpdate("fw-1", Location("ota/fw.yaml", 3), False),)
    report = dataclasses.replace(report_of([]), command="lint", audited=audited)
    loaded = Loaded(browser, HtmlFormat().render(report), tmp_path / "lint.html")
    try:
        page = loaded.page
        assert page.evaluate("document.body.dataset.ready") == "1"
        assert page.locator("#findings").count() == 0
        assert page.locator("#updates tbody td").all_inner_texts() == [
            "fw-1",
            "ota/fw.yaml:3",
            "not read",
            "0",
            "0",
        ]
        assert page.locator(".needs-script:visible").count() == 0
        assert loaded.clean()
    finally:
        loaded.context.close()


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["csp", "no-csp"])
def test_browser_hostile_descriptions_do_not_execute(
    browser: Browser, tmp_path: Path, bypass_csp: bool
) -> None:
    """Script-like values stay text even with the CSP switched off: escaping alone holds, in
    the data block and in what the script draws from it."""
    report = xss_report()
    loaded = Loaded(browser, HtmlFormat().render(report), tmp_path / "xss.html", bypass_csp)
    try:
        page = loaded.page
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert page.evaluate("document.body.dataset.ready") == "1"
        assert page.locator("img").count() == 0
        assert page.evaluate("document.scripts.length") == 2
        assert loaded.clean()
        messages = loaded.column(5)
        assert IMG_XSS in messages
        assert SCRIPT_XSS in messages
        assert COMMENT_XSS in messages
        assert loaded.visible_rows() == len(report.findings)
        page.fill("#filter-update", f"{HOSTILE[0]} #0")
        assert loaded.visible_rows() == 1
        assert loaded.column(4) == [HOSTILE[0]]
        page.click("#reset")
        page.locator('#findings thead button[data-column="5"]').click()
        page.locator("#findings a[href^='#drift-']").first.click()
        pres = page.locator("#drift-cards pre").all_inner_texts()
        assert f'"{SCRIPT_XSS}"' in pres
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert page.locator("script").count() == 2
        assert loaded.clean()
    finally:
        loaded.context.close()


def chain_texts(page: Page, card: str) -> list[list[str]]:
    """Each link of a chain card as [kind, name, status], as the page holds the text (before
    the style upper-cases the kind)."""
    return list(
        page.eval_on_selector_all(
            f"#{card} ol.chain > li",
            "items => items.map(i => Array.from(i.children, c => c.textContent))",
        )
    )


def test_browser_draws_each_files_chain_in_order(browser: Browser, tmp_path: Path) -> None:
    """The chain view draws a card per update with a chain, 20 a page: each file's links in
    chain order with kind, name and status, an arrow between them, the one AWS did not find
    marked as a problem; a file with nothing to read says so. An update's `chain` link in the
    updates table draws the page holding its card, and a card's findings link filters the
    findings table to its update. All under the page's CSP."""
    loaded = Loaded(browser, HtmlFormat().render(chain_report(26)), tmp_path / "chain.html")
    try:
        page = loaded.page
        assert loaded.clean()
        assert page.evaluate("document.body.dataset.ready") == "1"
        cards = page.locator("#chain-cards article.chain-card")
        assert cards.count() == CHAIN_CARDS
        assert page.locator("nav[data-pager='chain'] .page-info").inner_text() == "Page 1 of 2"
        first = page.locator("#chain-1")
        assert first.locator("h3").inner_text() == "fw-000 1 finding"
        assert first.locator("h4").all_inner_texts() == ["fw-0.bin", "files[1]"]
        assert chain_texts(page, "chain-1") == [
            ["signing job", "job-0", "Succeeded, until 2027-05-01"],
            ["signing profile", "acme_prod", "Active"],
            ["certificate", CERTIFICATE.name, "ISSUED, until 2027-05-01"],
            ["stream", "fw-stream", "1 file(s)"],
            ["firmware object", GONE.name, "delete marker"],
        ]
        missing = first.locator("li.chain-missing")
        assert missing.count() == 1
        assert missing.locator(".chain-status").inner_text() == "delete marker"
        assert missing.locator(".chain-status").evaluate("e => getComputedStyle(e).color") == (
            "rgb(192, 38, 45)"  # --high: the style (and its hash) applies
        )
        arrows = first.locator("ol.chain > li").evaluate_all(
            "items => items.map(i => getComputedStyle(i, '::before').content)"
        )
        assert arrows == ["none", *['"→"'] * 4]
        assert first.locator(".chain-file p").inner_text().startswith("No link read:")
        row = page.locator("#updates tbody tr").nth(22)
        assert row.locator("td").nth(0).inner_text() == "fw-022 chain"
        assert page.locator("#updates tbody tr").nth(25).locator("a").count() == 1  # no chain
        assert page.locator("#chain-23").count() == 0
        row.locator("a", has_text="chain").click()
        assert page.evaluate("document.querySelector(':target').id") == "chain-23"
        assert page.locator("nav[data-pager='chain'] .page-info").inner_text() == "Page 2 of 2"
        assert cards.count() == 5
        assert chain_texts(page, "chain-23")[0] == [
            "signing job",
            "job-22",
            "Succeeded, until 2027-05-01",
        ]
        page.locator("#chain-23 h3 a").click()
        assert page.input_value("#filter-update") == "fw-022"
        assert loaded.column(2) == ["fw-022"]
        assert loaded.clean()
    finally:
        loaded.context.close()


def test_browser_fleet_chain_cards_name_their_partition(browser: Browser, tmp_path: Path) -> None:
    """On a fleet report's page a chain card names its update's partition, and its findings
    link filters to that update in that partition only."""
    report = fleet_example_report()
    audited = tuple(
        dataclasses.replace(u, chain=chain_of(n)) if u.live else u
        for n, u in enumerate(report.audited)
    )
    page_text = HtmlFormat().render(dataclasses.replace(report, audited=audited))
    assert f"<script>{page_assets(fleet=True, chain=True)[1]}</script>" in page_text
    loaded = Loaded(browser, page_text, tmp_path / "fleet-chain.html")
    try:
        page = loaded.page
        assert loaded.clean()
        heads = page.locator("#chain-cards h3").all_inner_texts()
        assert heads[0].startswith("cam-fw-0 in 111122223333/eu-west-1 ")
        lab = page.locator("#chain-cards article").filter(has_text="444455556666/us-east-1")
        lab.first.locator("h3 a").click()
        assert (
            page.input_value("#filter-account"),
            page.input_value("#filter-region"),
            page.input_value("#filter-update"),
        ) == ("444455556666", "us-east-1", "cam-fw-0")
        in_lab = [
            f for f in report.findings if f.partition == LAB and f.ota_update_id == "cam-fw-0"
        ]
        assert loaded.visible_rows() == len(in_lab)
        assert loaded.clean()
    finally:
        loaded.context.close()


def test_browser_hostile_chain_values_do_not_execute(browser: Browser, tmp_path: Path) -> None:
    """Script-like chain names, statuses and file names stay text with the CSP switched off."""
    hostile = ChainLink("signingProfile", SCRIPT_XSS, IMG_XSS, False)
    report = chain_report(2)
    first = dataclasses.replace(report.audited[0], chain=(FileChain(COMMENT_XSS, (JOB, hostile)),))
    report = dataclasses.replace(report, audited=(first, report.audited[1]))
    loaded = Loaded(browser, HtmlFormat().render(report), tmp_path / "xss-chain.html", True)
    try:
        page = loaded.page
        assert page.evaluate("document.body.dataset.ready") == "1"
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert page.locator("img").count() == 0
        assert page.evaluate("document.scripts.length") == 2
        assert page.locator("#chain-1 h4").inner_text() == COMMENT_XSS
        assert chain_texts(page, "chain-1")[1] == ["signing profile", SCRIPT_XSS, IMG_XSS]
        assert loaded.clean()
    finally:
        loaded.context.close()
