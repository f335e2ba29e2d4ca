"""Rollout health end to end: `check --deep` against LocalIot judges each job's health
(OTA503-OTA505), `snapshot --deep` records it, and `check --state` on that snapshot reproduces
the findings; drift never reports it, and a shallow read never judges it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from tests.sources.test_aws_reliability import (
    ABORT,
    AS_OF,
    declared_entry,
    live_info,
    ota_id,
    serve,
)
from tests.support.iot_endpoint import DEFAULT_REGION, LocalIot

pytestmark = pytest.mark.usefixtures("in_tmp", "aws_env")

HEALTH_RULES = ("OTA503", "OTA504", "OTA505")
HEALTHY = {
    "status": "IN_PROGRESS",
    "forceCanceled": False,
    "jobProcessDetails": {
        "numberOfSucceededThings": 96,
        "numberOfFailedThings": 3,
        "numberOfRejectedThings": 1,
        "numberOfTimedOutThings": 0,
        "numberOfQueuedThings": 400,
    },
}
JOBS: dict[int, dict[str, Any]] = {
    1: HEALTHY,
    2: {"status": "CANCELED", "forceCanceled": False},
    3: {"status": "CANCELED", "forceCanceled": True},
    4: {
        "status": "IN_PROGRESS",
        "forceCanceled": False,
        "jobProcessDetails": {
            "numberOfSucceededThings": 80,
            "numberOfFailedThings": 15,
            "numberOfRejectedThings": 3,
            "numberOfTimedOutThings": 2,
            "numberOfCanceledThings": 0,
        },
    },
}
EXPECTED = [
    (
        "OTA503",
        "medium",
        ota_id(2),
        "awsIotJob.status",
        "the job is CANCELED while otaUpdateStatus is CREATE_COMPLETE: the rollout was stopped, "
        "and targets it had not reached will never get this firmware",
    ),
    (
        "OTA503",
        "medium",
        ota_id(3),
        "awsIotJob.status",
        "the job is CANCELED while otaUpdateStatus is CREATE_COMPLETE: the rollout was stopped, "
        "and targets it had not reached will never get this firmware",
    ),
    (
        "OTA504",
        "high",
        ota_id(3),
        "awsIotJob.forceCanceled",
        "the job was force-canceled (job status CANCELED): installs in progress were stopped "
        "midway, and those devices may be left without a valid firmware",
    ),
    (
        "OTA505",
        "high",
        ota_id(4),
        "awsIotJob.jobProcessDetails",
        "20 of 100 finished executions failed (15 failed, 3 rejected, 2 timed out): 20 %, "
        "above the policy's 10 %",
    ),
]


def seed(iot: LocalIot) -> str:
    """Four declared updates, in sync with their declarations, whose jobs are `JOBS`."""
    for number, job in JOBS.items():
        iot.put(live_info(ota_id(number)), abort=ABORT, timeout=60, job=job)
    Path("ota.yaml").write_text(
        "otaUpdates:\n" + "".join(declared_entry(ota_id(n)) for n in JOBS), encoding="utf-8"
    )
    return "ota.yaml"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def aws_args(iot: LocalIot) -> list[str]:
    return ["--region", DEFAULT_REGION, "--endpoint-url", iot.url, "--max-rps", "500"]


def health_findings(report: dict[str, Any]) -> list[tuple[str, ...]]:
    return sorted(
        (f["ruleId"], f["severity"], f["otaUpdateId"], f["path"], f["message"])
        for f in report["findings"]
        if f["ruleId"] in HEALTH_RULES
    )


def test_check_deep_judges_the_jobs_health_and_a_deep_snapshot_reproduces_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Exactly the expected health findings, all on the live side, no drift; the snapshot
    records each job's health as DescribeJob gave it, and `check --state` on it prints byte
    for byte what the live check printed."""
    common = ["--format", "json", "--as-of", AS_OF]
    with serve() as iot:
        declared = seed(iot)
        live_code, live_out, live_err = run(
            capsys, "check", declared, *aws_args(iot), "--deep", *common
        )
        snap_code, _, snap_err = run(
            capsys, "snapshot", *aws_args(iot), "--deep", "-o", "snap.json"
        )
        assert iot.validation_errors == []
    assert (live_code, live_err) == (1, "")
    report = json.loads(live_out)
    assert health_findings(report) == EXPECTED
    assert {f["source"] for f in report["findings"] if f["ruleId"] in HEALTH_RULES} == {"live"}
    assert not [f for f in report["findings"] if f["ruleId"] in ("OTA001", "OTA003")]
    assert report["summary"]["inSync"] == len(JOBS)

    assert (snap_code, snap_err) == (
        0,
        f"ota-drift: {len(JOBS)} OTA update(s) written to snap.json\n",
    )
    snapshot = json.loads(Path("snap.json").read_text(encoding="utf-8"))
    assert snapshot["deep"] is True
    assert [u["awsIotJob"] for u in snapshot["otaUpdates"]] == list(JOBS.values())

    state_code, state_out, state_err = run(
        capsys, "check", declared, "--state", "snap.json", *common
    )
    assert (state_code, state_out, state_err) == (live_code, live_out, live_err)


def test_a_shallow_check_never_judges_the_jobs_health(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --deep no job is read, so no job's health is judged (the same jobs give four
    findings read deep, above)."""
    with serve() as iot:
        declared = seed(iot)
        code, out, err = run(
            capsys, "check", declared, *aws_args(iot), "--format", "json", "--as-of", AS_OF
        )
        assert iot.calls["DescribeJob"] == 0
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert health_findings(report) == []
