"""The fleet file (`check --fleet`): what it means once loaded, and every problem in it as one
`FILE:LINE: message`, all at once, before AWS is called."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import checker.cli
from checker.cli import main
from checker.errors import InputError
from checker.fleet.file import Entry, load_fleet
from checker.model import Location
from tests.support.offline_aws import offline_aws

pytestmark = pytest.mark.usefixtures("in_tmp")

EXAMPLE = """\
defaults:
  role: arn:aws:iam::{account}:role/ota-drift-audit   # {account} is filled in per entry
  sessionName: ota-drift
  regions: [eu-west-1, us-east-1]
accounts:
  - account: "111122223333"
    name: prod
    declared: [ota/prod]
    externalId: ext-1234
  - account: "444455556666"
    name: lab
    regions: all
    role: [arn:aws:iam::999988887777:role/hop, arn:aws:iam::444455556666:role/ota-drift-audit]
    declared: [ota/lab]
"""
"""The issue's example, word for word but for the externalId."""

ROLE = "arn:aws:iam::{account}:role/audit"
HEAD = f"defaults:\n  role: {ROLE}\n  regions: [eu-west-1]\naccounts:\n"
"""Defaults every entry can lean on (4 lines), so that a case shows only what it breaks."""


def write(text: str, name: str = "fleet.yaml") -> str:
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return name


def folders(*names: str) -> None:
    for name in names:
        Path(name).mkdir(parents=True, exist_ok=True)


def problems(text: str) -> list[str]:
    """The problems of a fleet file holding `text`, as the CLI prints them."""
    with pytest.raises(InputError) as raised:
        load_fleet(write(text))
    return [str(p) for p in raised.value.problems]


# --- what a good file means -------------------------------------------------------------------


def test_the_issue_example_loads_with_placeholders_chains_and_all_regions() -> None:
    folders("ota/prod", "ota/lab")
    fleet = load_fleet(write(EXAMPLE))
    assert fleet.file == "fleet.yaml"
    assert fleet.entries == (
        Entry(
            account="111122223333",
            name="prod",
            roles=("arn:aws:iam::111122223333:role/ota-drift-audit",),
            profile=None,
            external_id="ext-1234",
            session_name="ota-drift",
            regions=("eu-west-1", "us-east-1"),
            declared=("ota/prod",),
        ),
        Entry(
            account="444455556666",
            name="lab",
            roles=(
                "arn:aws:iam::999988887777:role/hop",
                "arn:aws:iam::444455556666:role/ota-drift-audit",
            ),
            profile=None,
            external_id=None,
            session_name="ota-drift",
            regions=None,
            declared=("ota/lab",),
        ),
    )
    assert [e.location for e in fleet.entries] == [
        Location("fleet.yaml", 6),
        Location("fleet.yaml", 10),
    ]
    assert fleet.entry("444455556666").label == "lab (444455556666)"


def test_a_profile_replaces_the_role_and_the_session_name_has_a_default() -> None:
    text = "defaults:\n  profile: audit\n  regions: [eu-west-1]\naccounts:\n"
    fleet = load_fleet(write(text + "  - account: '111122223333'\n"))
    (entry,) = fleet.entries
    assert (entry.roles, entry.profile, entry.external_id) == ((), "audit", None)
    assert (entry.session_name, entry.name, entry.label) == ("ota-drift", None, "111122223333")
    assert entry.declared == ()


def test_an_entry_overrides_the_defaults_key_by_key() -> None:
    text = (
        "defaults:\n  profile: audit\n  regions: [eu-west-1]\n  sessionName: base\n"
        "accounts:\n  - account: '111122223333'\n    role: arn:aws:iam::111122223333:role/own\n"
        "    regions: [us-east-1, eu-west-1]\n    sessionName: mine\n"
    )
    (entry,) = load_fleet(write(text)).entries
    assert entry.roles == ("arn:aws:iam::111122223333:role/own",)
    assert entry.profile is None
    assert entry.regions == ("us-east-1", "eu-west-1")  # as written: the run sorts partitions
    assert entry.session_name == "mine"


def test_declared_per_region_narrows_paths_to_one_region() -> None:
    folders("ota/prod", "ota/prod-eu")
    text = HEAD + (
        "  - account: '111122223333'\n    regions: [eu-west-1, us-east-1]\n"
        "    declared:\n      eu-west-1: [ota/prod-eu]\n      us-east-1: [ota/prod]\n"
        "  - account: '444455556666'\n    regions: all\n"
        "    declared:\n      ap-northeast-1: [ota/prod]\n"
    )
    prod, lab = load_fleet(write(text)).entries
    assert prod.declared == ()
    assert prod.declared_by_region == {"eu-west-1": ("ota/prod-eu",), "us-east-1": ("ota/prod",)}
    assert prod.region_lines == {"eu-west-1": 8, "us-east-1": 9}
    assert prod.declared_for("eu-west-1") == ("ota/prod-eu",)
    assert prod.declared_for("us-east-1") == ("ota/prod",)
    assert lab.regions is None  # any IoT region may be named under `regions: all`
    assert lab.declared_by_region == {"ap-northeast-1": ("ota/prod",)}
    assert lab.region_lines == {"ap-northeast-1": 13}
    assert lab.declared_for("eu-west-1") == ()


def test_declared_paths_are_relative_to_the_fleet_files_folder(tmp_path: Path) -> None:
    folders("conf/ota/prod", "common", "elsewhere")
    absolute = str(tmp_path / "elsewhere")
    text = HEAD + (
        f"  - account: '111122223333'\n    declared: [ota/prod, ../common, '{absolute}']\n"
        "  - account: '444455556666'\n    declared:\n      eu-west-1: [./ota/prod/]\n"
    )
    prod, lab = load_fleet(write(text, "conf/fleet.yaml")).entries
    assert prod.declared == ("conf/ota/prod", "common", "elsewhere")  # as reports show them
    assert lab.declared_by_region == {"eu-west-1": ("conf/ota/prod",)}


def test_a_path_relative_to_the_current_folder_only_is_refused() -> None:
    folders("ota/prod", "conf")
    text = HEAD + "  - account: '111122223333'\n    declared: [ota/prod]\n"
    with pytest.raises(InputError) as raised:
        load_fleet(write(text, "conf/fleet.yaml"))
    assert [str(p) for p in raised.value.problems] == [
        "conf/fleet.yaml:6: declared path 'ota/prod' does not exist "
        "(paths are relative to the fleet file's folder)"
    ]


# --- every problem, at its line ----------------------------------------------------------------

CASES: dict[str, tuple[str, list[str]]] = {
    "not a mapping": (
        "- account: '111122223333'\n",
        ["fleet.yaml:1: a fleet file is a mapping with `accounts` (and optional `defaults`)"],
    ),
    "empty file": (
        "",
        ["fleet.yaml:1: a fleet file is a mapping with `accounts` (and optional `defaults`)"],
    ),
    "unknown keys, with did-you-mean": (
        f"defaults:\n  role: {ROLE}\n  regoins: [eu-west-1]\n  declared: [ota]\n"
        "acount: 1\naccounts:\n  - account: '111122223333'\n    regions: [eu-west-1]\n"
        "    nmae: x\n    tags: {}\n",
        [
            "fleet.yaml:3: unknown key 'regoins'; did you mean 'regions'?",
            "fleet.yaml:4: unknown key 'declared'; `defaults` takes role, profile, externalId, "
            "sessionName, regions",
            "fleet.yaml:5: unknown key 'acount'; did you mean 'accounts'?",
            "fleet.yaml:9: unknown key 'nmae'; did you mean 'name'?",
            "fleet.yaml:10: unknown key 'tags'; an account entry takes account, name, role, "
            "profile, externalId, sessionName, regions, declared",
        ],
    ),
    "defaults not a mapping": (
        "defaults: [eu-west-1]\naccounts:\n  - account: '111122223333'\n    profile: p\n"
        "    regions: [eu-west-1]\n",
        ["fleet.yaml:1: `defaults` must be a mapping"],
    ),
    "no accounts": (
        "defaults:\n  regions: [eu-west-1]\n",
        ["fleet.yaml:1: `accounts` must be a list of one or more accounts"],
    ),
    "empty accounts": (
        "defaults:\n  regions: [eu-west-1]\naccounts: []\n",
        ["fleet.yaml:3: `accounts` must be a list of one or more accounts"],
    ),
    "accounts not a list": (
        "accounts:\n  account: '111122223333'\n",
        ["fleet.yaml:1: `accounts` must be a list of one or more accounts"],
    ),
    "unquoted account, a number": (
        HEAD + "  - account: 111122223333\n",
        [
            'fleet.yaml:5: write the account ID as a quoted string ("111122223333"): YAML '
            "reads 111122223333 as a number, and drops leading zeros"
        ],
    ),
    "unquoted account, leading zeros dropped": (
        HEAD + "  - account: 11112222\n",
        [
            'fleet.yaml:5: write the account ID as a quoted string ("000011112222"): YAML '
            "reads 11112222 as a number, and drops leading zeros"
        ],
    ),
    "unquoted account, an octal number": (
        HEAD + "  - account: 011122223333\n",
        [
            "fleet.yaml:5: 011122223333 is an octal number in YAML 1.1 (read as 1229530843): "
            'write 11122223333 if that is the number, or quote it ("011122223333") if it is text'
        ],
    ),
    "bad account ids and entries": (
        HEAD + "  - account: '1234'\n  - account: '11112222333x'\n  - account: true\n"
        "  - name: nameless\n  - just-a-string\n",
        [
            "fleet.yaml:5: `account` must be a 12-digit account ID, not '1234'",
            "fleet.yaml:6: `account` must be a 12-digit account ID, not '11112222333x'",
            "fleet.yaml:7: `account` must be a 12-digit account ID, not True",
            "fleet.yaml:8: an account entry needs `account`, the 12-digit account ID",
            "fleet.yaml:9: an account entry must be a mapping with `account`",
        ],
    ),
    "duplicate account and name": (
        HEAD + "  - account: '111122223333'\n    name: a\n  - account: '444455556666'\n"
        "    name: a\n  - account: '111122223333'\n    name: c\n"
        "  - account: '777788889999'\n    name: ''\n",
        [
            "fleet.yaml:8: name 'a' is used twice (first at line 5)",
            "fleet.yaml:9: account 111122223333 is listed twice (first at line 5): give it one "
            "entry with all its regions",
            "fleet.yaml:12: `name` must be a non-empty string",
        ],
    ),
    "role and profile both, and neither": (
        "defaults:\n  regions: [eu-west-1]\naccounts:\n  - account: '111122223333'\n"
        "    role: arn:aws:iam::111122223333:role/r\n    profile: p\n"
        "  - account: '444455556666'\n  - account: '777788889999'\n    profile: ''\n",
        [
            "fleet.yaml:6: give `role` or `profile`, not both",
            "fleet.yaml:7: account 444455556666 has no `role` or `profile` (here or in `defaults`)",
            "fleet.yaml:9: `profile` must be a non-empty string",
        ],
    ),
    "role and profile both in defaults": (
        "defaults:\n  role: arn:aws:iam::{account}:role/r\n  profile: p\n  regions: [eu-west-1]\n"
        "accounts:\n  - account: '111122223333'\n  - account: '444455556666'\n",
        ["fleet.yaml:3: give `role` or `profile`, not both"],  # said once, not per entry
    ),
    "bad role ARNs": (
        "defaults:\n  regions: [eu-west-1]\naccounts:\n"
        "  - account: '111122223333'\n    role: arn:aws:iam::1111:role/r\n"
        "  - account: '444455556666'\n    role: arn:aws:iam::444455556666:user/u\n"
        "  - account: '777788889999'\n    role:\n      - arn:aws:iam::{account}:role/a\n"
        "      - 42\n"
        "  - account: '777788889990'\n    role: arn:aws:iam::777788889990:role/r\u00e9\n"
        "  - account: '777788889991'\n    role: []\n",
        [
            "fleet.yaml:5: 'arn:aws:iam::1111:role/r' is not an IAM role ARN "
            "(arn:aws:iam::<12 digits>:role/<name>)",
            "fleet.yaml:7: 'arn:aws:iam::444455556666:user/u' is not an IAM role ARN "
            "(arn:aws:iam::<12 digits>:role/<name>)",
            "fleet.yaml:11: a role must be an IAM role ARN, not 42",
            "fleet.yaml:13: 'arn:aws:iam::777788889990:role/r\u00e9' is not an IAM role ARN "
            "(arn:aws:iam::<12 digits>:role/<name>)",
            "fleet.yaml:15: `role` must be a role ARN or a list of 1 to 10 of them (a chain)",
        ],
    ),
    "unknown placeholder": (
        "defaults:\n  role: arn:aws:iam::{acount}:role/r\n  regions: [eu-west-1]\naccounts:\n"
        "  - account: '111122223333'\n  - account: '444455556666'\n"
        "  - account: '777788889999'\n    role:\n      - arn:aws:iam::{account}:role/a\n"
        "      - arn:aws:iam::{region}:role/b\n",
        [
            "fleet.yaml:2: unknown placeholder {acount} in 'arn:aws:iam::{acount}:role/r': "
            "only {account} is filled in",
            "fleet.yaml:10: unknown placeholder {region} in 'arn:aws:iam::{region}:role/b': "
            "only {account} is filled in",
        ],
    ),
    "last hop in another account": (
        "defaults:\n  regions: [eu-west-1]\naccounts:\n"
        "  - account: '111122223333'\n    role: arn:aws:iam::444455556666:role/r\n"
        "  - account: '777788889999'\n    role:\n      - arn:aws:iam::{account}:role/hop\n"
        "      - arn:aws:iam::111122223333:role/audit\n",
        [
            "fleet.yaml:5: the last role 'arn:aws:iam::444455556666:role/r' is in account "
            "444455556666, not 111122223333: the audit would read another account than the "
            "entry names",
            "fleet.yaml:9: the last role 'arn:aws:iam::111122223333:role/audit' is in account "
            "111122223333, not 777788889999: the audit would read another account than the "
            "entry names",
        ],
    ),
    "too many hops": (
        "defaults:\n  regions: [eu-west-1]\naccounts:\n  - account: '111122223333'\n    role:\n"
        + "".join(f"      - arn:aws:iam::{{account}}:role/hop{i}\n" for i in range(11)),
        ["fleet.yaml:5: `role` must be a role ARN or a list of 1 to 10 of them (a chain)"],
    ),
    "bad externalId and sessionName": (
        HEAD + "  - account: '111122223333'\n    externalId: x\n    sessionName: has space\n"
        "  - account: '444455556666'\n    externalId: 12345\n    sessionName: s\u00e9ance\n",
        [
            "fleet.yaml:6: `externalId` must be 2-1224 of letters, digits and +=,.@:/-, not 'x'",
            "fleet.yaml:7: `sessionName` must be 2-64 of letters, digits and +=,.@-, "
            "not 'has space'",
            "fleet.yaml:9: `externalId` must be 2-1224 of letters, digits and +=,.@:/-, not 12345",
            "fleet.yaml:10: `sessionName` must be 2-64 of letters, digits and +=,.@-, "
            "not 's\u00e9ance'",
        ],
    ),
    "externalId checked even when the role is wrong": (
        HEAD + "  - account: '111122223333'\n    role: arn:aws:iam::1:role/r\n    externalId: x\n",
        [
            "fleet.yaml:6: 'arn:aws:iam::1:role/r' is not an IAM role ARN "
            "(arn:aws:iam::<12 digits>:role/<name>)",
            "fleet.yaml:7: `externalId` must be 2-1224 of letters, digits and +=,.@:/-, not 'x'",
        ],
    ),
    "externalId with a profile": (
        HEAD + "  - account: '111122223333'\n    profile: audit\n    externalId: abc-123\n",
        ["fleet.yaml:7: `externalId` is for assuming a `role`, not with a `profile`"],
    ),
    "unknown and duplicate regions": (
        f"defaults:\n  role: {ROLE}\naccounts:\n"
        "  - account: '111122223333'\n    regions: [eu-west-1, eu-wset-1, eu-west-1, 7]\n",
        [
            "fleet.yaml:5: 'eu-wset-1' is not a region AWS IoT is in; did you mean 'eu-west-1'?",
            "fleet.yaml:5: region eu-west-1 is listed twice",
            "fleet.yaml:5: 7 is not a region AWS IoT is in",
        ],
    ),
    "a bad region in defaults is said once": (
        f"defaults:\n  role: {ROLE}\n  regions:\n    - eu-west-1\n    - mars-1\naccounts:\n"
        "  - account: '111122223333'\n  - account: '444455556666'\n"
        "  - account: '777788889999'\n",
        ["fleet.yaml:5: 'mars-1' is not a region AWS IoT is in"],
    ),
    "no regions": (
        f"defaults:\n  role: {ROLE}\naccounts:\n  - account: '111122223333'\n"
        "  - account: '444455556666'\n    regions: []\n  - account: '777788889999'\n"
        "    regions: All\n",
        [
            "fleet.yaml:4: no `regions` (here or in `defaults`): list them, or write "
            "`regions: all`",
            "fleet.yaml:6: `regions` must be a list of regions, or `all`",
            "fleet.yaml:8: `regions` must be a list of regions, or `all`",
        ],
    ),
    "declared region not among the entry's regions": (
        HEAD + "  - account: '111122223333'\n    declared:\n      us-east-1: [ota]\n"
        "  - account: '444455556666'\n    regions: all\n    declared:\n      eu-wst-1: [ota]\n",
        [
            "fleet.yaml:7: region 'us-east-1' is not one of this account's regions (eu-west-1)",
            "fleet.yaml:11: 'eu-wst-1' is not a region AWS IoT is in; did you mean 'eu-west-1'?",
        ],
    ),
    "declared path missing or empty": (
        HEAD + "  - account: '111122223333'\n    declared:\n      - ota\n      - nowhere\n"
        "      - ''\n      - 3\n",
        [
            "fleet.yaml:8: declared path 'nowhere' does not exist (paths are relative to the "
            "fleet file's folder)",
            "fleet.yaml:9: a declared path must be a non-empty string, not ''",
            "fleet.yaml:10: a declared path must be a non-empty string, not 3",
        ],
    ),
    "declared neither list nor mapping": (
        HEAD + "  - account: '111122223333'\n    declared: ota\n"
        "  - account: '444455556666'\n    declared:\n      eu-west-1: ota\n",
        [
            "fleet.yaml:6: `declared` must be a list of paths, or a mapping of region to paths",
            "fleet.yaml:9: the paths declared for eu-west-1 must be a list",
        ],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_each_problem_is_one_line_at_its_line(case: str) -> None:
    folders("ota")
    text, expected = CASES[case]
    assert problems(text) == expected


def test_every_problem_of_the_file_comes_at_once() -> None:
    folders("ota")
    text = (
        "defaults:\n  role: arn:aws:iam::{account}:role/r\n  regions: [eu-west-1]\n"
        "  colour: red\naccounts:\n"
        "  - account: 111122223333\n"
        "  - account: '444455556666'\n    regions: [mars-1]\n"
        "  - account: '777788889999'\n    declared: [nowhere]\n    externalId: x\n"
    )
    assert problems(text) == [
        "fleet.yaml:4: unknown key 'colour'; `defaults` takes role, profile, externalId, "
        "sessionName, regions",
        'fleet.yaml:6: write the account ID as a quoted string ("111122223333"): YAML reads '
        "111122223333 as a number, and drops leading zeros",
        "fleet.yaml:8: 'mars-1' is not a region AWS IoT is in",
        "fleet.yaml:10: declared path 'nowhere' does not exist (paths are relative to the "
        "fleet file's folder)",
        "fleet.yaml:11: `externalId` must be 2-1224 of letters, digits and +=,.@:/-, not 'x'",
    ]


def test_a_yaml_syntax_error_is_one_line() -> None:
    assert problems("accounts:\n  - account: '111122223333\n") == [
        "fleet.yaml:3: YAML syntax error: found unexpected end of stream"
    ]


def test_a_missing_fleet_file_is_one_line() -> None:
    with pytest.raises(InputError) as raised:
        load_fleet("absent.yaml")
    (problem,) = raised.value.problems
    assert (problem.file, problem.line) == ("absent.yaml", None)


# --- through the CLI ---------------------------------------------------------------------------


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch, in_tmp: Path) -> None:
    """Offline, and a fleet run that fails the test if it is ever started."""
    offline_aws(monkeypatch, in_tmp, region="eu-west-1")

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("AWS was about to be called")

    monkeypatch.setattr(checker.cli, "FleetRun", never)


@pytest.mark.usefixtures("no_aws")
@pytest.mark.parametrize(
    "case",
    ["unknown keys, with did-you-mean", "bad role ARNs", "declared path missing or empty"],
)
def test_the_cli_prints_exactly_the_problems_and_exits_2(
    case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folders("ota")
    text, expected = CASES[case]
    write(text)
    assert main(["check", "--fleet", "fleet.yaml"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "".join(f"{line}\n" for line in expected)


@pytest.mark.usefixtures("no_aws")
def test_the_cli_reports_a_missing_fleet_file_without_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", "--fleet", "absent.yaml", "--format", "json"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("absent.yaml: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err
