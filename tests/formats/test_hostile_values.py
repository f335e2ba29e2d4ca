"""Every format renders a report full of hostile values, and stays valid and inert.

Whatever a live answer, a YAML file or a file name holds (terminal escapes, carriage returns,
NUL, DEL, C1 controls, bidi overrides, line separators, lone surrogates, U+FFFE, NaN and
infinities, an integer too long to print, keys that are not strings, a 100 KB string),
rendering succeeds, the output encodes as strict UTF-8, no control or bidi character reaches
it raw, JSON and SARIF parse with a strict parser (no NaN or Infinity tokens), the JUnit XML
parses, and the values are still there, escaped, not dropped.
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from typing import Any

import pytest

from checker.formats import FORMATS, get_format
from checker.formats.interface import FormatOptions
from checker.model import (
    AuditedUpdate,
    ChainLink,
    DriftValues,
    FileChain,
    Finding,
    FleetInfo,
    Location,
    Report,
    Severity,
    SkippedUpdate,
    SourceError,
    Summary,
    Suppressed,
)
from checker.rules.registry import ALL_RULES
from checker.textsafe import visible

ESCAPES = "\x1b[2J\x1b]0;pwned\x07\rOVERWRITTEN\x9b31m"
"""Clear the screen, set the window title, return to column 0, C1 CSI."""
BIDI = "admin\u202e\u2066txt.exe\u2069\u202c"
INVISIBLE = "nul\x00del\x7fls\u2028ps\u2029lone\ud800 and \udfff not-xml\ufffe\uffff"
MARKUP = "<script>alert(1)</script> ]]> \"quoted\" 'single' | `tick` &amp;"
HOSTILE = f"{ESCAPES} {BIDI} {INVISIBLE} {MARKUP} line1\nline2\tend"
HUGE = "x" * 100_000 + HOSTILE
DRIFT_DESIRED: Any = {
    "nan": math.nan,
    "inf": [math.inf, -math.inf, 1.5],
    "huge": 10**5000,
    "text": HOSTILE,
    1: "an integer key",
    math.nan: "a NaN key",
    None: True,
}
DRIFT_ACTUAL: Any = [math.nan, HOSTILE, {"nested": [{"deeper": -math.inf}]}]

RAW_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\u2028\u2029\ud800-\udfff\ufffe\uffff]"
)
"""What no report may carry raw: every control but tab and newline, DEL, C1, bidi, line
separators, lone surrogates and the XML non-characters."""
_OWN_COLOURS = re.compile(r"\x1b\[[0-9;]*m")


def hostile_report() -> Report:
    """A report with a hostile value in every field a value can reach."""
    file = f"ota/{HOSTILE}.yaml"
    located = Finding(
        rule_id="OTA001",
        severity=Severity.HIGH,
        ota_update_id=HOSTILE,
        side="drift",
        path=f"files[{HOSTILE}].codeSigning",
        message=HUGE,
        location=Location(file, 7),
        drift=DriftValues(DRIFT_DESIRED, DRIFT_ACTUAL),
        references=(HOSTILE,),
    )
    suppressed = Finding(
        rule_id="OTA306",
        severity=Severity.MEDIUM,
        ota_update_id=HOSTILE,
        side="declared",
        path=HOSTILE,
        message=HOSTILE,
        location=Location(file, 3),
        suppressed=Suppressed(HOSTILE, date(2027, 3, 31)),
    )
    unmanaged = Finding(
        rule_id=HOSTILE,  # OTA900's id is a suppression's pattern, straight from a pack
        severity=Severity.LOW,
        ota_update_id=f"live-{HOSTILE}",
        side="live",
        path="",
        message=HOSTILE,
        location=None,
    )
    findings = tuple(sorted((located, suppressed, unmanaged), key=lambda f: f.sort_key))
    counts = dict.fromkeys(Severity, 0) | {Severity.HIGH: 1, Severity.LOW: 1}
    return Report(
        tool_version="0.1.0",
        summary=Summary(1, 2, 0, 1, 0, 1, counts, suppressed=1),
        findings=findings,
        errors=(
            SourceError(HOSTILE, "GetOTAUpdate", HOSTILE, HUGE),
            SourceError(None, HOSTILE, "X", ""),
        ),
        fetched_at=datetime(2026, 11, 24, tzinfo=UTC),
        as_of=datetime(2026, 11, 25, tzinfo=UTC),
        policy_packs=("policies/default.yaml", f"packs/{HOSTILE}.yaml"),
        skipped=(SkippedUpdate(HOSTILE, HOSTILE),),
        command="check",
        rules=tuple(m.rule_id for m in ALL_RULES),
        audited=(
            AuditedUpdate(HOSTILE, Location(file, 1), True),
            AuditedUpdate(f"live-{HOSTILE}", None, True),
        ),
        declared_files=(file,),
    )


def _refuse_constant(name: str) -> None:
    raise ValueError(f"not strict JSON: {name}")


def strict_json(text: str) -> Any:
    """json.loads that refuses NaN, Infinity and -Infinity, as strict parsers do."""
    return json.loads(text, parse_constant=_refuse_constant)


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    """The hostile report in every format (text twice: plain and coloured)."""
    report = hostile_report()
    out = {name: get_format(name).render(report) for name in sorted(FORMATS)}
    out["text-colour"] = get_format("text", FormatOptions(colour=True)).render(report)
    return out


@pytest.mark.parametrize("name", [*sorted(FORMATS), "text-colour"])
def test_every_format_renders_strict_utf8_without_raw_controls(
    rendered: dict[str, str], name: str
) -> None:
    """Rendering succeeds, encodes as strict UTF-8, and carries no raw control/bidi character."""
    text = rendered[name]
    text.encode("utf-8")  # strict: a lone surrogate would raise here
    if name == "text-colour":
        text = _OWN_COLOURS.sub("", text)  # the format's own colour codes, nothing else
    assert RAW_FORBIDDEN.findall(text) == []


@pytest.mark.parametrize("name", ["json", "sarif"])
def test_json_formats_are_strict_json(rendered: dict[str, str], name: str) -> None:
    """JSON and SARIF parse with a parser that refuses NaN/Infinity; no bare token is written."""
    assert strict_json(rendered[name])["version"] in (1, "2.1.0")


def _drift_of(doc: Any, name: str) -> tuple[Any, Any]:
    if name == "json":
        (entry,) = [f for f in doc["findings"] if f["ruleId"] == "OTA001"]
        return entry["desired"], entry["actual"]
    (result,) = [r for r in doc["runs"][0]["results"] if r["ruleId"] == "OTA001"]
    return result["properties"]["desired"], result["properties"]["actual"]


@pytest.mark.parametrize("name", ["json", "sarif"])
def test_non_finite_numbers_become_strings_and_strings_round_trip(
    rendered: dict[str, str], name: str
) -> None:
    """NaN/±inf read back as "NaN"/"Infinity"/"-Infinity"; every hostile string is intact."""
    desired, actual = _drift_of(strict_json(rendered[name]), name)
    assert desired == {
        "nan": "NaN",
        "inf": ["Infinity", "-Infinity", 1.5],
        "huge": "(an integer of 16610 bits)",
        "text": HOSTILE,
        "1": "an integer key",
        "NaN": "a NaN key",
        "null": True,
    }
    assert actual == ["NaN", HOSTILE, {"nested": [{"deeper": "-Infinity"}]}]
    if name == "json":
        doc = strict_json(rendered[name])
        assert doc["errors"][0]["message"] == HUGE
        assert {f["otaUpdateId"] for f in doc["findings"]} == {HOSTILE, f"live-{HOSTILE}"}


def test_junit_parses_and_keeps_the_values_escaped(rendered: dict[str, str]) -> None:
    """The JUnit XML parses; a failure message shows the hostile value with escapes."""
    root = ET.fromstring(rendered["junit"].encode("utf-8"))
    messages = [f.get("message") for f in root.iter("failure")]
    huge = "x" * 100_000 + "\\x1b[2J\\x1b]0;pwned\\x07\\rOVER"
    assert any(m and m.startswith("ota/") and f".yaml:7: {huge}" in m for m in messages)
    names = {suite.get("name") for suite in root.iter("testsuite")}
    assert any(n and "admin\\u202e\\u2066txt.exe" in n for n in names)


class _Strict(HTMLParser):
    """Collects the text of the page; any markup inside a value would add elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_adds_no_element_and_shows_escapes(rendered: dict[str, str]) -> None:
    """No value adds an element (two <script>s, the page's code and its JSON data block);
    values read with escapes."""
    page = _Strict()
    page.feed(rendered["html"])
    page.close()
    assert page.tags.count("script") == 2
    text = "".join(page.text)
    assert "\\x1b[2J" in text
    assert "admin\\u202e\\u2066txt.exe" in text
    assert "lone\\ud800 and \\udfff" in text


@pytest.mark.parametrize("name", ["text", "markdown"])
def test_line_formats_keep_values_on_their_line(rendered: dict[str, str], name: str) -> None:
    """In text and Markdown a value's newline is escaped: no line starts with a value's text."""
    lines = rendered[name].splitlines()
    assert not any(line.startswith(("line2", "OVERWRITTEN")) for line in lines)
    assert any("line1\\nline2\\tend" in line or "line1 line2 end" in line for line in lines)


def test_text_report_shows_every_kind_of_value_escaped(rendered: dict[str, str]) -> None:
    """The text report names the update, file, error and note with their escapes visible."""
    text = rendered["text"]
    shown = "\\x1b[2J\\x1b]0;pwned\\x07\\rOVERWRITTEN\\x9b31m admin\\u202e\\u2066txt.exe"
    for line in (
        f"{shown}",  # the update's heading
        f"(ota/{shown}",  # a location
        f"  {shown}",  # a read error or a note
    ):
        assert any(line in row for row in text.splitlines()), line


def hostile_chain_report() -> Report:
    """The hostile report as a fleet report (whose JSON lists the audited updates), every
    audited update with a chain of hostile file names, link names and statuses."""
    report = hostile_report()
    links = (
        ChainLink("signingJob", HOSTILE, HOSTILE, True),
        ChainLink("object", HUGE, f"not found {HOSTILE}", False),
    )
    chain = (FileChain(HOSTILE, links), FileChain(f"files[{HOSTILE}]", ()))
    return replace(
        report,
        audited=tuple(replace(a, chain=chain) for a in report.audited),
        fleet=FleetInfo("digest", 1, (1, 1), "policy", "low"),
    )


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_hostile_chain_values_render_strict_and_inert(name: str) -> None:
    """A chain of hostile names renders in every format as strict UTF-8 with no raw control
    or bidi character; the JSON report keeps every value exactly, and the HTML page adds no
    element and ships the values escaped in its data block."""
    text = get_format(name).render(hostile_chain_report())
    text.encode("utf-8")
    assert RAW_FORBIDDEN.findall(text) == []
    if name == "json":
        (first, _) = strict_json(text)["audited"]
        assert first["chain"] == [
            {
                "file": HOSTILE,
                "links": [
                    {"kind": "signingJob", "name": HOSTILE, "status": HOSTILE, "found": True},
                    {
                        "kind": "object",
                        "name": HUGE,
                        "status": f"not found {HOSTILE}",
                        "found": False,
                    },
                ],
            },
            {"file": f"files[{HOSTILE}]", "links": []},
        ]
    if name == "html":
        page = _Strict()
        page.feed(text)
        page.close()
        assert page.tags.count("script") == 2 and "img" not in page.tags
        start = text.index('id="report-data">') + len('id="report-data">')
        block = json.loads(text[start : text.index("</script>", start)])
        assert visible(HUGE, multiline=True) in block["strings"]
        assert f"files[{visible(HOSTILE, multiline=True)}]" in block["strings"]
