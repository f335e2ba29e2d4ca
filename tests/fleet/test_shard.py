"""`--shard K/N`: which units of a fleet one CI job audits, and the digest that says which
fleet a report is part of."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import checker.cli
from checker.cli import main
from checker.errors import UsageError
from checker.fleet.file import load_fleet
from checker.fleet.shard import (
    MAX_SHARDS,
    WHOLE,
    Shard,
    fleet_digest,
    parse_shard,
    shard_units,
    units,
)
from checker.model import Partition
from tests.support.offline_aws import offline_aws

FLEET = """\
defaults:
  role: arn:aws:iam::{account}:role/audit
  regions: [eu-west-1, us-east-1]
accounts:
  - account: "111122223333"
    name: prod
  - account: "444455556666"
    regions: all
  - account: "777788889999"
    regions: [us-east-1, eu-west-1, ap-northeast-1]
"""
UNITS = (
    Partition("111122223333", "eu-west-1"),
    Partition("111122223333", "us-east-1"),
    Partition("444455556666", "all"),
    Partition("777788889999", "ap-northeast-1"),
    Partition("777788889999", "eu-west-1"),
    Partition("777788889999", "us-east-1"),
)
"""FLEET's units, sorted."""


# --- parsing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shard"),
    [
        ("1/1", Shard(1, 1)),
        ("2/4", Shard(2, 4)),
        ("4/4", Shard(4, 4)),
        (" 3 / 7 ", Shard(3, 7)),
        ("01/04", Shard(1, 4)),
        ("1000/1000", Shard(1000, 1000)),
    ],
)
def test_good_shards_parse(text: str, shard: Shard) -> None:
    assert parse_shard(text) == shard
    assert str(parse_shard(text)) == f"{shard.index}/{shard.count}"


@pytest.mark.parametrize(
    "text",
    ["0/4", "5/4", "a/b", "1/0", "0/0", "1/1001", "", "4", "1/", "/4", "1/2/3", "-1/4", "1.0/4",
     "+1/4", "\uff11/\uff14", "1 of 4"],
)  # fmt: skip
def test_bad_shards_are_refused_with_the_rule(text: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_shard(text)
    assert str(raised.value) == (
        f"--shard must be K/N with 1 <= K <= N <= {MAX_SHARDS} (e.g. 2/4), not {text!r}"
    )


def test_the_whole_fleet_is_shard_1_of_1() -> None:
    assert Shard(1, 1) == WHOLE
    assert shard_units(UNITS, WHOLE) == UNITS


# --- through the CLI ---------------------------------------------------------------------------


@pytest.fixture
def cli(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """A fleet file, no AWS, and a fleet run that records the shard it was given, then stops
    (a usage error, exit 2) before anything is read."""
    offline_aws(monkeypatch, in_tmp, region="eu-west-1")
    (in_tmp / "fleet.yaml").write_text(FLEET, encoding="utf-8")
    shards: list[Any] = []

    def recorded(*args: Any, shard: Shard, **kwargs: Any) -> None:
        shards.append(shard)
        raise UsageError("stopped before AWS")

    monkeypatch.setattr(checker.cli, "FleetRun", recorded)
    return shards


@pytest.mark.parametrize("text", ["0/4", "5/4", "a/b"])
def test_the_cli_refuses_a_bad_shard_as_a_usage_error(
    text: str, cli: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["check", "--fleet", "fleet.yaml", "--shard", text])
    assert raised.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "ota-drift check: error: argument --shard: must be K/N with 1 <= K <= N <= 1000 "
        f"(e.g. 2/4), not {text!r}\n"
    )
    assert cli == []


def test_the_cli_hands_the_shard_to_the_fleet_run(
    cli: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--fleet", "fleet.yaml", "--shard", "2/4"]) == 2
    assert main(["check", "--fleet", "fleet.yaml"]) == 2
    assert cli == [Shard(2, 4), WHOLE]
    assert capsys.readouterr().err == "ota-drift: error: stopped before AWS\n" * 2


def test_the_cli_refuses_a_shard_without_a_fleet(
    cli: list[Any], in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "ota").mkdir()
    assert main(["check", "ota", "--state", "snapshot.json", "--shard", "1/2"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "ota-drift: error: --shard divides a fleet: it needs --fleet FILE\n"
    assert cli == []


# --- units and shards --------------------------------------------------------------------------


def test_units_are_the_listed_partitions_and_one_per_account_of_all_regions(
    tmp_path: Path,
) -> None:
    (tmp_path / "fleet.yaml").write_text(FLEET, encoding="utf-8")
    assert units(load_fleet(str(tmp_path / "fleet.yaml"))) == UNITS


def test_the_assignment_is_pinned() -> None:
    """A change to the hash or the dealing moves units between shards, and shards of one fleet
    run by two versions would no longer make one whole: it must be deliberate."""
    shown = {
        count: [[str(u) for u in shard_units(UNITS, Shard(k, count))] for k in range(1, count + 1)]
        for count in (2, 3, 4)
    }
    assert shown == {
        2: [
            ["111122223333/eu-west-1", "111122223333/us-east-1", "777788889999/eu-west-1"],
            ["444455556666/all", "777788889999/ap-northeast-1", "777788889999/us-east-1"],
        ],
        3: [
            ["111122223333/eu-west-1", "777788889999/ap-northeast-1"],
            ["111122223333/us-east-1", "777788889999/us-east-1"],
            ["444455556666/all", "777788889999/eu-west-1"],
        ],
        4: [
            ["111122223333/eu-west-1", "111122223333/us-east-1"],
            ["444455556666/all", "777788889999/us-east-1"],
            ["777788889999/eu-west-1"],
            ["777788889999/ap-northeast-1"],
        ],
    }


def test_the_digest_is_pinned() -> None:
    """The sha256 of the sorted `account/region` lines, as reports record it."""
    text = "".join(f"{u.account}/{u.region}\n" for u in UNITS)
    expected = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    assert fleet_digest(UNITS) == expected
    assert expected == "sha256:0372a5bb92aa0b5a424312e8b6d41245106428536ec7e8552a8e94d688c5cf8f"


def test_the_digest_depends_on_the_unit_list_only(tmp_path: Path) -> None:
    """Not on the order of the file, names, roles, declarations or the order of regions."""
    (tmp_path / "ota").mkdir()
    other = """\
defaults:
  profile: audit
accounts:
  - account: "777788889999"
    regions: [ap-northeast-1, eu-west-1, us-east-1]
    declared: [ota]
  - account: "444455556666"
    name: lab
    regions: all
  - account: "111122223333"
    role: arn:aws:iam::111122223333:role/other
    regions: [us-east-1, eu-west-1]
"""
    paths = []
    for name, text in (("a.yaml", FLEET), ("b.yaml", other)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(str(tmp_path / name))
    first, second = (units(load_fleet(p)) for p in paths)
    assert first == second == UNITS
    assert fleet_digest(first) == fleet_digest(second) == fleet_digest(list(reversed(UNITS)))
    assert fleet_digest(UNITS[:-1]) != fleet_digest(UNITS)
    moved = (*UNITS[:-1], Partition("777788889999", "eu-central-1"))
    assert fleet_digest(moved) != fleet_digest(UNITS)


ACCOUNTS = st.sampled_from(
    ["111122223333", "444455556666", "777788889999", "000000000001", "999999999999"]
)
REGIONS = st.sampled_from(["eu-west-1", "us-east-1", "ap-northeast-1", "sa-east-1", "all"])
FLEETS = st.lists(st.builds(Partition, ACCOUNTS, REGIONS), unique=True, max_size=25)


@settings(max_examples=60, deadline=None)
@given(fleet=FLEETS, count=st.integers(1, 30), data=st.data())
def test_the_shards_partition_the_fleet_exactly_once(
    fleet: list[Partition], count: int, data: st.DataObject
) -> None:
    shards = [shard_units(fleet, Shard(k, count)) for k in range(1, count + 1)]
    dealt = [unit for shard in shards for unit in shard]
    assert sorted(dealt) == sorted(fleet)  # every unit, and none twice
    sizes = [len(shard) for shard in shards]
    assert max(sizes) - min(sizes) <= 1
    assert all(list(shard) == sorted(shard) for shard in shards)
    # the assignment and the digest do not depend on the order the units come in
    shuffled = data.draw(st.permutations(fleet))
    assert [shard_units(shuffled, Shard(k, count)) for k in range(1, count + 1)] == shards
    assert fleet_digest(shuffled) == fleet_digest(fleet)


@settings(max_examples=40, deadline=None)
@given(fleet=FLEETS, other=FLEETS)
def test_different_unit_lists_have_different_digests(
    fleet: list[Partition], other: list[Partition]
) -> None:
    assert (fleet_digest(fleet) == fleet_digest(other)) == (set(fleet) == set(other))
