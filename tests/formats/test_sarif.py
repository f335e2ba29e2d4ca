"""The SARIF report: schema-valid, GitHub-ready, stable fingerprints, every result located."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import random
import re
import string
from collections import Counter
from datetime import date
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest

from checker.formats import sarif as sarif_module
from checker.formats.sarif import (
    GITHUB_MAX_DESCRIPTION_CHARS,
    GITHUB_MAX_NAME_CHARS,
    GITHUB_MAX_RESULTS,
    GITHUB_MAX_TAGS,
    GITHUB_SHOWN_RESULTS,
    GITHUB_SHOWN_TAGS,
    LEVELS,
    MAX_STRING_CHARS,
    SarifFormat,
    bounded,
    fingerprint,
    pascal_case,
    result_order,
    upload_size,
)
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
from checker.rules.registry import ALL_RULES
from tests.formats.golden import ROOT, example_report
from tests.support.builders import finding, report

SCHEMA_PATH = ROOT / "tests" / "schemas" / "sarif-2.1.0.json"
HOSTILE = (
    '"><img src=x onerror=alert(1)> </script> a|b `rm -rf` line1\nline2 '
    "\u00fcml\u00e4ut \u2028 \U0001f525 \x1b[31m\x00 \ud800"
)


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    """The official SARIF 2.1.0 schema, which declares JSON Schema draft-04."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


@pytest.fixture(scope="module")
def example() -> Report:
    return example_report()


def report_of(*findings: Finding, **fields: Any) -> Report:
    """`builders.report`, run with every registered rule, as a default run has."""
    return report(*findings, **({"rules": tuple(m.rule_id for m in ALL_RULES)} | fields))


def render(report: Report) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(SarifFormat().render(report))
    return out


def run_of(report: Report) -> dict[str, Any]:
    run: dict[str, Any] = render(report)["runs"][0]
    return run


def results_for(run: dict[str, Any], ota_update_id: str) -> list[dict[str, Any]]:
    return [r for r in run["results"] if r["properties"]["otaUpdateId"] == ota_update_id]


def test_example_report_validates_against_the_schema(
    validator: jsonschema.protocols.Validator, example: Report
) -> None:
    """The bundled example's SARIF has no schema errors and names the 2.1.0 schema."""
    doc = render(example)
    assert [e.message for e in validator.iter_errors(doc)] == []
    assert doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"]) == 1
    assert len(doc["runs"][0]["results"]) == len(example.findings) == 31
    broken = {**doc, "runs": [{**doc["runs"][0], "results": [{"ruleId": "OTA001"}]}]}
    assert not validator.is_valid(broken)  # a result without a message is caught


def test_driver_lists_every_registry_rule_in_id_order(example: Report) -> None:
    """`tool.driver` names the tool and carries one descriptor per registry rule, in ID order."""
    driver = run_of(example)["tool"]["driver"]
    assert driver["name"] == "ota-drift"
    assert driver["version"] == driver["semanticVersion"] == example.tool_version
    assert driver["informationUri"] == "https://github.com/ota-drift/ota-drift"
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == [meta.rule_id for meta in ALL_RULES] == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_rule_descriptor_carries_documentation_and_github_properties(example: Report) -> None:
    """OTA101's descriptor has its name, descriptions, help, anchor, level and properties."""
    rules = {r["id"]: r for r in run_of(example)["tool"]["driver"]["rules"]}
    rule = rules["OTA101"]
    assert rule["name"] == "EnsureEveryOtaFileIsCodeSigned"
    assert rule["shortDescription"] == {"text": "Ensure every OTA file is code-signed"}
    meta = next(m for m in ALL_RULES if m.rule_id == "OTA101")
    assert rule["fullDescription"] == {"text": meta.doc.what}
    assert rule["help"]["text"].startswith("OTA101: Ensure every OTA file is code-signed\n")
    assert rule["help"]["markdown"].startswith("## OTA101: Ensure every OTA file is code-signed")
    assert rule["helpUri"] == (
        "https://github.com/ota-drift/ota-drift/blob/main/docs/rules.md"
        "#ota101-ensure-every-ota-file-is-code-signed"
    )
    assert rule["defaultConfiguration"] == {"level": "error"}
    assert rule["properties"] == {
        "security-severity": "9.5",
        "tags": ["security", "ota", "code-signing"],
        "precision": "very-high",
    }
    assert rules["OTA304"]["name"] == "EnsureTheRolloutsIncrementFactorIsOneTheServiceAccepts"


def test_every_help_uri_anchor_exists_in_docs_rules_md(example: Report) -> None:
    """Each rule's helpUri fragment is an anchor the generated docs/rules.md links to."""
    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in run_of(example)["tool"]["driver"]["rules"]:
        anchor = rule["helpUri"].split("#", 1)[1]
        assert f"](#{anchor})" in docs, rule["id"]


@pytest.mark.parametrize(
    ("rule_id", "theme"),
    [
        ("OTA001", "drift"),
        ("OTA101", "code-signing"),
        ("OTA201", "transport"),
        ("OTA301", "rollout"),
        ("OTA401", "targeting"),
        ("OTA501", "lifecycle"),
        ("OTA900", "checker"),
    ],
)
def test_theme_tag_follows_the_id_range(example: Report, rule_id: str, theme: str) -> None:
    """The third tag is the theme of the rule's hundreds range."""
    rules = {r["id"]: r for r in run_of(example)["tool"]["driver"]["rules"]}
    assert rules[rule_id]["properties"]["tags"] == ["security", "ota", theme]


@pytest.mark.parametrize(
    ("rule_id", "security_severity", "level"),
    [
        ("OTA101", "9.5", "error"),  # critical
        ("OTA001", "8.0", "error"),  # high
        ("OTA003", "5.5", "warning"),  # medium
        ("OTA203", "3.0", "note"),  # low
        ("OTA004", "1.0", "note"),  # info
    ],
)
def test_security_severity_and_default_level_by_severity(
    example: Report, rule_id: str, security_severity: str, level: str
) -> None:
    """A rule's default severity gives its security-severity string and default level."""
    rules = {r["id"]: r for r in run_of(example)["tool"]["driver"]["rules"]}
    assert rules[rule_id]["properties"]["security-severity"] == security_severity
    assert rules[rule_id]["defaultConfiguration"]["level"] == level


def test_every_descriptor_security_severity_matches_its_severity(example: Report) -> None:
    """Every descriptor uses the one severity → security-severity table."""
    table = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
    rules = run_of(example)["tool"]["driver"]["rules"]
    for meta, rule in zip(ALL_RULES, rules, strict=True):
        assert rule["properties"]["security-severity"] == table[meta.severity.value]
        assert rule["defaultConfiguration"]["level"] == LEVELS[meta.severity]


@pytest.mark.parametrize(
    ("severity", "level"),
    [
        (Severity.CRITICAL, "error"),
        (Severity.HIGH, "error"),
        (Severity.MEDIUM, "warning"),
        (Severity.LOW, "note"),
        (Severity.INFO, "note"),
    ],
)
def test_result_level_follows_the_finding_severity(severity: Severity, level: str) -> None:
    """A result's level comes from the finding's (policy-adjusted) severity, not the rule's."""
    run = run_of(report_of(finding("OTA306", severity=severity)))
    assert LEVELS[severity] == level
    assert run["results"][0]["level"] == level


def test_every_result_rule_index_points_at_its_rule(example: Report) -> None:
    """`ruleIndex` of every result indexes the descriptor with the result's ruleId."""
    run = run_of(example)
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_every_result_has_a_physical_location(example: Report) -> None:
    """Each result has one location with a %SRCROOT%-relative uri and a start line."""
    run = run_of(example)
    findings = sorted(example.findings, key=result_order)
    for result, f in zip(run["results"], findings, strict=True):
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        if f.location is not None:
            assert physical["artifactLocation"]["uri"] == f.location.file
            assert physical["region"] == {"startLine": f.location.line}
        assert location["logicalLocations"] == [
            {
                "name": f.ota_update_id,
                "fullyQualifiedName": f"otaUpdate/{f.ota_update_id}/{f.path}",
                "kind": "resource",
            }
        ]


def test_drift_result_points_at_the_declared_line(example: Report) -> None:
    """The gw-fw-3 expiry drift points at gateways.yaml line 11 and names the update."""
    run = run_of(example)
    (drift,) = [r for r in results_for(run, "gw-fw-3") if r["ruleId"] == "OTA001"]
    assert drift["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "examples/ota/gateways.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 11},
    }
    assert drift["message"]["text"] == (
        "gw-fw-3: awsJobPresignedUrlConfig.expiresInSec: declared 600, live 3600"
    )
    assert drift["properties"]["desired"] == 600
    assert drift["properties"]["actual"] == 3600


def test_unmanaged_findings_point_at_the_fallback_file(example: Report) -> None:
    """Findings on lab-fw-test (live only) point at line 1 of the first declared file."""
    results = results_for(run_of(example), "lab-fw-test")
    assert len(results) == 6
    for result in results:
        assert result["locations"][0]["physicalLocation"] == {
            "artifactLocation": {"uri": "examples/ota/cameras.yaml", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 1},
        }
        assert result["message"]["text"].startswith("lab-fw-test (live only, not declared): ")
    signing = next(r for r in results if r["ruleId"] == "OTA101")
    assert signing["locations"][0]["logicalLocations"] == [
        {
            "name": "lab-fw-test",
            "fullyQualifiedName": "otaUpdate/lab-fw-test/files[lab-build-7731.bin]",
            "kind": "resource",
        }
    ]


def test_without_declared_files_the_fallback_is_the_first_policy_pack() -> None:
    """With no declared file, an unlocated finding points at the first policy pack, line 1."""
    report = report_of(
        finding("OTA003", "ghost", location=None, side="drift"),
        declared_files=(),
        policy_packs=("policies/default.yaml", "team.yaml"),
    )
    (result,) = run_of(report)["results"]
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "policies/default.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1},
    }


def test_expired_suppression_points_into_the_policy_pack(example: Report) -> None:
    """OTA900 is located at the suppression in examples/policy.yaml."""
    (expired,) = [r for r in run_of(example)["results"] if r["ruleId"] == "OTA900"]
    assert expired["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "examples/policy.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 14},
    }
    assert expired["level"] == "note"


def test_paths_become_uris() -> None:
    """Relative paths are percent-encoded under %SRCROOT%; absolute ones become file URIs."""
    report = report_of(
        finding(location=Location("./my ota/fw#1.yaml", 2)),
        finding("OTA307", location=Location("/abs/ota.yaml", 4)),
        finding("OTA101", location=Location("sub\\win.yaml", 5)),
        finding("OTA203", location=Location("C:\\ota\\fw.yaml", 6)),
        finding("OTA204", location=Location("\\\\server\\share\\fw.yaml", 7)),
    )
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run_of(report)["results"]
    ]
    assert uris == [
        {"uri": "sub/win.yaml", "uriBaseId": "%SRCROOT%"},
        {"uri": "file:///C:/ota/fw.yaml"},
        {"uri": "file://server/share/fw.yaml"},
        {"uri": "my%20ota/fw%231.yaml", "uriBaseId": "%SRCROOT%"},
        {"uri": "file:///abs/ota.yaml"},
    ]


def test_fingerprints_are_identical_across_runs(example: Report) -> None:
    """Two renderings of the example have the same fingerprints (and the same bytes)."""
    first = SarifFormat().render(example)
    second = SarifFormat().render(example_report())
    assert first == second
    prints = [r["partialFingerprints"] for r in json.loads(first)["runs"][0]["results"]]
    assert all(list(p) == ["otaDriftFinding/v1"] for p in prints)
    assert all(len(p["otaDriftFinding/v1"]) == 64 for p in prints)


def test_fingerprint_is_the_documented_hash() -> None:
    """The fingerprint is sha256 of `ruleId|otaUpdateId|path|source`."""
    f = finding("OTA202", "gw-fw-3", path="awsJobPresignedUrlConfig.expiresInSec", side="live")
    expected = hashlib.sha256(
        b"OTA202|gw-fw-3|awsJobPresignedUrlConfig.expiresInSec|live"
    ).hexdigest()
    assert fingerprint(f) == expected
    (result,) = run_of(report_of(f))["results"]
    assert result["partialFingerprints"] == {"otaDriftFinding/v1": expected}


def test_fingerprints_survive_line_shifts_and_message_changes() -> None:
    """Moving the YAML (other lines) or rewording a message keeps every fingerprint."""
    before = report_of(
        finding("OTA306", location=Location("ota/fw.yaml", 3)),
        finding("OTA001", path="targets", side="drift", location=Location("ota/fw.yaml", 9)),
    )
    after = dataclasses.replace(
        before,
        findings=tuple(
            dataclasses.replace(
                f,
                location=Location("ota/fw.yaml", f.location.line + 17) if f.location else None,
                message=f.message + " (reworded)",
            )
            for f in before.findings
        ),
    )
    prints_before = [r["partialFingerprints"] for r in run_of(before)["results"]]
    prints_after = [r["partialFingerprints"] for r in run_of(after)["results"]]
    assert prints_before == prints_after
    assert len({p["otaDriftFinding/v1"] for p in prints_before}) == 2


def test_fingerprint_fields_cannot_run_into_each_other() -> None:
    """A `|` inside a field is escaped, so shifting it between fields changes the hash."""
    one = finding("OTA900", "a|b", path="c")
    two = finding("OTA900", "a", path="b|c")
    assert fingerprint(one) != fingerprint(two)


def test_suppressed_findings_carry_an_external_suppression(example: Report) -> None:
    """The suppressed OTA401 on gw-fw-4 is accepted with the reason and the expiry date."""
    run = run_of(example)
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert [(r["ruleId"], r["properties"]["otaUpdateId"]) for r in suppressed] == [
        ("OTA401", "gw-fw-4")
    ]
    assert suppressed[0]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "Pilot gateways join the pilot group one by one; continuous "
            "targeting approved in security review SR-142 (expires 2027-03-31)",
        }
    ]


def test_suppression_without_expiry_has_the_bare_reason() -> None:
    """A suppression with no expiry date justifies with its reason alone."""
    report = report_of(finding(suppressed=Suppressed("accepted risk", None)))
    (result,) = run_of(report)["results"]
    assert result["suppressions"][0]["justification"] == "accepted risk"


def test_run_level_details(example: Report) -> None:
    """Automation id, a successful invocation and the asOf/policyPacks properties."""
    run = run_of(example)
    assert run["automationDetails"] == {"id": "ota-drift/check/"}
    assert run["invocations"] == [{"executionSuccessful": True}]
    assert run["properties"] == {
        "asOf": "2026-11-25T00:00:00+00:00",
        "policyPacks": ["policies/default.yaml", "examples/policy.yaml"],
    }
    assert "originalUriBaseIds" not in run


def test_lint_runs_get_their_own_category() -> None:
    """A lint report's automationDetails id is `ota-drift/lint/`."""
    assert run_of(report_of(command="lint"))["automationDetails"] == {"id": "ota-drift/lint/"}


def test_read_errors_make_the_invocation_unsuccessful(
    validator: jsonschema.protocols.Validator,
) -> None:
    """Each source error is an error notification naming update, operation, code, message."""
    report = report_of(
        errors=(
            SourceError("fw-2", "GetOTAUpdate", "AccessDeniedException", "not authorised"),
            SourceError(None, "ListOTAUpdates", "ThrottlingException", "rate exceeded"),
        )
    )
    doc = render(report)
    assert [e.message for e in validator.iter_errors(doc)] == []
    (invocation,) = doc["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["error", "error"]
    assert notes[0]["message"]["text"] == (
        "could not read fw-2: GetOTAUpdate failed with AccessDeniedException: not authorised"
    )
    assert notes[1]["message"]["text"] == (
        "could not read (listing): ListOTAUpdates failed with ThrottlingException: rate exceeded"
    )
    assert notes[0]["properties"] == {
        "otaUpdateId": "fw-2",
        "operation": "GetOTAUpdate",
        "code": "AccessDeniedException",
    }


def test_hostile_strings_round_trip_and_still_validate(
    validator: jsonschema.protocols.Validator,
) -> None:
    """HTML, quotes, pipes, backticks, newlines, control and non-ASCII text survive as data."""
    report = report_of(
        dataclasses.replace(
            finding(
                message=HOSTILE, path=HOSTILE, suppressed=Suppressed(HOSTILE, date(2027, 1, 1))
            ),
            drift=DriftValues(declared=HOSTILE, live=[HOSTILE]),
            references=(HOSTILE,),
        ),
        finding("OTA307", location=Location(HOSTILE, 2)),
        errors=(SourceError(HOSTILE, HOSTILE, HOSTILE, HOSTILE),),
        policy_packs=(HOSTILE,),
    )
    text = SarifFormat().render(report)
    text.encode("utf-8")  # writable as UTF-8 even with a lone surrogate
    assert "\x00" not in text
    assert "\x1b" not in text
    assert "line1\nline2" not in text  # the newline is escaped inside the JSON string
    doc = json.loads(text)
    assert [e.message for e in validator.iter_errors(doc)] == []
    located, result = doc["runs"][0]["results"]  # the suppressed finding comes second
    assert (result["ruleId"], located["ruleId"]) == ("OTA306", "OTA307")
    uri = located["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert set(uri) <= set(string.ascii_letters + string.digits + "%-._~/")
    assert result["message"]["text"] == f"fw-1: {HOSTILE}"
    assert result["properties"]["path"] == HOSTILE
    assert result["properties"]["desired"] == HOSTILE
    assert result["properties"]["actual"] == [HOSTILE]
    assert result["properties"]["references"] == [HOSTILE]
    assert result["suppressions"][0]["justification"] == f"{HOSTILE} (expires 2027-01-01)"
    assert result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == (
        f"otaUpdate/fw-1/{HOSTILE}"
    )
    assert doc["runs"][0]["properties"]["policyPacks"] == [HOSTILE]


def test_output_ends_with_a_newline_and_is_indented(example: Report) -> None:
    """The document is indented JSON text ending with one newline."""
    text = SarifFormat().render(example)
    assert text.startswith('{\n  "$schema": ')
    assert text.endswith("}\n")


# --- GitHub code scanning's limits: the cap, its order and what it says it left out ---


def fleet(counts: dict[Severity, int], *, suppressed: int = 0) -> list[Finding]:
    """`counts[s]` findings of each severity on updates fw-000..., the first `suppressed` of
    each severity suppressed."""
    return [
        finding(
            "OTA306",
            f"fw-{i:03d}",
            severity=severity,
            suppressed=Suppressed("accepted", None) if i < suppressed else None,
        )
        for severity, n in counts.items()
        for i in range(n)
    ]


def kept(run: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(severity, update, suppressed) of each result, in file order."""
    return [
        (r["properties"]["severity"], r["properties"]["otaUpdateId"], "suppressions" in r)
        for r in run["results"]
    ]


def notes_of(run: dict[str, Any]) -> list[dict[str, Any]]:
    notes: list[dict[str, Any]] = run["invocations"][0].get("toolExecutionNotifications", [])
    return notes


def test_results_are_written_most_severe_first(example: Report) -> None:
    """Even under the cap the file is most severe first (GitHub keeps a run's first 5,000),
    active before suppressed within a severity, then by update, rule and path."""
    results = run_of(example)["results"]
    ranks = [Severity(r["properties"]["severity"]).rank for r in results]
    assert ranks == sorted(ranks, reverse=True)
    assert results[0]["ruleId"] == "OTA101"  # the example's one critical finding
    assert len({*ranks}) == 5
    for severity in Severity:
        same = [r for r in results if r["properties"]["severity"] == severity.value]
        flags = ["suppressions" in r for r in same]
        assert flags == sorted(flags), severity
        keys = [
            (r["properties"]["otaUpdateId"], r["ruleId"], r["properties"]["path"])
            for r in same
            if "suppressions" not in r
        ]
        assert keys == sorted(keys), severity


def test_over_the_cap_exactly_the_most_severe_results_are_kept(
    validator: jsonschema.protocols.Validator,
) -> None:
    """20 findings, cap 6: the 2 critical, then the first 4 high; the file stays schema-valid."""
    counts = {Severity.INFO: 3, Severity.LOW: 4, Severity.HIGH: 5, Severity.CRITICAL: 2}
    counts |= {Severity.MEDIUM: 6}
    report = report_of(*fleet(counts))
    doc = json.loads(SarifFormat(max_results=6).render(report))
    assert [e.message for e in validator.iter_errors(doc)] == []
    assert kept(doc["runs"][0]) == [
        ("critical", "fw-000", False),
        ("critical", "fw-001", False),
        ("high", "fw-000", False),
        ("high", "fw-001", False),
        ("high", "fw-002", False),
        ("high", "fw-003", False),
    ]


def test_left_out_findings_are_counted_by_severity_in_a_notification_and_on_stderr() -> None:
    """The warning names how many are kept of how many and each severity left out; notices()
    repeats it word for word, and the invocation is still successful."""
    counts = {Severity.CRITICAL: 2, Severity.HIGH: 5, Severity.MEDIUM: 6, Severity.INFO: 1234}
    report = report_of(*fleet(counts))
    sarif = SarifFormat(max_results=6)
    run = json.loads(sarif.render(report))["runs"][0]
    text = (
        "SARIF report holds the 6 most severe of 1,247 findings; left out: 1 high, "
        "6 medium, 1,234 info (--sarif-max-results 6)"
    )
    assert run["invocations"] == [
        {
            "executionSuccessful": True,
            "toolExecutionNotifications": [
                {
                    "level": "warning",
                    "message": {"text": text},
                    "properties": {
                        "findings": 1247,
                        "results": 6,
                        "leftOut": {"critical": 0, "high": 1, "medium": 6, "low": 0, "info": 1234},
                        "suppressedLeftOut": 0,
                        "leftOutForSize": 0,
                        "leftOutOverCap": 1241,
                    },
                }
            ],
        }
    ]
    assert sarif.notices(report) == [text]
    assert SarifFormat(max_results=6).notices(report) == [text]  # without a render first


def test_suppressed_findings_count_against_the_cap_after_active_ones() -> None:
    """Suppressed results are results to GitHub, so they count; within a severity the active
    ones come first, and the line says how many of those left out were suppressed."""
    report = report_of(*fleet({Severity.CRITICAL: 1, Severity.HIGH: 4}, suppressed=2))
    sarif = SarifFormat(max_results=3)
    run = json.loads(sarif.render(report))["runs"][0]
    assert kept(run) == [
        ("critical", "fw-000", True),  # more severe than any active high: kept first
        ("high", "fw-002", False),
        ("high", "fw-003", False),
    ]
    assert sarif.notices(report) == [
        "SARIF report holds the 3 most severe of 5 findings; left out: 2 high (2 of them "
        "suppressed) (--sarif-max-results 3)"
    ]
    assert notes_of(run)[0]["properties"]["suppressedLeftOut"] == 2


def test_the_order_does_not_depend_on_the_input_order() -> None:
    """Shuffled findings, same bytes: and two renders of one report are identical too."""
    findings = fleet({Severity.HIGH: 30, Severity.LOW: 30}, suppressed=7)
    findings += [
        finding("OTA307", "fw-005", severity=Severity.HIGH, path=p, side=s)
        for p in ("b", "a")
        for s in ("live", "declared")
    ]
    findings += [
        finding("OTA203", "fw-001", severity=Severity.HIGH, location=None, message=m)
        for m in ("y", "x")
    ]
    report = report_of(*findings)
    shuffled = list(report.findings)
    random.Random(7).shuffle(shuffled)
    assert shuffled != list(report.findings)
    other = dataclasses.replace(report, findings=tuple(shuffled))
    first = SarifFormat(max_results=40).render(report)
    assert SarifFormat(max_results=40).render(other) == first
    assert SarifFormat(max_results=40).render(report) == first
    assert len(json.loads(first)["runs"][0]["results"]) == 40


def test_default_cap_is_the_5000_results_github_shows() -> None:
    """Without max_results: 5,000 results, and the line says how to raise the cap."""
    report = report_of(*fleet({Severity.HIGH: 2, Severity.LOW: GITHUB_SHOWN_RESULTS + 1}))
    sarif = SarifFormat()
    assert GITHUB_SHOWN_RESULTS == 5_000
    assert len(json.loads(sarif.render(report))["runs"][0]["results"]) == 5_000
    assert sarif.notices(report) == [
        "SARIF report holds the 5,000 most severe of 5,003 findings; left out: 3 low "
        "(GitHub code scanning shows at most 5,000 results a run; --sarif-max-results raises "
        "the cap up to 25,000)"
    ]


def test_nothing_left_out_means_no_notification_and_no_notice(example: Report) -> None:
    """A cap the findings fit in changes nothing: no warning, no stderr line."""
    sarif = SarifFormat(max_results=len(example.findings))
    assert sarif.render(example) == SarifFormat().render(example)
    assert run_of(example)["invocations"] == [{"executionSuccessful": True}]
    assert sarif.notices(example) == []


def test_the_left_out_warning_follows_read_errors_which_still_fail_the_invocation() -> None:
    """Read errors stay first and keep executionSuccessful false; the warning comes after."""
    report = report_of(
        *fleet({Severity.HIGH: 3}),
        errors=(SourceError("fw-9", "GetOTAUpdate", "ThrottlingException", "slow down"),),
    )
    (invocation,) = json.loads(SarifFormat(max_results=1).render(report))["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["error", "warning"]
    assert notes[1]["message"]["text"].startswith("SARIF report holds the 1 most severe of 3")


@pytest.mark.parametrize("bad", [0, -1, GITHUB_MAX_RESULTS + 1])
def test_a_cap_outside_what_github_accepts_is_refused(bad: int) -> None:
    """max_results is 1 to 25,000: GitHub rejects a run with more."""
    with pytest.raises(ValueError, match="max_results must be 1 to 25000"):
        SarifFormat(max_results=bad)
    assert SarifFormat(max_results=GITHUB_MAX_RESULTS).max_results == 25_000


def incompressible(count: int, *, high: int = 40) -> list[Finding]:
    """`count` findings on fw-000..., the first `high` high and the rest low, with messages of
    hex digests that gzip cannot share between results, so each result costs its size."""
    return [
        finding(
            "OTA306",
            f"fw-{i:03d}",
            severity=Severity.HIGH if i < high else Severity.LOW,
            message="".join(hashlib.sha256(f"{i}/{k}".encode()).hexdigest() for k in range(8)),
        )
        for i in range(count)
    ]


def gzipped(text: str) -> int:
    return len(gzip.compress(text.encode("utf-8"), compresslevel=1, mtime=0))


def test_over_the_gzip_limit_the_results_that_fit_fill_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A file over the (here lowered) upload limit keeps the most severe results that fit,
    and fills the limit to within the note's reserve and one result; the line says how many
    were left out for size and how many over the cap, and the bytes are the same whatever
    the input order."""
    monkeypatch.setattr(sarif_module, "GITHUB_MAX_GZIP_BYTES", 60_000)
    report = report_of(*incompressible(200))
    sarif = SarifFormat(max_results=150)
    text = sarif.render(report)
    assert len(gzip.compress(text.encode(), compresslevel=9)) <= upload_size(text) <= 60_000
    results = json.loads(text)["runs"][0]["results"]
    one_result = max(gzipped(sarif_module._result_text(r)) for r in results)
    assert upload_size(text) > 60_000 - sarif_module.NOTE_RESERVE - one_result
    assert 40 < len(results) < 150
    assert [r["properties"]["otaUpdateId"] for r in results] == [
        f"fw-{i:03d}" for i in range(len(results))
    ]
    (note,) = sarif.notices(report)
    assert note == (
        f"SARIF report holds the {len(results)} most severe of 200 findings; left out: "
        f"{200 - len(results)} low ({150 - len(results)} for size: GitHub code scanning accepts "
        "at most 0.06 MB gzip-compressed; 50 over the cap: --sarif-max-results 150)"
    )
    shuffled = dataclasses.replace(report, findings=report.findings[::-1])
    assert SarifFormat(max_results=150).render(shuffled) == text


def strings_in(value: Any, where: str = "") -> list[tuple[str, str]]:
    """(JSON path, string) of every key and string value in `value`."""
    if isinstance(value, str):
        return [(where, value)]
    if isinstance(value, dict):
        found = [(f"{where}/{key}", key) for key in value]
        return found + [s for k, v in value.items() for s in strings_in(v, f"{where}/{k}")]
    if isinstance(value, list):
        return [s for i, v in enumerate(value) for s in strings_in(v, f"{where}/{i}")]
    return []


def random_text(length: int, seed: int = 1) -> str:
    """`length` hex digits, random: gzip cannot make them small."""
    return random.Random(seed).randbytes(length // 2 + 1).hex()[:length]


def marked(text: str) -> int:
    """How many characters a CUT_MARKER at the end of `text` says were cut."""
    match = re.search(
        r"\u2026 \(([0-9,]+) more characters; the JSON report has the full value\)$", text
    )
    assert match is not None, text[-100:]
    return int(match.group(1).replace(",", ""))


@pytest.mark.parametrize("length", [10, MAX_STRING_CHARS, MAX_STRING_CHARS + 1, 5_200_000])
def test_bounded_cuts_a_long_string_with_a_marker_counting_the_rest(length: int) -> None:
    """Within the limit a string is unchanged; over it, its start and a marker, exactly the
    limit long, whose count plus the start is the whole length."""
    text = random_text(length)
    cut = bounded(text)
    if length <= MAX_STRING_CHARS:
        assert cut == text
        return
    assert len(cut) == MAX_STRING_CHARS
    kept = cut[: cut.index("\u2026 (")]
    assert text.startswith(kept)
    assert len(kept) + marked(cut) == length


def test_a_huge_value_in_any_field_is_cut_and_every_finding_stays_a_result(
    validator: jsonschema.protocols.Validator,
) -> None:
    """The tester's repro, every field at once: a 5.2M-character file name in the path and
    message, a 15M-character live description, and a huge update ID, reference,
    justification, file, read error, skip reason and policy pack. No string but a URI is
    over the bound, every cut one says how much is missing, all 17 findings are results,
    nothing is left out, and the fingerprint still hashes the whole values."""
    name = random_text(5_200_000)
    huge = random_text(15_000_000, seed=2)
    path = f"files[{name}].codeSigning"
    big = dataclasses.replace(
        finding(
            "OTA001",
            f"fw-{name}",
            severity=Severity.CRITICAL,
            path=path,
            message=f"{path}: declared {huge}",
            location=Location(f"ota/{name}.yaml", 4),
            suppressed=Suppressed(huge, None),
        ),
        drift=DriftValues(declared=huge, live=[name, {"k": 1}]),
        references=(huge, "https://example.com/ref"),
    )
    report = report_of(
        big,
        *fleet({Severity.HIGH: 8, Severity.LOW: 8}),
        errors=(SourceError(name, "GetOTAUpdate", name, huge),),
        skipped=(SkippedUpdate(name, huge),),
        policy_packs=(f"packs/{name}.yaml",),
    )
    sarif = SarifFormat()
    doc = json.loads(sarif.render(report))
    assert [e.message for e in validator.iter_errors(doc)] == []
    assert sarif.notices(report) == []
    run = doc["runs"][0]
    assert len(run["results"]) == 17
    found = strings_in(doc)
    uris = [(w, s) for w, s in found if w.endswith("/artifactLocation/uri")]
    assert all(len(s) <= MAX_STRING_CHARS for w, s in found if (w, s) not in uris)
    result = run["results"][0]
    props = result["properties"]
    message = result["message"]["text"]
    assert message.startswith(f"fw-{name[:100]}")
    assert len(message) == MAX_STRING_CHARS
    assert marked(message) == len(f"fw-{name}: {path}: declared {huge}") - message.index("\u2026 (")
    assert props["desired"] == bounded(huge) and marked(props["desired"]) > 14_990_000
    assert props["actual"] == bounded(json.dumps([name, {"k": 1}], separators=(",", ":")))
    assert props["path"] == bounded(path)
    assert props["otaUpdateId"] == bounded(f"fw-{name}")
    assert props["references"] == [bounded(huge), "https://example.com/ref"]
    assert result["suppressions"][0]["justification"] == bounded(huge)
    assert result["partialFingerprints"][sarif_module.FINGERPRINT_KEY] == fingerprint(big)
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert unquote(uri) == bounded(f"ota/{name}.yaml")
    notes = notes_of(run)  # the read error and the skipped update, cut too
    assert len(notes) == 2 and all(marked(n["message"]["text"]) > 5_000_000 for n in notes)
    assert len(sarif.render(report).encode()) < 400_000


def test_a_drift_structure_keeps_its_shape_unless_its_json_is_over_the_bound() -> None:
    """A list within the bound stays a list; one whose compact JSON is longer becomes that
    JSON text, cut; numbers stay numbers."""
    arns = [f"arn:aws:iot:eu-central-1:123456789012:thinggroup/g{i:04d}" for i in range(300)]
    small = arns[:10]
    report = report_of(
        dataclasses.replace(finding("OTA001"), drift=DriftValues(declared=small, live=arns)),
        dataclasses.replace(finding("OTA001", "fw-2"), drift=DriftValues(declared=3.5, live=None)),
    )
    first, second = run_of(report)["results"]
    assert first["properties"]["desired"] == small
    actual = first["properties"]["actual"]
    assert actual.startswith('["arn:aws:iot:eu-central-1:123456789012:thinggroup/g0000","arn:')
    assert len(actual) == MAX_STRING_CHARS
    assert marked(actual) == len(json.dumps(arns, separators=(",", ":"))) - actual.index("\u2026")
    assert (second["properties"]["desired"], second["properties"]["actual"]) == (3.5, None)


def test_a_result_too_big_for_the_upload_is_skipped_and_costs_no_other(
    monkeypatch: pytest.MonkeyPatch, validator: jsonschema.protocols.Validator
) -> None:
    """The most severe finding alone is over the (lowered) limit: it is left out for size and
    counted, and all 30 others are written, instead of none; the counts by severity plus the
    results are the findings."""
    monkeypatch.setattr(sarif_module, "GITHUB_MAX_GZIP_BYTES", 60_000)
    refs = tuple(random_text(MAX_STRING_CHARS, seed=k) for k in range(20))  # ~90 KB gzipped
    huge = dataclasses.replace(finding("OTA101", severity=Severity.CRITICAL), references=refs)
    report = report_of(huge, *fleet({Severity.HIGH: 10, Severity.LOW: 20}))
    sarif = SarifFormat()
    text = sarif.render(report)
    assert upload_size(text) <= 60_000
    doc = json.loads(text)
    assert [e.message for e in validator.iter_errors(doc)] == []
    run = doc["runs"][0]
    assert kept(run) == kept(run_of(report_of(*fleet({Severity.HIGH: 10, Severity.LOW: 20}))))
    (note,) = notes_of(run)
    assert (
        note["message"]["text"]
        == sarif.notices(report)[0]
        == (
            "SARIF report holds 30 of 31 findings, the most severe that fit; left out: 1 critical "
            "(1 for size: GitHub code scanning accepts at most 0.06 MB gzip-compressed; none over "
            "the cap: GitHub code scanning shows at most 5,000 results a run; --sarif-max-results "
            "raises the cap up to 25,000)"
        )
    )
    props = note["properties"]
    assert (props["leftOutForSize"], props["leftOutOverCap"], props["results"]) == (1, 0, 30)
    shown = Counter(r["properties"]["severity"] for r in run["results"])
    assert {s: shown[s.value] + props["leftOut"][s.value] for s in Severity} == {
        Severity.CRITICAL: 1,
        Severity.HIGH: 10,
        Severity.MEDIUM: 0,
        Severity.LOW: 20,
        Severity.INFO: 0,
    }


def test_when_nothing_fits_the_line_says_so_plainly(monkeypatch: pytest.MonkeyPatch) -> None:
    """A limit smaller than the rules alone: no results, and the line says "none of the",
    with the size reason and the cap that applied."""
    monkeypatch.setattr(sarif_module, "GITHUB_MAX_GZIP_BYTES", 2_000)
    report = report_of(*fleet({Severity.HIGH: 3, Severity.INFO: 2}))
    sarif = SarifFormat(max_results=4)
    assert run_of_text(sarif.render(report))["results"] == []
    assert sarif.notices(report) == [
        "SARIF report holds none of the 5 findings; left out: 3 high, 2 info (4 for size: "
        "GitHub code scanning accepts at most 0.002 MB gzip-compressed; 1 over the cap: "
        "--sarif-max-results 4)"
    ]


def run_of_text(text: str) -> dict[str, Any]:
    run: dict[str, Any] = json.loads(text)["runs"][0]
    return run


def counting_renders(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts whole-log renders (`_text`) and whole-log gzips (`upload_size`) from now on."""
    calls: Counter[str] = Counter()
    text, size = sarif_module._text, sarif_module.upload_size

    def counted_text(log: dict[str, Any]) -> str:
        calls["render"] += 1
        return text(log)

    def counted_size(data: str) -> int:
        calls["gzip"] += 1
        return size(data)

    monkeypatch.setattr(sarif_module, "_text", counted_text)
    monkeypatch.setattr(sarif_module, "upload_size", counted_size)
    return calls


@pytest.mark.parametrize("count", [600, 6_000])
def test_the_size_limit_costs_a_bounded_number_of_whole_log_renders(
    monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    """Thousands of results over the (lowered) limit: at most four renders and two gzips of
    the whole log, as many for 6,000 findings as for 600, and the file fits."""
    monkeypatch.setattr(sarif_module, "GITHUB_MAX_GZIP_BYTES", 120_000)
    report = report_of(*incompressible(count, high=count // 2))
    calls = counting_renders(monkeypatch)
    sarif = SarifFormat(max_results=GITHUB_MAX_RESULTS)
    text = sarif.render(report)
    assert sarif.notices(report)  # the limit binds
    assert upload_size(text) <= 120_000
    assert calls["render"] <= 4 and calls["gzip"] <= 2, calls
    assert (calls["render"], calls["gzip"]) == (3, 2)  # the same for any count


def test_if_the_gzip_estimate_were_wrong_the_file_still_fits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Should the results chosen by compressed size still be over the limit (here `_fit` is
    made to keep all), they are chosen again by uncompressed size, which surely fits: one
    more render, and the line still counts what was left out for size."""
    monkeypatch.setattr(sarif_module, "GITHUB_MAX_GZIP_BYTES", 400_000)
    monkeypatch.setattr(sarif_module, "_fit", lambda head, pieces, tail, room: range(len(pieces)))
    report = report_of(*incompressible(2_000))
    calls = counting_renders(monkeypatch)
    sarif = SarifFormat()
    text = sarif.render(report)
    assert upload_size(text) <= 400_000
    results = run_of_text(text)["results"]
    assert 40 < len(results) < 2_000
    assert (calls["render"], calls["gzip"]) == (4, 2)
    assert sarif.notices(report)[0].startswith(
        f"SARIF report holds the {len(results)} most severe of 2,000 findings; left out: "
        f"{2_000 - len(results):,} low ({2_000 - len(results):,} for size: "
    )


@pytest.mark.parametrize("which", ["example", "hostile"])
def test_the_texts_the_size_limit_is_measured_on_are_the_bytes_written(
    example: Report, which: str
) -> None:
    """What comes before the results, each result alone and what comes after, joined, are the
    rendered file byte for byte, so the compressed sizes measured are exact."""
    report = example if which == "example" else report_of(finding(message=HOSTILE, path=HOSTILE))
    ordered = sorted(report.findings, key=result_order)
    log, _ = sarif_module._log(report, ordered, ordered, range(len(ordered)), None)
    skeleton, _ = sarif_module._log(report, ordered, ordered, range(len(ordered)), None)
    skeleton["runs"][0]["results"] = [0]
    head, tail = sarif_module._split(sarif_module._text(skeleton))
    pieces = [sarif_module._result_text(r).encode() for r in log["runs"][0]["results"]]
    joined = head + sarif_module.RESULT_SEPARATOR.join(pieces) + tail
    assert joined.decode() == SarifFormat().render(report)


SARIF2012_PASCAL = r"(?:[A-Z][a-z0-9]+)+"
"""The SARIF multitool's SARIF2012 pattern `^(\\p{Lu}[\\p{Ll}\\p{Nd}]+)*$`, for ASCII names."""


def test_every_rule_name_is_a_unique_pascal_identifier_beside_its_title(example: Report) -> None:
    """SARIF2012: `name` is a Pascal identifier (not the ID); the title stays the short text."""
    rules = run_of(example)["tool"]["driver"]["rules"]
    for meta, rule in zip(ALL_RULES, rules, strict=True):
        assert re.fullmatch(SARIF2012_PASCAL, rule["name"]), rule["name"]
        assert rule["name"] != rule["id"]
        assert rule["shortDescription"] == {"text": meta.title}
    assert len({r["name"] for r in rules}) == len(rules) == len(ALL_RULES)


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Ensure every OTA file is code-signed", "EnsureEveryOtaFileIsCodeSigned"),
        (
            "Ensure the pre-signed URL expiry is within 60 to 3600 seconds",
            "EnsureThePreSignedUrlExpiryIsWithin60To3600Seconds",
        ),
        ("Ensure OTA files in S3 name an object version", "EnsureOtaFilesInS3NameAnObjectVersion"),
        (
            "Ensure OTA updates target a snapshot of the fleet",
            "EnsureOtaUpdatesTargetSnapshotOfTheFleet",
        ),
        ("Ensure the rollout\u2019s rate is IoT-safe", "EnsureTheRolloutsRateIsIotSafe"),
        ("3600 seconds at most", "Rule3600SecondsAtMost"),
        ("a", "Rule"),
        ("", "Rule"),
    ],
)
def test_pascal_case_makes_sarif2012_identifiers(title: str, name: str) -> None:
    """Acronyms become words, digits join the word before, one-letter words are dropped."""
    assert pascal_case(title) == name
    assert re.fullmatch(SARIF2012_PASCAL, name)


def test_unregistered_rules_get_distinct_names_and_what_github_requires(
    validator: jsonschema.protocols.Validator,
) -> None:
    """A hand-built report's unknown rule IDs get descriptors with a Pascal name no other rule
    has, a full description, help text and a help URI, and results index them."""
    report = report_of(finding("OTA999"), finding("ota-999"), finding("x"))
    doc = render(report)
    assert [e.message for e in validator.iter_errors(doc)] == []
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    extra = {r["id"]: r for r in rules[len(ALL_RULES) :]}
    assert {i: r["name"] for i, r in extra.items()} == {
        "OTA999": "Ota999",
        "ota-999": "Ota9992",
        "x": "Rule",
    }
    for rule in extra.values():
        assert rule["fullDescription"]["text"] and rule["help"]["text"]
        assert rule["helpUri"] == "https://github.com/ota-drift/ota-drift/blob/main/docs/rules.md"
    assert len({r["name"] for r in rules}) == len(rules)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_every_rule_is_within_githubs_per_rule_limits(example: Report) -> None:
    """At most 10 tags (all shown, of the 20 accepted), a name of at most 255 characters,
    descriptions of at most 1024, a help text, and a security-severity in (0, 10]."""
    for rule in run_of(example)["tool"]["driver"]["rules"]:
        assert len(rule["properties"]["tags"]) <= GITHUB_SHOWN_TAGS < GITHUB_MAX_TAGS
        assert len(rule["name"]) <= GITHUB_MAX_NAME_CHARS
        assert 0 < len(rule["shortDescription"]["text"]) <= GITHUB_MAX_DESCRIPTION_CHARS
        assert 0 < len(rule["fullDescription"]["text"]) <= GITHUB_MAX_DESCRIPTION_CHARS
        assert rule["help"]["text"]
        assert 0 < float(rule["properties"]["security-severity"]) <= 10


def test_long_unregistered_rule_ids_get_a_name_and_descriptions_within_githubs_lengths(
    validator: jsonschema.protocols.Validator,
) -> None:
    """Hand-built rule IDs longer than 1,024 characters: distinct Pascal names of at most 255
    (a capital cut alone is dropped), a shortDescription and fullDescription of at most 1,024
    that say how much of the whole ID was cut, an ID within the string bound, and results
    that index them."""
    common = "OTA" + "x" * 1_100
    ids = [f"{common}1", f"{common}2", "Ab " * 200, random_text(20_000)]
    report = report_of(*(finding(rule_id, f"fw-{i}") for i, rule_id in enumerate(ids)))
    doc = render(report)
    assert [e.message for e in validator.iter_errors(doc)] == []
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    extra = rules[len(ALL_RULES) :]
    assert len(extra) == 4
    names = [r["name"] for r in extra]
    assert len(set(names)) == 4
    for rule in extra:
        assert re.fullmatch(SARIF2012_PASCAL, rule["name"]) and len(rule["name"]) <= 255
        short, full = rule["shortDescription"]["text"], rule["fullDescription"]["text"]
        assert len(short) <= GITHUB_MAX_DESCRIPTION_CHARS and len(full) <= 1024
        assert len(rule["id"]) <= MAX_STRING_CHARS
    by_id = {r["id"]: r for r in extra}
    assert by_id["Ab " * 200]["name"] == "Ab" * 127  # 255 would end on a lone capital
    assert by_id[f"{common}2"]["name"] == by_id[f"{common}1"]["name"][:254] + "2"
    assert marked(by_id[f"{common}1"]["shortDescription"]["text"]) > 0
    assert by_id[f"{common}1"]["fullDescription"]["text"].endswith(
        "more characters; the JSON report has the full value): a rule this version of "
        "ota-drift does not document"
    )
    longest = bounded(ids[3])
    assert marked(by_id[longest]["shortDescription"]["text"]) > 19_000
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
