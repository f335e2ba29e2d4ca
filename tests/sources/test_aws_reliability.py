"""The AWS source under stress, end to end: `ota-drift check --region` against LocalIot.

Every scenario seeds a fleet (`fw-0001`…), declares most of it (some drifted, some undeclared,
some declared but never created), runs the real CLI against the local endpoint and checks:
each readable update was audited exactly once, the `errors` list names exactly the unreadable
updates, no unreadable update is called missing or counted in sync, and the exit code.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from tests.support.iot_endpoint import DEFAULT_REGION, LocalIot
from tests.support.recording import RecordingSource

pytestmark = pytest.mark.usefixtures("in_tmp", "aws_env")

REGION = DEFAULT_REGION
ACCOUNT = "123456789012"
TARGET = f"arn:aws:iot:{REGION}:{ACCOUNT}:thinggroup/sensors"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ota"
AS_OF = "2026-11-25T00:00:00Z"
ABORT = [
    {
        "failureType": "FAILED",
        "action": "CANCEL",
        "thresholdPercentage": 10.0,
        "minNumberOfExecutedThings": 10,
    }
]
DRIFT_RULES = ("OTA001", "OTA002", "OTA003")


def ota_id(number: int) -> str:
    """The id of the `number`th update of a fleet: fw-0001, fw-0002, …"""
    return f"fw-{number:04d}"


def live_info(ota_update_id: str, description: str = "firmware") -> dict[str, Any]:
    """An otaUpdateInfo that passes every rule and matches `declared_entry` of the same id."""
    return {
        "otaUpdateId": ota_update_id,
        "description": description,
        "targets": [TARGET],
        "protocols": ["HTTP", "MQTT"],
        "awsJobPresignedUrlConfig": {"expiresInSec": 900},
        "awsJobExecutionsRolloutConfig": {"maximumPerMinute": 50},
        "otaUpdateFiles": [
            {
                "fileName": "fw.bin",
                "fileLocation": {"stream": {"streamId": "s1", "fileId": 0}},
                "codeSigning": {"awsSignerJobId": "job-1"},
            }
        ],
    }


def declared_entry(ota_update_id: str) -> str:
    """A declared update (CreateOTAUpdate kwargs) that passes every rule."""
    return f"""\
  - otaUpdateId: {ota_update_id}
    description: firmware
    targets: [{TARGET}]
    protocols: [MQTT, HTTP]
    awsJobPresignedUrlConfig:
      expiresInSec: 900
    awsJobExecutionsRolloutConfig:
      maximumPerMinute: 50
    awsJobAbortConfig:
      abortCriteriaList:
        - failureType: FAILED
          action: CANCEL
          thresholdPercentage: 10
          minNumberOfExecutedThings: 10
    awsJobTimeoutConfig:
      inProgressTimeoutInMinutes: 60
    files:
      - fileName: fw.bin
        fileLocation:
          stream: {{streamId: s1, fileId: 0}}
        codeSigning:
          awsSignerJobId: job-1
    roleArn: {ROLE}
"""


@dataclass(frozen=True)
class Fleet:
    """What was seeded on the endpoint and what was declared, to derive exact expectations."""

    live: frozenset[str]
    declared: frozenset[str]
    drifted: frozenset[str]
    """Declared and live, with a different live description (one OTA001 each)."""
    path: str
    """The declared YAML file."""

    def summary(
        self,
        readable: Collection[str],
        unreadable: Collection[str] = (),
    ) -> dict[str, int]:
        """The exact drift counts of the JSON summary when `readable` ids were read."""
        managed = set(readable) & self.declared
        return {
            "declared": len(self.declared),
            "live": len(readable),
            "inSync": len(managed - self.drifted),
            "drifted": len(managed & self.drifted),
            "missing": len(self.declared - set(readable) - set(unreadable)),
            "unmanaged": len(set(readable) - self.declared),
        }


def seed_fleet(
    iot: LocalIot,
    count: int,
    *,
    undeclared: Sequence[int] = (),
    drifted: Sequence[int] = (),
    missing: Sequence[str] = (),
    path: str = "ota/fleet.yaml",
) -> Fleet:
    """Put `count` updates on `iot` and declare them all but `undeclared`, plus `missing`."""
    live = [ota_id(k) for k in range(1, count + 1)]
    drifted_ids = {ota_id(k) for k in drifted}
    for ota_update_id in live:
        description = "changed by hand" if ota_update_id in drifted_ids else "firmware"
        iot.put(live_info(ota_update_id, description), abort=ABORT, timeout=60)
    declared = [i for i in live if i not in {ota_id(k) for k in undeclared}] + list(missing)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(
        "otaUpdates:\n" + "".join(declared_entry(i) for i in declared), encoding="utf-8"
    )
    return Fleet(frozenset(live), frozenset(declared), frozenset(drifted_ids), path)


def serve(**settings: Any) -> LocalIot:
    """A LocalIot with `settings` (use as a context manager)."""
    return LocalIot(**settings)


def assert_server_healthy(iot: LocalIot) -> None:
    """No response was refused by shape validation and no server-side exception happened."""
    assert iot.validation_errors == []
    assert iot.internal_errors == []


def run_check(
    capsys: pytest.CaptureFixture[str], iot: LocalIot, fleet: Fleet, *extra: str
) -> tuple[int, dict[str, Any]]:
    """`ota-drift check --region … --format json` against `iot`: exit code and the report."""
    code = main(
        [
            "check",
            fleet.path,
            "--region",
            REGION,
            "--endpoint-url",
            iot.url,
            "--format",
            "json",
            "--quiet",
            "--as-of",
            AS_OF,
            *extra,
        ]
    )
    out, err = capsys.readouterr()
    assert err == ""
    return code, json.loads(out)


def assert_audited(
    report: Mapping[str, Any],
    source: RecordingSource,
    fleet: Fleet,
    *,
    readable: set[str] | frozenset[str],
    errors: Sequence[Mapping[str, Any]] = (),
    listing_failed: bool = False,
) -> None:
    """Each readable update audited once; errors exactly `errors`; unreadable never judged."""
    unreadable = {e["otaUpdateId"] for e in errors if e["otaUpdateId"] is not None}
    if listing_failed:
        unreadable |= fleet.declared
    assert source.read_ids() == Counter(dict.fromkeys(readable, 1))
    assert report["errors"] == list(errors)
    summary = {k: v for k, v in report["summary"].items() if k not in ("findings", "suppressed")}
    assert summary == fleet.summary(readable, unreadable)
    assert summary["inSync"] + summary["drifted"] + summary["unmanaged"] == len(readable)
    judged = [
        (f["ruleId"], f["otaUpdateId"]) for f in report["findings"] if f["ruleId"] in DRIFT_RULES
    ]
    whole = [pair for pair in judged if pair[0] != "OTA001"]  # one OTA002/OTA003 per update
    assert len(whole) == len(set(whole))
    drift = set(judged)
    assert drift == (
        {("OTA001", i) for i in readable & fleet.declared & fleet.drifted}
        | {("OTA002", i) for i in fleet.declared - readable - unreadable}
        | {("OTA003", i) for i in readable - fleet.declared}
    )
    assert not {i for _, i in drift if i in unreadable}


def most_in_window(times: Sequence[float], width: float = 1.0) -> int:
    """The most `times` that fall in any window (t - width, t]."""
    ordered = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(ordered):
        while ordered[start] <= t - width:
            start += 1
        best = max(best, end - start + 1)
    return best


def times_of(iot: LocalIot, operation: str) -> list[float]:
    return [t for op, _, t in iot.call_log if op == operation]


def gets_per_id(iot: LocalIot) -> Counter[str]:
    return Counter(i for op, i, _ in iot.call_log if op == "GetOTAUpdate" and i is not None)


# --------------------------------------------------------------------------------------------


def test_throttling_storm_slows_down_and_reads_everything(
    capsys: pytest.CaptureFixture[str], sources: list[RecordingSource]
) -> None:
    """Endpoint allows half of --max-rps: throttled, retried, no error, never above --max-rps."""
    rps = 40
    with serve(rate_limits={"GetOTAUpdate": rps / 2}) as iot:
        fleet = seed_fleet(iot, 120)
        code, report = run_check(capsys, iot, fleet, "--max-rps", str(rps))
        assert_server_healthy(iot)
    (source,) = sources
    assert code == 0
    assert_audited(report, source, fleet, readable=fleet.live)
    assert report["summary"]["inSync"] == 120
    assert iot.throttled["GetOTAUpdate"] > 0
    assert source.throttled == sum(iot.throttled.values())
    assert dict(iot.calls) == {
        "ListOTAUpdates": 1,
        "GetOTAUpdate": 120 + iot.throttled["GetOTAUpdate"],
    }
    assert most_in_window(times_of(iot, "GetOTAUpdate")) <= rps + 1


def test_five_percent_503s_are_retried(
    capsys: pytest.CaptureFixture[str], sources: list[RecordingSource]
) -> None:
    """5 % ServiceUnavailable answers (seeded): all retried, every update read once, exit 1."""
    with serve(fault_rate=0.05, seed=7) as iot:
        fleet = seed_fleet(
            iot, 200, undeclared=(10, 20), drifted=(5, 50, 150), missing=("fw-9001",)
        )
        code, report = run_check(capsys, iot, fleet, "--max-rps", "500")
        assert_server_healthy(iot)
    (source,) = sources
    assert code == 1  # drift, missing and unmanaged findings; nothing unread
    assert iot.faults["ServiceUnavailableException"] > 0
    assert_audited(report, source, fleet, readable=fleet.live)
    assert sum(iot.calls.values()) == 1 + 200 + iot.faults["ServiceUnavailableException"]


def test_dropped_connections_are_retried(
    capsys: pytest.CaptureFixture[str], sources: list[RecordingSource]
) -> None:
    """Connections reset mid-run without a response (2 %, seeded) are retried: no error."""
    with serve(drop_rate=0.02, seed=3) as iot:
        fleet = seed_fleet(iot, 200, undeclared=(7,), drifted=(8,))
        code, report = run_check(capsys, iot, fleet, "--max-rps", "500")
        assert_server_healthy(iot)
    (source,) = sources
    assert code == 1
    assert iot.faults["drop"] > 0
    assert_audited(report, source, fleet, readable=fleet.live)
    assert sum(iot.calls.values()) == 1 + 200 + iot.faults["drop"]


def test_update_deleted_between_list_and_get_is_a_note_not_an_error(
    capsys: pytest.CaptureFixture[str], sources: list[RecordingSource]
) -> None:
    """Deleted after listing: skipped, no error; undeclared → no finding, declared → OTA002.

    A declared update that no longer exists is legitimately missing (OTA002): the source
    skipped it, it is not an unreadable update, so the audit calls it missing.
    """
    gone_undeclared, gone_declared = ota_id(4), ota_id(9)
    with serve(delete_after_list={gone_undeclared, gone_declared}) as iot:
        fleet = seed_fleet(iot, 30, undeclared=(4, 12), drifted=(3,))
        code, report = run_check(capsys, iot, fleet, "--max-rps", "500")
        assert_server_healthy(iot)
    (source,) = sources
    assert code == 1
    readable = fleet.live - {gone_undeclared, gone_declared}
    assert_audited(report, source, fleet, readable=readable)
    assert source.skipped_ids() == [gone_undeclared, gone_declared]
    assert [f["ruleId"] for f in report["findings"] if f["otaUpdateId"] == gone_undeclared] == []
    assert [
        f["ruleId"]
        for f in report["findings"]
        if f["otaUpdateId"] == gone_declared and f["ruleId"] in DRIFT_RULES
    ] == ["OTA002"]
    assert gets_per_id(iot)[gone_undeclared] == 1  # ResourceNotFoundException is not retried


def test_deleted_update_is_a_note_in_the_text_report(
    capsys: pytest.CaptureFixture[str], sources: list[RecordingSource]
) -> None:
    """The text report lists the deleted update under Notes and has no Could-not-read block."""
    with serve(delete_after_list={ota_id(2)}) as iot:
        fleet = seed_fleet(iot, 3, undeclared=(2,))
        code = main(["check", fleet.path, "--region", REGION, "--endpoint-url", iot.url, "--quiet"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert "\nNotes:\n  fw-0002: deleted between ListOTAUpdates and GetOTAUpdate\n" in out
    assert "Could not read" not in out
    assert out.startswith("ota-drift ") and ": 2 declared, 2 live; 2 in sync, 0 drifted," in out


def test_access_denied_on_one_update(
    capsys: pytest.CaptureFixture[str], sources: list[RecordingSource]
) -> None:
    """AccessDenied on one declared update: one error entry, the rest audited, exit 2."""
    denied = ota_id(17)
    with serve(access_denied={denied}) as iot:
        fleet = seed_fleet(iot, 40, undeclared=(3,), drifted=(5,), missing=("fw-9001",))
        code, report = run_check(capsys, iot, fleet, "--max-rps", "500")
        assert_server_healthy(iot)
    (source,) = sources
    assert code == 2
    error = {
        "otaUpdateId": denied,
        "operation": "GetOTAUpdate",
        "code": "AccessDeniedException",
        "message": f"User: arn:aws:iam::{ACCOUNT}:user/testing is not authorized to perform: "
        f"iot:GetOTAUpdate on resource: arn:aws:iot:{REGION}:{ACCOUNT}:otaupdate/{denied}",
    }
    assert_audited(report, source, fleet, readable=fleet.live - {denied}, errors=[error])
    assert report["summary"]["inSync"] == 37  # 40 live - undeclared - drifted - denied
    assert gets_per_id(iot)[denied] == 1  # not retried


def test_unauthorized_on_one_update(
    capsys: pytest.CaptureFixture[str], sources: list[RecordingSource]
) -> None:
    """UnauthorizedException (401) on a GetOTAUpdate is an error entry for that update, exit 2."""
    with serve() as iot:
        fleet = seed_fleet(iot, 10)
        iot.inject_error("GetOTAUpdate", "UnauthorizedException", message="not authorized")
        code, report = run_check(capsys, iot, fleet, "--max-rps", "500", "--concurrency", "1")
        assert_server_healthy(iot)
    (source,) = sources
    assert code == 2
    error = {
        "otaUpdateId": ota_id(1),  # one worker: the first GetOTAUpdate is the first listed
        "operation": "GetOTAUpdate",
        "code": "UnauthorizedException",
        "message": "not authorized",
    }
    assert_audited(report, source, fleet, readable=fleet.live - {ota_id(1)}, errors=[error])
    assert iot.calls["GetOTAUpdate"] == 10


def test_unreadable_job_in_deep_mode(
    capsys: pytest.CaptureFixture[str], sources: list[RecordingSource]
) -> None:
    """--deep: a DescribeJob AccessDenied is an error entry for its update, like any other."""
    with serve() as iot:
        fleet = seed_fleet(iot, 10, drifted=(2,))
        iot.inject_error("DescribeJob", "AccessDeniedException", message="no jobs for you")
        code, report = run_check(
            capsys, iot, fleet, "--deep", "--max-rps", "500", "--concurrency", "1"
        )
        assert_server_healthy(iot)
    (source,) = sources
    assert code == 2
    error = {
        "otaUpdateId": ota_id(1),
        "operation": "DescribeJob",
        "code": "AccessDeniedException",
        "message": "no jobs for you",
    }
    assert_audited(report, source, fleet, readable=fleet.live - {ota_id(1)}, errors=[error])
    not_verifiable = {f["message"] for f in report["findings"] if f["ruleId"] == "OTA004"}
    assert not_verifiable == {"roleArn cannot be verified: GetOTAUpdate does not return it"}


@pytest.mark.parametrize("concurrency", [1, 3])
def test_never_more_requests_in_flight_than_concurrency(
    capsys: pytest.CaptureFixture[str], sources: list[RecordingSource], concurrency: int
) -> None:
    """With 0.1 s latency, no 0.09 s window sees more GetOTAUpdate arrivals than --concurrency."""
    with serve(latency=0.1) as iot:
        fleet = seed_fleet(iot, 12)
        code, report = run_check(
            capsys, iot, fleet, "--max-rps", "1000", "--concurrency", str(concurrency)
        )
        assert_server_healthy(iot)
    (source,) = sources
    assert code == 0
    assert_audited(report, source, fleet, readable=fleet.live)
    assert most_in_window(times_of(iot, "GetOTAUpdate"), width=0.09) == concurrency


def test_pagination_over_three_pages(
    capsys: pytest.CaptureFixture[str], sources: list[RecordingSource]
) -> None:
    """600 updates are listed in 3 pages of maxResults 250, and each is read exactly once."""
    with serve() as iot:
        fleet = seed_fleet(iot, 600, undeclared=(1, 300, 600), drifted=(250, 251, 501))
        code, report = run_check(capsys, iot, fleet, "--max-rps", "2000", "--concurrency", "16")
        assert_server_healthy(iot)
    (source,) = sources
    assert code == 1
    assert iot.calls["ListOTAUpdates"] == 3
    assert gets_per_id(iot) == Counter(dict.fromkeys(fleet.live, 1))
    assert_audited(report, source, fleet, readable=fleet.live)


def test_pagination_follows_tokens_when_pages_are_capped(
    capsys: pytest.CaptureFixture[str], sources: list[RecordingSource]
) -> None:
    """A server serving 40 a page whatever maxResults says still yields every update once."""
    with serve(page_size_cap=40) as iot:
        fleet = seed_fleet(iot, 130)
        code, report = run_check(capsys, iot, fleet, "--max-rps", "2000")
        assert_server_healthy(iot)
    (source,) = sources
    assert code == 0
    assert iot.calls["ListOTAUpdates"] == 4
    assert_audited(report, source, fleet, readable=fleet.live)


def test_listing_failure_calls_nothing_missing(
    capsys: pytest.CaptureFixture[str], sources: list[RecordingSource]
) -> None:
    """ListOTAUpdates fails (non-retryable): one error without id, no OTA002 at all, exit 2."""
    with serve() as iot:
        fleet = seed_fleet(iot, 5, missing=("fw-9001", "fw-9002"))
        iot.inject_error("ListOTAUpdates", "InvalidRequestException", message="bad request")
        code, report = run_check(capsys, iot, fleet, "--max-rps", "500")
        assert_server_healthy(iot)
    (source,) = sources
    assert code == 2
    error = {
        "otaUpdateId": None,
        "operation": "ListOTAUpdates",
        "code": "InvalidRequestException",
        "message": "bad request",
    }
    assert_audited(report, source, fleet, readable=set(), errors=[error], listing_failed=True)
    assert report["summary"]["missing"] == 0
    assert report["summary"]["inSync"] == 0
    assert dict(iot.calls) == {"ListOTAUpdates": 1}


def test_all_failures_at_once_each_id_once(
    capsys: pytest.CaptureFixture[str], sources: list[RecordingSource]
) -> None:
    """Throttling, 503s, drops, a deletion and a denial together: still exact, exit 2."""
    rps = 40
    denied, gone = ota_id(33), ota_id(66)
    settings: dict[str, Any] = {
        "rate_limits": {"GetOTAUpdate": rps / 2},
        "fault_rate": 0.03,
        "drop_rate": 0.01,
        "seed": 26,  # the first 101 requests include 3 drops and 5 faults, whatever the order
        "access_denied": {denied},
        "delete_after_list": {gone},
    }
    with serve(**settings) as iot:
        fleet = seed_fleet(iot, 100, undeclared=(66, 70), drifted=(1, 2))
        code, report = run_check(capsys, iot, fleet, "--max-rps", str(rps))
        assert_server_healthy(iot)
    (source,) = sources
    assert code == 2
    error = {
        "otaUpdateId": denied,
        "operation": "GetOTAUpdate",
        "code": "AccessDeniedException",
        "message": f"User: arn:aws:iam::{ACCOUNT}:user/testing is not authorized to perform: "
        f"iot:GetOTAUpdate on resource: arn:aws:iot:{REGION}:{ACCOUNT}:otaupdate/{denied}",
    }
    assert_audited(report, source, fleet, readable=fleet.live - {denied, gone}, errors=[error])
    assert source.skipped_ids() == [gone]
    assert iot.throttled["GetOTAUpdate"] > 0
    assert iot.faults["ServiceUnavailableException"] >= 5
    assert iot.faults["drop"] >= 3
    assert most_in_window(times_of(iot, "GetOTAUpdate")) <= rps + 1
