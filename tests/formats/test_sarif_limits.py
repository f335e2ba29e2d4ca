"""SARIF within GitHub code scanning's limits on the 10,000-update benchmark fleet, and the
--sarif-max-results option.

The fleet (benchmarks/generate.py 10000) has 29,261 findings: more than GitHub accepts in a run
(25,000), so the default file must keep the 5,000 most severe and say what it left out, while
the exit code and the JSON report still count every finding. Generated and audited once per
module (about 15 s).
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checker.cli import main
from checker.formats import sarif as sarif_module
from checker.formats.sarif import (
    GITHUB_MAX_GZIP_BYTES,
    GITHUB_MAX_LOCATIONS,
    GITHUB_MAX_RESULTS,
    GITHUB_MAX_RULES,
    GITHUB_MAX_RUNS,
    GITHUB_MAX_TAGS,
    GITHUB_SHOWN_RESULTS,
    GITHUB_SHOWN_TAGS,
    MAX_STRING_CHARS,
    SarifFormat,
    result_order,
)
from checker.model import DriftValues, Report, Severity
from checker.rules.registry import ALL_RULES
from tests.formats.golden import ROOT
from tests.support.fleet import check_fleet

SEVERITIES = [s.value for s in sorted(Severity, key=lambda s: -s.rank)]
EXAMPLE = [str(ROOT / "examples/ota"), "--state", str(ROOT / "examples/live-snapshot.json")]
AS_OF = ["--as-of", "2026-11-25T00:00:00Z"]


@dataclass(frozen=True)
class FleetRun:
    """One `ota-drift check` of the benchmark fleet, writing SARIF and JSON."""

    code: int
    stderr: str
    sarif: dict[str, Any]
    sarif_bytes: bytes
    json_report: dict[str, Any]
    report: Report
    """The audit's own report, to render again with other caps."""


@pytest.fixture(scope="module")
def fleet(benchmark_fleet: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FleetRun]:
    """Check the benchmark fleet with `--format sarif --report json=...` from its directory
    (so SARIF paths are relative, as in CI)."""
    work = tmp_path_factory.mktemp("fleet-sarif")
    run = check_fleet(
        benchmark_fleet,
        work,
        "--format",
        "sarif",
        "--output",
        "ota.sarif",
        "--report",
        "json=ota.json",
    )
    sarif_bytes = (work / "ota.sarif").read_bytes()
    yield FleetRun(
        code=run.code,
        stderr=run.stderr,
        sarif=json.loads(sarif_bytes),
        sarif_bytes=sarif_bytes,
        json_report=json.loads((work / "ota.json").read_text(encoding="utf-8")),
        report=run.report,
    )


def assert_within_github_limits(log: dict[str, Any], raw: bytes) -> None:
    """Every limit of GitHub's "SARIF support for code scanning" that this log could break."""
    assert 1 <= len(log["runs"]) <= GITHUB_MAX_RUNS
    for run in log["runs"]:
        assert len(run["results"]) <= GITHUB_MAX_RESULTS
        assert len(run["tool"]["driver"]["rules"]) <= GITHUB_MAX_RULES
        assert "extensions" not in run["tool"]
        for rule in run["tool"]["driver"]["rules"]:
            assert len(rule.get("properties", {}).get("tags", [])) <= GITHUB_SHOWN_TAGS
            assert GITHUB_SHOWN_TAGS <= GITHUB_MAX_TAGS
        for result in run["results"]:
            assert 1 <= len(result["locations"]) <= GITHUB_MAX_LOCATIONS
            assert "codeFlows" not in result
    assert len(gzip.compress(raw, compresslevel=1)) <= GITHUB_MAX_GZIP_BYTES


def test_the_fleet_has_more_findings_than_github_accepts(fleet: FleetRun) -> None:
    """The premise: the issue's fleet has about 29,000 findings, over the 25,000 limit."""
    assert len(fleet.report.findings) == 29_261 > GITHUB_MAX_RESULTS


def test_default_sarif_of_the_fleet_is_within_every_github_limit(fleet: FleetRun) -> None:
    """One run of exactly 5,000 results, every registered rule, one location each, 3 tags per
    rule, and well under 10 MB gzip-compressed."""
    assert_within_github_limits(fleet.sarif, fleet.sarif_bytes)
    (run,) = fleet.sarif["runs"]
    assert len(run["results"]) == GITHUB_SHOWN_RESULTS
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [m.rule_id for m in ALL_RULES]
    assert len(gzip.compress(fleet.sarif_bytes)) < GITHUB_MAX_GZIP_BYTES // 10


def test_default_sarif_of_the_fleet_validates_against_the_schema(fleet: FleetRun) -> None:
    """Rules, invocation with its warning, and the first 100 results match SARIF 2.1.0."""
    schema = json.loads((ROOT / "tests/schemas/sarif-2.1.0.json").read_text(encoding="utf-8"))
    (run,) = fleet.sarif["runs"]
    sample = {**fleet.sarif, "runs": [{**run, "results": run["results"][:100]}]}
    errors = jsonschema.Draft4Validator(schema).iter_errors(sample)
    assert [e.message for e in errors] == []


def test_the_fleet_sarif_keeps_the_most_severe_and_counts_the_rest(fleet: FleetRun) -> None:
    """Every result is at least as severe as anything left out; the warning's counts plus the
    results' counts are the JSON report's counts, severity by severity."""
    (run,) = fleet.sarif["runs"]
    shown = Counter(r["properties"]["severity"] for r in run["results"])
    totals = fleet.json_report["summary"]["findings"]
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    left = note["properties"]["leftOut"]
    assert {s: shown[s] + left[s] for s in SEVERITIES} == totals
    least_shown = min(Severity(s).rank for s in shown)
    assert all(Severity(s).rank <= least_shown for s, n in left.items() if n)
    assert note["properties"]["findings"] == sum(totals.values()) == 29_261
    assert note["level"] == "warning"
    assert run["invocations"][0]["executionSuccessful"] is True


def test_the_fleet_left_out_line_is_on_stderr(fleet: FleetRun) -> None:
    """stderr holds the same line as the SARIF warning, once, as a note."""
    (run,) = fleet.sarif["runs"]
    text = run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
    assert fleet.stderr == f"note: ota.sarif: {text}\n"
    assert text == (
        "SARIF report holds the 5,000 most severe of 29,261 findings; left out: 1,083 high, "
        "5,048 medium, 1,701 low, 16,429 info (GitHub code scanning shows at most 5,000 "
        "results a run; --sarif-max-results raises the cap up to 25,000)"
    )


def test_the_exit_code_and_the_json_report_count_every_finding(fleet: FleetRun) -> None:
    """Capping SARIF changes no verdict: exit 1, and JSON lists all 29,261 findings."""
    assert fleet.code == 1
    assert len(fleet.json_report["findings"]) == 29_261
    assert sum(fleet.json_report["summary"]["findings"].values()) == 29_261


def test_the_highest_cap_on_the_fleet_is_still_within_every_github_limit(
    fleet: FleetRun,
) -> None:
    """--sarif-max-results 25000: 25,000 results, under 10 MB gzipped; only info left out."""
    sarif = SarifFormat(max_results=GITHUB_MAX_RESULTS)
    raw = sarif.render(fleet.report).encode("utf-8")
    log = json.loads(raw)
    assert_within_github_limits(log, raw)
    assert len(log["runs"][0]["results"]) == GITHUB_MAX_RESULTS
    assert sarif.notices(fleet.report) == [
        "SARIF report holds the 25,000 most severe of 29,261 findings; left out: 4,261 info "
        "(--sarif-max-results 25000)"
    ]


def test_one_13m_character_value_in_the_fleet_costs_one_render_and_no_result(
    fleet: FleetRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tester's 4 min 42 s: the most severe finding of the fleet with a 13M-character
    random drift value. The value is cut to MAX_STRING_CHARS, so the file is rendered once,
    and it holds the same 5,000 results with the same line as without it."""
    first = min(fleet.report.findings, key=result_order)
    value = random.Random(13).randbytes(6_500_000).hex()
    huge = dataclasses.replace(first, drift=DriftValues(declared=value, live=value))
    findings = tuple(huge if f is first else f for f in fleet.report.findings)
    report = dataclasses.replace(fleet.report, findings=findings)
    renders: list[int] = []
    text = sarif_module._text

    def counted(log: dict[str, Any]) -> str:
        renders.append(1)
        return text(log)

    monkeypatch.setattr(sarif_module, "_text", counted)
    sarif = SarifFormat()
    log = json.loads(sarif.render(report))
    assert len(renders) == 1
    (run,) = log["runs"]
    assert len(run["results"]) == GITHUB_SHOWN_RESULTS
    assert len(run["results"][0]["properties"]["desired"]) == MAX_STRING_CHARS
    assert [r["partialFingerprints"] for r in run["results"]] == [
        r["partialFingerprints"] for r in fleet.sarif["runs"][0]["results"]
    ]
    assert sarif.notices(report) == [
        fleet.stderr.removeprefix("note: ota.sarif: ").removesuffix("\n")
    ]


def test_sarif_max_results_caps_the_cli_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--sarif-max-results 2 on the example: the critical and first high finding, a note on
    stderr, the usual exit code 1, and a --report json that still has all 31."""
    monkeypatch.chdir(tmp_path)
    argv = ["check", *EXAMPLE, *AS_OF, "--format", "sarif", "--output", "ota.sarif"]
    code = main([*argv, "--report", "json=ota.json", "--sarif-max-results", "2"])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    results = json.loads(Path("ota.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]
    assert [r["properties"]["severity"] for r in results] == ["critical", "high"]
    assert err == (
        "note: ota.sarif: SARIF report holds the 2 most severe of 31 findings; left out: 14 high, "
        "5 medium, 5 low, 5 info (--sarif-max-results 2)\n"
    )
    assert len(json.loads(Path("ota.json").read_text(encoding="utf-8"))["findings"]) == 31


@pytest.mark.parametrize("value", ["0", "25001", "-3", "5k", "2.5"])
def test_sarif_max_results_out_of_range_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """A cap GitHub would not accept, or no whole number: exit 2 with one error line, nothing
    written."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(["check", *EXAMPLE, "--output", "ota.sarif", "--sarif-max-results", value])
    out, err = capsys.readouterr()
    assert (exited.value.code, out) == (2, "")
    assert err.splitlines()[-1] == (
        "ota-drift check: error: argument --sarif-max-results: must be a whole number from 1 "
        f"to 25000, not '{value}'"
    )
    assert list(tmp_path.iterdir()) == []
