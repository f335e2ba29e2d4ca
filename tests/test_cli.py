"""The `ota-drift` command: exit codes, formats, output file, paths, colour."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import checker.cli
import checker.sources.choice
from checker import __version__
from checker.cli import _wants_colour, main
from checker.formats.text import TextFormat
from checker.model import (
    DriftValues,
    LiveUpdate,
    Location,
    Report,
    SourceError,
)
from tests.support import builders
from tests.support.builders import snapshot_text as snapshot

ANSI = "\x1b["
TARGET = "arn:aws:iot:eu-central-1:123456789012:thinggroup/sensors"
ROLE = "arn:aws:iam::123456789012:role/ota"


def entry(ota_update_id: str, expires: int = 900, description: str = "firmware") -> str:
    """A declared update that passes every policy rule, so only drift produces findings."""
    return f"""\
  - otaUpdateId: {ota_update_id}
    description: {description}
    targets: [{TARGET}]
    protocols: [MQTT, HTTP]
    awsJobPresignedUrlConfig:
      expiresInSec: {expires}
    awsJobExecutionsRolloutConfig:
      maximumPerMinute: 50
    awsJobAbortConfig:
      abortCriteriaList:
        - failureType: FAILED
          action: CANCEL
          thresholdPercentage: 10
          minNumberOfExecutedThings: 10
    awsJobTimeoutConfig:
      inProgressTimeoutInMinutes: 60
    files:
      - fileName: fw.bin
        fileLocation:
          stream: {{streamId: s1, fileId: 0}}
        codeSigning:
          awsSignerJobId: job-1
    roleArn: {ROLE}
"""


def yaml_file(*entries: str) -> str:
    return "otaUpdates:\n" + "".join(entries) if entries else "otaUpdates: []\n"


def live(ota_update_id: str, expires: int = 900, description: str = "firmware") -> dict[str, Any]:
    return {
        "otaUpdateId": ota_update_id,
        "otaUpdateArn": f"arn:aws:iot:eu-central-1:123456789012:otaupdate/{ota_update_id}",
        "creationDate": "2026-11-19T10:00:00+00:00",
        "description": description,
        "targets": [TARGET],
        "protocols": ["HTTP", "MQTT"],
        "awsJobPresignedUrlConfig": {"expiresInSec": expires},
        "awsJobExecutionsRolloutConfig": {"maximumPerMinute": 50},
        "otaUpdateFiles": [
            {
                "fileName": "fw.bin",
                "fileLocation": {"stream": {"streamId": "s1", "fileId": 0}},
                "codeSigning": {"awsSignerJobId": "job-1"},
            }
        ],
        "otaUpdateStatus": "CREATE_COMPLETE",
    }


pytestmark = pytest.mark.usefixtures("in_tmp")


def setup(files: dict[str, str]) -> None:
    """Write `files` (relative path → text) in the current, temporary directory."""
    for name, text in files.items():
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        Path(name).write_text(text, encoding="utf-8")


MIXED = {
    # zeta drifts (expiresInSec and description), alpha is missing, beta is in sync,
    # gamma is live but undeclared; declared out of order across two files.
    "ota/a.yaml": yaml_file(entry("zeta", 600, "old"), entry("alpha")),
    "ota/b.yaml": yaml_file(entry("beta")),
    "snap.json": snapshot(live("zeta", 900, "new"), live("gamma"), live("beta")),
}

SCENARIOS = {
    # name: (files, highest severity among the findings, or None)
    "no-findings": ({"ota.yaml": yaml_file(), "snap.json": snapshot()}, None),
    "info": ({"ota.yaml": yaml_file(entry("a")), "snap.json": snapshot(live("a"))}, "info"),
    "medium": (
        {"ota.yaml": yaml_file(entry("a")), "snap.json": snapshot(live("a"), live("b"))},
        "medium",
    ),
    "high": ({"ota.yaml": yaml_file(entry("a")), "snap.json": snapshot()}, "high"),
}

THRESHOLDS = ["info", "low", "medium", "high", "critical", "never"]
EXPECTED_EXIT = {
    # scenario: exit code for each threshold in THRESHOLDS
    "no-findings": [0, 0, 0, 0, 0, 0],
    "info": [1, 0, 0, 0, 0, 0],
    "medium": [1, 1, 1, 0, 0, 0],
    "high": [1, 1, 1, 1, 0, 0],
}


@pytest.mark.parametrize(
    ("scenario", "threshold", "expected"),
    [
        (scenario, threshold, codes[index])
        for scenario, codes in EXPECTED_EXIT.items()
        for index, threshold in enumerate(THRESHOLDS)
    ],
)
def test_exit_code_for_each_fail_on_threshold(
    scenario: str, threshold: str, expected: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 1 exactly when a finding is at or above --fail-on, else 0; `never` never fails."""
    files, _highest = SCENARIOS[scenario]
    setup(files)
    code = main(["check", "ota.yaml", "--state", "snap.json", "--fail-on", threshold])
    assert code == expected
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_scenarios_have_the_highest_severity_they_claim(
    scenario: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The exit-code scenarios really have the findings the threshold table assumes."""
    files, highest = SCENARIOS[scenario]
    setup(files)
    main(["check", "ota.yaml", "--state", "snap.json", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    present = [s for s, n in report["summary"]["findings"].items() if n]
    assert (present[0] if present else None) == highest


@pytest.mark.parametrize("scenario", ["info", "medium", "high"])
def test_default_fail_on_is_low(scenario: str) -> None:
    """Without --fail-on, the exit code is the one for `--fail-on low`."""
    files, _highest = SCENARIOS[scenario]
    setup(files)
    default = main(["check", "ota.yaml", "--state", "snap.json"])
    assert default == EXPECTED_EXIT[scenario][THRESHOLDS.index("low")]


def test_input_error_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A declared file that cannot be loaded is exit 2 with FILE:LINE on stderr and no report."""
    setup({"ota.yaml": "otaUpdates:\n  - otaUpdateId: [unclosed\n", "snap.json": snapshot()})
    assert main(["check", "ota.yaml", "--state", "snap.json", "--fail-on", "never"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("ota.yaml:")


def test_missing_state_file_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A --state file that does not exist is exit 2 naming it."""
    setup({"ota.yaml": yaml_file(entry("a"))})
    assert main(["check", "ota.yaml", "--state", "nowhere.json"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("nowhere.json: ")


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["check", "ota.yaml"],
        ["lint"],
        ["check", "ota.yaml", "--state", "snap.json", "--fail-on", "severe"],
        ["check", "ota.yaml", "--state", "snap.json", "--format", "xml"],
        ["audit", "ota.yaml"],
    ],
    ids=["no-command", "no-state", "no-path", "bad-fail-on", "bad-format", "bad-command"],
)
def test_usage_error_is_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Bad usage exits with code 2 and one line on stderr, without argparse's usage block."""
    setup({"ota.yaml": yaml_file(entry("a")), "snap.json": snapshot(live("a"))})
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    [line] = err.splitlines()
    assert line.startswith("ota-drift")
    assert ": error: " in line


def test_check_without_paths_or_fleet_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """`check` takes its PATHs or `--fleet` (whose entries name them): with neither, one line
    saying so, exit 2, and nothing read."""
    setup({"snap.json": snapshot(live("a"))})
    assert main(["check", "--state", "snap.json"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "ota-drift: error: check needs the declared PATHs (or --fleet FILE, which names them)\n"
    )


def test_fail_on_choices_are_exactly_the_documented_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--fail-on accepts info|low|medium|high|critical|never and nothing else."""
    assert checker.cli.FAIL_ON_CHOICES == THRESHOLDS
    with pytest.raises(SystemExit):
        main(["check", "x", "--state", "y", "--fail-on", "HIGH"])
    assert "invalid choice" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """`ota-drift --version` prints the name and version and exits 0."""
    with pytest.raises(SystemExit) as raised:
        main(["--version"])
    assert raised.value.code == 0
    assert capsys.readouterr().out == "ota-drift 0.1.0\n"
    assert __version__ == "0.1.0"


@pytest.mark.parametrize("argv", [["--help"], ["check", "--help"]])
def test_help_has_examples(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """--help exits 0 and shows examples that use the check command."""
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 0
    out = capsys.readouterr().out
    assert "examples" in out
    assert "ota-drift check " in out
    assert "--fail-on" in out


def run_json(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, Any]]:
    code = main(["check", "ota", "--state", "snap.json", "--format", "json", *extra])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_json_top_level_and_summary_keys_are_exact(capsys: pytest.CaptureFixture[str]) -> None:
    """The JSON document has exactly the documented keys, in the documented order, and counts."""
    setup(MIXED)
    code, report = run_json(capsys)
    assert code == 1
    assert list(report) == ["version", "tool", "summary", "findings", "errors"]
    assert report["version"] == 1
    assert report["tool"] == {"name": "ota-drift", "version": "0.1.0"}
    assert list(report["tool"]) == ["name", "version"]
    assert list(report["summary"]) == [
        "declared",
        "live",
        "inSync",
        "drifted",
        "missing",
        "unmanaged",
        "findings",
        "suppressed",
    ]
    assert list(report["summary"]["findings"]) == ["critical", "high", "medium", "low", "info"]
    assert report["summary"] == {
        "declared": 3,
        "live": 3,
        "inSync": 1,
        "drifted": 1,
        "missing": 1,
        "unmanaged": 1,
        "findings": {"critical": 0, "high": 3, "medium": 1, "low": 0, "info": 2},
        "suppressed": 0,
    }
    assert report["errors"] == []


def test_json_findings_are_exact_and_sorted(capsys: pytest.CaptureFixture[str]) -> None:
    """Findings are sorted by (otaUpdateId, ruleId, path) and carry the documented keys."""
    setup(MIXED)
    _code, report = run_json(capsys)
    findings = report["findings"]
    assert [(f["otaUpdateId"], f["ruleId"], f["path"]) for f in findings] == [
        ("alpha", "OTA002", ""),
        ("beta", "OTA004", ""),
        ("gamma", "OTA003", ""),
        ("zeta", "OTA001", "awsJobPresignedUrlConfig.expiresInSec"),
        ("zeta", "OTA001", "description"),
        ("zeta", "OTA004", ""),
    ]
    keys = [
        "ruleId", "severity", "otaUpdateId", "source", "path", "message", "file", "line",
        "resource",
    ]  # fmt: skip
    for finding in findings:
        expected = [*keys, "desired", "actual"] if finding["ruleId"] == "OTA001" else keys
        assert list(finding) == expected
    expires = findings[3]
    assert expires == {
        "ruleId": "OTA001",
        "severity": "high",
        "otaUpdateId": "zeta",
        "source": "drift",
        "path": "awsJobPresignedUrlConfig.expiresInSec",
        "message": "awsJobPresignedUrlConfig.expiresInSec: declared 600, live 900",
        "file": "ota/a.yaml",
        "line": 7,
        "resource": None,
        "desired": 600,
        "actual": 900,
    }
    assert (findings[4]["desired"], findings[4]["actual"], findings[4]["line"]) == (
        "old",
        "new",
        3,
    )
    assert (findings[0]["severity"], findings[0]["file"], findings[0]["line"]) == (
        "high",
        "ota/a.yaml",
        25,
    )
    assert (findings[2]["severity"], findings[2]["file"], findings[2]["line"]) == (
        "medium",
        None,
        None,
    )
    assert (findings[1]["severity"], findings[1]["file"], findings[1]["line"]) == (
        "info",
        "ota/b.yaml",
        24,
    )


def _cli(*args: str, seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    env.pop("NO_COLOR", None)
    result = subprocess.run(
        [sys.executable, "-m", "checker", *args], capture_output=True, env=env, check=False
    )
    assert result.returncode == 1, result.stderr
    return result.stdout


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_same_input_gives_byte_identical_output(fmt: str) -> None:
    """Two runs on the same input (with different hash seeds) print the same bytes."""
    setup(MIXED)
    args = ("check", "ota", "--state", "snap.json", "--format", fmt)
    first = _cli(*args, seed="1")
    assert first == _cli(*args, seed="2")
    assert first == _cli(*args, seed="3")
    assert b"zeta" in first


@pytest.mark.parametrize("command", [("lint", "ota"), ("check", "ota", "--state", "snap.json")])
def test_commands_that_call_no_aws_api_ignore_the_aws_profile(command: tuple[str, ...]) -> None:
    """`lint` and `check --state` read botocore's model, not the AWS configuration: an
    AWS_PROFILE naming no profile (set for another tool) changes nothing. A fresh process, as
    the model is loaded once per process."""
    setup(MIXED)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "NO_COLOR"}
    runs = [
        subprocess.run(
            [sys.executable, "-m", "checker", *command, "--format", "json"],
            capture_output=True,
            env={**env, **profile},
            check=False,
        )
        for profile in ({}, {"AWS_PROFILE": "nosuch-profile", "AWS_CONFIG_FILE": "no-config"})
    ]
    plain, with_profile = runs
    assert (plain.returncode, plain.stderr) == ({"lint": 0, "check": 1}[command[0]], b"")
    assert (with_profile.returncode, with_profile.stderr) == (plain.returncode, b"")
    assert with_profile.stdout == plain.stdout
    assert json.loads(plain.stdout)["summary"]["declared"] == 3


def test_output_writes_the_file_and_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    """--output writes exactly the report stdout would have shown, and stdout stays empty."""
    setup(MIXED)
    code, on_stdout = run_json(capsys)
    argv = ["check", "ota", "--state", "snap.json", "--format", "json"]
    assert main([*argv, "--output", "reports/drift.json"]) == code
    out, err = capsys.readouterr()
    assert (out, err) == ("", "")
    written = Path("reports/drift.json").read_text(encoding="utf-8")
    assert json.loads(written) == on_stdout
    assert written.endswith("}\n")
    assert sorted(p.name for p in Path("reports").iterdir()) == ["drift.json"]


def test_output_is_not_created_on_an_input_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An input error leaves no --output file behind, and an existing one untouched."""
    setup({"ota.yaml": yaml_file(entry("a")), "snap.json": '{"version": 2, "otaUpdates": []}'})
    assert main(["check", "ota.yaml", "--state", "snap.json", "--output", "out/r.json"]) == 2
    assert not Path("out/r.json").exists()
    Path("old.txt").write_text("previous report\n", encoding="utf-8")
    assert main(["check", "ota.yaml", "--state", "snap.json", "--output", "old.txt"]) == 2
    assert Path("old.txt").read_text(encoding="utf-8") == "previous report\n"
    assert sorted(p.name for p in Path().iterdir()) == ["old.txt", "ota.yaml", "snap.json"]
    assert capsys.readouterr().out == ""


def test_paths_are_relative_to_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Files given as absolute paths, or from another directory, are shown relative to cwd."""
    setup(MIXED)
    state = str(tmp_path / "snap.json")
    code = main(["check", str(tmp_path / "ota"), "--state", state, "--format", "json"])
    assert code == 1
    report = json.loads(capsys.readouterr().out)
    files = {f["file"] for f in report["findings"]}
    assert files == {"ota/a.yaml", "ota/b.yaml", None}
    assert str(tmp_path) not in json.dumps(report)

    Path("sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    main(["check", str(tmp_path / "ota"), "--state", state, "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert {f["file"] for f in report["findings"]} == {"../ota/a.yaml", "../ota/b.yaml", None}


def test_input_error_paths_are_relative_to_the_current_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An input error names the file relative to cwd even when given as an absolute path."""
    setup({"ota.yaml": yaml_file(entry("a")), "snap.json": "[1,"})
    assert main(["check", "ota.yaml", "--state", str(tmp_path / "snap.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("snap.json:1: invalid JSON")
    assert str(tmp_path) not in err


def test_text_groups_findings_by_update_without_ansi(capsys: pytest.CaptureFixture[str]) -> None:
    """The text report has a header, one block per OTA update with its findings, and a verdict."""
    setup(MIXED)
    assert main(["check", "ota", "--state", "snap.json"]) == 1
    out = capsys.readouterr().out
    assert ANSI not in out
    assert "\x1b" not in out
    blocks = out.rstrip("\n").split("\n\n")
    assert blocks[0] == (
        "ota-drift 0.1.0: 3 declared, 3 live; 1 in sync, 1 drifted, 1 missing, 1 unmanaged"
    )
    assert blocks[-1] == "6 finding(s): 0 critical, 3 high, 1 medium, 0 low, 2 info"
    groups = {}
    for block in blocks[1:-1]:
        head, *lines = block.split("\n")
        assert not head.startswith(" ")
        assert all(line.startswith("  ") for line in lines)
        groups[head] = [line.split()[1] for line in lines]
    assert list(groups) == ["alpha", "beta", "gamma", "zeta"]
    assert groups == {
        "alpha": ["OTA002"],
        "beta": ["OTA004"],
        "gamma": ["OTA003"],
        "zeta": ["OTA001", "OTA001", "OTA004"],
    }
    assert "(ota/a.yaml:7)" in blocks[4]


class FakeTTY(io.StringIO):
    """A stream that claims to be a terminal."""

    def isatty(self) -> bool:
        return True


def _report() -> Report:
    """A report of one high finding to colour: fw-1's description drifted."""
    drifted = builders.finding(
        "OTA001",
        side="drift",
        path="description",
        message='description: declared "a", live "b"',
        location=Location("ota.yaml", 3),
        drift=DriftValues("a", "b"),
    )
    return builders.report(drifted)


def test_text_format_with_colour_has_ansi_and_without_has_none() -> None:
    """TextFormat(colour=True) paints with ANSI escapes; colour=False never does."""
    coloured = TextFormat(colour=True).render(_report())
    plain = TextFormat(colour=False).render(_report())
    assert ANSI in coloured
    assert "\x1b[1;31mhigh    \x1b[0m" in coloured
    assert "\x1b" not in plain
    assert "  high     OTA001  description" in plain


def test_wants_colour_only_on_a_tty_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    """Colour is wanted on a terminal, never off one, and never with NO_COLOR set."""
    assert _wants_colour(FakeTTY()) is True
    assert _wants_colour(io.StringIO()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert _wants_colour(FakeTTY()) is False
    assert _wants_colour(io.StringIO()) is False


def test_cli_colours_a_tty_unless_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end: text on a terminal is coloured, but not with NO_COLOR, --output or json."""
    setup(MIXED)
    argv = ["check", "ota", "--state", "snap.json"]
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stdout", tty)
    assert main(argv) == 1
    assert ANSI in tty.getvalue()

    tty = FakeTTY()
    monkeypatch.setattr(sys, "stdout", tty)
    assert main([*argv, "--format", "json"]) == 1
    assert "\x1b" not in tty.getvalue()

    tty = FakeTTY()
    monkeypatch.setattr(sys, "stdout", tty)
    assert main([*argv, "--output", "report.txt"]) == 1
    assert tty.getvalue() == ""
    assert "\x1b" not in Path("report.txt").read_text(encoding="utf-8")

    monkeypatch.setenv("NO_COLOR", "1")
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stdout", tty)
    assert main(argv) == 1
    assert "\x1b" not in tty.getvalue()
    assert "zeta" in tty.getvalue()


class _ErrorSource:
    """A source that read `beta` fine and could not read `zeta`."""

    deep = False
    verified = False

    def __init__(self, path: str) -> None:
        self.path = path

    def fetch(self) -> Iterator[LiveUpdate | SourceError]:
        info = json.loads(Path("snap.json").read_text(encoding="utf-8"))["otaUpdates"][2]
        yield LiveUpdate("beta", info, origin="fake")
        yield SourceError("zeta", "GetOTAUpdate", "AccessDeniedException", "not allowed")

    @property
    def captured_at(self) -> datetime | None:
        return None


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_source_error_is_exit_2_even_with_fail_on_never(
    threshold: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Anything the source could not read makes the exit code 2, whatever --fail-on says."""
    setup(MIXED)
    monkeypatch.setattr(checker.sources.choice, "SnapshotSource", _ErrorSource)
    code, report = run_json(capsys, "--fail-on", threshold)
    assert code == 2
    assert report["errors"] == [
        {
            "otaUpdateId": "zeta",
            "operation": "GetOTAUpdate",
            "code": "AccessDeniedException",
            "message": "not allowed",
        }
    ]
    summary = report["summary"]
    assert (summary["inSync"], summary["drifted"], summary["missing"]) == (1, 0, 1)
    assert [(f["otaUpdateId"], f["ruleId"]) for f in report["findings"]] == [
        ("alpha", "OTA002"),
        ("beta", "OTA004"),
    ]


def test_text_report_with_a_source_error_is_not_clean(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The text report lists what could not be read and never calls the audit clean."""
    setup(MIXED)
    monkeypatch.setattr(checker.sources.choice, "SnapshotSource", _ErrorSource)
    assert main(["check", "ota", "--state", "snap.json", "--fail-on", "never"]) == 2
    out = capsys.readouterr().out
    assert "  zeta  GetOTAUpdate  AccessDeniedException: not allowed" in out
    assert "INCOMPLETE" in out
    assert "No findings" not in out


def test_debug_internal_error_prints_the_traceback_and_still_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --debug a bug shows its traceback, and the exit code stays 2 (1 means findings)."""
    setup(MIXED)

    def broken(*args: object, **kwargs: object) -> Report:
        raise RuntimeError("a bug in a stage")

    monkeypatch.setattr(checker.cli.audit, "check", broken)
    code = main(["--debug", "check", "ota", "--state", "snap.json"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[-1] == "RuntimeError: a bug in a stage"
    assert any("in broken" in line for line in lines)
    assert main(["check", "ota", "--state", "snap.json"]) == 2
    assert capsys.readouterr().err == (
        "ota-drift: internal error: RuntimeError('a bug in a stage') (rerun with --debug)\n"
    )
