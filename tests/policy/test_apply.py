"""Applying a policy: severities, disabled rules, ignored drift, suppressions, OTA900, --as-of."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from checker.cli import _timestamp, main
from checker.model import Finding, FindingSide, Location, Severity, Suppressed
from checker.policy.apply import apply_policy
from checker.policy.model import path_matches
from checker.policy.packs import load_policy
from checker.rules.registry import META_BY_ID
from tests.support import builders
from tests.support.builders import snapshot_text as snapshot

TARGET = "arn:aws:iot:eu-central-1:123456789012:thinggroup/sensors"
ROLE = "arn:aws:iam::123456789012:role/ota"
TODAY = date(2026, 11, 25)
REASON = "Rate approved in security review SR-142"


pytestmark = pytest.mark.usefixtures("in_tmp")


def write(name: str, text: str) -> str:
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    Path(name).write_text(text, encoding="utf-8")
    return name


def declared(ota_update_id: str, rate: int = 50, description: str = "firmware") -> str:
    """One declared update per file; `maximumPerMinute` is on line 9."""
    return f"""\
otaUpdates:
  - otaUpdateId: {ota_update_id}
    description: {description}
    targets: [{TARGET}]
    protocols: [MQTT, HTTP]
    awsJobPresignedUrlConfig:
      expiresInSec: 900
    awsJobExecutionsRolloutConfig:
      maximumPerMinute: {rate}
    files:
      - fileName: fw.bin
        fileLocation:
          stream: {{streamId: s1, fileId: 0}}
        codeSigning:
          awsSignerJobId: job-1
    roleArn: {ROLE}
"""


def live(ota_update_id: str, description: str = "firmware", expires: int = 900) -> dict[str, Any]:
    return {
        "otaUpdateId": ota_update_id,
        "otaUpdateArn": f"arn:aws:iot:eu-central-1:123456789012:otaupdate/{ota_update_id}",
        "creationDate": "2026-11-19T10:00:00+00:00",
        "description": description,
        "targets": [TARGET],
        "protocols": ["HTTP", "MQTT"],
        "awsJobPresignedUrlConfig": {"expiresInSec": expires},
        "awsJobExecutionsRolloutConfig": {"maximumPerMinute": 50},
        "otaUpdateFiles": [
            {
                "fileName": "fw.bin",
                "fileLocation": {"stream": {"streamId": "s1", "fileId": 0}},
                "codeSigning": {"awsSignerJobId": "job-1"},
            }
        ],
        "otaUpdateStatus": "CREATE_COMPLETE",
    }


def only(*keep: str) -> str:
    """A pack that disables every registered rule but `keep`: other rules cannot interfere."""
    lines = [f"  {rule_id}: {{enabled: false}}" for rule_id in META_BY_ID if rule_id not in keep]
    return write("only.yaml", "version: 1\nrules:\n" + "\n".join(lines) + "\n")


def suppression_pack(expires: str | None = "2027-03-31", paths: str | None = None) -> str:
    """A pack suppressing OTA302 for fleet-* and lab-*; the suppression starts on line 3."""
    text = (
        "version: 1\n"
        "suppressions:\n"
        "  - rule: OTA302\n"
        '    otaUpdates: ["fleet-*", "lab-*"]\n'
        f"    reason: {REASON}\n"
    )
    if paths is not None:
        text += f"    paths: [{paths}]\n"
    if expires is not None:
        text += f"    expires: {expires}\n"
    return write("suppress.yaml", text)


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main([*argv, "--format", "json"])
    out, err = capsys.readouterr()
    assert err == ""
    return code, json.loads(out)


def of_rule(report: dict[str, Any], rule_id: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["ruleId"] == rule_id]


def finding(
    rule_id: str,
    ota_update_id: str,
    path: str = "",
    side: FindingSide = "drift",
    severity: Severity = Severity.HIGH,
) -> Finding:
    """A finding the policy can select by rule, update and path, located at ota.yaml:2."""
    return builders.finding(
        rule_id,
        ota_update_id,
        severity=severity,
        side=side,
        path=path,
        message=f"{rule_id} on {ota_update_id} {path}",
        location=Location("ota.yaml", 2),
    )


def kept(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f.rule_id, f.ota_update_id, f.path) for f in findings]


# --- severities ------------------------------------------------------------------------------


def test_apply_policy_overrides_a_drift_rule_and_a_config_rule_severity() -> None:
    """OTA002 raised to critical, OTA302 lowered to low; a rule no pack names keeps its own."""
    write(
        "pack.yaml",
        "version: 1\nrules:\n  OTA002: {severity: critical}\n  OTA302: {severity: low}\n",
    )
    policy = load_policy(["pack.yaml"])
    out = apply_policy(
        [
            finding("OTA002", "fleet-a"),
            finding(
                "OTA302", "fleet-a", "awsJobExecutionsRolloutConfig.maximumPerMinute", "declared"
            ),
            finding("OTA001", "fleet-a", "description"),
        ],
        policy,
        TODAY,
    )
    assert [(f.rule_id, f.severity) for f in out] == [
        ("OTA002", Severity.CRITICAL),
        ("OTA302", Severity.LOW),
        ("OTA001", Severity.HIGH),
    ]
    assert all(f.suppressed is None for f in out)


def test_cli_drift_rule_raised_to_critical_reaches_the_report_and_exit_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A missing update (OTA002, high) made critical by a pack fails `--fail-on critical`."""
    write("ota.yaml", declared("fleet-a"))
    write("snap.json", snapshot())
    keep = only("OTA002")
    write("crit.yaml", "version: 1\nrules:\n  OTA002: {severity: critical}\n")
    base = ["check", "ota.yaml", "--state", "snap.json", "--policy", keep, "--fail-on", "critical"]
    code, report = run_json(capsys, *base)
    assert code == 0
    assert [f["severity"] for f in of_rule(report, "OTA002")] == ["high"]
    code, report = run_json(capsys, *base, "--policy", "crit.yaml")
    assert code == 1
    (missing,) = of_rule(report, "OTA002")
    assert (missing["severity"], missing["otaUpdateId"], missing["source"]) == (
        "critical",
        "fleet-a",
        "drift",
    )
    assert report["summary"]["findings"] == {
        "critical": 1,
        "high": 0,
        "medium": 0,
        "low": 0,
        "info": 0,
    }
    assert report["summary"]["missing"] == 1


def test_cli_config_rule_lowered_to_low_no_longer_fails_fail_on_medium(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """OTA302 (high) lowered to low by a pack stays reported but passes `--fail-on medium`."""
    write("ota.yaml", declared("fleet-a", rate=300))
    keep = only("OTA302")
    write("low.yaml", "version: 1\nrules:\n  OTA302: {severity: low}\n")
    base = ["lint", "ota.yaml", "--policy", keep, "--fail-on", "medium"]
    code, report = run_json(capsys, *base)
    assert code == 1
    assert [f["severity"] for f in of_rule(report, "OTA302")] == ["high"]
    code, report = run_json(capsys, *base, "--policy", "low.yaml")
    assert code == 0
    assert [(f["severity"], f["line"]) for f in of_rule(report, "OTA302")] == [("low", 9)]


# --- disabled rules --------------------------------------------------------------------------


def test_apply_policy_drops_findings_of_a_disabled_rule() -> None:
    """A finding of a rule a pack disables is not in the output at all."""
    write("pack.yaml", "version: 1\nrules:\n  OTA002: {enabled: false}\n")
    out = apply_policy(
        [finding("OTA002", "fleet-a"), finding("OTA001", "fleet-b", "description")],
        load_policy(["pack.yaml"]),
        TODAY,
    )
    assert kept(out) == [("OTA001", "fleet-b", "description")]


def test_cli_disabled_rule_produces_no_finding_and_no_failure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`OTA302: {enabled: false}` removes the rate finding from lint and its exit code."""
    write("ota.yaml", declared("fleet-a", rate=300))
    keep = only("OTA302")
    write("off.yaml", "version: 1\nrules:\n  OTA302: {enabled: false}\n")
    code, report = run_json(capsys, "lint", "ota.yaml", "--policy", keep)
    assert code == 1
    assert len(of_rule(report, "OTA302")) == 1
    code, report = run_json(capsys, "lint", "ota.yaml", "--policy", keep, "--policy", "off.yaml")
    assert code == 0
    assert report["findings"] == []
    assert report["summary"]["findings"]["high"] == 0


# --- ignoreDrift -----------------------------------------------------------------------------

DRIFT_AND_RULES = [
    finding("OTA001", "lab-1", "description"),
    finding("OTA001", "lab-1", "awsJobPresignedUrlConfig.expiresInSec"),
    finding("OTA004", "lab-1", severity=Severity.INFO),
    finding("OTA002", "lab-2"),
    finding("OTA003", "lab-3", severity=Severity.MEDIUM),
    finding("OTA302", "lab-1", "awsJobExecutionsRolloutConfig.maximumPerMinute", "declared"),
    finding("OTA101", "lab-1", "files[fw.bin]", "both", Severity.CRITICAL),
    finding("OTA001", "prod-1", "description"),
    finding("OTA002", "prod-2"),
]


def test_ignore_drift_without_paths_drops_every_drift_finding_of_matching_updates() -> None:
    """No `paths`: OTA001-OTA004 of lab-* go; rule findings on lab-* and other updates stay."""
    write("pack.yaml", "version: 1\nignoreDrift:\n  - otaUpdates: [lab-*]\n")
    out = apply_policy(DRIFT_AND_RULES, load_policy(["pack.yaml"]), TODAY)
    assert kept(out) == [
        ("OTA302", "lab-1", "awsJobExecutionsRolloutConfig.maximumPerMinute"),
        ("OTA101", "lab-1", "files[fw.bin]"),
        ("OTA001", "prod-1", "description"),
        ("OTA002", "prod-2", ""),
    ]


def test_ignore_drift_with_paths_drops_only_matching_ota001_findings() -> None:
    """With `paths`, only OTA001 at a listed path goes; OTA002-OTA004 of the update stay."""
    write(
        "pack.yaml",
        "version: 1\nignoreDrift:\n  - otaUpdates: [lab-*]\n    paths: [description]\n",
    )
    out = apply_policy(DRIFT_AND_RULES, load_policy(["pack.yaml"]), TODAY)
    assert kept(out) == [
        ("OTA001", "lab-1", "awsJobPresignedUrlConfig.expiresInSec"),
        ("OTA004", "lab-1", ""),
        ("OTA002", "lab-2", ""),
        ("OTA003", "lab-3", ""),
        ("OTA302", "lab-1", "awsJobExecutionsRolloutConfig.maximumPerMinute"),
        ("OTA101", "lab-1", "files[fw.bin]"),
        ("OTA001", "prod-1", "description"),
        ("OTA002", "prod-2", ""),
    ]


@pytest.mark.parametrize(
    ("pattern", "dropped"),
    [
        ("awsJobPresignedUrlConfig", True),  # a parent covers the paths below it
        ("awsJobPresignedUrlConfig.expiresInSec", True),  # equal
        ("awsJobPresigned*", True),  # glob
        ("*.expiresInSec", True),  # glob
        ("awsJobPresigned", False),  # a prefix that is not a parent
        ("expiresInSec", False),  # a child name alone
        ("awsJobPresignedUrlConfig.expiresInSec.x", False),  # below the path
    ],
)
def test_ignore_drift_path_matching(pattern: str, dropped: bool) -> None:
    """An ignoreDrift path covers equal paths, paths below it and glob matches, nothing else."""
    write(
        "pack.yaml",
        f"version: 1\nignoreDrift:\n  - otaUpdates: [lab-1]\n    paths: ['{pattern}']\n",
    )
    out = apply_policy(
        [finding("OTA001", "lab-1", "awsJobPresignedUrlConfig.expiresInSec")],
        load_policy(["pack.yaml"]),
        TODAY,
    )
    assert (out == []) is dropped


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("a", "a", True),
        ("a.b", "a", True),
        ("a[x]", "a", True),
        ("a[x].b", "a", True),
        ("files[fw.bin].codeSigning", "files[fw.bin]", True),
        ("files[fw.bin].codeSigning", "files*codeSigning", True),
        ("ab", "a", False),
        ("a", "a.b", False),
        ("b.a", "a", False),
        ("files[fw.bin].codeSigning", "files[other.bin]", False),
        ("files[fw.bin].codeSigning", "files[*].codeSigning", True),  # brackets are literal
        ("files[fw.bin].codeSigning", "files[?].codeSigning", False),
        ("targets[arn:x]", "targets[*]", True),
    ],
)
def test_path_matches(path: str, pattern: str, expected: bool) -> None:
    """`a` covers `a`, `a.b` and `a[x]`; globs match whole paths; sibling prefixes do not."""
    assert path_matches(path, pattern) is expected


def test_cli_ignored_drift_leaves_the_report_and_the_drifted_count(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Ignored OTA001 paths are not reported; an update with only ignored drift counts in sync."""
    write("ota.yaml", declared("lab-a", description="old"))
    write("snap.json", snapshot(live("lab-a", description="new", expires=3600)))
    keep = only("OTA001")
    write(
        "desc.yaml",
        "version: 1\nignoreDrift:\n  - otaUpdates: [lab-*]\n    paths: [description]\n",
    )
    write(
        "both.yaml",
        "version: 1\nignoreDrift:\n"
        "  - otaUpdates: [lab-*]\n    paths: [description, awsJobPresignedUrlConfig]\n",
    )
    base = ["check", "ota.yaml", "--state", "snap.json", "--policy", keep]
    code, report = run_json(capsys, *base, "--policy", "desc.yaml")
    assert code == 1
    assert [f["path"] for f in of_rule(report, "OTA001")] == [
        "awsJobPresignedUrlConfig.expiresInSec"
    ]
    assert (report["summary"]["drifted"], report["summary"]["inSync"]) == (1, 0)
    code, report = run_json(capsys, *base, "--policy", "both.yaml")
    assert code == 0
    assert report["findings"] == []
    assert (report["summary"]["drifted"], report["summary"]["inSync"]) == (0, 1)


# --- suppressions ----------------------------------------------------------------------------


def test_active_suppression_keeps_the_finding_marked_and_uncounted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A suppressed finding stays in the JSON with reason and expiry, counted only as suppressed."""
    write("ota/fleet.yaml", declared("fleet-a", rate=300))
    keep = only("OTA302", "OTA900")
    pack = suppression_pack()
    code, report = run_json(
        capsys,
        "lint",
        "ota",
        "--policy",
        keep,
        "--policy",
        pack,
        "--as-of",
        "2026-11-25T00:00:00Z",
    )
    assert code == 0
    assert report["findings"] == [
        {
            "ruleId": "OTA302",
            "severity": "high",
            "otaUpdateId": "fleet-a",
            "source": "declared",
            "path": "awsJobExecutionsRolloutConfig.maximumPerMinute",
            "message": "maximumPerMinute 300 is above the policy's 200",
            "file": "ota/fleet.yaml",
            "line": 9,
            "resource": None,
            "references": list(META_BY_ID["OTA302"].doc.references),
            "suppressed": {"reason": REASON, "expires": "2027-03-31"},
        }
    ]
    assert report["summary"]["findings"] == {
        "critical": 0,
        "high": 0,
        "medium": 0,
        "low": 0,
        "info": 0,
    }
    assert report["summary"]["suppressed"] == 1


def test_suppressed_finding_does_not_count_but_an_unsuppressed_one_still_fails(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Only the update the suppression names is exempt; another update's finding still fails."""
    write("ota/fleet.yaml", declared("fleet-a", rate=300))
    write("ota/prod.yaml", declared("prod-a", rate=300))
    keep = only("OTA302", "OTA900")
    code, report = run_json(
        capsys,
        "lint",
        "ota",
        "--policy",
        keep,
        "--policy",
        suppression_pack(),
        "--as-of",
        "2026-11-25T00:00:00Z",
    )
    assert code == 1
    assert [(f["otaUpdateId"], "suppressed" in f) for f in of_rule(report, "OTA302")] == [
        ("fleet-a", True),
        ("prod-a", False),
    ]
    assert report["summary"]["findings"]["high"] == 1
    assert report["summary"]["suppressed"] == 1


def test_suppression_without_expires_never_expires(capsys: pytest.CaptureFixture[str]) -> None:
    """A suppression with no `expires` still suppresses decades later, with `expires: null`."""
    write("ota.yaml", declared("lab-a", rate=300))
    keep = only("OTA302", "OTA900")
    code, report = run_json(
        capsys,
        "lint",
        "ota.yaml",
        "--policy",
        keep,
        "--policy",
        suppression_pack(expires=None),
        "--as-of",
        "2099-01-01T00:00:00Z",
    )
    assert code == 0
    assert [f["suppressed"] for f in report["findings"]] == [{"reason": REASON, "expires": None}]
    assert of_rule(report, "OTA900") == []


def test_suppression_with_paths_matches_only_those_paths() -> None:
    """A suppression with `paths` suppresses its rule at those paths (and below), not others."""
    suppression_pack(paths="awsJobExecutionsRolloutConfig.exponentialRate")
    policy = load_policy(["suppress.yaml"])
    rate = "awsJobExecutionsRolloutConfig.maximumPerMinute"
    base = "awsJobExecutionsRolloutConfig.exponentialRate.baseRatePerMinute"
    out = apply_policy(
        [
            finding("OTA302", "fleet-a", rate, "declared"),
            finding("OTA302", "fleet-a", base, "declared"),
            finding("OTA101", "fleet-a", base, "declared"),
            finding("OTA302", "prod-a", base, "declared"),
        ],
        policy,
        TODAY,
    )
    assert [(f.rule_id, f.ota_update_id, f.path, f.suppressed) for f in out] == [
        ("OTA302", "fleet-a", rate, None),
        ("OTA302", "fleet-a", base, Suppressed(REASON, date(2027, 3, 31))),
        ("OTA101", "fleet-a", base, None),
        ("OTA302", "prod-a", base, None),
    ]


def test_expired_suppression_reactivates_the_finding_and_raises_one_ota900(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """After `expires` the finding counts again and one OTA900 points at the suppression's line."""
    write("ota/fleet.yaml", declared("fleet-a", rate=300))
    write("ota/lab.yaml", declared("lab-a", rate=300))
    keep = only("OTA302", "OTA900")
    code, report = run_json(
        capsys,
        "lint",
        "ota",
        "--policy",
        keep,
        "--policy",
        suppression_pack(),
        "--as-of",
        "2027-04-01T00:00:00Z",
        "--fail-on",
        "low",
    )
    assert code == 1
    assert [(f["otaUpdateId"], "suppressed" in f) for f in of_rule(report, "OTA302")] == [
        ("fleet-a", False),
        ("lab-a", False),
    ]
    assert of_rule(report, "OTA900") == [
        {
            "ruleId": "OTA900",
            "severity": "low",
            "otaUpdateId": "fleet-*, lab-*",
            "source": "declared",
            "path": "",
            "message": "the suppression of OTA302 for fleet-*, lab-* expired on 2027-03-31; "
            f"it no longer suppresses anything (reason given: {REASON})",
            "file": "suppress.yaml",
            "line": 3,
            "resource": None,
        }
    ]
    assert report["summary"]["findings"] == {
        "critical": 0,
        "high": 2,
        "medium": 0,
        "low": 1,
        "info": 0,
    }
    assert report["summary"]["suppressed"] == 0


def test_expired_suppression_raises_ota900_even_when_it_matches_nothing() -> None:
    """OTA900 is about the stale suppression itself: it is raised with no finding to match."""
    suppression_pack()
    out = apply_policy([], load_policy(["suppress.yaml"]), date(2027, 4, 1))
    assert [(f.rule_id, f.severity, f.ota_update_id, str(f.location)) for f in out] == [
        ("OTA900", Severity.LOW, "fleet-*, lab-*", "suppress.yaml:3")
    ]


def test_a_valid_suppression_still_applies_next_to_an_expired_one() -> None:
    """An expired and a valid suppression of the same finding: suppressed by the valid one."""
    write(
        "pack.yaml",
        "version: 1\n"
        "suppressions:\n"
        "  - rule: OTA302\n"
        "    otaUpdates: [fleet-a]\n"
        "    reason: old review\n"
        "    expires: 2026-01-31\n"
        "  - rule: OTA302\n"
        "    otaUpdates: [fleet-*]\n"
        "    reason: new review\n"
        "    expires: 2027-01-31\n",
    )
    out = apply_policy(
        [finding("OTA302", "fleet-a", "x", "declared")], load_policy(["pack.yaml"]), TODAY
    )
    assert [(f.rule_id, f.ota_update_id, f.suppressed, str(f.location)) for f in out] == [
        ("OTA302", "fleet-a", Suppressed("new review", date(2027, 1, 31)), "ota.yaml:2"),
        ("OTA900", "fleet-a", None, "pack.yaml:3"),
    ]


def test_cli_suppressed_ota001_still_counts_as_drifted(capsys: pytest.CaptureFixture[str]) -> None:
    """A suppressed (not ignored) OTA001 leaves the update drifted in the summary, exit 0."""
    write("ota.yaml", declared("lab-a", description="old"))
    write("snap.json", snapshot(live("lab-a", description="new")))
    keep = only("OTA001", "OTA900")
    write(
        "pack.yaml",
        "version: 1\nsuppressions:\n"
        "  - rule: OTA001\n    otaUpdates: [lab-a]\n    reason: relabelled by hand\n",
    )
    code, report = run_json(
        capsys,
        "check",
        "ota.yaml",
        "--state",
        "snap.json",
        "--policy",
        keep,
        "--policy",
        "pack.yaml",
    )
    assert code == 0
    assert [(f["path"], f["suppressed"]) for f in of_rule(report, "OTA001")] == [
        ("description", {"reason": "relabelled by hand", "expires": None})
    ]
    summary = report["summary"]
    assert (summary["drifted"], summary["inSync"], summary["suppressed"]) == (1, 0, 1)
    assert summary["findings"]["high"] == 0


# --- the clock: --as-of ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "suppressed"),
    [
        ("2026-11-24T12:00:00Z", True),
        ("2026-11-25T00:00:00Z", True),  # the expiry day itself: still valid
        ("2026-11-25T23:59:59Z", True),
        ("2026-11-25T23:59:59", True),  # naive is UTC
        ("2026-11-26T00:00:00Z", False),  # the day after: expired
        ("2026-11-26T00:00:00", False),
        ("2026-11-26T00:00:00+00:00", False),
        ("2026-11-26T00:30:00+01:00", True),  # 2026-11-25T23:30Z: the day is taken in UTC
        ("2026-11-25T20:00:00-05:00", False),  # 2026-11-26T01:00Z
    ],
)
def test_suppression_is_valid_through_its_expiry_day(
    as_of: str, suppressed: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    """`expires: 2026-11-25` suppresses through that day and is expired from the next."""
    write("ota.yaml", declared("fleet-a", rate=300))
    keep = only("OTA302", "OTA900")
    code, report = run_json(
        capsys,
        "lint",
        "ota.yaml",
        "--policy",
        keep,
        "--policy",
        suppression_pack(expires="2026-11-25"),
        "--as-of",
        as_of,
    )
    (rate,) = of_rule(report, "OTA302")
    expired = of_rule(report, "OTA900")
    if suppressed:
        assert code == 0
        assert rate["suppressed"] == {"reason": REASON, "expires": "2026-11-25"}
        assert expired == []
    else:
        assert code == 1
        assert "suppressed" not in rate
        assert [(f["file"], f["line"]) for f in expired] == [("suppress.yaml", 3)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-25T00:00:00Z", datetime(2026, 11, 25, tzinfo=UTC)),
        ("2026-11-25T00:00:00", datetime(2026, 11, 25, tzinfo=UTC)),
        ("2026-11-25", datetime(2026, 11, 25, tzinfo=UTC)),
        ("2026-11-25T10:30:00+00:00", datetime(2026, 11, 25, 10, 30, tzinfo=UTC)),
        (
            "2026-11-25T10:30:00+02:00",
            datetime(2026, 11, 25, 10, 30, tzinfo=timezone(timedelta(hours=2))),
        ),
    ],
)
def test_as_of_parses_z_and_naive_as_utc(text: str, expected: datetime) -> None:
    """`Z` means UTC, a time without an offset is UTC, an explicit offset is kept."""
    value = _timestamp(text)
    assert value == expected
    assert value.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01T00:00:00Z", "25.11.2026", ""])
def test_invalid_as_of_is_exit_2(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    """An --as-of that is not ISO 8601 is a usage error: exit 2, message on stderr, no report."""
    write("ota.yaml", declared("fleet-a"))
    with pytest.raises(SystemExit) as exc:
        main(["lint", "ota.yaml", "--as-of", text])
    out, err = capsys.readouterr()
    assert exc.value.code == 2
    assert out == ""
    assert f"not an ISO 8601 time: {text!r}" in err
