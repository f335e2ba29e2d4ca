"""`check --fleet` end to end against LocalCloud: many accounts and regions, real botocore
credentials (STS AssumeRole through AWS_ENDPOINT_URL_STS), and the faults of point 6: each
shows that every other partition is audited exactly once and the exit code is 2."""

from __future__ import annotations

import gc
import json
import threading
import weakref
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from checker import audit
from checker.cli import exit_code, main
from checker.fleet.file import load_fleet
from checker.fleet.run import FleetRun
from checker.policy.packs import load_policy
from checker.sources.aws import AwsSettings
from checker.sources.interface import Progress
from tests.fleet.world import (
    AS_OF,
    FLEET,
    LAB,
    PROD,
    REGIONS,
    ROLE,
    T0,
    UPDATES,
)
from tests.support.cloud_endpoint import LocalCloud


def check(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, Any], str]:
    code = main(
        ["check", "--fleet", "fleet.yaml", "--as-of", AS_OF, "--format", "json", "--quiet", *extra]
    )
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def reads(cloud: LocalCloud) -> dict[str, int]:
    """GetOTAUpdate requests that reached each partition, by `account/region`."""
    return {
        f"{account}/{region}": iot.calls["GetOTAUpdate"]
        for (account, region), iot in sorted(cloud.partitions().items())
    }


def partitions(report: dict[str, Any]) -> dict[str, int]:
    """Each partition of the report and its error count."""
    return {f"{p['account']}/{p['region']}": p["errors"] for p in report["partitions"]}


ALL_FOUR = {f"{a}/{r}": 0 for a in (PROD, LAB) for r in REGIONS}


def test_every_partition_is_read_once_with_its_own_identity(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    """fw-1 exists in all four partitions: four audited updates, each read exactly once with
    the credentials of its account (the ARNs are the account's), the lab one via the hop."""
    code, report, err = check(capsys)
    assert code == 1, err
    assert partitions(report) == ALL_FOUR
    assert reads(cloud) == dict.fromkeys(ALL_FOUR, len(UPDATES))
    fw1 = [a for a in report["audited"] if a["otaUpdateId"] == "fw-1"]
    assert [(a["account"], a["region"], a["file"]) for a in fw1] == [
        (PROD, "eu-west-1", "ota/prod/fw.yaml"),
        (PROD, "us-east-1", None),
        (LAB, "eu-west-1", None),
        (LAB, "us-east-1", None),
    ]
    assert report["errors"] == []
    assert report["summary"]["declared"] == 1
    assert report["summary"]["live"] == 12
    assert report["summary"]["unmanaged"] == 11
    assumed = [c for c in cloud.calls if c.operation == "AssumeRole"]
    assert sorted(c.principal.split("/")[0] for c in assumed) == [
        "arn:aws:iam::000000000000:user",  # prod's role and the hop, from the base user
        "arn:aws:iam::000000000000:user",
        "arn:aws:sts::999988887777:assumed-role",  # lab's role, from the hop's session
    ]


def test_one_accounts_assume_role_denied(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    """lab's role is denied: one error entry per lab partition, prod fully audited, exit 2."""
    cloud.deny_assume(ROLE.format(account=LAB))
    code, report, _ = check(capsys)
    assert code == 2
    assert partitions(report) == {**ALL_FOUR, f"{LAB}/eu-west-1": 1, f"{LAB}/us-east-1": 1}
    assert reads(cloud) == {
        **dict.fromkeys(ALL_FOUR, 3),
        f"{LAB}/eu-west-1": 0,
        f"{LAB}/us-east-1": 0,
    }
    errors = [(e["account"], e["region"], e["operation"], e["code"]) for e in report["errors"]]
    assert errors == [
        (LAB, "eu-west-1", "AssumeRole", "AccessDenied"),
        (LAB, "us-east-1", "AssumeRole", "AccessDenied"),
    ]


def test_one_region_disabled(cloud: LocalCloud, capsys: pytest.CaptureFixture[str]) -> None:
    """us-east-1 is not enabled in lab: its listing fails; the three others are audited."""
    cloud.disable_region(LAB, "us-east-1")
    code, report, _ = check(capsys)
    assert code == 2
    assert partitions(report) == {**ALL_FOUR, f"{LAB}/us-east-1": 1}
    assert reads(cloud) == {**dict.fromkeys(ALL_FOUR, 3), f"{LAB}/us-east-1": 0}
    (error,) = report["errors"]
    assert (error["account"], error["region"], error["operation"], error["code"]) == (
        LAB,
        "us-east-1",
        "ListOTAUpdates",
        "UnrecognizedClientException",
    )


def test_throttling_in_one_partition_only(cloud: LocalCloud) -> None:
    """prod/us-east-1 throttles every GetOTAUpdate: its updates become errors once their
    budget is spent; the other partitions are read exactly once, never throttled. (Run in
    process with one attempt per request, so the throttle budget is spent in seconds.)"""
    cloud.iot(PROD, "us-east-1").inject_error("GetOTAUpdate", "ThrottlingException", times=10**6)
    policy = load_policy([])
    settings = AwsSettings(max_rps=1000.0, concurrency=8, max_attempts=1, timeout=5.0)
    run = FleetRun(load_fleet("fleet.yaml"), policy, "low", settings, as_of=T0)
    report = run.run()
    assert {str(p.partition): p.errors for p in report.partitions} == {
        **ALL_FOUR,
        f"{PROD}/us-east-1": 3,
    }
    others = {k: v for k, v in reads(cloud).items() if k != f"{PROD}/us-east-1"}
    assert others == dict.fromkeys(set(ALL_FOUR) - {f"{PROD}/us-east-1"}, 3)
    throttled = {
        f"{a}/{r}": sum(iot.throttled.values()) for (a, r), iot in cloud.partitions().items()
    }
    assert {k for k, v in throttled.items() if v} <= {f"{PROD}/us-east-1"}
    assert {e.code for e in report.errors} == {"ThrottlingException"}
    assert exit_code(report, "low") == 2


def test_a_session_expired_mid_run_is_renewed_not_failed(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    """Sessions stop working 0 s after issue (STS still says an hour): every partition's
    first request gets ExpiredTokenException, the source renews its credentials through
    STS, and the audit completes: no error, every update read once."""
    cloud.expire_sessions_after(0.2)
    code, report, err = check(capsys, "--max-rps", "5")
    assert code == 1, err
    assert report["errors"] == []
    assert reads(cloud) == dict.fromkeys(ALL_FOUR, 3)
    assert len(cloud.session_keys(PROD)) > 1  # renewed at least once


def test_a_declared_region_the_account_lacks_is_an_error(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`regions: all` with updates declared for a region that is not enabled: those
    declarations cannot be audited, so the run says so (exit 2); the rest is audited."""
    cloud.set_regions(PROD, ["us-east-1"])
    text = FLEET.replace("    name: prod\n", "    name: prod\n    regions: all\n")
    (tmp_path / "fleet.yaml").write_text(text)
    code, report, _ = check(capsys)
    assert code == 2
    (error,) = report["errors"]
    assert (error["account"], error["region"], error["code"]) == (
        PROD,
        "eu-west-1",
        "RegionNotEnabled",
    )
    assert "fleet.yaml:9" in error["message"]
    assert reads(cloud)[f"{PROD}/us-east-1"] == 3


def test_shards_then_merge_give_the_unsharded_report(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--shard 1/4 ... 4/4 read each partition once in all, and their merge is byte for byte
    the JSON of one unsharded run at the same --as-of."""
    assert (
        main(
            [
                "check",
                "--fleet",
                "fleet.yaml",
                "--as-of",
                AS_OF,
                "--format",
                "json",
                "--quiet",
                "--output",
                "whole.json",
            ]
        )
        == 1
    )
    cloud_reads = reads(cloud)
    for iot in cloud.partitions().values():
        iot.reset_counters()
    for k in range(1, 5):
        main(
            [
                "check",
                "--fleet",
                "fleet.yaml",
                "--as-of",
                AS_OF,
                "--format",
                "json",
                "--quiet",
                "--shard",
                f"{k}/4",
                "--output",
                f"shard-{k}.json",
            ]
        )
    assert reads(cloud) == cloud_reads  # every partition read once over the four shards
    shards = [f"shard-{k}.json" for k in (3, 1, 4, 2)]
    assert main(["merge", *shards, "--format", "json", "--output", "merged.json"]) == 1
    capsys.readouterr()
    whole = (tmp_path / "whole.json").read_bytes()
    assert (tmp_path / "merged.json").read_bytes() == whole
    sizes = [
        len(json.loads((tmp_path / f"shard-{k}.json").read_text())["partitions"])
        for k in range(1, 5)
    ]
    assert sizes == [1, 1, 1, 1]


def test_snapshot_fleet_writes_one_snapshot_per_readable_partition(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """One file per partition; a denied account gets none and the exit code is 2; each file
    is a snapshot `check --state` reads."""
    cloud.deny_assume(ROLE.format(account=LAB))
    code = main(["snapshot", "--fleet", "fleet.yaml", "--quiet", "-o", "snaps"])
    _, err = capsys.readouterr()
    assert code == 2
    written = sorted(
        p.relative_to(tmp_path / "snaps").as_posix() for p in (tmp_path / "snaps").rglob("*.json")
    )
    assert written == [f"{PROD}/eu-west-1.json", f"{PROD}/us-east-1.json"]
    assert f"ota-drift: {LAB}/eu-west-1: 1 read error(s); no snapshot written" in err
    snap = json.loads((tmp_path / "snaps" / PROD / "us-east-1.json").read_text())
    assert (snap["region"], len(snap["otaUpdates"])) == ("us-east-1", 3)


def test_import_fleet_declares_each_partition_in_its_folder(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """One folder per partition, the role ARN's {account} filled in with each account."""
    code = main(
        [
            "import",
            "--fleet",
            "fleet.yaml",
            "--quiet",
            "-o",
            "imported",
            "--role-arn",
            "arn:aws:iam::{account}:role/ota",
        ]
    )
    capsys.readouterr()
    assert code == 0
    folders = sorted(
        p.parent.relative_to(tmp_path / "imported").as_posix()
        for p in (tmp_path / "imported").rglob("*.yaml")
    )
    assert folders == [f"{a}/{r}" for a in (PROD, LAB) for r in REGIONS]
    text = next((tmp_path / "imported" / LAB / "us-east-1").glob("*.yaml")).read_text()
    assert f"roleArn: arn:aws:iam::{LAB}:role/ota" in text


def test_partitions_in_flight_are_bounded_and_their_live_state_is_let_go(
    cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--concurrency 2: at most two partitions are audited at once, and a finished
    partition's live updates are freed (memory follows the partitions in flight, c7n-org
    #7577), while the progress callback sums every partition."""
    running = peak = 0
    lock = threading.Lock()
    alive: list[weakref.ref[Any]] = []
    real_check = audit.check

    def check_one(declared: Any, source: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        try:
            fetch = source.fetch

            def tracked() -> Iterator[Any]:
                for item in fetch():
                    alive.append(weakref.ref(item))
                    yield item

            source.fetch = tracked
            return real_check(declared, source, *args, **kwargs)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(audit, "check", check_one)
    seen: list[Progress] = []
    settings = AwsSettings(concurrency=2, max_rps=1000.0)
    run = FleetRun(
        load_fleet("fleet.yaml"), load_policy([]), "low", settings, as_of=T0, progress=seen.append
    )
    report = run.run()
    gc.collect()
    assert peak == 2
    assert len(report.partitions) == 4
    assert len(alive) == 12
    assert [ref for ref in alive if ref() is not None] == []
    assert (seen[-1].done, seen[-1].total) == (12, 12)


def _seed_chains(cloud: LocalCloud) -> None:
    """job-1, its profile and certificate, and fw.bin v1 in every partition; lab's job in
    us-east-1 is revoked."""
    for account in (PROD, LAB):
        for region in REGIONS:
            chain = cloud.chain(account, region)
            arn = f"arn:aws:acm:{region}:{account}:certificate/fw"
            chain.add_certificate(
                arn, not_before=T0 - timedelta(days=10), not_after=T0 + timedelta(days=400)
            )
            chain.add_signing_profile("fw_profile", certificate_arn=arn)
            revoked = (account, region) == (LAB, "us-east-1")
            chain.add_signing_job(
                "job-1",
                profile_name="fw_profile",
                certificate_arn=arn,
                completed_at=T0 - timedelta(days=1),
                signature_expires_at=T0 + timedelta(days=300),
                revocation={"reason": "key leaked", "revoked_at": T0} if revoked else None,
            )
            chain.put_object("fw", "fw.bin", "v1")


def test_verify_reads_each_partitions_chain_as_that_partition_once(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    """--verify in a fleet run: each partition's chain is read with its own identity, in its
    own region, each resource once per partition; a revoked job in one partition is that
    partition's finding only."""
    _seed_chains(cloud)
    code, report, err = check(capsys, "--verify")
    assert [e["message"] for e in report["errors"]] == []
    assert code == 1, err
    revoked = {
        (f["account"], f["region"], f["otaUpdateId"])
        for f in report["findings"]
        if f["ruleId"] == "OTA122"
    }
    assert revoked == {(LAB, "us-east-1", ota_id) for ota_id in UPDATES}
    chain_calls = [c for c in cloud.calls if c.service in ("signer", "acm", "s3")]
    assert chain_calls
    for call in chain_calls:
        assert call.principal is not None and call.account is not None
        assert call.principal.startswith(f"arn:aws:sts::{call.account}:assumed-role/")
    per_partition = Counter((c.account, c.region, c.operation) for c in chain_calls)
    assert per_partition == {
        (account, region, op): 1
        for account in (PROD, LAB)
        for region in REGIONS
        for op in ("DescribeSigningJob", "GetSigningProfile", "DescribeCertificate", "HeadObject")
    }
    chained = [a for a in report["audited"] if a.get("chain")]
    assert len(chained) == 12


def test_iam_policy_fleet_verify_limits_the_chain_reads_to_each_partition(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["iam-policy", "--fleet", "fleet.yaml", "--verify"]) == 0
    document = json.loads(capsys.readouterr().out)
    prod = document["identities"][ROLE.format(account=PROD)]["Statement"]
    by_sid = {s["Sid"]: s for s in prod}
    for policy in document["identities"].values():  # IAM refuses a document with a Sid twice
        sids = [s["Sid"] for s in policy["Statement"]]
        assert len(sids) == len(set(sids)), sids
    assert by_sid["OtaDriftReadSigningJobs"] == {
        "Sid": "OtaDriftReadSigningJobs",
        "Effect": "Allow",
        "Action": ["signer:DescribeSigningJob"],
        "Resource": [
            f"arn:aws:signer:eu-west-1:{PROD}:/signing-jobs/*",
            f"arn:aws:signer:us-east-1:{PROD}:/signing-jobs/*",
        ],
    }
    assert by_sid["OtaDriftReadCertificates"]["Resource"] == [
        f"arn:aws:acm:eu-west-1:{PROD}:certificate/*",
        f"arn:aws:acm:us-east-1:{PROD}:certificate/*",
    ]
    assert by_sid["OtaDriftHeadFirmwareObjectVersions"] == {
        "Sid": "OtaDriftHeadFirmwareObjectVersions",
        "Effect": "Allow",
        "Action": ["s3:GetObjectVersion", "s3:GetObject"],
        "Resource": ["arn:aws:s3:::*/*"],
    }
    assert by_sid["OtaDriftReadStreams"]["Action"] == ["iot:DescribeStream"]


def test_a_chain_answer_about_another_partition_is_an_error_not_a_pass(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    """A GetSigningProfile answer whose ARN names another account is ForeignAnswer for the
    updates resting on that profile, as an OTA update's own ARNs would be."""
    _seed_chains(cloud)
    chain = cloud.chain(PROD, "eu-west-1")
    other = f"arn:aws:signer:eu-west-1:{LAB}:/signing-profiles/fw_profile"
    chain._profiles["fw_profile"]["arn"] = other  # what a confused or hostile service says
    code, report, _ = check(capsys, "--verify")
    assert code == 2
    foreign = {(e["account"], e["region"], e["otaUpdateId"], e["code"]) for e in report["errors"]}
    assert foreign == {(PROD, "eu-west-1", ota_id, "ForeignAnswer") for ota_id in UPDATES}
