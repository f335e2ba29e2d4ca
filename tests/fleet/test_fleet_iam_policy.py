"""`ota-drift iam-policy --fleet`: one policy per identity a fleet run signs as, and a check
against LocalCloud that each identity calls exactly what its policy grants."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.fleet.file import load_fleet
from checker.fleet.iam import fleet_policies
from tests.sources.test_aws_reliability import ABORT, live_info
from tests.support.cloud_endpoint import CloudCall, LocalCloud
from tests.support.offline_aws import offline_aws

BASE = "000000000000"
BASE_USER = f"arn:aws:iam::{BASE}:user/ota-drift"
PROD, LAB, EDGE, HOPS = "111111111111", "222222222222", "333333333333", "999999999999"
HOP = f"arn:aws:iam::{HOPS}:role/hop"
PROD_AUDIT = f"arn:aws:iam::{PROD}:role/audit"
LAB_AUDIT = f"arn:aws:iam::{LAB}:role/audit"
LAB_REGIONS = ("ap-south-1", "eu-west-1")
"""The regions enabled in the lab account, which `regions: all` finds."""

FLEET = f"""\
defaults:
  role: arn:aws:iam::{{account}}:role/audit
  regions: [eu-west-1, us-east-1]
accounts:
  - account: "{PROD}"
    name: prod
  - account: "{LAB}"
    name: lab
    regions: all
    role: [{HOP}, {LAB_AUDIT}]
  - account: "{EDGE}"
    name: edge
    profile: edge
    regions: [eu-west-1]
"""
"""One of each: a role from the defaults, a chained role with `regions: all`, a profile."""


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(sid: str, actions: list[str], resource: str | list[str], **extra: Any) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource, **extra}


def in_regions(*regions: str) -> dict[str, Any]:
    return {"Condition": {"StringEquals": {"aws:RequestedRegion": list(regions)}}}


EXPECTED = {
    "caller": policy(allow("OtaDriftAssumeFirstHop", ["sts:AssumeRole"], [PROD_AUDIT, HOP])),
    "identities": {
        PROD_AUDIT: policy(
            allow(
                "OtaDriftListUpdates",
                ["iot:ListOTAUpdates"],
                "*",
                **in_regions("eu-west-1", "us-east-1"),
            ),
            allow(
                "OtaDriftReadUpdates",
                ["iot:GetOTAUpdate"],
                [
                    f"arn:aws:iot:eu-west-1:{PROD}:otaupdate/*",
                    f"arn:aws:iot:us-east-1:{PROD}:otaupdate/*",
                ],
            ),
        ),
        LAB_AUDIT: policy(
            allow("OtaDriftListUpdates", ["iot:ListOTAUpdates"], "*"),
            allow(
                "OtaDriftReadUpdates", ["iot:GetOTAUpdate"], [f"arn:aws:iot:*:{LAB}:otaupdate/*"]
            ),
            allow(
                "OtaDriftListEnabledRegions",
                ["account:ListRegions"],
                [f"arn:aws:account::{LAB}:account"],
            ),
            allow("OtaDriftDescribeRegionsWhereListRegionsIsDenied", ["ec2:DescribeRegions"], "*"),
        ),
        HOP: policy(allow("OtaDriftAssumeNextHop", ["sts:AssumeRole"], [LAB_AUDIT])),
        "profile:edge": policy(
            allow("OtaDriftListUpdates", ["iot:ListOTAUpdates"], "*", **in_regions("eu-west-1")),
            allow(
                "OtaDriftReadUpdates",
                ["iot:GetOTAUpdate"],
                [f"arn:aws:iot:eu-west-1:{EDGE}:otaupdate/*"],
            ),
            allow("GetCallerIdentityNeedsNoPermission", ["sts:GetCallerIdentity"], "*"),
        ),
    },
}


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, in_tmp: Path) -> None:
    """LocalCloud's base key as the caller's credentials, `edge` a profile of its own."""
    offline_aws(monkeypatch, in_tmp, region="eu-west-1", key_id="base-key", secret="base-secret")
    (in_tmp / "credentials").write_text(
        "[edge]\naws_access_key_id = edge-key\naws_secret_access_key = edge-secret\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(in_tmp / "credentials"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(text: str, name: str = "fleet.yaml") -> str:
    Path(name).write_text(text, encoding="utf-8")
    return name


# --- the document ---------------------------------------------------------------------------


def test_prints_one_policy_per_identity(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "iam-policy", "--fleet", write(FLEET))
    assert (code, err) == (0, "")
    assert out == json.dumps(EXPECTED, indent=2) + "\n"


def test_deep_adds_the_job_and_tag_reads_on_the_same_resources(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "iam-policy", "--fleet", write(FLEET), "--deep")
    assert code == 0
    document = json.loads(out)
    expected = json.loads(json.dumps(EXPECTED))
    for key, account, regions in [
        (PROD_AUDIT, PROD, ["eu-west-1", "us-east-1"]),
        (LAB_AUDIT, LAB, ["*"]),
        ("profile:edge", EDGE, ["eu-west-1"]),
    ]:
        statements = expected["identities"][key]["Statement"]
        statements[1]["Action"] = ["iot:GetOTAUpdate", "iot:ListTagsForResource"]
        jobs = [f"arn:aws:iot:{r}:{account}:job/*" for r in regions]
        statements.insert(2, allow("OtaDriftReadJobs", ["iot:DescribeJob"], jobs))
    assert document == expected


def test_without_a_fleet_it_prints_what_it_always_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "iam-policy")
    assert code == 0
    assert out == (
        "{\n"
        '  "Version": "2012-10-17",\n'
        '  "Statement": [\n'
        "    {\n"
        '      "Sid": "OtaDriftReadOnly",\n'
        '      "Effect": "Allow",\n'
        '      "Action": [\n'
        '        "iot:ListOTAUpdates",\n'
        '        "iot:GetOTAUpdate"\n'
        "      ],\n"
        '      "Resource": "*"\n'
        "    }\n"
        "  ]\n"
        "}\n"
    )


def test_a_fleet_of_profiles_has_no_caller_policy() -> None:
    text = f"""\
defaults: {{profile: p, regions: [eu-west-1]}}
accounts:
  - account: "{PROD}"
"""
    document = fleet_policies(load_fleet(write(text)), deep=False)
    assert list(document) == ["identities"]
    assert list(document["identities"]) == ["profile:p"]


def test_hops_shared_by_chains_and_roles_that_are_both_hop_and_audited() -> None:
    """The hop account is audited too, through its hop role; two chains share that hop."""
    text = f"""\
defaults:
  role: [{HOP}, "arn:aws:iam::{{account}}:role/audit"]
  regions: [us-east-1]
accounts:
  - account: "{PROD}"
  - account: "{LAB}"
  - account: "{HOPS}"
    role: {HOP}
  - account: "{EDGE}"
    role: arn:aws:iam::{EDGE}:role/audit
"""
    document = fleet_policies(load_fleet(write(text)), deep=False)
    assert document["caller"] == policy(
        allow(
            "OtaDriftAssumeFirstHop", ["sts:AssumeRole"], [f"arn:aws:iam::{EDGE}:role/audit", HOP]
        )
    )
    hop = document["identities"][HOP]["Statement"]
    assert hop[0] == allow("OtaDriftAssumeNextHop", ["sts:AssumeRole"], [PROD_AUDIT, LAB_AUDIT])
    assert [s["Sid"] for s in hop] == [
        "OtaDriftAssumeNextHop",
        "OtaDriftListUpdates",
        "OtaDriftReadUpdates",
    ]
    assert hop[2]["Resource"] == [f"arn:aws:iot:us-east-1:{HOPS}:otaupdate/*"]
    assert sorted(document["identities"]) == sorted(
        [HOP, PROD_AUDIT, LAB_AUDIT, f"arn:aws:iam::{EDGE}:role/audit"]
    )


def test_the_partition_of_the_regions_names_the_resources() -> None:
    text = f"""\
accounts:
  - account: "{PROD}"
    role: arn:aws-cn:iam::{PROD}:role/audit
    regions: [cn-north-1]
  - account: "{LAB}"
    role: arn:aws-cn:iam::{LAB}:role/audit
    regions: all
"""
    identities = fleet_policies(load_fleet(write(text)), deep=False)["identities"]
    prod = identities[f"arn:aws-cn:iam::{PROD}:role/audit"]["Statement"]
    assert prod[1]["Resource"] == [f"arn:aws-cn:iot:cn-north-1:{PROD}:otaupdate/*"]
    lab = identities[f"arn:aws-cn:iam::{LAB}:role/audit"]["Statement"]
    assert lab[1]["Resource"] == [f"arn:aws-cn:iot:*:{LAB}:otaupdate/*"]
    assert lab[2]["Resource"] == [f"arn:aws-cn:account::{LAB}:account"]


def test_a_policy_over_iams_size_limit_is_noted(capsys: pytest.CaptureFixture[str]) -> None:
    accounts = "".join(f'  - account: "{n:012d}"\n' for n in range(1, 301))
    defaults = "defaults:\n  role: arn:aws:iam::{account}:role/audit\n  regions: all\n"
    text = f"{defaults}accounts:\n{accounts}"
    code, out, err = run(capsys, "iam-policy", "--fleet", write(text))
    assert code == 0
    size = len(json.dumps(json.loads(out)["caller"], separators=(",", ":")))
    assert err == (
        f"note: the policy of caller is {size:,} characters: more than the 6,144 of an IAM "
        "managed policy (an inline role policy may have 10,240); split its Resource lists over "
        "several policies\n"
    )


def test_a_bad_fleet_file_is_file_line_and_prints_no_policy(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "iam-policy", "--fleet", write("accounts:\n  - account: 12\n"))
    assert (code, out) == (2, "")
    assert err.startswith("fleet.yaml:2: write the account ID as a quoted string")


# --- what a fleet run calls is what the policies grant ---------------------------------------


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalCloud]:
    """FLEET's accounts, every role trusting only the identity the chain assumes it from, one
    update in each partition."""
    with LocalCloud(base_account=BASE) as local:
        for name, value in local.env().items():
            monkeypatch.setenv(name, value)
        local.add_role(PROD_AUDIT, trusts=[BASE_USER])
        local.add_role(HOP, trusts=[BASE_USER])
        local.add_role(LAB_AUDIT, trusts=[HOP])
        local.add_user(EDGE, "edge-key", "edge-secret", name="edge")
        local.set_regions(LAB, LAB_REGIONS)
        partitions = [(PROD, "eu-west-1"), (PROD, "us-east-1"), (EDGE, "eu-west-1")]
        for account, region in [*partitions, *((LAB, r) for r in LAB_REGIONS)]:
            local.iot(account, region).put(
                live_info(f"fw-{region}"), abort=ABORT, timeout=60, tags={"team": "fw"}
            )
        yield local
        assert local.internal_errors == []
        assert local.validation_errors == []


def who(call: CloudCall) -> str:
    """The key of the policy that governs a call: caller, a role ARN, or profile:edge."""
    principal = call.principal or ""
    if principal == BASE_USER:
        return "caller"
    if principal == f"arn:aws:iam::{EDGE}:user/edge":
        return "profile:edge"
    account, _, rest = principal.removeprefix("arn:aws:sts::").partition(":assumed-role/")
    assert rest, f"a call by an unexpected principal: {principal}"
    return f"arn:aws:iam::{account}:role/{rest.split('/')[0]}"


def granted(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Each identity's statements, the caller's among them."""
    statements = {k: v["Statement"] for k, v in document["identities"].items()}
    return {"caller": document["caller"]["Statement"], **statements}


def resource_of(call: CloudCall) -> str | None:
    """The ARN IAM would authorise an IoT call on, where it has one."""
    prefix = f"arn:aws:iot:{call.region}:{call.account}"
    if call.operation in ("GetOTAUpdate", "ListTagsForResource"):
        return f"{prefix}:otaupdate/{call.ota_update_id}"
    if call.operation == "DescribeJob":
        return f"{prefix}:job/AFR_OTA-{call.ota_update_id}"
    return None


def allows(statements: list[dict[str, Any]], call: CloudCall) -> bool:
    """Whether a statement grants the call's action, on its resource, in its region."""
    resource = resource_of(call)
    for statement in statements:
        if call.action not in statement["Action"]:
            continue
        resources = statement["Resource"]
        patterns = [resources] if isinstance(resources, str) else resources
        if resource is not None and not any(fnmatchcase(resource, p) for p in patterns):
            continue
        region = statement.get("Condition", {}).get("StringEquals", {}).get("aws:RequestedRegion")
        if region is None or call.region in region:
            return True
    return False


@pytest.mark.parametrize("deep", [False, True], ids=["check", "check --deep"])
def test_each_identity_calls_exactly_what_its_policy_grants(
    capsys: pytest.CaptureFixture[str], cloud: LocalCloud, deep: bool
) -> None:
    """Run twice: with account:ListRegions allowed, and denied (regions.py then falls back to
    ec2:DescribeRegions). Together the runs call, per identity, exactly the policy's actions,
    each on a resource and in a region the policy allows; the roles assumed are exactly the
    AssumeRole resources, each once per run, and no AssumeRole is refused."""
    fleet = write(FLEET)
    options = ["--deep"] if deep else []
    _, out, _ = run(capsys, "iam-policy", "--fleet", fleet, *options)
    statements = granted(json.loads(out))
    called: dict[str, set[str]] = defaultdict(set)
    for denied in (False, True):
        cloud.clear_calls()
        if denied:
            cloud.deny(LAB, "account:ListRegions")
        code, _, err = run(capsys, "check", "--fleet", fleet, "--max-rps", "500", *options)
        assert code == 1, err  # updates nobody declared: findings, and every partition read
        assert err == ""
        calls = list(cloud.calls)
        for call in calls:
            called[who(call)].add(call.action)
            assert allows(statements[who(call)], call), call
        errors = [c for c in calls if c.error is not None]
        assert [(c.action, c.error) for c in errors] == (
            [("account:ListRegions", "AccessDeniedException")] if denied else []
        )
        # each role trusts only the identity before it, and no AssumeRole was refused: the
        # roles with a session are exactly the roles listed, each assumed once by its lister
        listed = {
            key: [r for t in value if "sts:AssumeRole" in t["Action"] for r in t["Resource"]]
            for key, value in statements.items()
        }
        assumed = {who(c) for c in calls if c.principal and ":assumed-role/" in c.principal}
        assert assumed == {r for roles in listed.values() for r in roles}
        assert assumed == {PROD_AUDIT, HOP, LAB_AUDIT}
        assert Counter(who(c) for c in calls if c.operation == "AssumeRole") == {
            key: len(roles) for key, roles in listed.items() if roles
        }
        read = {(c.account, c.region) for c in calls if c.operation == "ListOTAUpdates"}
        assert read == {(PROD, "eu-west-1"), (PROD, "us-east-1"), (EDGE, "eu-west-1")} | {
            (LAB, r) for r in LAB_REGIONS
        }
    assert called == {
        key: {a for s in value for a in s["Action"]} for key, value in statements.items()
    }
