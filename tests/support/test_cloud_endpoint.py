"""LocalCloud, driven by real boto3 clients that find it through AWS_ENDPOINT_URL_<SERVICE>:
routing by access key and signed region, STS (chained, external ids, denials, expiry, botocore's
own assume-role profiles), Organizations, the Account API, EC2 and per-partition IoT limits."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

from tests.support.cloud_endpoint import ALL_REGIONS, DEFAULT_REGIONS, CloudCall, LocalCloud
from tests.support.offline_aws import offline_aws

BASE = "000000000000"
BASE_USER = f"arn:aws:iam::{BASE}:user/ota-drift"
PROD, LAB, HOP = "111122223333", "444455556666", "999988887777"
PROD_ROLE = f"arn:aws:iam::{PROD}:role/ota-drift-audit"
LAB_ROLE = f"arn:aws:iam::{LAB}:role/ota-drift-audit"
HOP_ROLE = f"arn:aws:iam::{HOP}:role/hop"
EU, US = "eu-west-1", "us-east-1"
NO_RETRIES = Config(retries={"total_max_attempts": 1})

Client = Callable[..., Any]
Creds = dict[str, str]


def _info(ota_id: str, account: str, region: str) -> dict[str, Any]:
    return {
        "otaUpdateId": ota_id,
        "targets": [f"arn:aws:iot:{region}:{account}:thinggroup/fleet"],
        "otaUpdateFiles": [
            {"fileName": "fw.bin", "fileLocation": {"stream": {"streamId": "s1", "fileId": 0}}}
        ],
    }


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LocalCloud]:
    """A running LocalCloud that every boto3 client of the test reaches by its env variables,
    with the base credentials in the environment; no server-side exception is allowed."""
    offline_aws(monkeypatch, tmp_path, region=EU, key_id="base-key", secret="base-secret")
    with LocalCloud() as server:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        yield server
        assert server.internal_errors == []
        assert server.validation_errors == []


@pytest.fixture
def client() -> Iterator[Client]:
    """boto3 clients without retries (base credentials unless `creds` are given), closed after."""
    made: list[Any] = []

    def make(service: str, creds: Creds | None = None, *, region: str = EU) -> Any:
        keys: dict[str, str | None] = {}
        if creds is not None:
            keys = {
                "aws_access_key_id": creds["AccessKeyId"],
                "aws_secret_access_key": creds["SecretAccessKey"],
                "aws_session_token": creds.get("SessionToken"),
            }
        new_client: Any = boto3.client  # a service name known only at run time
        made.append(new_client(service, region_name=region, config=NO_RETRIES, **keys))
        return made[-1]

    yield make
    for each in made:
        each.close()


def _assume(client: Client, role: str, creds: Creds | None = None, /, **extra: Any) -> Creds:
    answer = client("sts", creds).assume_role(RoleArn=role, RoleSessionName="ota-drift", **extra)
    return dict(answer["Credentials"])


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def _denied(principal: str, role: str) -> tuple[str, int, str]:
    message = f"User: {principal} is not authorized to perform: sts:AssumeRole on resource: {role}"
    return "AccessDenied", 403, message


def test_requests_are_routed_by_access_key_and_signed_region(
    cloud: LocalCloud, client: Client
) -> None:
    """The same otaUpdateId in three partitions: each caller reads its own account's update
    in the region it signed for, and the partition counts exactly its own requests."""
    cloud.add_role(PROD_ROLE)
    cloud.add_role(LAB_ROLE)
    for account, region in ((PROD, EU), (PROD, US), (LAB, EU)):
        cloud.iot(account, region).put(_info("fw-1", account, region))
    prod, lab = _assume(client, PROD_ROLE), _assume(client, LAB_ROLE)
    arns = {
        (who, region): client("iot", creds, region=region).get_ota_update(otaUpdateId="fw-1")[
            "otaUpdateInfo"
        ]["otaUpdateArn"]
        for who, creds, region in (("prod", prod, EU), ("prod", prod, US), ("lab", lab, EU))
    }
    assert arns == {
        ("prod", EU): f"arn:aws:iot:{EU}:{PROD}:otaupdate/fw-1",
        ("prod", US): f"arn:aws:iot:{US}:{PROD}:otaupdate/fw-1",
        ("lab", EU): f"arn:aws:iot:{EU}:{LAB}:otaupdate/fw-1",
    }
    with pytest.raises(ClientError) as excinfo:
        client("iot", lab, region=US).get_ota_update(otaUpdateId="fw-1")
    assert _error(excinfo)[:2] == ("ResourceNotFoundException", 404)
    assert set(cloud.partitions()) == {(PROD, EU), (PROD, US), (LAB, EU), (LAB, US)}
    assert {key: p.calls["GetOTAUpdate"] for key, p in cloud.partitions().items()} == {
        (PROD, EU): 1,
        (PROD, US): 1,
        (LAB, EU): 1,
        (LAB, US): 1,
    }
    assert cloud.iot(PROD, EU).account_id == PROD and cloud.iot(PROD, EU).region == EU


def test_every_call_is_recorded_with_who_where_and_outcome(
    cloud: LocalCloud, client: Client
) -> None:
    """calls: service, operation, caller's account and ARN, region, otaUpdateId, status and
    error code, in order; operations() filters by the caller's account."""
    cloud.add_role(PROD_ROLE)
    cloud.iot(PROD, EU).put(_info("fw-1", PROD, EU))
    started = time.monotonic()
    prod = _assume(client, PROD_ROLE)
    iot = client("iot", prod)
    iot.get_ota_update(otaUpdateId="fw-1")
    with pytest.raises(ClientError):
        iot.get_ota_update(otaUpdateId="fw-2")
    iot.list_ota_updates()
    session = f"arn:aws:sts::{PROD}:assumed-role/ota-drift-audit/ota-drift"
    assert [(c.service, c.operation, c.account, c.principal, c.region) for c in cloud.calls] == [
        ("sts", "AssumeRole", BASE, BASE_USER, EU),
        ("iot", "GetOTAUpdate", PROD, session, EU),
        ("iot", "GetOTAUpdate", PROD, session, EU),
        ("iot", "ListOTAUpdates", PROD, session, EU),
    ]
    assert [(c.ota_update_id, c.status, c.error) for c in cloud.calls] == [
        (None, 200, None),
        ("fw-1", 200, None),
        ("fw-2", 404, "ResourceNotFoundException"),
        (None, 200, None),
    ]
    times = [c.time for c in cloud.calls]
    assert started <= times[0] and times == sorted(times)
    assert cloud.calls[0].action == "sts:AssumeRole"
    assert cloud.operations() == {"sts:AssumeRole", "iot:GetOTAUpdate", "iot:ListOTAUpdates"}
    assert cloud.operations(BASE) == {"sts:AssumeRole"}
    assert cloud.operations(PROD) == {"iot:GetOTAUpdate", "iot:ListOTAUpdates"}
    assert cloud.operations(LAB) == set()
    with pytest.raises(AttributeError):
        cloud.calls[0].status = 500  # type: ignore[misc]
    cloud.clear_calls()
    assert cloud.calls == []


def test_caller_identity_of_the_base_user_an_added_user_and_a_session(
    cloud: LocalCloud, client: Client
) -> None:
    """GetCallerIdentity names the IAM user or the assumed-role session and its account."""
    cloud.add_user(LAB, "lab-key", "lab-secret", name="auditor")
    cloud.add_role(PROD_ROLE)
    base = client("sts").get_caller_identity()
    assert (base["Account"], base["Arn"]) == (BASE, BASE_USER)
    assert base["UserId"].startswith("AIDA") and len(base["UserId"]) == 21
    lab = client("sts", {"AccessKeyId": "lab-key", "SecretAccessKey": "lab-secret"})
    user = lab.get_caller_identity()
    assert (user["Account"], user["Arn"]) == (LAB, f"arn:aws:iam::{LAB}:user/auditor")
    answer = client("sts").assume_role(RoleArn=PROD_ROLE, RoleSessionName="nightly")
    creds, assumed = answer["Credentials"], answer["AssumedRoleUser"]
    session = f"arn:aws:sts::{PROD}:assumed-role/ota-drift-audit/nightly"
    assert assumed["Arn"] == session
    assert assumed["AssumedRoleId"].startswith("AROA")
    assert assumed["AssumedRoleId"].endswith(":nightly")
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert creds["AccessKeyId"] in cloud.session_keys(PROD)
    identity = client("sts", dict(creds)).get_caller_identity()
    assert (identity["Account"], identity["Arn"]) == (PROD, session)
    assert identity["UserId"] == assumed["AssumedRoleId"]


def test_chained_assume_role_through_a_hop(cloud: LocalCloud, client: Client) -> None:
    """A role that trusts only the hop role is reached through the hop, not directly; a
    chained session may not ask for more than an hour."""
    cloud.add_role(HOP_ROLE)
    cloud.add_role(LAB_ROLE, trusts=[HOP_ROLE], max_session_seconds=7200)
    cloud.iot(LAB, EU).put(_info("fw-1", LAB, EU))
    with pytest.raises(ClientError) as excinfo:
        _assume(client, LAB_ROLE)
    assert _error(excinfo) == _denied(BASE_USER, LAB_ROLE)
    hop = _assume(client, HOP_ROLE)
    lab = _assume(client, LAB_ROLE, hop)
    info = client("iot", lab).get_ota_update(otaUpdateId="fw-1")["otaUpdateInfo"]
    assert info["otaUpdateArn"] == f"arn:aws:iot:{EU}:{LAB}:otaupdate/fw-1"
    with pytest.raises(ClientError) as excinfo:
        _assume(client, LAB_ROLE, hop, DurationSeconds=3601)
    assert _error(excinfo) == (
        "ValidationError",
        400,
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
        "role chaining.",
    )
    assert _assume(client, HOP_ROLE, DurationSeconds=3600)  # within the role's maximum
    with pytest.raises(ClientError) as excinfo:
        _assume(client, HOP_ROLE, DurationSeconds=3601)
    assert _error(excinfo)[:2] == ("ValidationError", 400)
    hop_session = f"arn:aws:sts::{HOP}:assumed-role/hop/ota-drift"
    assert [(c.operation, c.principal, c.error) for c in cloud.calls if c.service == "sts"] == [
        ("AssumeRole", BASE_USER, "AccessDenied"),
        ("AssumeRole", BASE_USER, None),
        ("AssumeRole", hop_session, None),
        ("AssumeRole", hop_session, "ValidationError"),
        ("AssumeRole", BASE_USER, None),
        ("AssumeRole", BASE_USER, "ValidationError"),
    ]


def test_external_id_is_required_when_the_role_sets_one(cloud: LocalCloud, client: Client) -> None:
    """Missing or wrong ExternalId: AccessDenied; the right one: credentials."""
    cloud.add_role(PROD_ROLE, external_id="audit-2026")
    for extra in ({}, {"ExternalId": "audit-2025"}):
        with pytest.raises(ClientError) as excinfo:
            _assume(client, PROD_ROLE, **extra)
        assert _error(excinfo) == _denied(BASE_USER, PROD_ROLE)
    assert _assume(client, PROD_ROLE, ExternalId="audit-2026")["AccessKeyId"].startswith("ASIA")


def test_denied_unknown_and_untrusted_roles_are_access_denied(
    cloud: LocalCloud, client: Client
) -> None:
    """deny_assume, a role nobody added, and a role trusting another account all answer
    AWS's AccessDenied (403) naming the caller and the role."""
    cloud.add_role(PROD_ROLE)
    cloud.add_role(LAB_ROLE, trusts=[PROD])
    cloud.deny_assume(PROD_ROLE)
    unknown = f"arn:aws:iam::{PROD}:role/nobody"
    for role in (PROD_ROLE, unknown, LAB_ROLE):
        with pytest.raises(ClientError) as excinfo:
            _assume(client, role)
        assert _error(excinfo) == _denied(BASE_USER, role)
    with pytest.raises(ClientError) as excinfo:
        client("sts").assume_role(RoleArn=PROD_ROLE, RoleSessionName="bad name!")
    assert _error(excinfo)[:2] == ("ValidationError", 400)


def test_unknown_keys_tokens_and_secrets_are_refused_as_aws_does(
    cloud: LocalCloud, client: Client
) -> None:
    """An unknown key, a session key without its token and a wrong secret: each service's
    own error code, and none reaches the partition."""
    cloud.add_role(PROD_ROLE)
    session = _assume(client, PROD_ROLE)
    stranger = {"AccessKeyId": "AKIAUNKNOWN", "SecretAccessKey": "x"}
    tokenless = {
        "AccessKeyId": session["AccessKeyId"],
        "SecretAccessKey": session["SecretAccessKey"],
    }
    wrong_secret = {**session, "SecretAccessKey": "not-the-secret"}
    expected = {
        "sts": ("InvalidClientTokenId", 403),
        "iot": ("UnrecognizedClientException", 403),
        "organizations": ("UnrecognizedClientException", 400),
        "ec2": ("AuthFailure", 401),
    }
    calls: dict[str, Callable[[Any], Any]] = {
        "sts": lambda c: c.get_caller_identity(),
        "iot": lambda c: c.list_ota_updates(),
        "organizations": lambda c: c.list_accounts(),
        "ec2": lambda c: c.describe_regions(),
    }
    for service, call in calls.items():
        for creds in (stranger, tokenless):
            with pytest.raises(ClientError) as excinfo:
                call(client(service, creds))
            assert _error(excinfo)[:2] == expected[service], (service, creds)
    with pytest.raises(ClientError) as excinfo:
        client("sts", wrong_secret).get_caller_identity()
    assert _error(excinfo)[:2] == ("SignatureDoesNotMatch", 403)
    with pytest.raises(ClientError) as excinfo:
        client("iot", wrong_secret).list_ota_updates()
    assert _error(excinfo)[:2] == ("InvalidSignatureException", 403)
    assert cloud.iot(PROD, EU).calls["ListOTAUpdates"] == 0
    refused = [c for c in cloud.calls if c.service == "iot"]
    assert [(c.account, c.error) for c in refused] == [
        (None, "UnrecognizedClientException"),
        (PROD, "UnrecognizedClientException"),
        (PROD, "InvalidSignatureException"),
    ]


def test_a_disabled_region_refuses_its_account_and_is_reported_disabled(
    cloud: LocalCloud, client: Client
) -> None:
    """IoT in a disabled region: 403 UnrecognizedClientException for that account only;
    ListRegions says DISABLED and DescribeRegions leaves the region out."""
    cloud.add_role(PROD_ROLE)
    cloud.add_role(LAB_ROLE)
    cloud.disable_region(PROD, US)
    prod, lab = _assume(client, PROD_ROLE), _assume(client, LAB_ROLE)
    with pytest.raises(ClientError) as excinfo:
        client("iot", prod, region=US).list_ota_updates()
    assert _error(excinfo) == (
        "UnrecognizedClientException",
        403,
        "The security token included in the request is invalid.",
    )
    assert client("iot", prod, region=EU).list_ota_updates()["otaUpdates"] == []
    assert client("iot", lab, region=US).list_ota_updates()["otaUpdates"] == []
    assert (PROD, US) not in cloud.partitions()
    statuses = {
        r["RegionName"]: r["RegionOptStatus"]
        for r in client("account", prod).list_regions(MaxResults=50)["Regions"]
    }
    assert statuses[US] == "DISABLED" and statuses[EU] == "ENABLED_BY_DEFAULT"
    described = {r["RegionName"] for r in client("ec2", prod).describe_regions()["Regions"]}
    assert described == DEFAULT_REGIONS - {US}
    with pytest.raises(ClientError) as excinfo:
        client("ec2", prod, region=US).describe_regions()
    assert _error(excinfo)[:2] == ("AuthFailure", 401)
    assert cloud.enabled_regions(PROD) == DEFAULT_REGIONS - {US}
    assert cloud.enabled_regions(LAB) == DEFAULT_REGIONS


def test_expired_sessions_answer_expired_token_until_assumed_again(
    cloud: LocalCloud, client: Client
) -> None:
    """After expire_sessions_after, a session stops working that long after it was issued,
    though its Expiration still says an hour; a newly assumed session works again."""
    cloud.add_role(PROD_ROLE)
    cloud.expire_sessions_after(0.3)
    before = datetime.now(UTC)
    first = _assume(client, PROD_ROLE)
    expiration: Any = first["Expiration"]
    assert before + timedelta(minutes=59) < expiration <= before + timedelta(hours=1, seconds=1)
    iot = client("iot", first)
    assert iot.list_ota_updates()["otaUpdates"] == []
    time.sleep(0.35)
    with pytest.raises(ClientError) as excinfo:
        iot.list_ota_updates()
    assert _error(excinfo) == (
        "ExpiredTokenException",
        403,
        "The security token included in the request is expired",
    )
    with pytest.raises(ClientError) as excinfo:
        client("sts", first).get_caller_identity()
    assert _error(excinfo)[:2] == ("ExpiredTokenException", 400)
    second = _assume(client, PROD_ROLE)
    assert client("iot", second).list_ota_updates()["otaUpdates"] == []
    cloud.expire_sessions_after(None)
    assert iot.list_ota_updates()["otaUpdates"] == []  # only the real Expiration counts again
    errors = [c.error for c in cloud.calls if c.service == "iot"]
    assert errors == [None, "ExpiredTokenException", None, None]
    assert cloud.iot(PROD, EU).calls["ListOTAUpdates"] == 3


def test_botocore_assume_role_profiles_chain_through_the_local_sts(
    cloud: LocalCloud, client: Client, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """botocore's own AssumeRoleProvider (role_arn + source_profile, chained, external_id)
    reaches the local STS through AWS_ENDPOINT_URL_STS."""
    cloud.add_role(HOP_ROLE)
    cloud.add_role(LAB_ROLE, trusts=[HOP_ROLE], external_id="lab-ext")
    cloud.iot(LAB, EU).put(_info("fw-1", LAB, EU))
    config = tmp_path / "aws-config"
    config.write_text(
        "[profile base]\naws_access_key_id = base-key\naws_secret_access_key = base-secret\n"
        f"[profile hop]\nrole_arn = {HOP_ROLE}\nsource_profile = base\n"
        f"[profile lab]\nrole_arn = {LAB_ROLE}\nsource_profile = hop\nexternal_id = lab-ext\n"
        "role_session_name = ota-drift-lab\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    session = boto3.Session(profile_name="lab", region_name=EU)
    sts = session.client("sts", config=NO_RETRIES)
    iot = session.client("iot", config=NO_RETRIES)
    try:
        identity = sts.get_caller_identity()
        info = iot.get_ota_update(otaUpdateId="fw-1")["otaUpdateInfo"]
    finally:
        sts.close()
        iot.close()
    assert identity["Arn"] == f"arn:aws:sts::{LAB}:assumed-role/ota-drift-audit/ota-drift-lab"
    assert info["otaUpdateArn"] == f"arn:aws:iot:{EU}:{LAB}:otaupdate/fw-1"
    assumed = [c for c in cloud.calls if c.operation == "AssumeRole"]
    assert [(c.account, c.status) for c in assumed] == [(BASE, 200), (HOP, 200)]
    assert cloud.operations(LAB) == {"sts:GetCallerIdentity", "iot:GetOTAUpdate"}


def test_list_accounts_pages_and_is_for_the_management_account_only(
    cloud: LocalCloud, client: Client
) -> None:
    """Five accounts come in pages of two, in order of adding, every field as AWS gives it;
    a member account's principal gets AccessDeniedException; a forged token is refused."""
    names = {PROD: "prod", LAB: "lab", HOP: "hop", "222233334444": "old", "555566667777": "new"}
    for account, name in names.items():
        status = "SUSPENDED" if name == "old" else "ACTIVE"
        cloud.add_organization_account(account, name, status=status)
    cloud.add_organization_account("555566667777", "new", email="new@corp.example")
    organizations = client("organizations")
    pages = list(organizations.get_paginator("list_accounts").paginate())
    assert [len(page["Accounts"]) for page in pages] == [2, 2, 1]
    accounts = [account for page in pages for account in page["Accounts"]]
    assert [(a["Id"], a["Name"], a["Status"]) for a in accounts] == [
        (PROD, "prod", "ACTIVE"),
        (LAB, "lab", "ACTIVE"),
        (HOP, "hop", "ACTIVE"),
        ("222233334444", "old", "SUSPENDED"),
        ("555566667777", "new", "ACTIVE"),
    ]
    assert accounts[0] == {
        "Id": PROD,
        "Arn": f"arn:aws:organizations::{BASE}:account/o-a1b2c3d4e5/{PROD}",
        "Email": f"aws+{PROD}@example.com",
        "Name": "prod",
        "Status": "ACTIVE",
        "State": "ACTIVE",
        "JoinedMethod": "CREATED",
        "JoinedTimestamp": datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC),
    }
    assert accounts[-1]["Email"] == "new@corp.example"
    assert len(organizations.list_accounts(MaxResults=1)["Accounts"]) == 1
    with pytest.raises(ClientError) as excinfo:
        organizations.list_accounts(NextToken="forged")
    assert _error(excinfo)[:2] == ("InvalidInputException", 400)
    cloud.add_role(PROD_ROLE)
    with pytest.raises(ClientError) as excinfo:
        client("organizations", _assume(client, PROD_ROLE)).list_accounts()
    assert _error(excinfo) == (
        "AccessDeniedException",
        400,
        "You don't have permissions to access this resource.",
    )
    cloud.deny(BASE, "organizations:ListAccounts")
    with pytest.raises(ClientError) as excinfo:
        organizations.list_accounts()
    assert _error(excinfo)[0] == "AccessDeniedException"


def test_list_regions_filters_pages_and_reports_opt_in_regions(
    cloud: LocalCloud, client: Client
) -> None:
    """ListRegions lists every region of the partition with the caller's account's status,
    filtered by RegionOptStatusContains and paged by MaxResults."""
    cloud.add_role(LAB_ROLE)
    cloud.set_regions(LAB, {EU, US, "ap-southeast-2", "af-south-1"})
    account = client("account", _assume(client, LAB_ROLE))
    pages = list(account.get_paginator("list_regions").paginate(PaginationConfig={"PageSize": 7}))
    listed = [(r["RegionName"], r["RegionOptStatus"]) for page in pages for r in page["Regions"]]
    assert [len(page["Regions"]) for page in pages] == [7, 7, 7, 7, 6]
    assert [name for name, _ in listed] == sorted(ALL_REGIONS)
    enabled = account.list_regions(RegionOptStatusContains=["ENABLED", "ENABLED_BY_DEFAULT"])
    assert [(r["RegionName"], r["RegionOptStatus"]) for r in enabled["Regions"]] == [
        ("af-south-1", "ENABLED"),
        ("ap-southeast-2", "ENABLED_BY_DEFAULT"),
        ("eu-west-1", "ENABLED_BY_DEFAULT"),
        ("us-east-1", "ENABLED_BY_DEFAULT"),
    ]
    assert "NextToken" not in enabled
    disabled = account.list_regions(RegionOptStatusContains=["DISABLED"], MaxResults=50)
    assert len(disabled["Regions"]) == len(ALL_REGIONS) - 4
    base = client("account").list_regions(RegionOptStatusContains=["ENABLED"])
    assert base["Regions"] == []  # the base account has only the default regions
    with pytest.raises(ClientError) as excinfo:
        account.list_regions(NextToken="forged")
    assert _error(excinfo)[:2] == ("ValidationException", 400)


def test_describe_regions_lists_the_enabled_regions(cloud: LocalCloud, client: Client) -> None:
    """DescribeRegions: the caller's enabled regions; AllRegions adds the rest with their
    opt-in status; RegionName narrows."""
    cloud.add_user(LAB, "lab-key", "lab-secret")
    cloud.set_regions(LAB, {EU, "af-south-1"})
    ec2 = client("ec2", {"AccessKeyId": "lab-key", "SecretAccessKey": "lab-secret"})
    regions = ec2.describe_regions()["Regions"]
    assert regions == [
        {
            "RegionName": "af-south-1",
            "Endpoint": "ec2.af-south-1.amazonaws.com",
            "OptInStatus": "opted-in",
        },
        {
            "RegionName": EU,
            "Endpoint": f"ec2.{EU}.amazonaws.com",
            "OptInStatus": "opt-in-not-required",
        },
    ]
    every = {
        r["RegionName"]: r["OptInStatus"] for r in ec2.describe_regions(AllRegions=True)["Regions"]
    }
    assert len(every) == len(ALL_REGIONS)
    assert (every[US], every["me-south-1"]) == ("not-opted-in", "not-opted-in")
    assert [r["RegionName"] for r in ec2.describe_regions(RegionNames=[EU, US])["Regions"]] == [EU]


def test_deny_gives_each_service_its_own_access_denied(cloud: LocalCloud, client: Client) -> None:
    """deny(account, action) refuses that action to every principal of the account only."""
    cloud.add_role(PROD_ROLE)
    cloud.add_role(LAB_ROLE)
    cloud.deny(PROD, "account:ListRegions")
    cloud.deny(PROD, "ec2:DescribeRegions")
    cloud.deny(PROD, "iot:GetOTAUpdate")
    cloud.iot(PROD, EU).put(_info("fw-1", PROD, EU))
    prod, lab = _assume(client, PROD_ROLE), _assume(client, LAB_ROLE)
    session = f"arn:aws:sts::{PROD}:assumed-role/ota-drift-audit/ota-drift"
    with pytest.raises(ClientError) as excinfo:
        client("account", prod).list_regions()
    assert _error(excinfo) == (
        "AccessDeniedException",
        403,
        f"User: {session} is not authorized to perform: account:ListRegions on resource: *",
    )
    with pytest.raises(ClientError) as excinfo:
        client("ec2", prod).describe_regions()
    assert _error(excinfo)[:2] == ("UnauthorizedOperation", 403)
    with pytest.raises(ClientError) as excinfo:
        client("iot", prod).get_ota_update(otaUpdateId="fw-1")
    assert _error(excinfo) == (
        "AccessDeniedException",
        403,
        f"User: {session} is not authorized to perform: iot:GetOTAUpdate on resource: "
        f"arn:aws:iot:{EU}:{PROD}:otaupdate/fw-1",
    )
    assert client("iot", prod).list_ota_updates()["otaUpdates"][0]["otaUpdateId"] == "fw-1"
    assert client("account", lab).list_regions()["Regions"]
    assert client("ec2", lab).describe_regions()["Regions"]
    with pytest.raises(ValueError, match="action must be"):
        cloud.deny(PROD, "ListRegions")


def test_rate_limits_throttle_one_partition_only(cloud: LocalCloud, client: Client) -> None:
    """A partition's rate_limits throttle its own requests; other partitions of the same
    account, and the same region of another account, run free."""
    cloud.add_role(PROD_ROLE)
    cloud.add_role(LAB_ROLE)
    for account, region in ((PROD, EU), (PROD, US), (LAB, EU)):
        for index in range(3):
            cloud.iot(account, region).put(_info(f"fw-{index}", account, region))
    cloud.iot(PROD, EU).rate_limits = {"GetOTAUpdate": 0.001}  # one request, then throttled
    prod, lab = _assume(client, PROD_ROLE), _assume(client, LAB_ROLE)
    outcomes: dict[tuple[str, str], list[str]] = {}
    for creds, account, region in ((prod, PROD, EU), (prod, PROD, US), (lab, LAB, EU)):
        iot = client("iot", creds, region=region)
        results = outcomes.setdefault((account, region), [])
        for index in range(3):
            try:
                iot.get_ota_update(otaUpdateId=f"fw-{index}")
                results.append("ok")
            except ClientError as error:
                results.append(error.response["Error"]["Code"])
    assert outcomes == {
        (PROD, EU): ["ok", "ThrottlingException", "ThrottlingException"],
        (PROD, US): ["ok", "ok", "ok"],
        (LAB, EU): ["ok", "ok", "ok"],
    }
    assert cloud.iot(PROD, EU).throttled["GetOTAUpdate"] == 2
    assert cloud.iot(PROD, US).throttled["GetOTAUpdate"] == 0


def test_partitions_take_the_cloud_latency_and_arguments_are_checked() -> None:
    """A partition takes the cloud's latency when created and whenever the cloud's changes;
    malformed accounts and role ARNs are refused at once."""
    cloud = LocalCloud(latency=0.25)
    assert cloud.iot(PROD, EU).latency == 0.25
    cloud.latency = 0.0
    assert cloud.iot(PROD, EU).latency == 0.0 and cloud.iot(LAB, EU).latency == 0.0
    with pytest.raises(RuntimeError, match="not running"):
        _ = cloud.url
    with pytest.raises(ValueError, match="12 digits"):
        cloud.iot("prod", EU)
    with pytest.raises(ValueError, match="not an IAM role ARN"):
        cloud.add_role("arn:aws:iam::1:role/x")


def test_partition_faults_are_served_through_the_cloud(cloud: LocalCloud, client: Client) -> None:
    """inject_fault and inject_error on one partition shape only that partition's answers."""
    cloud.add_user(PROD, "prod-key", "prod-secret")
    cloud.add_user(LAB, "lab-key", "lab-secret")
    prod = client("iot", {"AccessKeyId": "prod-key", "SecretAccessKey": "prod-secret"})
    lab = client("iot", {"AccessKeyId": "lab-key", "SecretAccessKey": "lab-secret"})
    cloud.iot(PROD, EU).inject_error("ListOTAUpdates", "ServiceUnavailableException")
    with pytest.raises(ClientError) as excinfo:
        prod.list_ota_updates()
    assert _error(excinfo)[:2] == ("ServiceUnavailableException", 503)
    assert lab.list_ota_updates()["otaUpdates"] == []
    assert prod.list_ota_updates()["otaUpdates"] == []
    statuses = [(c.account, c.status, c.error) for c in cloud.calls]
    assert statuses == [
        (PROD, 503, "ServiceUnavailableException"),
        (LAB, 200, None),
        (PROD, 200, None),
    ]


def test_unserved_operations_are_refused_not_guessed(cloud: LocalCloud, client: Client) -> None:
    """Operations LocalCloud does not implement answer an error, never a made-up success."""
    with pytest.raises(ClientError) as excinfo:
        client("sts").get_session_token()
    assert _error(excinfo)[:2] == ("InvalidAction", 400)
    with pytest.raises(ClientError) as excinfo:
        client("organizations").describe_organization()
    assert _error(excinfo)[:2] == ("UnknownOperationException", 400)
    with pytest.raises(ClientError) as excinfo:
        client("ec2").describe_regions(Filters=[{"Name": "opt-in-status", "Values": ["x"]}])
    assert _error(excinfo)[:2] == ("InvalidParameterValue", 400)
    with pytest.raises(ClientError) as excinfo:
        client("sts").assume_role(RoleArn=PROD_ROLE, RoleSessionName="ota", Policy="{}")
    assert _error(excinfo)[:2] == ("ValidationError", 400)
    assert all(isinstance(c, CloudCall) and c.status == 400 for c in cloud.calls)


def test_concurrent_callers_in_many_partitions_are_each_counted_once(
    cloud: LocalCloud, client: Client
) -> None:
    """Twelve partitions read at once from one server: every request reaches its own
    partition and is recorded exactly once."""
    accounts = [f"1000000000{index:02d}" for index in range(4)]
    regions = [EU, US, "ap-southeast-2"]
    sessions = {}
    for account in accounts:
        cloud.add_role(f"arn:aws:iam::{account}:role/audit")
        sessions[account] = _assume(client, f"arn:aws:iam::{account}:role/audit")
        for region in regions:
            for index in range(3):
                cloud.iot(account, region).put(_info(f"fw-{index}", account, region))
    iots = {(a, r): client("iot", sessions[a], region=r) for a in accounts for r in regions}

    def read(key: tuple[str, str]) -> list[str]:
        iot = iots[key]
        return [
            iot.get_ota_update(otaUpdateId=f"fw-{index}")["otaUpdateInfo"]["otaUpdateArn"]
            for index in range(3)
        ]

    with ThreadPoolExecutor(max_workers=12) as pool:
        arns = dict(zip(iots, pool.map(read, iots), strict=True))
    for (account, region), found in arns.items():
        assert found == [f"arn:aws:iot:{region}:{account}:otaupdate/fw-{i}" for i in range(3)]
        assert cloud.iot(account, region).calls["GetOTAUpdate"] == 3
    reads = [c for c in cloud.calls if c.operation == "GetOTAUpdate"]
    assert len(reads) == 36 and all(c.status == 200 for c in reads)
    assert {(c.account, c.region) for c in reads} == set(iots)


def test_a_dropped_connection_is_recorded_without_a_status(
    cloud: LocalCloud, client: Client
) -> None:
    """A partition's drop_rate resets the connection; the call is kept with status None."""
    cloud.add_user(PROD, "prod-key", "prod-secret")
    cloud.iot(PROD, EU).drop_rate = 1.0
    iot = client("iot", {"AccessKeyId": "prod-key", "SecretAccessKey": "prod-secret"})
    with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
        iot.list_ota_updates()
    assert [(c.operation, c.status, c.error) for c in cloud.calls] == [
        ("ListOTAUpdates", None, None)
    ]


def test_stop_ends_requests_waiting_on_latency(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """stop() does not wait out a partition's latency: it returns within a second."""
    offline_aws(monkeypatch, tmp_path, region=EU, key_id="base-key", secret="base-secret")
    cloud = LocalCloud(latency=30.0).start()
    iot = boto3.client("iot", region_name=EU, endpoint_url=cloud.url, config=NO_RETRIES)
    outcome: list[BaseException | None] = []

    def call() -> None:
        try:
            iot.list_ota_updates()
            outcome.append(None)
        except BaseException as error:  # what the cut-off client sees does not matter
            outcome.append(error)

    caller = threading.Thread(target=call)
    caller.start()
    deadline = time.monotonic() + 5
    while cloud.iot(BASE, EU).calls["ListOTAUpdates"] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    cloud.stop()
    assert time.monotonic() - started < 1.0
    caller.join(5)
    iot.close()
    assert not caller.is_alive() and len(outcome) == 1
