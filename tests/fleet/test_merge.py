"""`ota-drift merge`: the shards' JSON reports read back and joined, byte for byte the report
of one run over the whole fleet; and every way shards can fail to make one whole refused.

Shard reports are built without AWS, as the golden fleet report is: the bundled example
audited once per partition (`audit.check(..., partition=...)`), the partitions dealt into
shards by `shard_units` and each shard combined as `FleetRun.run` does.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from checker import audit
from checker.cli import main
from checker.declared import load_declared
from checker.errors import InputError
from checker.fleet.combine import combine
from checker.fleet.merge import merge_reports
from checker.fleet.shard import WHOLE, Shard, fleet_digest, shard_units
from checker.formats import FORMATS, get_format
from checker.formats.json import JsonFormat
from checker.model import (
    AuditedUpdate,
    ChainLink,
    DeclaredUpdate,
    FileChain,
    FleetInfo,
    LiveUpdate,
    Partition,
    PartitionResult,
    Report,
    SkippedUpdate,
    SourceError,
)
from checker.policy.model import Policy, policy_digest
from checker.policy.packs import load_policy
from checker.sources.snapshot import SnapshotSource
from tests.formats.golden import AS_OF, FLEET_PARTITIONS, ROOT, example_report, fleet_example_report

pytestmark = pytest.mark.usefixtures("in_tmp")

PROD_EU = Partition("111122223333", "eu-west-1")
PROD_US = Partition("111122223333", "us-east-1")
LAB = Partition("444455556666", "us-east-1")
EDGE = Partition("777788889999", "ap-northeast-1")
NAMES = {PROD_EU: "prod", PROD_US: "prod", LAB: None, EDGE: "edge"}
DENIED = Partition("999900001111", "eu-west-1")
"""A partition whose listing is denied: its report has an error and no update."""


class _Denied:
    """The state source of a partition that could not be listed."""

    deep = False
    captured_at = None

    def fetch(self) -> Iterator[LiveUpdate | SourceError | SkippedUpdate]:
        yield SourceError(None, "ListOTAUpdates", "AccessDenied", "not authorized")


class _Empty:
    """The state source of a shard with no partition (as `FleetRun.run` audits it)."""

    deep = False
    captured_at = None

    def fetch(self) -> Iterator[LiveUpdate | SourceError | SkippedUpdate]:
        yield from ()


@dataclass(frozen=True)
class Run:
    """The settings of one fleet run: what every shard of it shares."""

    partitions: tuple[Partition, ...]
    as_of: datetime = AS_OF
    packs: tuple[str, ...] = ("examples/policy.yaml",)
    fail_on: str = "low"


@cache
def _inputs(packs: tuple[str, ...]) -> tuple[tuple[DeclaredUpdate, ...], Policy]:
    cwd = Path.cwd()
    os.chdir(ROOT)  # file paths in reports are relative to the current directory
    try:
        return tuple(load_declared(["examples/ota"])), load_policy(list(packs))
    finally:
        os.chdir(cwd)


@cache
def _part(partition: Partition, as_of: datetime, packs: tuple[str, ...]) -> Report:
    declared, policy = _inputs(packs)
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        if partition == DENIED:
            return audit.check(declared, _Denied(), policy, as_of, partition=partition)
        source = SnapshotSource("examples/live-snapshot.json")
        return audit.check(declared, source, policy, as_of, partition=partition)
    finally:
        os.chdir(cwd)


def report(run: Run, shard: Shard = WHOLE) -> Report:
    """Shard `shard` of `run`, as `check --fleet --shard` reports it."""
    _, policy = _inputs(run.packs)
    mine = shard_units(run.partitions, shard)
    parts = [_part(p, run.as_of, run.packs) for p in mine]
    results = [
        PartitionResult(p, NAMES.get(p), part.summary, len(part.errors))
        for p, part in zip(mine, parts, strict=True)
    ]
    if not parts:
        parts = [audit.check((), _Empty(), policy, run.as_of)]
    info = FleetInfo(
        fleet_digest(run.partitions),
        len(run.partitions),
        (shard.index, shard.count),
        policy_digest(policy),
        run.fail_on,
        shard_units=mine,
    )
    return combine(parts, results, info)


def write_shards(run: Run, count: int, prefix: str = "shard") -> list[str]:
    """Every shard of `run` in `count` as a JSON report file; their names, in shard order."""
    names = []
    for index in range(1, count + 1):
        name = f"{prefix}-{index}-of-{count}.json"
        Path(name).write_text(JsonFormat().render(report(run, Shard(index, count))), "utf-8")
        names.append(name)
    return names


def json_of(report: Report) -> str:
    return JsonFormat().render(report)


FOUR = Run((PROD_EU, PROD_US, LAB, EDGE))


# --- one whole, byte for byte ------------------------------------------------------------------


def test_the_builder_is_the_golden_fleet_report() -> None:
    """What these tests shard is what the golden files show."""
    golden = Run(tuple(p for p, _ in FLEET_PARTITIONS))
    assert json_of(report(golden)) == json_of(fleet_example_report())


@pytest.mark.parametrize("size", [2, 3, 4])
def test_merged_shards_are_the_whole_report_byte_for_byte(size: int) -> None:
    run = replace(FOUR, partitions=FOUR.partitions[:size])
    whole = json_of(report(run))
    for count in range(1, size + 2):  # the last has an empty shard
        files = write_shards(run, count)
        for order in itertools.islice(itertools.permutations(files), 6):
            assert json_of(merge_reports(list(order))) == whole, (count, order)


def test_a_shard_with_no_partition_is_an_empty_valid_part() -> None:
    run = Run((PROD_EU, LAB))
    files = write_shards(run, 4)
    empty = [
        f
        for f, s in zip(files, range(1, 5), strict=True)
        if not shard_units(run.partitions, Shard(s, 4))
    ]
    assert len(empty) == 2
    assert json_of(merge_reports(files)) == json_of(report(run))


def test_the_merged_report_is_the_whole_report() -> None:
    whole = report(FOUR)
    merged = merge_reports(write_shards(FOUR, 3))
    assert merged == whole
    assert merged.fleet is not None
    assert merged.fleet.shard == (1, 1)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_renders_the_merged_report(name: str) -> None:
    merged = merge_reports(write_shards(FOUR, 3))
    rendered = get_format(name).render(merged)
    assert rendered == get_format(name).render(report(FOUR))
    assert "111122223333" in rendered
    assert "ap-northeast-1" in rendered


def test_the_merge_command_writes_the_formats_asked_for(
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = write_shards(FOUR, 2)
    argv = ["merge", *files, "--format", "json", "--output", "merged.json"]
    assert main([*argv, "--report", "sarif=merged.sarif"]) == 1
    assert Path("merged.json").read_text("utf-8") == json_of(report(FOUR))
    assert Path("merged.sarif").read_text("utf-8") == get_format("sarif").render(report(FOUR))
    assert main(["merge", *reversed(files), "--format", "json"]) == 1
    assert capsys.readouterr().out == json_of(report(FOUR))


def test_merging_the_whole_report_gives_it_back() -> None:
    Path("whole.json").write_text(json_of(report(FOUR)), "utf-8")
    assert json_of(merge_reports(["whole.json"])) == json_of(report(FOUR))


# --- the exit code follows the merged report ---------------------------------------------------


def test_the_exit_code_follows_the_merged_findings_and_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = write_shards(FOUR, 2)
    assert main(["merge", *files]) == 1  # the shards' failOn, low
    assert main(["merge", *files, "--fail-on", "never"]) == 0
    assert main(["merge", *files, "--fail-on", "critical"]) == 1  # the example has criticals
    relaxed = write_shards(replace(FOUR, fail_on="never"), 2, prefix="relaxed")
    assert main(["merge", *relaxed]) == 0  # recorded by the shards
    assert main(["merge", *relaxed, "--fail-on", "low"]) == 1
    denied = write_shards(Run((PROD_EU, DENIED, LAB)), 2, prefix="denied")
    assert main(["merge", *denied, "--fail-on", "never"]) == 2  # a shard could not read all
    capsys.readouterr()


def test_a_shard_with_errors_keeps_them_in_the_merged_report() -> None:
    run = Run((PROD_EU, DENIED, LAB))
    merged = merge_reports(write_shards(run, 3))
    assert [(e.partition, e.code) for e in merged.errors] == [(DENIED, "AccessDenied")]
    assert [(p.partition, p.errors) for p in merged.partitions] == [
        (PROD_EU, 0),
        (LAB, 0),
        (DENIED, 1),
    ]
    assert json_of(merged) == json_of(report(run))


# --- refusals ----------------------------------------------------------------------------------


def refused(files: Sequence[str], capsys: pytest.CaptureFixture[str]) -> str:
    """What `merge FILES` prints on stderr, having exited 2 and written nothing."""
    assert main(["merge", *files, "--output", "merged.json"]) == 2
    assert not Path("merged.json").exists()
    out, err = capsys.readouterr()
    assert out == ""
    assert "Traceback" not in err
    return err


def test_a_missing_shard_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    one, _, three = write_shards(FOUR, 3)
    assert refused([one, three], capsys) == (
        "shard-1-of-3.json: shard 2/3 missing: the merged report would leave part of the fleet "
        "unread (2 of 3 shards given)\n"
    )
    assert refused([three], capsys) == (
        "shard-3-of-3.json: shard 1/3, 2/3 missing: the merged report would leave part of the "
        "fleet unread (1 of 3 shards given)\n"
    )


def test_overlapping_shards_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    one, two = write_shards(FOUR, 2)
    shutil.copy(one, "again.json")
    assert refused([one, two, "again.json"], capsys) == (
        "again.json: overlapping shards: this and shard-1-of-2.json are both shard 1/2\n"
    )
    assert refused([one, one, two], capsys) == (
        "shard-1-of-2.json: overlapping shards: this and shard-1-of-2.json are both shard 1/2\n"
    )


def test_shards_of_another_fleet_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    one, _ = write_shards(FOUR, 2)
    _, other = write_shards(Run((PROD_EU, PROD_US, LAB)), 2, prefix="other")
    digest, theirs = fleet_digest(FOUR.partitions), fleet_digest((PROD_EU, PROD_US, LAB))
    assert refused([one, other], capsys) == (
        f"other-2-of-2.json: cannot merge with shard-1-of-2.json: different fleets (the "
        f"partition lists differ) ({theirs} here, {digest} there)\n"
    )


def test_shards_judged_by_another_policy_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    one, _ = write_shards(FOUR, 2)
    _, other = write_shards(replace(FOUR, packs=()), 2, prefix="other")
    ours, theirs = (policy_digest(_inputs(p)[1]) for p in (FOUR.packs, ()))
    assert refused([one, other], capsys) == (
        f"other-2-of-2.json: cannot merge with shard-1-of-2.json: different policies "
        f"({theirs} here, {ours} there)\n"
    )


def test_shards_of_another_clock_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    one, _ = write_shards(FOUR, 2)
    later = AS_OF + timedelta(seconds=1)
    _, other = write_shards(replace(FOUR, as_of=later), 2, prefix="other")
    assert refused([one, other], capsys) == (
        "other-2-of-2.json: cannot merge with shard-1-of-2.json: different --as-of times "
        "(give every shard the same) (2026-11-25T00:00:01+00:00 here, "
        "2026-11-25T00:00:00+00:00 there)\n"
    )


def test_shards_of_another_fail_on_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    one, _ = write_shards(FOUR, 2)
    _, other = write_shards(replace(FOUR, fail_on="high"), 2, prefix="other")
    assert refused([one, other], capsys) == (
        "other-2-of-2.json: cannot merge with shard-1-of-2.json: different --fail-on settings "
        "(high here, low there)\n"
    )


def test_shards_of_different_counts_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    one, _ = write_shards(FOUR, 2)
    _, two, three = write_shards(FOUR, 3)
    assert refused([one, two, three], capsys) == (
        "shard-2-of-3.json: cannot merge with shard-1-of-2.json: different shard counts "
        "(3 here, 2 there)\n"
    )


def test_a_single_partition_report_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    one, two = write_shards(FOUR, 2)
    Path("single.json").write_text(json_of(example_report()), "utf-8")
    assert refused([one, "single.json", two], capsys) == (
        "single.json:1: not a fleet report: only the JSON reports of `check --fleet` merge\n"
    )


def test_a_report_of_another_tool_or_version_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = json_of(report(FOUR, Shard(1, 1)))
    Path("v2.json").write_text(text.replace('"version": 1,', '"version": 2,', 1), "utf-8")
    Path("other.json").write_text(text.replace('"name": "ota-drift"', '"name": "x"', 1), "utf-8")
    assert refused(["v2.json", "other.json"], capsys) == (
        "v2.json:1: not an ota-drift JSON report of version 1\n"
        "other.json:1: not an ota-drift JSON report of version 1\n"
    )


def test_files_that_are_not_json_reports_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    Path("empty.json").write_text("", "utf-8")
    Path("text.json").write_text("total: 3 findings\n", "utf-8")
    Path("list.json").write_text("[]\n", "utf-8")
    Path("cut.json").write_text('{"version": 1,\n', "utf-8")
    assert refused(["empty.json", "text.json", "list.json", "cut.json"], capsys) == (
        "empty.json:1: invalid JSON: Expecting value\n"
        "text.json:1: invalid JSON: Expecting value\n"
        "list.json:1: not an ota-drift JSON report (not an object)\n"
        "cut.json:2: invalid JSON: Expecting property name enclosed in double quotes\n"
    )


SKIPPED, FINDINGS = '"skipped": {}', '"findings": "none"'


def _line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line of `text` holding `needle`."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_wrong_types_are_refused_at_their_lines(capsys: pytest.CaptureFixture[str]) -> None:
    one, two = write_shards(FOUR, 2)
    text = Path(one).read_text("utf-8")
    partition = next(line for line in text.splitlines() if '"name": "prod", "summary"' in line)
    bad = (
        text.replace('"severity": "high"', '"severity": "severe"', 1)
        .replace(partition, partition.replace('"errors": 0', '"errors": "0"'))
        .replace('"asOf": "2026-11-25T00:00:00Z"', '"asOf": "yesterday"')
    )
    Path("bad.json").write_text(bad, "utf-8")
    severe = _line_of(bad, '"severe"')
    errors = _line_of(bad, '"errors": "0"')
    assert refused(["bad.json", two], capsys) == (
        f"bad.json:{_line_of(bad, 'yesterday')}: 'asOf' is not an ISO 8601 time: 'yesterday'\n"
    )
    fixed = bad.replace('"asOf": "yesterday"', '"asOf": "2026-11-25T00:00:00Z"')
    Path("bad.json").write_text(fixed, "utf-8")
    assert refused(["bad.json", two], capsys) == (
        f"bad.json:{severe}: 'severity' must be one of info, low, medium, high, critical, not "
        "'severe'\n"
        f"bad.json:{errors}: 'errors' must be int\n"
    )


def test_a_missing_or_mistyped_list_is_refused_at_its_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    one, two = write_shards(FOUR, 2)
    text = Path(one).read_text("utf-8")
    skipped = text.replace('"skipped": [],', '"skipped": {},', 1)
    assert skipped != text
    Path("bad.json").write_text(skipped, "utf-8")
    assert refused(["bad.json", two], capsys) == (
        f"bad.json:{_line_of(skipped, SKIPPED)}: 'skipped' must be list\n"
    )
    head, _, _ = text.partition('  "findings": [')
    findings_gone = head + '  "findings": "none",\n  "errors": []\n}\n'
    Path("bad.json").write_text(findings_gone, "utf-8")
    assert refused(["bad.json", two], capsys) == (
        f"bad.json:{_line_of(findings_gone, FINDINGS)}: 'findings' must be list\n"
    )


def test_every_file_is_read_before_any_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """Every problem of every file at once: one rerun fixes them all."""
    one, two = write_shards(FOUR, 2)
    Path("empty.json").write_text("", "utf-8")
    Path("single.json").write_text(json_of(example_report()), "utf-8")
    err = refused(["empty.json", one, "single.json", "absent.json", two], capsys)
    assert [line.split(":")[0] for line in err.splitlines()] == [
        "empty.json",
        "single.json",
        "absent.json",
    ]


def test_merge_reports_raises_input_error_not_a_traceback() -> None:
    Path("empty.json").write_text("", "utf-8")
    with pytest.raises(InputError) as raised:
        merge_reports(["empty.json"])
    (problem,) = raised.value.problems
    assert problem.file == "empty.json"


def test_the_as_of_of_a_shard_is_kept_to_the_second() -> None:
    """A clock with microseconds reads back as it was written."""
    run = replace(FOUR, as_of=datetime(2026, 11, 25, 8, 30, 15, 250_000, tzinfo=UTC))
    assert json_of(merge_reports(write_shards(run, 2))) == json_of(report(run))


def _edited(path: str, edit: Callable[[dict[str, Any]], None], name: str) -> str:
    """A copy of the report at `path`, edited by hand as `edit` does."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    edit(doc)
    Path(name).write_text(json.dumps(doc), encoding="utf-8")
    return name


def _emptied(doc: dict[str, Any]) -> None:
    for key in ("partitions", "findings", "errors", "skipped", "audited"):
        doc[key] = []


def test_a_report_emptied_by_hand_never_merges_as_clean(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The whole report with its partitions and values removed: its units are still named,
    so merge finds no result for them (exit 2), rather than a clean, empty organisation."""
    (whole,) = write_shards(FOUR, 1)
    err = refused([_edited(whole, _emptied, "empty.json")], capsys)
    assert err.startswith("empty.json: the report does not add up: no result for ")


def test_a_partition_dropped_from_a_shard_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    one, two = write_shards(FOUR, 2)

    def drop(doc: dict[str, Any]) -> None:
        gone = doc["partitions"].pop(0)
        for key in ("findings", "errors", "skipped", "audited"):
            doc[key] = [
                v
                for v in doc[key]
                if (v.get("account"), v.get("region")) != (gone["account"], gone["region"])
            ]

    err = refused([_edited(one, drop, "dropped.json"), two], capsys)
    assert err.startswith("dropped.json: the report does not add up: no result for ")


def test_values_of_a_partition_not_in_the_shard_are_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    one, two = write_shards(FOUR, 2)

    def move(doc: dict[str, Any]) -> None:
        doc["findings"][-1]["account"] = "121212121212"

    err = refused([_edited(one, move, "moved.json"), two], capsys)
    assert "which the report does not list" in err
    assert err.startswith("moved.json: the report does not add up: a finding is in 121212121212/")


def test_counts_that_do_not_add_up_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """A partition's error count, or live count, changed by hand: refused, not believed."""
    one, two = write_shards(FOUR, 2)

    def errors(doc: dict[str, Any]) -> None:
        doc["partitions"][0]["errors"] = 3

    def live(doc: dict[str, Any]) -> None:
        doc["partitions"][0]["summary"]["live"] = 999

    for edit, name in ((errors, "errors.json"), (live, "live.json")):
        err = refused([_edited(one, edit, name), two], capsys)
        assert err.startswith(f"{name}: the report does not add up: the counts of ")


def test_shard_labels_swapped_by_hand_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """Shard 1's report relabelled 2/2 and shard 2's 1/2: each is dealt other units."""
    one, two = write_shards(FOUR, 2)

    def relabel(shard: str) -> Callable[[dict[str, Any]], None]:
        def edit(doc: dict[str, Any]) -> None:
            doc["fleet"]["shard"] = shard

        return edit

    swapped = [_edited(one, relabel("2/2"), "a.json"), _edited(two, relabel("1/2"), "b.json")]
    assert refused(swapped, capsys) == (
        "a.json: its units are not those of shard 2/2 of the fleet\n"
    )


def test_shards_of_other_inputs_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """A shard run with --deep, or another fleet file or checkout, has another inputs
    digest: refused, naming both."""
    one, two = write_shards(FOUR, 2)

    def deep(doc: dict[str, Any]) -> None:
        doc["fleet"]["inputsDigest"] = "sha256:" + "d" * 64

    err = refused([one, _edited(two, deep, "deep.json")], capsys)
    assert err.startswith(
        "deep.json: cannot merge with shard-1-of-2.json: different fleet files, declarations, "
        "--deep or --verify (the inputs digests differ)"
    )


# --- the chain of a --verify run -----------------------------------------------------------

CERTIFICATE = "arn:aws:acm:eu-west-1:111122223333:certificate/4f1e"


def chained(whole: Report) -> Report:
    """`whole` as a `--verify` run gives it: every live update with its files' chains."""

    def chain_of(update: AuditedUpdate) -> tuple[FileChain, ...]:
        name = update.ota_update_id
        links = (
            ChainLink("signingJob", f"job-{name}", "Succeeded, until 2027-05-01", True),
            ChainLink("signingProfile", "acme_prod", "Active", True),
            ChainLink("certificate", CERTIFICATE, "ISSUED, until 2027-05-01", True),
            ChainLink("object", f"s3://acme-fw/{name}.bin?versionId=v1", "delete marker", False),
        )
        return (FileChain(f"{name}.bin", links), FileChain("files[1]", ()))

    audited = tuple(replace(u, chain=chain_of(u)) if u.live else u for u in whole.audited)
    return replace(whole, audited=audited)


def write_verified_shards(run: Run, count: int) -> list[str]:
    names = []
    for index in range(1, count + 1):
        name = f"verified-{index}-of-{count}.json"
        Path(name).write_text(json_of(chained(report(run, Shard(index, count)))), "utf-8")
        names.append(name)
    return names


def test_the_chain_of_verified_shards_survives_the_merge() -> None:
    """A --verify shard's JSON has each audited update's chain as `chain` (and one without a
    chain none); merged, the report has every chain back, and renders as the whole run's."""
    whole = chained(report(FOUR))
    files = write_verified_shards(FOUR, 2)
    first = json.loads(Path(files[0]).read_text("utf-8"))["audited"][0]
    assert first["chain"] == [
        {
            "file": "cam-fw-0.bin",
            "links": [
                {
                    "kind": "signingJob",
                    "name": "job-cam-fw-0",
                    "status": "Succeeded, until 2027-05-01",
                    "found": True,
                },
                {"kind": "signingProfile", "name": "acme_prod", "status": "Active", "found": True},
                {
                    "kind": "certificate",
                    "name": CERTIFICATE,
                    "status": "ISSUED, until 2027-05-01",
                    "found": True,
                },
                {
                    "kind": "object",
                    "name": "s3://acme-fw/cam-fw-0.bin?versionId=v1",
                    "status": "delete marker",
                    "found": False,
                },
            ],
        },
        {"file": "files[1]", "links": []},
    ]
    unread = json.loads(json_of(whole))["audited"]
    assert [("chain" in a) for a in unread] == [a["live"] for a in unread]
    assert '"chain"' not in json_of(report(FOUR))
    merged = merge_reports(files)
    assert merged == whole
    assert json_of(merged) == json_of(whole)
    html = get_format("html").render(merged)
    assert html == get_format("html").render(whole)
    assert 'id="h-chain"' in html


def _first_chain_line(text: str) -> str:
    return next(line for line in text.splitlines() if '"chain": [' in line)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda line: line.replace('"kind": "signingProfile"', '"kind": "profile"'),
            "'kind' must be one of signingJob, signingProfile, certificate, stream, object, "
            "not 'profile'",
        ),
        (
            lambda line: line.replace('"kind": "certificate"', '"kind": "signingJob"'),
            "'kind' signingJob is out of the chain's order (signingJob, signingProfile, "
            "certificate, stream, object, each at most once)",
        ),
        (lambda line: line.replace('"found": false', '"found": "no"'), "'found' must be bool"),
        (lambda line: line.replace('"name": "acme_prod", ', ""), "missing 'name'"),
        (lambda line: line.replace('"file": "files[1]"', '"file": 1'), "'file' must be str"),
        (lambda line: line.replace('"links": []', '"links": {}'), "'links' must be list"),
        (
            lambda line: re.sub(r'"chain": \[.*\]', '"chain": {}', line),
            "'chain' must be list",
        ),
        (
            lambda line: re.sub(r'"chain": \[.*\]', '"chain": []', line),
            "'chain' is empty (it is left out where no chain was read)",
        ),
    ],
)
def test_a_malformed_chain_is_refused_at_its_line(
    edit: Callable[[str], str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A chain edited by hand (an unknown kind, links out of order, a wrong type, a key
    taken out, an empty chain) is refused at its update's line, never merged."""
    one, two = write_verified_shards(FOUR, 2)
    text = Path(one).read_text("utf-8")
    line = _first_chain_line(text)
    bad = text.replace(line, edit(line), 1)
    assert bad != text
    Path("bad.json").write_text(bad, "utf-8")
    number = _line_of(text, line)
    assert refused(["bad.json", two], capsys) == f"bad.json:{number}: {message}\n"
