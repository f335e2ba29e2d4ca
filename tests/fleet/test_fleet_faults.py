"""The fleet's harder faults: what the hostile reviews of issue 13 found, each shown fixed.
Renewals that fail mid-run, answers about another account, accounts with no region, snapshots
of one moment, interruptions, and the credential plumbing (short sessions, one failure per
account, one service-model cache for the organisation)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.stub import Stubber

from checker.cli import exit_code, main
from checker.errors import UsageError
from checker.fleet.credentials import AccessFailure, _Assumed, _sibling
from checker.fleet.file import load_fleet
from checker.fleet.organization import list_accounts
from checker.fleet.regions import enabled_iot_regions
from checker.fleet.run import FleetRun
from checker.policy.packs import load_policy
from checker.sources.aws import AwsSettings, AwsSource
from tests.fleet.world import AS_OF, FLEET, LAB, PROD, ROLE, T0, live
from tests.support.cloud_endpoint import LocalCloud

SETTINGS = AwsSettings(max_rps=1000.0, concurrency=8, max_attempts=2, timeout=5.0)


def fleet_run(settings: AwsSettings = SETTINGS) -> FleetRun:
    return FleetRun(load_fleet("fleet.yaml"), load_policy([]), "low", settings, as_of=T0)


def errors_by_partition(report: Any) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for error in report.errors:
        found.setdefault(str(error.partition), []).append((error.operation, error.code))
    return found


def test_a_renewal_denied_mid_run_is_the_partitions_error_not_the_runs(
    cloud: LocalCloud,
) -> None:
    """lab's session is cut short and its role then denied: lab's requests become error
    entries (AccessDenied from the renewal), prod is audited whole, and there is a report."""
    run = fleet_run()
    lab = load_fleet("fleet.yaml").entry(LAB)
    cloud.expire_sessions_after(1.0)
    run.access(lab).session()  # lab's first session, issued before the role is denied
    cloud.deny_assume(ROLE.format(account=LAB))
    time.sleep(1.1)  # ... and cut short now: its renewal meets the denial
    report = run.run()
    assert exit_code(report, "low") == 2
    found = errors_by_partition(report)
    assert set(found) == {f"{LAB}/eu-west-1", f"{LAB}/us-east-1"}
    assert {code for errors in found.values() for _, code in errors} == {"AccessDenied"}
    prod = {str(p.partition): p.errors for p in report.partitions if p.partition.account == PROD}
    assert prod == {f"{PROD}/eu-west-1": 0, f"{PROD}/us-east-1": 0}


def test_a_denied_role_is_asked_once_for_all_its_regions(cloud: LocalCloud) -> None:
    """The account's failure is kept for the run: its second region does not ask STS again."""
    cloud.deny_assume(ROLE.format(account=PROD))
    fleet_run().run()
    asked = [c for c in cloud.calls if c.operation == "AssumeRole" and PROD in str(c.error or "")]
    denied = [c for c in cloud.calls if c.operation == "AssumeRole" and c.error == "AccessDenied"]
    assert len(denied) == 1, asked


def test_an_answer_about_another_accounts_update_is_an_error(cloud: LocalCloud) -> None:
    """An IoT answer in prod's partition whose ARN is lab's: never audited as prod's."""
    source = _stubbed_source(
        {
            **live("fw-1", LAB, "us-east-1"),
            "otaUpdateArn": f"arn:aws:iot:us-east-1:{LAB}:otaupdate/fw-1",
            "creationDate": datetime(2026, 1, 1, tzinfo=UTC),
        },
        owner=(PROD, "eu-west-1"),
    )
    (item,) = list(source.fetch())
    assert (item.operation, item.code) == ("GetOTAUpdate", "ForeignAnswer")
    assert f"is not in account {PROD}, region eu-west-1" in item.message


def _stubbed_source(info: dict[str, Any], owner: tuple[str, str]) -> AwsSource:
    client = boto3.client("iot", region_name="eu-west-1")
    stubber = Stubber(client)
    stubber.add_response(
        "list_ota_updates",
        {"otaUpdates": [{"otaUpdateId": "fw-1"}]},
        {"maxResults": 250},
    )
    stubber.add_response("get_ota_update", {"otaUpdateInfo": info}, {"otaUpdateId": "fw-1"})
    stubber.activate()
    return AwsSource(AwsSettings(region="eu-west-1"), client=client, owner=owner)


def test_an_account_with_no_enabled_iot_region_is_an_error(
    cloud: LocalCloud, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`regions: all` where ListRegions lists no region IoT is in: the account's updates are
    unread, so exit 2, never a clean run over nothing."""
    cloud.set_regions(PROD, ["ap-northeast-3"])
    (tmp_path / "fleet.yaml").write_text(
        f'accounts:\n  - account: "{PROD}"\n    role: {ROLE}\n    regions: all\n'
        "    declared: [ota/prod]\n"
    )
    code = main(["check", "--fleet", "fleet.yaml", "--as-of", AS_OF, "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 2
    (error,) = report["errors"]
    assert (error["account"], error["region"], error["code"]) == (
        PROD,
        "all",
        "NoEnabledIoTRegion",
    )
    assert report["summary"]["declared"] == 1  # declared, and not audited: not gone


@pytest.mark.parametrize(
    ("regions", "code"),
    [
        ([{"RegionName": "eu-west-1", "RegionOptStatus": "DISABLED"}], "MalformedAnswer"),
        ([{"RegionName": "../../etc", "RegionOptStatus": "ENABLED"}], "MalformedAnswer"),
        ([], "NoEnabledIoTRegion"),
    ],
)
def test_list_regions_answers_are_checked(regions: list[dict[str, str]], code: str) -> None:
    """A region in a status not asked for, a name that is not a region, no region at all."""
    session = boto3.Session(
        aws_access_key_id="k", aws_secret_access_key="s", region_name="us-east-1"
    )
    client = session.client("account")
    stubber = Stubber(client)
    stubber.add_response("list_regions", {"Regions": regions})
    stubber.activate()
    session.client = lambda *args, **kwargs: client  # type: ignore[method-assign]
    with pytest.raises(AccessFailure) as raised:
        enabled_iot_regions(session, 5.0)
    assert raised.value.code == code


def test_list_regions_errors_are_redacted() -> None:
    """A ListRegions error that echoes the credentials in use: they are not in the report."""
    session = boto3.Session(
        aws_access_key_id="k", aws_secret_access_key="s", region_name="us-east-1"
    )
    client = session.client("account")
    stubber = Stubber(client)
    secret = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEYxx"
    stubber.add_client_error("list_regions", "InternalServerException", f"echo {secret}")
    stubber.activate()
    session.client = lambda *args, **kwargs: client  # type: ignore[method-assign]
    with pytest.raises(AccessFailure) as raised:
        enabled_iot_regions(session, 5.0, (secret,))
    assert secret not in raised.value.message
    assert "[REDACTED]" in raised.value.message


def test_short_sessions_are_renewed_late_enough_and_expired_answers_refused() -> None:
    """STS's shortest session (15 min) is renewed with a quarter of it left, not before
    every request; an answer that has already expired is refused."""
    expiry = datetime.now(UTC) + timedelta(minutes=15)
    answer = {"access_key": "a", "secret_key": "s", "token": "t", "expiry_time": ""}
    short = _Assumed(lambda: {**answer, "expiry_time": expiry.isoformat()})
    short.get_frozen_credentials()
    assert short._advisory_refresh_timeout == pytest.approx(225, abs=2)
    assert not short.refresh_needed()
    past = _Assumed(lambda: {**answer, "expiry_time": "2020-01-01T00:00:00+00:00"})
    with pytest.raises(AccessFailure) as raised:
        past.get_frozen_credentials()
    assert raised.value.code == "ExpiredCredentials"


def test_expire_while_renewing_is_not_expired() -> None:
    """A thread saying "renew" while another renews: botocore's check right after the
    renewal (refresh_in=0) is about the expiry, not the request to renew."""
    expiry = datetime.now(UTC) + timedelta(hours=1)
    holder: list[_Assumed] = []

    def fetch() -> dict[str, Any]:
        holder[0].expire()  # another thread's ExpiredToken, in the middle of this renewal
        return {
            "access_key": "a",
            "secret_key": "s",
            "token": "t",
            "expiry_time": expiry.isoformat(),
        }

    credentials = _Assumed(fetch)
    holder.append(credentials)
    assert credentials.get_frozen_credentials().access_key == "a"


def test_every_account_session_shares_one_service_model_cache() -> None:
    """One loader for the organisation: 500 accounts do not load the IoT model 500 times."""
    base = botocore.session.Session()
    assert _sibling(base, None).get_component("data_loader") is base.get_component("data_loader")


def test_snapshot_fleet_is_one_moment_in_a_new_folder(
    cloud: LocalCloud, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder that holds anything, or lies in a declared path, is refused before AWS is
    called; an interrupted snapshot leaves neither the folder nor its staging copy."""
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "x.json").write_text("{}")
    assert main(["snapshot", "--fleet", "fleet.yaml", "--quiet", "-o", "old"]) == 2
    assert "the folder is not empty" in capsys.readouterr().err
    assert main(["snapshot", "--fleet", "fleet.yaml", "--quiet", "-o", "ota/prod/snaps"]) == 2
    assert "is inside the declared path ota/prod" in capsys.readouterr().err
    assert cloud.calls == []

    def interrupted(self: FleetRun) -> Any:
        yield next(iter(original(self)))
        raise KeyboardInterrupt

    original = FleetRun.read
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(FleetRun, "read", interrupted)
        assert main(["snapshot", "--fleet", "fleet.yaml", "--quiet", "-o", "snaps"]) == 130
    assert sorted(p.name for p in tmp_path.iterdir() if "snaps" in p.name) == []


def test_an_interrupted_fleet_run_stops_reading(cloud: LocalCloud) -> None:
    """Ctrl-C in a fleet run: the sources are stopped and queued partitions dropped, so the
    run ends at once instead of reading the rest of the organisation first."""
    cloud.latency = 0.2
    calls = 0

    def progress(_: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt

    run = FleetRun(
        load_fleet("fleet.yaml"),
        load_policy([]),
        "low",
        AwsSettings(concurrency=2, max_rps=1000.0),
        as_of=T0,
        progress=progress,
    )
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run.run()
    assert time.monotonic() - started < 3
    time.sleep(0.5)
    gets = sum(iot.calls["GetOTAUpdate"] for iot in cloud.partitions().values())
    assert gets < 12


def test_role_arn_placeholders_of_import(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    """A misspelt placeholder, or {account} without --fleet, is a usage error."""
    base = ["import", "--quiet", "-o", "out"]
    assert main([*base, "--fleet", "fleet.yaml", "--role-arn", "arn:aws:iam::{acount}:role/x"]) == 2
    assert "unknown placeholder {acount}" in capsys.readouterr().err
    assert (
        main([*base, "--region", "eu-west-1", "--role-arn", "arn:aws:iam::{account}:role/x"]) == 2
    )
    assert "{account} is filled in with --fleet only" in capsys.readouterr().err


def test_a_role_of_another_aws_partition_than_its_regions_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f.yaml").write_text(
        'accounts:\n  - account: "111122223333"\n    role: arn:aws:iam::111122223333:role/a\n'
        "    regions: [eu-west-1, cn-north-1]\n"
    )
    with pytest.raises(Exception) as raised:
        load_fleet(str(tmp_path / "f.yaml"))
    assert str(raised.value).endswith(
        "f.yaml:4: region cn-north-1 is in the aws-cn partition, but the role "
        "arn:aws:iam::111122223333:role/a is in aws: one entry per AWS partition"
    )


_ = FLEET  # the fleet file every test here runs against (tests/fleet/world.py)


def test_a_list_accounts_answer_botocore_cannot_parse_is_one_line() -> None:
    """An answer botocore's parser chokes on (`Accounts` an object): a usage error, exit 2,
    never an internal error."""
    with pytest.raises(UsageError) as raised:
        list_accounts(_Unparsable())
    assert "answered what botocore could not parse: AttributeError" in str(raised.value)


def test_an_account_name_no_file_can_hold_is_refused() -> None:
    """A Name holding a lone surrogate cannot be written to the fleet file: refused."""
    client = boto3.client(
        "organizations", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
    )
    stubber = Stubber(client)
    account = {"Id": "111122223333", "Name": "\ud800", "Status": "ACTIVE"}
    stubber.add_response("list_accounts", {"Accounts": [account]})
    stubber.activate()
    with pytest.raises(UsageError) as raised:
        list_accounts(client)
    assert "Name '\\ud800' is not a string of text" in str(raised.value)


class _Unparsable:
    """A client whose ListAccounts answer botocore's parser chokes on."""

    def list_accounts(self, **_: Any) -> Any:
        raise AttributeError("'str' object has no attribute 'get'")


def test_a_profile_entry_is_checked_to_be_its_account(
    cloud: LocalCloud, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`profile:` signs with the profile's keys (read by botocore from the credentials
    file) after sts:GetCallerIdentity says they are the entry's account; a profile of another
    account is that entry's error entry, and the other entry is still audited."""
    cloud.add_user(LAB, "lab-key", "lab-secret")
    cloud.add_user(PROD, "prod-key", "prod-secret")
    (tmp_path / "no-aws-credentials").write_text(
        "[lab]\naws_access_key_id = lab-key\naws_secret_access_key = lab-secret\n"
        "[wrong]\naws_access_key_id = prod-key\naws_secret_access_key = prod-secret\n"
    )
    (tmp_path / "fleet.yaml").write_text(
        "defaults:\n  regions: [eu-west-1]\naccounts:\n"
        f'  - account: "{LAB}"\n    profile: lab\n'
        '  - account: "777788889999"\n    profile: wrong\n'
    )
    code = main(["check", "--fleet", "fleet.yaml", "--as-of", AS_OF, "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 2
    (error,) = report["errors"]
    assert (error["account"], error["operation"], error["code"]) == (
        "777788889999",
        "GetCallerIdentity",
        "WrongAccount",
    )
    assert error["message"] == f"profile wrong signs in account {PROD}, not 777788889999"
    assert cloud.iot(LAB, "eu-west-1").calls["GetOTAUpdate"] == 3
    assert cloud.iot(PROD, "eu-west-1").calls["GetOTAUpdate"] == 0
