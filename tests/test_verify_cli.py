"""`check --verify` and `snapshot --verify` end to end: the real CLI and botocore against
LocalCloud's IoT, Signer, ACM and S3 on 127.0.0.1 (tests/support/cloud_endpoint.py).

One world holds a pass and a failure of every verification: a revoked signing job, a canceled
profile, an expired, an expiring and a non-code-signing certificate, a deleted object version
and a delete marker, a missing stream file and a failing rollout.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.formats.common import timestamp
from checker.sources import aws
from checker.sources.chain import CHAIN_OPERATIONS
from tests.support.cloud_endpoint import LocalCloud
from tests.support.offline_aws import offline_aws

ACCOUNT = "000000000000"
REGION = "eu-west-1"
AS_OF = datetime(2026, 12, 1, tzinfo=UTC)
AS_OF_TEXT = "2026-12-01T00:00:00Z"
BUCKET = "acme-firmware"
TARGET = f"arn:aws:iot:{REGION}:{ACCOUNT}:thinggroup/cameras"
VERIFY_RULES = {
    "OTA121",
    "OTA122",
    "OTA123",
    "OTA124",
    "OTA125",
    "OTA126",
    "OTA127",
    "OTA128",
    "OTA129",
    "OTA402",
    "OTA405",
    "OTA406",
    "OTA505",
}


def cert(name: str) -> str:
    return f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/{name}"


def file(key: str, job: str | None = None, version: str | None = "v1") -> dict[str, Any]:
    location: dict[str, Any] = {"bucket": BUCKET, "key": key}
    if version is not None:
        location["version"] = version
    entry: dict[str, Any] = {
        "fileName": key,
        "fileType": 0,
        "fileLocation": {"s3Location": location},
    }
    if job is not None:
        entry["codeSigning"] = {"awsSignerJobId": job}
    return entry


def live(ota_id: str, *files: dict[str, Any]) -> dict[str, Any]:
    return {
        "otaUpdateId": ota_id,
        "targets": [TARGET],
        "protocols": ["MQTT"],
        "targetSelection": "SNAPSHOT",
        "otaUpdateFiles": list(files),
        "awsJobPresignedUrlConfig": {"expiresInSec": 300},
        "awsJobExecutionsRolloutConfig": {"maximumPerMinute": 50},
    }


EXPECTED = {
    ("fw-revoked", "OTA122"),
    ("fw-failed-job", "OTA121"),
    ("fw-canceled", "OTA124"),
    ("fw-expired", "OTA127"),
    ("fw-soon", "OTA128"),
    ("fw-noeku", "OTA129"),
    ("fw-gone", "OTA405"),
    ("fw-marker", "OTA405"),
    ("fw-stream", "OTA406"),
    ("fw-stream-unpinned", "OTA402"),
    ("fw-failing", "OTA505"),
}
"""(update, rule) of every verification finding in the world; fw-ok has none."""


def seed(cloud: LocalCloud) -> None:
    iot = cloud.iot(ACCOUNT, REGION)
    signing = cloud.chain(ACCOUNT, REGION)
    year = AS_OF + timedelta(days=365)
    for name, not_after, usages in (
        ("ok", year, ("CODE_SIGNING",)),
        ("expired", AS_OF - timedelta(days=1), ("CODE_SIGNING",)),
        ("soon", AS_OF + timedelta(days=10), ("CODE_SIGNING",)),
        ("noeku", year, ("TLS_WEB_SERVER_AUTHENTICATION",)),
    ):
        signing.add_certificate(
            cert(name),
            not_before=AS_OF - timedelta(days=100),
            not_after=not_after,
            extended_key_usages=usages,
        )
    signing.add_signing_profile("fw_profile", certificate_arn=cert("ok"))
    signing.add_signing_profile("old_profile", status="Canceled", certificate_arn=cert("ok"))
    signed = AS_OF - timedelta(days=30)
    for job, profile, certificate, extra in (
        ("job-ok", "fw_profile", "ok", {}),
        (
            "job-revoked",
            "fw_profile",
            "ok",
            {"revocation": {"reason": "key leaked", "revoked_at": AS_OF - timedelta(days=2)}},
        ),
        ("job-failed", "fw_profile", "ok", {"status": "Failed", "status_reason": "bad image"}),
        ("job-canceled-profile", "old_profile", "ok", {}),
        ("job-expired", "fw_profile", "expired", {}),
        ("job-soon", "fw_profile", "soon", {}),
        ("job-noeku", "fw_profile", "noeku", {}),
    ):
        signing.add_signing_job(
            job,
            profile_name=profile,
            certificate_arn=cert(certificate),
            created_at=signed,
            completed_at=signed,
            signature_expires_at=AS_OF + timedelta(days=300),
            **extra,
        )
    signing.put_object(BUCKET, "fw.bin", "v1")
    signing.put_object(BUCKET, "marker.bin", "v1")
    signing.put_object(BUCKET, "marker.bin", "v2", delete_marker=True)
    iot.put_stream("st-1", files=[{"fileId": 0, "s3Location": {"bucket": BUCKET, "key": "fw.bin"}}])
    iot.put(live("fw-ok", file("fw.bin", "job-ok")))
    iot.put(live("fw-revoked", file("fw.bin", "job-revoked")))
    iot.put(live("fw-failed-job", file("fw.bin", "job-failed")))
    iot.put(live("fw-canceled", file("fw.bin", "job-canceled-profile")))
    iot.put(live("fw-expired", file("fw.bin", "job-expired")))
    iot.put(live("fw-soon", file("fw.bin", "job-soon")))
    iot.put(live("fw-noeku", file("fw.bin", "job-noeku")))
    iot.put(live("fw-gone", file("gone.bin", "job-ok")))
    iot.put(live("fw-marker", {**file("marker.bin", "job-ok", version="v2")}))
    stream_file = {
        "fileName": "fw.bin",
        "fileLocation": {"stream": {"streamId": "st-1", "fileId": 3}},
        "codeSigning": {"awsSignerJobId": "job-ok"},
    }
    iot.put(live("fw-stream", stream_file))
    unpinned = {**stream_file, "fileLocation": {"stream": {"streamId": "st-1", "fileId": 0}}}
    iot.put(live("fw-stream-unpinned", unpinned))
    iot.put(
        live("fw-failing", file("fw.bin", "job-ok")),
        job={
            "status": "IN_PROGRESS",
            "jobProcessDetails": {"numberOfSucceededThings": 10, "numberOfFailedThings": 10},
        },
    )


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LocalCloud]:
    offline_aws(monkeypatch, tmp_path, region=REGION, key_id="base-key", secret="base-secret")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ota.yaml").write_text("otaUpdates: []\n", encoding="utf-8")
    with LocalCloud() as local:
        seed(local)
        for name, value in local.env().items():
            monkeypatch.setenv(name, value)
        yield local
        assert local.internal_errors == []
        assert local.validation_errors == []


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def check(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = run(
        capsys,
        "check",
        "ota.yaml",
        *extra,
        "--as-of",
        AS_OF_TEXT,
        "--format",
        "json",
        "--quiet",
    )
    return code, json.loads(out), err


def verification_findings(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (f["otaUpdateId"], f["ruleId"]) for f in report["findings"] if f["ruleId"] in VERIFY_RULES
    }


def test_check_verify_finds_every_broken_link_and_passes_the_sound_one(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, _ = check(capsys, "--region", REGION, "--verify")
    assert code == 1
    assert report["errors"] == []
    assert verification_findings(report) == EXPECTED
    audited = {a["otaUpdateId"]: a for a in report["audited"]}
    assert VERIFY_RULES - {"OTA505"} <= set(audited["fw-ok"]["rules"])
    ok_chain = audited["fw-ok"]["chain"][0]["links"]
    assert [link["kind"] for link in ok_chain] == [
        "signingJob",
        "signingProfile",
        "certificate",
        "object",
    ]


def test_without_verify_the_chain_rules_are_neither_run_nor_passed(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, _ = check(capsys, "--region", REGION, "--deep")
    assert code == 1
    assert verification_findings(report) == {("fw-failing", "OTA505")}
    assert "audited" not in report  # no chain read: the JSON report is as it always was
    assert not cloud.chain(ACCOUNT, REGION).calls
    assert not [c for c in cloud.calls if c.operation == "DescribeStream"]


def test_each_distinct_chain_resource_is_read_once(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    check(capsys, "--region", REGION, "--verify")
    calls = Counter(
        (c.service, c.operation) for c in cloud.calls if c.service in ("signer", "acm", "s3")
    )
    assert calls[("signer", "GetSigningProfile")] == 2  # fw_profile, old_profile
    assert calls[("acm", "DescribeCertificate")] == 4
    assert calls[("signer", "DescribeSigningJob")] == 7
    assert calls[("s3", "HeadObject")] == 3  # fw.bin v1, gone.bin v1, marker.bin v2
    streams = [c for c in cloud.calls if c.operation == "DescribeStream"]
    assert len(streams) == 1


def test_verify_calls_exactly_what_iam_policy_verify_grants(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The recorded-operations test for --verify: every call is a List, Get, Describe or
    Head, and the printed policy's actions are exactly those the calls need."""
    called: list[str] = []
    real = aws.make_client

    def recording(*args: Any, **kwargs: Any) -> Any:
        client = real(*args, **kwargs)
        client.meta.events.register("before-call", lambda model, **_: called.append(model.name))
        return client

    monkeypatch.setattr(aws, "make_client", recording)
    check(capsys, "--region", REGION, "--verify")
    checked = set(called)
    called.clear()
    assert (
        run(capsys, "snapshot", "--region", REGION, "--verify", "-o", "s.json", "--quiet")[0] == 0
    )
    assert set(called) == checked
    assert checked == set(aws.OPERATIONS)
    assert set(CHAIN_OPERATIONS) <= checked
    assert all(op.startswith(("List", "Get", "Describe", "Head")) for op in checked)
    _, out, _ = run(capsys, "iam-policy", "--verify")
    actions = json.loads(out)["Statement"][0]["Action"]
    assert sorted(actions) == sorted(a for op in checked for a in aws.ACTIONS[op])


def test_an_unreadable_profile_is_an_error_of_each_update_resting_on_it(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    cloud.deny(ACCOUNT, "signer:GetSigningProfile")
    code, report, err = check(capsys, "--region", REGION, "--verify")
    assert code == 2
    failed = {e["otaUpdateId"] for e in report["errors"]}
    assert failed == {
        "fw-ok",
        "fw-revoked",
        "fw-failed-job",
        "fw-canceled",
        "fw-expired",
        "fw-soon",
        "fw-noeku",
        "fw-gone",
        "fw-marker",
        "fw-stream",
        "fw-stream-unpinned",
        "fw-failing",
    }
    assert {e["operation"] for e in report["errors"]} == {"GetSigningProfile"}
    assert all(e["code"] == "AccessDeniedException" for e in report["errors"])
    assert all("signing profile '" in e["message"] for e in report["errors"])
    profiles = [c for c in cloud.calls if c.operation == "GetSigningProfile"]
    assert len(profiles) == 2  # once per profile, not once per update
    assert "clean" not in err.lower()


def test_a_transient_failure_of_a_chain_read_is_retried(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    cloud.chain(ACCOUNT, REGION).inject_fault("DescribeCertificate", "500", times=2)
    code, report, _ = check(capsys, "--region", REGION, "--verify")
    assert (code, report["errors"]) == (1, [])
    assert verification_findings(report) == EXPECTED


def test_snapshot_verify_then_check_state_gives_the_same_findings(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    _, live_report, _ = check(capsys, "--region", REGION, "--verify")
    code, _, err = run(
        capsys, "snapshot", "--region", REGION, "--verify", "-o", "s.json", "--quiet"
    )
    assert code == 0, err
    snapshot = json.loads(Path("s.json").read_text(encoding="utf-8"))
    assert snapshot["verify"] is True
    ok = next(u for u in snapshot["otaUpdates"] if u["otaUpdateId"] == "fw-ok")
    assert ok["awsChain"][0]["object"]["size"] == 1024
    assert ok["awsChain"][0]["object"]["etag"] == '"abc"'
    cloud.stop()  # the snapshot alone is the evidence
    code, state_report, _ = check(capsys, "--state", "s.json")
    assert code == 1

    def key(report: dict[str, Any]) -> list[tuple[str, str, str]]:
        return sorted((f["otaUpdateId"], f["ruleId"], f["message"]) for f in report["findings"])

    assert key(state_report) == key(live_report)


def test_verify_with_a_snapshot_not_taken_with_it_is_a_usage_error(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "snapshot", "--region", REGION, "--deep", "-o", "d.json", "--quiet")[0] == 0
    code, out, err = run(capsys, "check", "ota.yaml", "--state", "d.json", "--verify")
    assert (code, out) == (2, "")
    assert err == (
        "ota-drift: error: --verify: d.json was not taken with --verify, so it holds no chain to "
        "judge; take one with `ota-drift snapshot --verify`, or leave --verify out\n"
    )


def test_check_state_of_a_verified_snapshot_without_as_of_says_which_clock_it_used(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(capsys, "snapshot", "--region", REGION, "--verify", "-o", "s.json", "--quiet")[0] == 0
    )
    captured = json.loads(Path("s.json").read_text(encoding="utf-8"))["capturedAt"]
    code, _, err = run(capsys, "check", "ota.yaml", "--state", "s.json", "--format", "json")
    assert code == 1
    moment = timestamp(datetime.fromisoformat(captured))
    assert err == (
        f"note: s.json was captured at {moment} and is judged as of now; pass --as-of to "
        "judge its chain as it stood then\n"
    )


def test_a_head_object_answer_without_the_version_is_an_error_not_proof(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 200 without x-amz-version-id (or ETag) does not show that the pinned version
    exists: every update resting on that object is an error entry, none passes OTA405."""
    # fw.bin v1 is the object of every update but the gone, marker and stream ones
    cloud.chain(ACCOUNT, REGION).inject_fault("HeadObject", "wrong-shape", times=None)
    code, report, _ = check(capsys, "--region", REGION, "--verify")
    assert code == 2
    assert {e["operation"] for e in report["errors"]} == {"HeadObject"}
    assert {e["code"] for e in report["errors"]} == {"MalformedResponse"}
    on_fw_bin = {ota_id for ota_id, _ in EXPECTED} | {"fw-ok"}
    on_fw_bin -= {"fw-gone", "fw-marker", "fw-stream", "fw-stream-unpinned"}
    assert {e["otaUpdateId"] for e in report["errors"]} == on_fw_bin
    # a missing version (404) and a delete marker (405) carry no such answer: still findings
    gone = {f["otaUpdateId"] for f in report["findings"] if f["ruleId"] == "OTA405"}
    assert gone == {"fw-gone", "fw-marker"}


def test_s3_slow_down_slows_the_reads_down_instead_of_failing_them(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    """S3 throttles HEAD with a bodiless 503: that is throttling (the limiter backs off and
    the throttle budget applies), not a 5xx that uses up the failure budget."""
    chain = cloud.chain(ACCOUNT, REGION)
    chain.rate_limits = {"HeadObject": 2.0}
    code, report, _ = check(capsys, "--region", REGION, "--verify", "--max-rps", "50")
    assert (code, report["errors"]) == (1, [])
    assert chain.throttled["HeadObject"] > 0
    assert verification_findings(report) == EXPECTED
