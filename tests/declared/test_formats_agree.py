"""One OTA update written in each declaration format gives the same findings, but for where.

tests/declared/fixtures/same-update/ holds `gateway-fw-3-1-0` as an ota-drift file, an AWS
CLI input document, a CloudFormation template (names computed with !Sub, !Join and !Split
from a parameter and pseudo parameters) and a Pulumi stack export.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from tests.support.builders import snapshot_text

FIXTURES = Path(__file__).parent / "fixtures" / "same-update"
FORMATS = ("ota.yaml", "cli-input.json", "template.yaml", "stack-export.json")
PSEUDO = ("--parameter", "AWS::Region=eu-west-1", "--parameter", "AWS::AccountId=123456789012")
WHERE = ("file", "line", "resource")
RESOURCES = {
    "ota.yaml": None,
    "cli-input.json": None,
    "template.yaml": "logical ID GatewayFirmware",
    "stack-export.json": "urn:pulumi:prod::gateways::aws-native:iot:OtaUpdate::gateway-fw",
}

pytestmark = pytest.mark.usefixtures("in_tmp")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, Any]]]:
    code = main([*args, "--format", "json", "--as-of", "2026-12-01T00:00:00Z"])
    report = json.loads(capsys.readouterr().out)
    return code, report["findings"]


def declared(name: str) -> list[str]:
    shutil.copy(FIXTURES / name, name)
    return [name, *PSEUDO] if name == "template.yaml" else [name]


def without_where(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in f.items() if k not in WHERE} for f in findings]


def live_info(**changes: Any) -> dict[str, Any]:
    """The update as GetOTAUpdate returns it (in a snapshot: blobs base64), with `changes`."""
    doc = json.loads((FIXTURES / "cli-input.json").read_text(encoding="utf-8"))
    for create_only in ("roleArn", "awsJobAbortConfig", "tags"):
        doc.pop(create_only)
    doc["otaUpdateFiles"] = doc.pop("files")
    return {**doc, "otaUpdateStatus": "CREATE_COMPLETE", **changes}


def test_lint_findings_are_the_same_in_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    results = {name: run(capsys, "lint", *declared(name)) for name in FORMATS}
    codes = {code for code, _ in results.values()}
    findings = {name: without_where(found) for name, (_, found) in results.items()}
    assert codes == {1}
    assert [f["ruleId"] for f in findings["ota.yaml"]] == [
        "OTA102", "OTA202", "OTA306", "OTA307", "OTA401", "OTA402"
    ]  # fmt: skip
    for name in FORMATS[1:]:
        assert findings[name] == findings["ota.yaml"], name
    for name, (_, found) in results.items():
        assert {f["file"] for f in found} == {name}
        assert {f["resource"] for f in found} == {RESOURCES[name]}
        assert all(isinstance(f["line"], int) and f["line"] > 1 for f in found)


def test_drift_findings_are_the_same_in_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    """A live description and rollout cap that differ, and a live update nobody declared."""
    Path("snap.json").write_text(
        snapshot_text(
            live_info(
                description="Gateway firmware 3.1.1",
                awsJobExecutionsRolloutConfig={
                    "maximumPerMinute": 300,
                    "exponentialRate": {
                        "baseRatePerMinute": 10,
                        "incrementFactor": 2.0,
                        "rateIncreaseCriteria": {"numberOfSucceededThings": 50},
                    },
                },
            ),
            {**live_info(), "otaUpdateId": "stray-1"},
        ),
        encoding="utf-8",
    )
    results = {
        name: run(capsys, "check", *declared(name), "--state", "snap.json") for name in FORMATS
    }
    drift = {
        name: [f for f in without_where(found) if f["ruleId"] in ("OTA001", "OTA002", "OTA003")]
        for name, (_, found) in results.items()
    }
    assert [(f["ruleId"], f["otaUpdateId"], f["path"]) for f in drift["ota.yaml"]] == [
        ("OTA001", "gateway-fw-3-1-0", "awsJobExecutionsRolloutConfig.maximumPerMinute"),
        ("OTA001", "gateway-fw-3-1-0", "description"),
        ("OTA003", "stray-1", ""),
    ]
    for name in FORMATS[1:]:
        assert without_where(results[name][1]) == without_where(results["ota.yaml"][1]), name
