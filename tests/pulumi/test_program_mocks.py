"""`__main__.py` run by the Pulumi SDK under `set_mocks`: resources, diagnostics and outputs."""

from __future__ import annotations

import json
import logging
import runpy
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi.runtime
import pytest
from pulumi.runtime import settings as runtime_settings

from checker.model import LiveUpdate
from checker.pulumi.program import DEFAULT_DECLARED, ProgramSettings, read_settings, run
from checker.pulumi.provider import FLEET_TYPE, OTA_UPDATE_TYPE
from checker.sources.snapshot import SnapshotSource
from tests.pulumi import (
    EXAMPLE_DECLARED,
    EXAMPLE_STATE,
    OFFLINE_REGION,
    ROOT,
    SAFE_ID,
    cli_json,
    safe_snapshot,
    safe_yaml,
    snapshot_of,
)
from tests.support.iot_endpoint import LocalIot
from tests.support.offline_aws import offline_aws

PROGRAM = ROOT / "__main__.py"


@dataclass
class Registration:
    type: str
    name: str
    inputs: dict[str, Any]


@dataclass
class RecordingMocks(pulumi.runtime.Mocks):
    """Plays the engine: every resource is 'created' with its inputs as its state."""

    registered: list[Registration] = field(default_factory=list)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.registered.append(Registration(args.typ, args.name, dict(args.inputs)))
        return args.name, dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Run from the repository root (paths as the CLI shows them) with dummy AWS settings,
    loopback only."""
    monkeypatch.chdir(ROOT)
    offline_aws(monkeypatch, tmp_path, region=OFFLINE_REGION)


@pytest.fixture
def mocks() -> Iterator[RecordingMocks]:
    """A fresh mocked runtime (new root stack) for the project `ota-drift`, as in a preview."""
    runtime_settings.reset_options(project="ota-drift", stack="ci", preview=True)
    recording = RecordingMocks()
    pulumi.runtime.set_mocks(recording, project="ota-drift", stack="ci", preview=True)
    yield recording
    pulumi.runtime.set_all_config({})


def run_program(config: dict[str, str]) -> dict[str, Any]:
    """Run `__main__.py` with the given stack config; the stack outputs it exported."""
    pulumi.runtime.set_all_config(config)
    exports: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> None:
        runpy.run_path(str(PROGRAM), run_name="__main__")
        root = runtime_settings.get_root_resource()
        assert root is not None
        exports.update(root.outputs)

    program()
    return exports


def expected_exports(report: dict[str, Any]) -> dict[str, Any]:
    """What the stack must export for a CLI JSON report, computed from the JSON alone."""
    summary = report["summary"]
    drift = summary["drifted"] + summary["missing"] + summary["unmanaged"]
    return {
        "driftCount": drift,
        "findingCount": sum(summary["findings"].values()),
        "findings": [
            {k: f[k] for k in ("ruleId", "severity", "otaUpdateId", "path")}
            for f in report["findings"]
            if "suppressed" not in f
        ],
        "inSync": drift == 0,
    }


def test_exports_agree_with_the_cli_json_on_the_bundled_example(mocks: RecordingMocks) -> None:
    """On examples/ota and its snapshot, the exports are what `ota-drift check` JSON says."""
    exports = run_program(
        {"ota-drift:declared": EXAMPLE_DECLARED, "ota-drift:state": EXAMPLE_STATE}
    )
    report = cli_json("check", EXAMPLE_DECLARED, "--state", EXAMPLE_STATE)
    assert exports == expected_exports(report)
    assert (exports["driftCount"], exports["findingCount"], exports["inSync"]) == (4, 31, False)
    assert len(exports["findings"]) == 31


def test_exports_agree_with_the_cli_json_under_a_policy_pack(mocks: RecordingMocks) -> None:
    """With examples/policy.yaml (ignored drift, suppressions) the exports still match the CLI."""
    exports = run_program(
        {
            "ota-drift:declared": EXAMPLE_DECLARED,
            "ota-drift:state": EXAMPLE_STATE,
            "ota-drift:policy": json.dumps(["examples/policy.yaml"]),
        }
    )
    report = cli_json(
        "check", EXAMPLE_DECLARED, "--state", EXAMPLE_STATE, "--policy", "examples/policy.yaml"
    )
    assert exports == expected_exports(report)
    assert report["summary"]["unmanaged"] == 0  # ignoreDrift lab-* leaves lab-fw-test out
    assert exports["driftCount"] == 3


def test_a_fleet_in_sync_exports_in_sync(mocks: RecordingMocks, tmp_path: Path) -> None:
    """Declared sensors against a snapshot of just those sensors: no drift, `inSync` true."""
    state = tmp_path / "sensors.json"
    state.write_text(json.dumps(snapshot_of(["sensor-fw-2026-11", "sensor-fw-2026-10"])))
    declared = "examples/ota/sensors.yaml"
    exports = run_program({"ota-drift:declared": declared, "ota-drift:state": str(state)})
    assert exports == expected_exports(cli_json("check", declared, "--state", str(state)))
    assert (exports["driftCount"], exports["inSync"]) == (0, True)


def test_one_ota_update_per_declared_update_inside_the_fleet(mocks: RecordingMocks) -> None:
    """The program registers the fleet component and one OtaUpdate per declared update."""
    run_program({"ota-drift:declared": EXAMPLE_DECLARED, "ota-drift:state": EXAMPLE_STATE})
    fleet = [r for r in mocks.registered if r.type == FLEET_TYPE]
    updates = {r.name: r for r in mocks.registered if r.type == OTA_UPDATE_TYPE}
    assert [r.name for r in fleet] == ["ota-fleet"]
    assert sorted(updates) == [
        "cam-fw-0",
        "cam-fw-1",
        "gw-fw-3",
        "gw-fw-4",
        "sensor-fw-2026-10",
        "sensor-fw-2026-11",
    ]
    assert len(mocks.registered) == 7
    gateway = updates["gw-fw-3"].inputs
    assert gateway["otaDrift"] == {
        "file": "examples/ota/gateways.yaml",
        "line": 3,
        "policy": [],
        "state": EXAMPLE_STATE,
    }
    assert gateway["awsJobPresignedUrlConfig"] == {"expiresInSec": 600}
    assert isinstance(gateway["__provider"], str)  # the pickled provider, by reference
    camera = updates["cam-fw-0"].inputs["files"][0]["codeSigning"]["customCodeSigning"]
    assert camera["signature"]["inlineDocument"].startswith("MEUCIQDx7bZ0")  # base64, JSON-safe


def test_unreadable_state_fails_the_program_with_the_problem(
    mocks: RecordingMocks, tmp_path: Path
) -> None:
    """A snapshot that is not JSON stops the program with the file's problem, no resource."""
    state = tmp_path / "broken.json"
    state.write_text("{not json")
    with pytest.raises(pulumi.RunError, match=r"broken\.json:1: invalid JSON"):
        run(ProgramSettings(declared=EXAMPLE_DECLARED, state=str(state)))
    assert mocks.registered == []


def test_settings_default_and_validate(mocks: RecordingMocks) -> None:
    """Unset or empty config keys take the documented defaults; a bad failOn is refused."""
    pulumi.runtime.set_all_config(
        {"ota-drift:state": "", "ota-drift:policy": "[]", "ota-drift:failOn": ""}
    )
    settings = read_settings(pulumi.Config("ota-drift"), pulumi.Config("aws"))
    assert settings == ProgramSettings(DEFAULT_DECLARED, None, None, (), None)
    pulumi.runtime.set_all_config(
        {
            "ota-drift:policy": '["a.yaml", "b.yaml"]',
            "ota-drift:failOn": "high",
            "aws:region": "eu-west-1",
        }
    )
    settings = read_settings(pulumi.Config("ota-drift"), pulumi.Config("aws"))
    assert settings == ProgramSettings("ota", None, "eu-west-1", ("a.yaml", "b.yaml"), "high")
    pulumi.runtime.set_all_config({"ota-drift:failOn": "severe"})
    with pytest.raises(pulumi.RunError, match="failOn must be one of"):
        read_settings(pulumi.Config("ota-drift"), pulumi.Config("aws"))


def test_without_a_snapshot_the_program_reads_aws_iot_in_aws_region(
    mocks: RecordingMocks, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No `ota-drift:state`: live state comes from AWS IoT (a local endpoint) in `aws:region`."""
    (tmp_path / "ota.yaml").write_text(safe_yaml())
    (tmp_path / "state.json").write_text(safe_snapshot(600, ids=(SAFE_ID, "fw-hand-made")))
    declared = str(tmp_path / "ota.yaml")
    with LocalIot() as iot:
        for update in SnapshotSource(str(tmp_path / "state.json")).fetch():
            assert isinstance(update, LiveUpdate)
            iot.put(update.info)
        monkeypatch.setenv("AWS_ENDPOINT_URL_IOT", iot.url)
        exports = run_program({"ota-drift:declared": declared, "aws:region": "eu-west-1"})
        report = cli_json("check", declared, "--region", "eu-west-1", "--endpoint-url", iot.url)
        assert iot.calls["ListOTAUpdates"] == 2  # one listing each: program, then CLI
    assert exports == expected_exports(report)
    assert (exports["driftCount"], exports["inSync"]) == (2, False)  # drifted and unmanaged


def test_without_a_snapshot_or_a_region_the_program_says_what_to_set(
    mocks: RecordingMocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No state file and no region anywhere: the program stops and names the stack config."""
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION", raising=False)
    with pytest.raises(pulumi.RunError, match=r"no AWS region: .* \(in this stack: aws:region"):
        run(ProgramSettings(declared=EXAMPLE_DECLARED))
    assert mocks.registered == []


def test_findings_are_engine_diagnostics_warning_at_or_above_fail_on(
    mocks: RecordingMocks, caplog: pytest.LogCaptureFixture
) -> None:
    """Each active finding is logged once: a warning at or above failOn, info below it."""
    caplog.set_level(logging.INFO)
    exports = run_program(
        {
            "ota-drift:declared": EXAMPLE_DECLARED,
            "ota-drift:state": EXAMPLE_STATE,
            "ota-drift:failOn": "high",
        }
    )
    logged = [(r.levelno, r.getMessage()) for r in caplog.records if r.getMessage()[:3] == "OTA"]
    severities = [f["severity"] for f in exports["findings"]]
    assert [level for level, _ in logged] == [
        logging.WARNING if s in ("high", "critical") else logging.INFO for s in severities
    ]
    assert (
        logging.WARNING,
        "OTA001 (high) gw-fw-3 awsJobPresignedUrlConfig.expiresInSec: "
        "awsJobPresignedUrlConfig.expiresInSec: declared 600, live 3600",
    ) in logged
    assert sum(level == logging.WARNING for level, _ in logged) == 16
