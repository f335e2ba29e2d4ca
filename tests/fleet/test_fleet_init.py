"""`ota-drift fleet init --organization`: a fleet file from AWS Organizations' ListAccounts,
against LocalCloud (real botocore, paged answers) and, for answers LocalCloud never gives,
botocore's Stubber or a client that answers what a test says."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from checker.cli import main
from checker.errors import UsageError
from checker.fleet import organization
from checker.fleet.file import load_fleet
from checker.fleet.organization import OrgAccount, fleet_text, list_accounts, unique_names
from tests.support.cloud_endpoint import LocalCloud
from tests.support.offline_aws import offline_aws

BASE = "000000000000"
"""LocalCloud's management account, whose user the base credentials are."""
PROD = {"Id": "111111111111", "Name": "prod", "Status": "ACTIVE"}

EXPECTED = """\
# Written by `ota-drift fleet init --organization` from AWS Organizations (ListAccounts): 3 ACTIVE
# account(s). Add to each account's `declared` the paths of its declared OTA updates, relative to
# this file.
# Left out, not ACTIVE (2):
#   444444444444 "old-lab" SUSPENDED
#   555555555555 "closing\\nsoon" PENDING_CLOSURE
defaults:
  role: 'arn:aws:iam::{account}:role/ota-drift-audit'
  regions: all
accounts:
  - account: '000000000000'
    name: management
    declared: []
  - account: '111111111111'
    name: prod
    declared: []
  - account: '333333333333'
    name: lab
    declared: []
"""


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, in_tmp: Path) -> None:
    """LocalCloud's base key as the caller's credentials; nothing of the machine's AWS."""
    offline_aws(monkeypatch, in_tmp, region="eu-west-1", key_id="base-key", secret="base-secret")


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalCloud]:
    """An organisation of five accounts (two not ACTIVE), listed two a page."""
    with LocalCloud() as local:
        for name, value in local.env().items():
            monkeypatch.setenv(name, value)
        local.add_organization_account("111111111111", "prod")
        local.add_organization_account("333333333333", "lab")
        local.add_organization_account("444444444444", "old-lab", status="SUSPENDED")
        local.add_organization_account(BASE, "management")
        local.add_organization_account("555555555555", "closing\nsoon", status="PENDING_CLOSURE")
        yield local
        assert local.internal_errors == []
        assert local.validation_errors == []


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def init(*extra: str) -> list[str]:
    return ["fleet", "init", "--organization", "--role-name", "ota-drift-audit", *extra]


def list_calls(cloud: LocalCloud) -> list[str]:
    return [c.action for c in cloud.calls]


# --- the file written -------------------------------------------------------------------


def test_writes_every_active_account_to_stdout_and_notes_the_others(
    capsys: pytest.CaptureFixture[str], cloud: LocalCloud
) -> None:
    code, out, err = run(capsys, *init())
    assert code == 0
    assert out == EXPECTED
    assert err == (
        "note: left out 2 account(s) that are not ACTIVE: 444444444444 (old-lab, SUSPENDED), "
        "555555555555 (closing\\nsoon, PENDING_CLOSURE)\n"
    )
    assert list_calls(cloud) == ["organizations:ListAccounts"] * 3  # 5 accounts, 2 a page
    assert {c.principal for c in cloud.calls} == {f"arn:aws:iam::{BASE}:user/ota-drift"}


def test_the_file_written_loads_as_the_organisation(
    capsys: pytest.CaptureFixture[str], cloud: LocalCloud
) -> None:
    code, _, err = run(capsys, *init("-o", "fleet.yaml"))
    assert code == 0
    assert err.endswith("ota-drift: 3 account(s) written to fleet.yaml\n")
    assert Path("fleet.yaml").read_text(encoding="utf-8") == EXPECTED
    fleet = load_fleet("fleet.yaml")
    assert [(e.account, e.name, e.roles, e.regions, e.declared) for e in fleet.entries] == [
        (account, name, (f"arn:aws:iam::{account}:role/ota-drift-audit",), None, ())
        for account, name in [
            (BASE, "management"),
            ("111111111111", "prod"),
            ("333333333333", "lab"),
        ]
    ]


def test_regions_given_become_the_defaults(
    capsys: pytest.CaptureFixture[str], cloud: LocalCloud
) -> None:
    code, out, _ = run(capsys, *init("--regions", "us-east-1", "eu-west-1", "-o", "f.yaml"))
    assert code == 0
    assert "  regions:\n    - us-east-1\n    - eu-west-1\naccounts:\n" in Path("f.yaml").read_text()
    assert {e.regions for e in load_fleet("f.yaml").entries} == {("us-east-1", "eu-west-1")}
    assert out == ""


def test_with_a_profile_the_profiles_credentials_list_the_accounts(
    capsys: pytest.CaptureFixture[str],
    cloud: LocalCloud,
    monkeypatch: pytest.MonkeyPatch,
    in_tmp: Path,
) -> None:
    cloud.add_user(BASE, "admin-key", "admin-secret", name="admin")
    (in_tmp / "credentials").write_text(
        "[org]\naws_access_key_id = admin-key\naws_secret_access_key = admin-secret\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(in_tmp / "credentials"))
    code, out, _ = run(capsys, *init("--profile", "org"))
    assert (code, out) == (0, EXPECTED)
    assert {c.principal for c in cloud.calls} == {f"arn:aws:iam::{BASE}:user/admin"}


def test_an_unknown_profile_is_one_line(
    capsys: pytest.CaptureFixture[str], cloud: LocalCloud
) -> None:
    code, out, err = run(capsys, *init("--profile", "nope"))
    assert (code, out) == (2, "")
    assert err == (
        "ota-drift: error: organizations:ListAccounts: The config profile (nope) could not be "
        "found\n"
    )
    assert cloud.calls == []


def test_names_two_accounts_share_are_made_unique_with_their_ids() -> None:
    accounts = [
        OrgAccount("222222222222", "prod", "ACTIVE"),
        OrgAccount("111111111111", "prod", "ACTIVE"),
        OrgAccount("333333333333", "prod (111111111111)", "ACTIVE"),  # clashes once renamed
        OrgAccount("444444444444", "lab", "ACTIVE"),
        OrgAccount("555555555555", "  ", "ACTIVE"),
    ]
    assert unique_names(accounts) == {
        "222222222222": "prod (222222222222)",
        "111111111111": "prod (111111111111) (111111111111)",
        "333333333333": "prod (111111111111) (333333333333)",
        "444444444444": "lab",
        "555555555555": "",
    }
    text = fleet_text(accounts, "arn:aws:iam::{account}:role/audit", None)
    assert "  - account: '555555555555'\n    declared: []\n" in text  # a blank Name: no name


def test_names_any_characters_and_still_loads() -> None:
    odd = ["a: b # c", "'quoted'", "{account}", "\u2028line\x85break", "yes", "- x", "\x1b[31m"]
    accounts = [OrgAccount(f"1111111111{i:02d}", name, "ACTIVE") for i, name in enumerate(odd)]
    gone = OrgAccount("999999999999", "x\u2028# injected: true", "SUSPENDED")
    text = fleet_text([*accounts, gone], "arn:aws:iam::{account}:role/audit", None)
    assert '#   999999999999 "x\\u2028# injected: true" SUSPENDED\n' in text
    Path("f.yaml").write_text(text, encoding="utf-8")
    assert [e.name for e in load_fleet("f.yaml").entries] == odd


def test_the_aws_partition_of_the_caller_names_the_roles(
    capsys: pytest.CaptureFixture[str], cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "cn-north-1")
    code, out, _ = run(capsys, *init("--regions", "cn-north-1"))
    assert code == 0
    assert "  role: 'arn:aws-cn:iam::{account}:role/ota-drift-audit'\n" in out


# --- refused before AWS is called -------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--role-name", "has/slash"],
            "--role-name must be an IAM role name (1-64 of letters, digits and +=,.@_-), "
            "not 'has/slash'",
        ),
        (
            ["--role-name", "x" * 65],
            "--role-name must be an IAM role name (1-64 of letters, digits and +=,.@_-), "
            f"not {'x' * 65!r}",
        ),
        (["--role-name", "r\u00f4le"], "--role-name must be an IAM role name"),
        (
            ["--regions", "EU-west-1"],
            "--regions: 'EU-west-1' is not a region AWS IoT is in; did you mean 'eu-west-1'?",
        ),
        (["--regions", "all", "eu-west-1"], "--regions takes `all` alone, or a list of regions"),
        (["--regions", "eu-west-1", "eu-west-1"], "--regions: eu-west-1 is given twice"),
        (["-o", "."], "-o .: is a folder"),
    ],
)
def test_bad_options_are_one_line_before_any_call(
    capsys: pytest.CaptureFixture[str], cloud: LocalCloud, extra: list[str], message: str
) -> None:
    code, out, err = run(capsys, *init(*extra))
    assert (code, out) == (2, "")
    assert err.startswith(f"ota-drift: error: {message}")
    assert err.count("\n") == 1
    assert cloud.calls == []


def test_organization_is_required(capsys: pytest.CaptureFixture[str], cloud: LocalCloud) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["fleet", "init", "--role-name", "audit"])
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert err == (
        "ota-drift fleet init: error: the following arguments are required: --organization\n"
    )
    assert cloud.calls == []


def test_an_existing_file_is_kept_without_force(
    capsys: pytest.CaptureFixture[str], cloud: LocalCloud
) -> None:
    Path("fleet.yaml").write_text("mine\n")
    code, out, err = run(capsys, *init("-o", "fleet.yaml"))
    assert (code, out) == (2, "")
    assert err == "ota-drift: error: -o fleet.yaml: exists already; --force replaces it\n"
    assert Path("fleet.yaml").read_text() == "mine\n"
    assert cloud.calls == []
    code, _, _ = run(capsys, *init("-o", "fleet.yaml", "--force"))
    assert code == 0
    assert Path("fleet.yaml").read_text() == EXPECTED


# --- AWS says no --------------------------------------------------------------------------


def test_a_member_account_is_denied_in_one_line(
    capsys: pytest.CaptureFixture[str], cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud.add_user("111111111111", "member-key", "member-secret")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "member-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "member-secret")
    code, out, err = run(capsys, *init("-o", "fleet.yaml"))
    assert (code, out) == (2, "")
    assert err == (
        "ota-drift: error: organizations:ListAccounts was denied (AccessDeniedException): it "
        "needs the organisation's management account or a delegated administrator, allowed "
        "organizations:ListAccounts: You don't have permissions to access this resource.\n"
    )
    assert not Path("fleet.yaml").exists()


def stubbed(monkeypatch: pytest.MonkeyPatch, partition: str = "aws") -> Stubber:
    """The Organizations client fleet init gets, stubbed."""
    client = boto3.client("organizations", region_name="us-east-1")
    stubber = Stubber(client)
    monkeypatch.setattr(organization, "organizations_client", lambda base: (client, partition))
    stubber.activate()
    return stubber


def test_not_in_an_organisation_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stubber = stubbed(monkeypatch)
    stubber.add_client_error(
        "list_accounts",
        "AWSOrganizationsNotInUseException",
        "Your account is not a member of an organization.",
        expected_params={"MaxResults": 20},
    )
    code, out, err = run(capsys, *init())
    assert (code, out) == (2, "")
    assert err == (
        "ota-drift: error: organizations:ListAccounts: the caller's account is not in an "
        "organisation (AWSOrganizationsNotInUseException): Your account is not a member of an "
        "organization.\n"
    )
    stubber.assert_no_pending_responses()


def test_a_denial_on_a_later_page_writes_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stubber = stubbed(monkeypatch)
    stubber.add_response("list_accounts", {"Accounts": [PROD], "NextToken": "t1"})
    stubber.add_client_error("list_accounts", "AccessDeniedException", "no.", http_status_code=400)
    code, out, err = run(capsys, *init("-o", "fleet.yaml"))
    assert (code, out) == (2, "")
    assert err == (
        "ota-drift: error: organizations:ListAccounts was denied (AccessDeniedException): it "
        "needs the organisation's management account or a delegated administrator, allowed "
        "organizations:ListAccounts: no.\n"
    )
    assert not Path("fleet.yaml").exists()
    stubber.assert_no_pending_responses()


def test_no_active_account_writes_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stubber = stubbed(monkeypatch)
    account = {"Id": "111111111111", "Name": "gone", "Status": "SUSPENDED"}
    stubber.add_response("list_accounts", {"Accounts": [account]}, {"MaxResults": 20})
    code, out, err = run(capsys, *init("-o", "fleet.yaml"))
    assert (code, out) == (2, "")
    assert err == (
        "ota-drift: error: the organisation lists no ACTIVE account (1 listed): nothing written\n"
    )
    assert not Path("fleet.yaml").exists()


def test_empty_pages_with_a_next_token_are_followed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stubber = stubbed(monkeypatch)
    stubber.add_response("list_accounts", {"Accounts": [], "NextToken": "t1"}, {"MaxResults": 20})
    stubber.add_response(
        "list_accounts",
        {"Accounts": [{"Id": "111111111111", "Name": "prod", "Status": "ACTIVE"}]},
        {"MaxResults": 20, "NextToken": "t1"},
    )
    code, out, _ = run(capsys, *init())
    assert code == 0
    assert "  - account: '111111111111'\n    name: prod\n" in out
    stubber.assert_no_pending_responses()


# --- every answer checked -----------------------------------------------------------------


class Answers:
    """A client whose ListAccounts answers are the pages given, whatever their shape."""

    def __init__(self, *pages: Any) -> None:
        self.pages = list(pages)

    def list_accounts(self, **arguments: Any) -> Any:
        return self.pages.pop(0)


@pytest.mark.parametrize(
    ("pages", "message"),
    [
        (
            [{"Accounts": [{**PROD, "Id": "1111"}]}],
            "answered a malformed account (page 1, account 1): Id '1111' is not a 12-digit "
            "account ID",
        ),
        (
            [{"Accounts": [{**PROD, "Id": 111111111111}]}],
            "answered a malformed account (page 1, account 1): Id 111111111111 is not a 12-digit",
        ),
        (
            [{"Accounts": [PROD, {"Id": "222222222222", "Status": "ACTIVE"}]}],
            "answered a malformed account (page 1, account 2, 222222222222): Name (missing) is "
            "not a string",
        ),
        (
            [{"Accounts": [{**PROD, "Name": ["prod"]}]}],
            "Name ['prod'] is not a string",
        ),
        (
            [{"Accounts": [{**PROD, "Status": "RETIRED"}]}],
            "Status 'RETIRED' is not one of ACTIVE, PENDING_CLOSURE, SUSPENDED",
        ),
        (
            [{"Accounts": [{"Id": "111111111111", "Name": "prod"}]}],
            "Status (missing) is not one of ACTIVE, PENDING_CLOSURE, SUSPENDED",
        ),
        (
            [{"Accounts": [{**PROD, "State": "GONE"}]}],
            "State 'GONE' is not one of ACTIVE, CLOSED, PENDING_ACTIVATION, PENDING_CLOSURE, "
            "SUSPENDED",
        ),
        ([{"Accounts": [PROD, "x"]}], "answered a malformed account (page 1, account 2): not a"),
        ([{"Accounts": {"Id": "1"}}], "page 1: `Accounts` is not a list"),
        (["nope"], "page 1 is not a mapping"),
        ([{"Accounts": [PROD], "NextToken": 7}], "page 1: `NextToken` is not a string"),
        (
            [{"Accounts": [PROD], "NextToken": "a"}, {"Accounts": [], "NextToken": "a"}],
            "answered a NextToken it had given before (page 2): the listing would never end",
        ),
        (
            [{"Accounts": [PROD], "NextToken": "a"}, {"Accounts": [{**PROD, "Name": "other"}]}],
            "listed account 111111111111 twice, differently ('prod' ACTIVE, then 'other' ACTIVE)",
        ),
    ],
)
def test_a_malformed_answer_is_an_error_naming_what(pages: list[Any], message: str) -> None:
    with pytest.raises(UsageError) as raised:
        list_accounts(Answers(*pages))
    assert str(raised.value).startswith("organizations:ListAccounts ")
    assert message in str(raised.value)


def test_state_wins_over_the_retired_status() -> None:
    accounts = list_accounts(
        Answers(
            {
                "Accounts": [
                    {**PROD, "Id": "222222222222", "State": "PENDING_ACTIVATION"},
                    {**PROD, "Status": "SUSPENDED", "State": "ACTIVE"},
                ],
                "NextToken": "",
            }
        )
    )
    assert accounts == (
        OrgAccount("111111111111", "prod", "ACTIVE"),
        OrgAccount("222222222222", "prod", "PENDING_ACTIVATION"),
    )


def test_the_same_account_on_two_pages_is_listed_once() -> None:
    accounts = list_accounts(Answers({"Accounts": [PROD], "NextToken": "a"}, {"Accounts": [PROD]}))
    assert accounts == (OrgAccount("111111111111", "prod", "ACTIVE"),)


def test_a_malformed_answer_through_the_cli_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = Answers({"Accounts": [{**PROD, "Name": "a\nb", "Id": "12\x1b[3"}]})
    monkeypatch.setattr(organization, "organizations_client", lambda base: (answers, "aws"))
    code, out, err = run(capsys, *init())
    assert (code, out) == (2, "")
    assert err == (
        "ota-drift: error: organizations:ListAccounts answered a malformed account (page 1, "
        "account 1): Id '12\\x1b[3' is not a 12-digit account ID\n"
    )
