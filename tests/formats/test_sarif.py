"""The SARIF report: schema-valid, GitHub-ready, stable fingerprints, every result located."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import random
import re
import string
from datetime import UTC, date, datetime
from typing import Any

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
    SarifFormat,
    fingerprint,
    pascal_case,
    result_order,
    upload_size,
)
from checker.model import (
    AuditedUpdate,
    DriftValues,
    Finding,
    FindingSource,
    Location,
    Report,
    Severity,
    SourceError,
    Summary,
    Suppressed,
)
from checker.rules.registry import ALL_RULES
from tests.formats.golden import ROOT, example_report

FW_YAML = Location("ota/fw.yaml", 3)
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


def render(report: Report) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(SarifFormat().render(report))
    return out


def run_of(report: Report) -> dict[str, Any]:
    run: dict[str, Any] = render(report)["runs"][0]
    return run


def finding(
    rule_id: str = "OTA306",
    ota_update_id: str = "fw-1",
    *,
    severity: Severity = Severity.HIGH,
    path: str = "",
    message: str = "no awsJobAbortConfig",
    location: Location | None = FW_YAML,
    source: FindingSource = "declared",
    suppressed: Suppressed | None = None,
) -> Finding:
    return Finding(
        rule_id=rule_id,
        severity=severity,
        ota_update_id=ota_update_id,
        source=source,
        path=path,
        message=message,
        location=location,
        suppressed=suppressed,
    )


def report_of(*findings: Finding, **kwargs: Any) -> Report:
    fields: dict[str, Any] = {
        "tool_version": "1.2.3",
        "summary": Summary(
            declared=1, live=1, in_sync=0, drifted=0, missing=0, unmanaged=0, findings={}
        ),
        "findings": tuple(sorted(findings, key=lambda f: f.sort_key)),
        "errors": (),
        "as_of": datetime(2026, 11, 25, tzinfo=UTC),
        "policy_packs": ("policies/default.yaml",),
        "declared_files": ("ota/fw.yaml",),
        "audited": (AuditedUpdate("fw-1", Location("ota/fw.yaml", 1), True),),
        "rules": tuple(m.rule_id for m in ALL_RULES),
    }
    fields.update(kwargs)
    return Report(**fields)


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
    assert len(doc["runs"][0]["results"]) == len(example.findings) == 29
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
    assert len(ids) == 25


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
    """All 25 descriptors use the one severity → security-severity table."""
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
        finding("OTA003", "ghost", location=None, source="drift"),
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
    f = finding("OTA202", "gw-fw-3", path="awsJobPresignedUrlConfig.expiresInSec", source="live")
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
        finding("OTA001", path="targets", source="drift", location=Location("ota/fw.yaml", 9)),
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
        "could not read (all): ListOTAUpdates failed with ThrottlingException: rate exceeded"
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
            drift=DriftValues(desired=HOSTILE, actual=[HOSTILE]),
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
        finding("OTA307", "fw-005", severity=Severity.HIGH, path=p, source=s)
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


def test_over_the_gzip_limit_fewer_results_are_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A file over the (here lowered) upload limit keeps fewer, still the most severe, until
    its gzip size fits; the line gives that reason."""
    monkeypatch.setattr(sarif_module, "GITHUB_MAX_GZIP_BYTES", 60_000)
    findings = [  # incompressible messages, so each result costs its size
        finding(
            "OTA306",
            f"fw-{i:03d}",
            severity=Severity.HIGH if i < 40 else Severity.LOW,
            message="".join(hashlib.sha256(f"{i}/{k}".encode()).hexdigest() for k in range(8)),
        )
        for i in range(200)
    ]
    report = report_of(*findings)
    sarif = SarifFormat(max_results=150)
    text = sarif.render(report)
    assert len(gzip.compress(text.encode(), compresslevel=9)) <= 60_000
    assert upload_size(text) <= 60_000
    results = json.loads(text)["runs"][0]["results"]
    assert 40 < len(results) < 150
    assert [r["properties"]["otaUpdateId"] for r in results] == [
        f"fw-{i:03d}" for i in range(len(results))
    ]
    (note,) = sarif.notices(report)
    assert note == (
        f"SARIF report holds the {len(results)} most severe of 200 findings; left out: "
        f"{200 - len(results)} low (GitHub code scanning accepts at most 0.06 MB gzip-compressed)"
    )


SARIF2012_PASCAL = r"(?:[A-Z][a-z0-9]+)+"
"""The SARIF multitool's SARIF2012 pattern `^(\\p{Lu}[\\p{Ll}\\p{Nd}]+)*$`, for ASCII names."""


def test_every_rule_name_is_a_unique_pascal_identifier_beside_its_title(example: Report) -> None:
    """SARIF2012: `name` is a Pascal identifier (not the ID); the title stays the short text."""
    rules = run_of(example)["tool"]["driver"]["rules"]
    for meta, rule in zip(ALL_RULES, rules, strict=True):
        assert re.fullmatch(SARIF2012_PASCAL, rule["name"]), rule["name"]
        assert rule["name"] != rule["id"]
        assert rule["shortDescription"] == {"text": meta.title}
    assert len({r["name"] for r in rules}) == len(rules) == 25


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
