"""Every format on a fleet report: account and region on everything, per-partition summaries,
and no verdict that says clean while a partition could not be wholly read.

On the bundled example audited as two partitions (`fleet_example_report`) and on a
hand-built fleet of three partitions, one of which could not be read at all. The browser test
of the HTML filters is in test_html.py, beside the others."""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema
from junitparser import JUnitXml

from checker.formats import FORMATS, get_format
from checker.formats.html import FLEET_CSP, FLEET_FINDING_FIELDS, FLEET_SCRIPT, HtmlFormat
from checker.formats.junit import JunitFormat, details
from checker.formats.markdown import MarkdownFormat
from checker.formats.sarif import FINGERPRINT_KEY, SarifFormat, fingerprint
from checker.formats.text import TextFormat
from checker.model import (
    AuditedUpdate,
    FleetInfo,
    Partition,
    PartitionResult,
    Report,
    Severity,
    SkippedUpdate,
    SourceError,
)
from tests.formats.golden import ROOT, fleet_example_report
from tests.formats.test_html import data_of, parse
from tests.formats.test_junit import junit2html_blocks
from tests.support.builders import FW_YAML, finding, report, summary_of

PROD = Partition("111122223333", "eu-west-1")
LAB = Partition("444455556666", "us-east-1")
DENIED = Partition("777788889999", "eu-west-1")
ASSUME_DENIED = SourceError(
    None, "AssumeRole", "AccessDenied", "not authorized to assume ota-drift-audit", DENIED
)
THROTTLED = SourceError("fw-2", "GetOTAUpdate", "ThrottlingException", "Rate exceeded", LAB)
GONE = SkippedUpdate("fw-3", "deleted while the audit ran", LAB)
FLEET = FleetInfo("sha256:" + "a" * 64, 3, (1, 1), "sha256:" + "b" * 64, "low")


@pytest.fixture(scope="module")
def example() -> Report:
    return fleet_example_report()


def fleet_report() -> Report:
    """fw-1 in two accounts (OTA306 in both, OTA101 in lab), an OTA900 on the policy pack,
    a throttled read and a deleted update in lab, and a third partition whose role could not
    be assumed: nothing of it was read."""
    findings = [
        finding("OTA306", partition=PROD),
        finding("OTA306", partition=LAB),
        finding("OTA101", severity=Severity.CRITICAL, path="files[fw.bin]", partition=LAB),
        finding("OTA900", "fw-*", severity=Severity.LOW, message="suppression expired"),
    ]
    audited = tuple(AuditedUpdate("fw-1", FW_YAML, True, partition=p) for p in (PROD, LAB))
    base = report(*findings, errors=(THROTTLED, ASSUME_DENIED), skipped=(GONE,), audited=audited)
    in_prod = [f for f in base.findings if f.partition == PROD]
    in_lab = [f for f in base.findings if f.partition == LAB]
    return replace(
        base,
        partitions=(
            PartitionResult(PROD, "prod", summary_of(in_prod, 1), 0),
            PartitionResult(LAB, None, summary_of(in_lab, 1), 1),
            PartitionResult(DENIED, "lab", summary_of([], 0), 1),
        ),
        fleet=FLEET,
    )


def clean_but_unread() -> Report:
    """No finding and no read error left in the list, but a partition that says it was not
    wholly read: still not clean."""
    base = report()
    return replace(
        base,
        findings=(),
        partitions=(PartitionResult(PROD, None, summary_of([], 0), 2),),
        fleet=FLEET,
    )


# -- text -------------------------------------------------------------------------------------


def test_text_groups_the_example_by_partition_then_the_policy_packs(example: Report) -> None:
    """A heading per partition (with its entry's name), the policy pack's finding last under
    its own heading, and a partitions block before the verdict."""
    lines = TextFormat().render(example).splitlines()
    assert lines[0] == (
        "ota-drift 0.1.0: 12 declared, 12 live; 6 in sync, 4 drifted, 2 missing, 0 unmanaged "
        "in 2 partitions"
    )
    assert [line for line in lines if line.startswith("==")] == [
        "== 111122223333/eu-west-1 (prod) ==",
        "== 444455556666/us-east-1 ==",
        "== policy packs (no account or region) ==",
    ]
    policy = lines.index("== policy packs (no account or region) ==")
    assert lines[policy + 2] == "cam-fw-*"
    assert lines[policy + 3].startswith("  low      OTA900  the suppression of OTA306")
    at = lines.index("Partitions:")
    assert lines[at + 1 : at + 3] == [
        "  111122223333/eu-west-1 (prod): 6 declared, 6 live; 3 in sync, 2 drifted, 1 missing, "
        "0 unmanaged; 37 finding(s), 1 suppressed",
        "  444455556666/us-east-1: 6 declared, 6 live; 3 in sync, 2 drifted, 1 missing, "
        "0 unmanaged; 37 finding(s), 1 suppressed",
    ]
    assert lines[-1] == "75 finding(s): 2 critical, 46 high, 6 medium, 1 low, 20 info; 2 suppressed"
    # each partition's updates under its own heading: cam-fw-0 twice, once in each
    assert lines.count("cam-fw-0") == 2


def test_text_names_the_partition_of_errors_and_notes_and_says_which_were_not_read() -> None:
    text = TextFormat().render(fleet_report())
    assert text == (
        "ota-drift 1.2.3: 3 declared, 3 live; 0 in sync, 0 drifted, 0 missing, 0 unmanaged "
        "in 3 partitions\n"
        "\n"
        "== 111122223333/eu-west-1 (prod) ==\n"
        "\n"
        "fw-1\n"
        "  high     OTA306  no awsJobAbortConfig  (ota/fw.yaml:3)\n"
        "\n"
        "== 444455556666/us-east-1 ==\n"
        "\n"
        "fw-1\n"
        "  critical OTA101  no awsJobAbortConfig  (ota/fw.yaml:3)\n"
        "  high     OTA306  no awsJobAbortConfig  (ota/fw.yaml:3)\n"
        "\n"
        "== policy packs (no account or region) ==\n"
        "\n"
        "fw-*\n"
        "  low      OTA900  suppression expired  (ota/fw.yaml:3)\n"
        "\n"
        "Notes:\n"
        "  444455556666/us-east-1 fw-3: deleted while the audit ran\n"
        "\n"
        "Could not read:\n"
        "  444455556666/us-east-1 fw-2  GetOTAUpdate  ThrottlingException: Rate exceeded\n"
        "  777788889999/eu-west-1 (partition)  AssumeRole  AccessDenied: not authorized to "
        "assume ota-drift-audit\n"
        "\n"
        "Partitions:\n"
        "  111122223333/eu-west-1 (prod): 1 declared, 1 live; 0 in sync, 0 drifted, 0 missing, "
        "0 unmanaged; 1 finding(s)\n"
        "  444455556666/us-east-1: 1 declared, 1 live; 0 in sync, 0 drifted, 0 missing, "
        "0 unmanaged; 2 finding(s); NOT WHOLLY READ: 1 item could not be read\n"
        "  777788889999/eu-west-1 (lab): 0 declared, 0 live; 0 in sync, 0 drifted, 0 missing, "
        "0 unmanaged; 0 finding(s); NOT WHOLLY READ: 1 item could not be read\n"
        "\n"
        "INCOMPLETE: 2 item(s) could not be read in 2 of 3 partitions; this audit is not clean. "
        "4 finding(s): 1 critical, 2 high, 0 medium, 1 low, 0 info\n"
    )


def test_no_format_says_clean_while_a_partition_was_not_wholly_read() -> None:
    """A fleet report with nothing found but a partition not wholly read is incomplete in
    every format that gives a verdict."""
    unread = clean_but_unread()
    assert TextFormat().render(unread).splitlines()[-1] == (
        "INCOMPLETE: 2 item(s) could not be read in 1 of 1 partition; this audit is not clean. "
        "0 finding(s): 0 critical, 0 high, 0 medium, 0 low, 0 info"
    )
    assert MarkdownFormat().render(unread).splitlines()[0] == (
        "## ⚠️ ota-drift check: Incomplete: 2 items could not be read in 1 of 1 partition; "
        "0 active findings"
    )
    verdict = parse(HtmlFormat().render(unread)).tags("section")[0]
    assert verdict.attrs["class"] == "verdict verdict-incomplete"
    assert "Incomplete: 2 items could not be read in 1 of 1 partition" in verdict.content
    run = json.loads(SarifFormat().render(unread))["runs"][0]
    assert run["invocations"][0]["executionSuccessful"] is False


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_without_fleet_info_the_same_values_render_as_a_single_partition_run(name: str) -> None:
    """The fleet's additions all hang on `report.fleet` and the values' partitions: without
    them, the same report has no account, region or partition table in any format (the
    example.* golden files pin the rest byte for byte)."""
    fleet = fleet_report()
    single = replace(
        fleet,
        fleet=None,
        partitions=(),
        findings=tuple(replace(f, partition=None) for f in fleet.findings),
        errors=tuple(replace(e, partition=None) for e in fleet.errors),
        skipped=tuple(replace(s, partition=None) for s in fleet.skipped),
        audited=(AuditedUpdate("fw-1", FW_YAML, True),),
    )
    text = get_format(name).render(single)
    absent = ["111122223333", "444455556666", "777788889999", "Partitions", '"account"']
    absent += [] if name == "sarif" else ["Account"]  # SARIF describes OTA404, about accounts
    assert [word for word in absent if word in text] == []


# -- SARIF ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads((ROOT / "tests" / "schemas" / "sarif-2.1.0.json").read_text("utf-8"))
    return jsonschema.Draft4Validator(schema)


@pytest.mark.parametrize("which", ["example", "built"])
def test_sarif_fleet_reports_validate(which: str, validator: Any, example: Report) -> None:
    fleet = example if which == "example" else fleet_report()
    validator.validate(json.loads(SarifFormat().render(fleet)))


def test_sarif_the_same_finding_in_two_accounts_is_two_alerts() -> None:
    """fw-1's OTA306 in prod and in lab: two results, fingerprints hashing account and region
    first, the partition at the start of the message (what GitHub shows), in properties and
    in the update's qualified name."""
    run = json.loads(SarifFormat().render(fleet_report()))["runs"][0]
    ota306 = [r for r in run["results"] if r["ruleId"] == "OTA306"]
    assert [r["message"]["text"] for r in ota306] == [
        "111122223333/eu-west-1 fw-1: no awsJobAbortConfig",
        "444455556666/us-east-1 fw-1: no awsJobAbortConfig",
    ]
    prints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in ota306]
    assert prints == [
        hashlib.sha256(f"{p.account}|{p.region}|OTA306|fw-1||declared".encode()).hexdigest()
        for p in (PROD, LAB)
    ]
    assert [{k: r["properties"][k] for k in ("account", "region")} for r in ota306] == [
        {"account": "111122223333", "region": "eu-west-1"},
        {"account": "444455556666", "region": "us-east-1"},
    ]
    assert [r["locations"][0]["logicalLocations"] for r in ota306] == [
        [{"name": "fw-1", "fullyQualifiedName": f"{p}/otaUpdate/fw-1/", "kind": "resource"}]
        for p in (PROD, LAB)
    ]


def test_sarif_a_policy_pack_finding_has_no_partition_and_its_usual_fingerprint() -> None:
    run = json.loads(SarifFormat().render(fleet_report()))["runs"][0]
    (ota900,) = [r for r in run["results"] if r["ruleId"] == "OTA900"]
    assert ota900["message"]["text"] == "fw-*: suppression expired"
    assert "account" not in ota900["properties"]
    single = finding("OTA900", "fw-*", severity=Severity.LOW, message="suppression expired")
    assert ota900["partialFingerprints"][FINGERPRINT_KEY] == fingerprint(single)
    assert fingerprint(single) == hashlib.sha256(b"OTA900|fw-*||declared").hexdigest()


def test_sarif_every_fleet_example_result_has_its_own_fingerprint(example: Report) -> None:
    """Two partitions audited from the same files: every finding is one alert of its own."""
    results = json.loads(SarifFormat().render(example))["runs"][0]["results"]
    prints = Counter(r["partialFingerprints"][FINGERPRINT_KEY] for r in results)
    assert len(results) == len(example.findings) == len(prints)
    assert set(prints.values()) == {1}


def test_sarif_notifications_name_the_partition() -> None:
    invocation = json.loads(SarifFormat().render(fleet_report()))["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"] == [
        {
            "level": "error",
            "message": {
                "text": "could not read fw-2 in 444455556666/us-east-1: GetOTAUpdate failed "
                "with ThrottlingException: Rate exceeded"
            },
            "properties": {
                "account": "444455556666",
                "region": "us-east-1",
                "otaUpdateId": "fw-2",
                "operation": "GetOTAUpdate",
                "code": "ThrottlingException",
            },
        },
        {
            "level": "error",
            "message": {
                "text": "could not read (partition) in 777788889999/eu-west-1: AssumeRole "
                "failed with AccessDenied: not authorized to assume ota-drift-audit"
            },
            "properties": {
                "account": "777788889999",
                "region": "eu-west-1",
                "otaUpdateId": None,
                "operation": "AssumeRole",
                "code": "AccessDenied",
            },
        },
        {
            "level": "note",
            "message": {"text": "444455556666/us-east-1 fw-3 skipped: deleted while the audit ran"},
            "properties": {"account": "444455556666", "region": "us-east-1", "otaUpdateId": "fw-3"},
        },
    ]


# -- JUnit ------------------------------------------------------------------------------------


def junit(report: Report) -> str:
    return JunitFormat().render(report)


def test_junit_fleet_example_suites_are_account_region_update(example: Report) -> None:
    """A suite per update per partition, named and classed `account/region/update`; the
    policy suite and the summary after them; every (classname, name) once, as GitLab keys
    tests by them."""
    doc = JUnitXml.fromstring(junit(example).encode("utf-8"))
    names = [suite.name for suite in doc]
    updates = sorted({a.ota_update_id for a in example.audited})
    assert names == [
        *(f"{p}/{u}" for p in (PROD, LAB) for u in updates),
        "ota-drift: policy",
        "ota-drift: summary",
    ]
    assert names[0] == "111122223333/eu-west-1/cam-fw-0"
    first = next(iter(doc))
    assert {case.classname for case in first} == {"ota-drift.111122223333/eu-west-1/cam-fw-0"}
    assert {p.name: p.value for p in first.properties()} == {
        "account": "111122223333",
        "region": "eu-west-1",
        "declared": "examples/ota/cameras.yaml:3",
        "live": "yes",
    }
    keys = Counter((case.classname, case.name) for suite in doc for case in suite)
    assert set(keys.values()) == {1}
    summary = {p.name: p.value for p in list(doc)[-1].properties()}
    assert (summary["partitions"], summary["partitionsNotWhollyRead"]) == ("2", "0")


def test_junit_read_errors_go_to_their_partition_suite() -> None:
    """The partition whose role could not be assumed has a suite of its own, named after it,
    holding that error; lab's throttled read is in lab's; skipped updates are named by their
    partition too."""
    root = ET.fromstring(junit(fleet_report()))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert list(suites) == [
        "111122223333/eu-west-1/fw-1",
        "444455556666/us-east-1/fw-1",
        "ota-drift: policy",
        "444455556666/us-east-1",
        "777788889999/eu-west-1",
        "ota-drift: skipped updates",
        "ota-drift: summary",
    ]
    denied = suites["777788889999/eu-west-1"]
    assert (denied.get("tests"), denied.get("errors")) == ("1", "1")
    (case,) = denied.iter("testcase")
    assert (case.get("classname"), case.get("name")) == (
        "ota-drift.777788889999/eu-west-1",
        "AssumeRole (partition)",
    )
    (error,) = case
    assert error.get("message") == "AccessDenied: not authorized to assume ota-drift-audit"
    assert error.text == (
        "could not read (partition) in 777788889999/eu-west-1: AssumeRole failed with "
        "AccessDenied: not authorized to assume ota-drift-audit"
    )
    (throttled,) = suites["444455556666/us-east-1"].iter("testcase")
    assert throttled.get("name") == "GetOTAUpdate fw-2"
    (skipped,) = suites["ota-drift: skipped updates"].iter("testcase")
    assert skipped.get("name") == "444455556666/us-east-1/fw-3"
    assert (
        skipped[0].text
        == "444455556666/us-east-1/fw-3 was left out of the audit: deleted while the audit ran"
    )
    summary = {p.get("name"): p.get("value") for p in suites["ota-drift: summary"].iter("property")}
    assert (summary["partitions"], summary["partitionsNotWhollyRead"]) == ("3", "2")


def test_junit_details_say_account_and_region() -> None:
    lab = finding("OTA306", partition=LAB)
    assert details(lab).splitlines()[2:5] == [
        "otaUpdateId: fw-1",
        "account: 444455556666",
        "region: us-east-1",
    ]
    assert "account:" not in details(finding("OTA306"))


@pytest.mark.parametrize("which", ["example", "built"])
def test_junit_fleet_reports_are_valid_and_junit2html_shows_every_case(
    which: str, example: Report, tmp_path: Path
) -> None:
    fleet = example if which == "example" else fleet_report()
    text = junit(fleet)
    schema = xmlschema.XMLSchema10(str(ROOT / "tests" / "schemas" / "junit-10.xsd"), allow="local")
    schema.validate(text)
    xml_file = tmp_path / "report.xml"
    xml_file.write_text(text, encoding="utf-8")
    cases = list(ET.parse(xml_file).getroot().iter("testcase"))
    assert len(junit2html_blocks(xml_file)) == len(cases)


# -- Markdown ---------------------------------------------------------------------------------


def test_markdown_fleet_tables_have_account_and_region() -> None:
    lines = MarkdownFormat().render(fleet_report()).splitlines()
    at = lines.index("### Partitions (3)")
    assert lines[at + 2 : at + 7] == [
        "| Account | Region | Name | Declared | Live | In sync | Drifted | Missing | Unmanaged "
        "| Active findings | Suppressed | Read errors |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        "| 111122223333 | eu-west-1 | prod | 1 | 1 | 0 | 0 | 0 | 0 | 1 | 0 | 0 |",
        "| 444455556666 | us-east-1 | — | 1 | 1 | 0 | 0 | 0 | 0 | 2 | 0 | ⚠️ 1: not wholly read |",
        "| 777788889999 | eu-west-1 | lab | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | ⚠️ 1: not wholly read |",
    ]
    at = lines.index("### Findings (4)")
    assert lines[at + 2 : at + 8] == [
        "| Severity | Rule | Account | Region | Update | Path | Message | Location |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        "| 🟣 critical | OTA101 | 444455556666 | us-east-1 | fw-1 | <code>files\\[fw.bin\\]</code> "
        "| no awsJobAbortConfig | <code>ota/fw.yaml:3</code> |",
        "| 🔴 high | OTA306 | 111122223333 | eu-west-1 | fw-1 | — | no awsJobAbortConfig "
        "| <code>ota/fw.yaml:3</code> |",
        "| 🔴 high | OTA306 | 444455556666 | us-east-1 | fw-1 | — | no awsJobAbortConfig "
        "| <code>ota/fw.yaml:3</code> |",
        "| 🟡 low | OTA900 | — | — | fw-\\* | — | suppression expired "
        "| <code>ota/fw.yaml:3</code> |",
    ]
    at = lines.index("<details><summary>Could not read (2)</summary>")
    assert lines[at + 2 : at + 6] == [
        "| Account | Region | Update | Operation | Code | Message |",
        "| --- | --- | --- | --- | --- | --- |",
        "| 444455556666 | us-east-1 | fw-2 | GetOTAUpdate | <code>ThrottlingException</code> "
        "| Rate exceeded |",
        "| 777788889999 | eu-west-1 | \\(partition\\) | AssumeRole | <code>AccessDenied</code> "
        "| not authorized to assume ota-drift-audit |",
    ]
    at = lines.index("<details><summary>Notes (1)</summary>")
    assert lines[at + 2 : at + 5] == [
        "| Account | Region | Update | Note |",
        "| --- | --- | --- | --- |",
        "| 444455556666 | us-east-1 | fw-3 | deleted while the audit ran |",
    ]
    assert lines[0] == (
        "## ⚠️ ota-drift check: Incomplete: 2 items could not be read in 2 of 3 partitions; "
        "4 active findings (1 critical, 2 high, 1 low)"
    )
    assert lines[2].startswith("ota-drift 1.2.3 · as of 2026-11-25T00:00:00Z · 3 partitions · ")


def many_partitions(count: int) -> Report:
    """`count` partitions of one finding each, every seventh not wholly read."""
    parts = [Partition(f"{100000000000 + i:012d}", "eu-west-1") for i in range(count)]
    findings = [finding("OTA306", partition=p, message="x" * 60) for p in parts]
    errors = tuple(SourceError(None, "AssumeRole", "AccessDenied", "denied", p) for p in parts[::7])
    base = report(*findings, errors=errors)
    return replace(
        base,
        partitions=tuple(
            PartitionResult(p, f"entry-{i}", summary_of([f], 1), 1 if i % 7 == 0 else 0)
            for i, (p, f) in enumerate(zip(parts, base.findings, strict=True))
        ),
        fleet=replace(FLEET, units=count),
    )


@pytest.mark.parametrize("budget", [4096, 8192, 20_000, 65_536])
def test_markdown_a_fleet_report_stays_within_its_budget(budget: int) -> None:
    """400 partitions: the partitions table is cut to its share like any other, says how
    many it left out, and the report stays within the budget."""
    fleet = many_partitions(400)
    fmt = MarkdownFormat(max_bytes=budget)
    text = fmt.render(fleet)
    assert len(text.encode("utf-8")) <= budget
    assert text.splitlines()[0] == MarkdownFormat().render(fleet).splitlines()[0]
    rows = [
        line
        for line in text.splitlines()
        if re.match(r"\| 1000000\d{5} \| eu-west-1 \| entry-", line)
    ]
    assert len(rows) < 400
    assert f"… {400 - len(rows):,} of 400 partitions are not shown here" in text
    assert text.count("<details>") == text.count("</details>")
    (note,) = fmt.notices(fleet)
    assert f"{400 - len(rows):,} of 400 partitions" in note


def test_markdown_a_fleet_report_within_its_budget_is_whole() -> None:
    fleet = many_partitions(30)
    full = MarkdownFormat().render(fleet)
    assert MarkdownFormat(max_bytes=len(full.encode("utf-8"))).render(fleet) == full
    assert "<details><summary>Partitions (30)</summary>" in full


# -- HTML -------------------------------------------------------------------------------------


def test_html_fleet_page_ships_its_fleet_script_under_its_own_hash() -> None:
    page = HtmlFormat().render(fleet_report())
    document = parse(page)
    (csp,) = [m for m in document.tags("meta") if m.attrs.get("http-equiv")]
    assert csp.attrs["content"] == FLEET_CSP
    script = next(s for s in document.tags("script") if "type" not in s.attrs)
    assert script.content == FLEET_SCRIPT


def test_html_data_block_names_each_update_by_partition() -> None:
    """Findings carry account and region as fields 11 and 12 (empty for the policy pack's);
    an update's id is one string per partition, so the two fw-1 are two updates."""
    data = data_of(HtmlFormat().render(fleet_report()))
    strings = data["strings"]
    assert data["findingFields"] == list(FLEET_FINDING_FIELDS)
    rows = data["findings"]
    assert {len(row) for row in rows} == {13}
    assert [(strings[r[1]], strings[r[2]], strings[r[11]], strings[r[12]]) for r in rows] == [
        ("OTA900", "fw-*", "", ""),
        ("OTA306", "fw-1", "111122223333", "eu-west-1"),
        ("OTA101", "fw-1", "444455556666", "us-east-1"),
        ("OTA306", "fw-1", "444455556666", "us-east-1"),
    ]
    assert rows[1][2] != rows[2][2] == rows[3][2]
    updates = data["updates"]
    assert [(u[0], strings[u[4]], strings[u[5]]) for u in updates] == [
        (rows[1][2], "111122223333", "eu-west-1"),
        (rows[2][2], "444455556666", "us-east-1"),
    ]


def test_html_fleet_tables_and_filters() -> None:
    """The partitions table after the summary, the errors table with Account and Region, the
    account and region filters listing every partition's (0 findings too), and a note named
    by its partition."""
    page = HtmlFormat().render(fleet_report())
    document = parse(page)
    partitions = document.by_id("partitions")
    cells = [[td.content for td in tr.find("td")] for tr in partitions.find("tr")[1:]]
    assert cells == [
        ["111122223333", "eu-west-1", "prod", *"110000", "1", "0", "0"],
        ["444455556666", "us-east-1", "—", *"110000", "2", "0", "1: not wholly read"],
        ["777788889999", "eu-west-1", "lab", *"00000000", "1: not wholly read"],
    ]
    assert '<h2 id="h-partitions">Partitions <span class="count">3</span></h2>' in page
    assert "2 partitions could not be wholly read" in page

    def options(name: str) -> list[tuple[str | None, str]]:
        select = document.by_id(f"filter-{name}")
        return [(o.attrs.get("value"), o.content) for o in select.find("option")]

    assert options("account") == [
        ("", "All accounts"),
        ("111122223333", "111122223333 (1)"),
        ("444455556666", "444455556666 (2)"),
        ("777788889999", "777788889999 (0)"),
    ]
    assert options("region") == [
        ("", "All regions"),
        ("eu-west-1", "eu-west-1 (1)"),
        ("us-east-1", "us-east-1 (2)"),
    ]
    assert (
        '<tr><td class="nowrap">777788889999</td><td class="nowrap">eu-west-1</td>'
        "<td>(partition)</td><td>AssumeRole</td><td><code>AccessDenied</code></td>"
        "<td>not authorized to assume ota-drift-audit</td></tr>"
    ) in page
    assert (
        "<li><strong>444455556666/us-east-1 fw-3</strong>: deleted while the audit ran</li>" in page
    )
    headers = [b.attrs.get("data-column") for b in document.by_id("findings").find("button")]
    assert headers == ["0", "1", "11", "2", "3", "4", "5", "6", "7"]


# -- every format ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_names_both_accounts_of_fw_1(name: str) -> None:
    """Whatever the format, both partitions that have fw-1 appear in it."""
    text = get_format(name).render(fleet_report())
    assert "111122223333" in text and "444455556666" in text and "777788889999" in text


def test_a_hostile_entry_name_is_inert_in_every_format_that_shows_it() -> None:
    """A fleet entry's `name` is the user's text: escaped wherever it is shown."""
    name = "<img src=x onerror=alert(1)>\x1b[31m|@team\nline"
    fleet = fleet_report()
    hostile = replace(
        fleet, partitions=(replace(fleet.partitions[0], name=name), *fleet.partitions[1:])
    )
    text = TextFormat().render(hostile)
    assert "\x1b" not in text
    assert "  111122223333/eu-west-1 (<img src=x onerror=alert(1)>\\x1b[31m|@team\\nline): " in text
    markdown = MarkdownFormat().render(hostile)
    assert "<img" not in markdown and "\x1b" not in markdown
    assert "| &lt;img src=x onerror=alert\\(1\\)&gt;\\\\x1b\\[31m\\|@&#8203;team line |" in markdown
    page = HtmlFormat().render(hostile)
    assert "<img" not in page and "\x1b" not in page
    assert "<td>&lt;img src=x onerror=alert(1)&gt;\\x1b[31m|@team\nline</td>" in page
