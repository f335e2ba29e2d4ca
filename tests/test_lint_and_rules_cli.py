"""`ota-drift lint` (declared-side rules, no state) and `ota-drift rules` (the catalogue)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import checker.cli
from checker.cli import main
from checker.rules.registry import ALL_RULES, META_BY_ID

REPO = Path(__file__).resolve().parents[1]
TARGET = "arn:aws:iot:eu-west-1:123456789012:thinggroup/sensors"
ROLE = "arn:aws:iam::123456789012:role/ota"
APPLIES = {
    "declared": "declared",
    "live": "live",
    "both": "declared and live",
    "drift": "drift (check)",
    "checker": "policy packs",
}


pytestmark = pytest.mark.usefixtures("in_tmp")


def write(name: str, text: str) -> str:
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    Path(name).write_text(text, encoding="utf-8")
    return name


def declared(ota_update_id: str = "fleet-a", rate: int = 50, signed: bool = True) -> str:
    """One update; `maximumPerMinute` on line 6, the fw.bin file item on line 8."""
    signing = "\n        codeSigning: {awsSignerJobId: job-1}" if signed else ""
    return f"""\
otaUpdates:
  - otaUpdateId: {ota_update_id}
    targets: [{TARGET}]
    roleArn: {ROLE}
    awsJobExecutionsRolloutConfig:
      maximumPerMinute: {rate}
    files:
      - fileName: fw.bin
        fileLocation: {{s3Location: {{bucket: fw, key: fw.bin, version: v3}}}}{signing}
"""


def only(*keep: str) -> str:
    """A pack that disables every registered rule but `keep`: other rules cannot interfere."""
    lines = [f"  {rule_id}: {{enabled: false}}" for rule_id in META_BY_ID if rule_id not in keep]
    return write("only.yaml", "version: 1\nrules:\n" + "\n".join(lines) + "\n")


@pytest.fixture
def no_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to choose (so build) a state source fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"lint constructed a state source: {args} {kwargs}")

    monkeypatch.setattr(checker.cli, "source_for", refuse)


def lint_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(["lint", *argv, "--format", "json"])
    out, err = capsys.readouterr()
    assert err == ""
    return code, json.loads(out)


# --- lint ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_state")
def test_lint_needs_no_state_and_never_reads_one(capsys: pytest.CaptureFixture[str]) -> None:
    """`lint PATH` runs without --state and never constructs a state source."""
    write("ota.yaml", declared(rate=300))
    code = main(["lint", "ota.yaml", "--fail-on", "never"])
    out, err = capsys.readouterr()
    assert code == 0
    assert err == ""
    assert "fleet-a" in out


def test_lint_does_not_accept_a_state_option(capsys: pytest.CaptureFixture[str]) -> None:
    """`lint` has no --state: passing one is a usage error (exit 2)."""
    write("ota.yaml", declared())
    with pytest.raises(SystemExit) as exc:
        main(["lint", "ota.yaml", "--state", "snap.json"])
    assert exc.value.code == 2
    assert "--state" in capsys.readouterr().err


@pytest.mark.usefixtures("no_state")
def test_lint_json_has_null_live_fields_and_the_declared_findings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """lint's JSON summary has null live/inSync/drifted/missing/unmanaged and lists the findings."""
    write("ota/a.yaml", declared("fleet-a", rate=300, signed=False))
    write("ota/b.yaml", declared("fleet-b"))
    code, report = lint_json(capsys, "ota", "--policy", only("OTA101", "OTA302"))
    assert code == 1
    assert report["summary"] == {
        "declared": 2,
        "live": None,
        "inSync": None,
        "drifted": None,
        "missing": None,
        "unmanaged": None,
        "findings": {"critical": 1, "high": 1, "medium": 0, "low": 0, "info": 0},
        "suppressed": 0,
    }
    assert [
        (f["ruleId"], f["severity"], f["otaUpdateId"], f["source"], f["path"], f["file"], f["line"])
        for f in report["findings"]
    ] == [
        ("OTA101", "critical", "fleet-a", "declared", "files[fw.bin]", "ota/a.yaml", 8),
        (
            "OTA302",
            "high",
            "fleet-a",
            "declared",
            "awsJobExecutionsRolloutConfig.maximumPerMinute",
            "ota/a.yaml",
            6,
        ),
    ]
    assert report["errors"] == []


@pytest.mark.usefixtures("no_state")
def test_lint_with_all_rules_reports_the_known_rule_findings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With every registered rule on, lint still reports OTA101/OTA302 and counts consistently."""
    write("ota.yaml", declared(rate=300, signed=False))
    code, report = lint_json(capsys, "ota.yaml")
    assert code == 1
    assert {(f["ruleId"], f["source"]) for f in report["findings"] if f["ruleId"] < "OTA400"} >= {
        ("OTA101", "declared"),
        ("OTA302", "declared"),
    }
    assert all(f["source"] == "declared" for f in report["findings"])
    assert not [f for f in report["findings"] if f["ruleId"] in ("OTA001", "OTA002", "OTA003")]
    counts = dict.fromkeys(("critical", "high", "medium", "low", "info"), 0)
    for f in report["findings"]:
        counts[f["severity"]] += 1
    assert report["summary"]["findings"] == counts
    assert report["summary"]["live"] is None


@pytest.mark.usefixtures("no_state")
@pytest.mark.parametrize(
    ("rate", "extra", "expected"),
    [
        (50, [], 0),  # clean
        (300, [], 1),  # OTA302 (high) at/above the default failOn low
        (300, ["--fail-on", "critical"], 0),
        (300, ["--fail-on", "high"], 1),
        (300, ["--fail-on", "never"], 0),
    ],
)
def test_lint_exit_codes_0_and_1(
    rate: int, extra: list[str], expected: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """lint exits 1 exactly when an active finding is at or above fail-on, else 0."""
    write("ota.yaml", declared(rate=rate))
    assert main(["lint", "ota.yaml", "--policy", only("OTA302"), *extra]) == expected
    assert capsys.readouterr().err == ""


@pytest.mark.usefixtures("no_state")
@pytest.mark.parametrize(
    ("files", "argv", "stderr_start"),
    [
        ({"ota.yaml": "otaUpdates:\n  - otaUpdateId: [unclosed\n"}, ["ota.yaml"], "ota.yaml:"),
        ({}, ["nowhere.yaml"], "nowhere.yaml: no such file or directory"),
        (
            {"ota.yaml": declared(), "pack.yaml": "version: 9\n"},
            ["ota.yaml", "--policy", "pack.yaml"],
            "pack.yaml:1: 'version' must be 1, not 9",
        ),
    ],
    ids=["bad-yaml", "missing-path", "bad-pack"],
)
def test_lint_exit_code_2_on_input_errors(
    files: dict[str, str], argv: list[str], stderr_start: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """lint exits 2, prints `FILE:LINE: message`, and writes no report when input is bad."""
    for name, text in files.items():
        write(name, text)
    code = main(["lint", *argv, "--output", "report.json", "--fail-on", "never"])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.startswith(stderr_start)
    assert not Path("report.json").exists()


@pytest.mark.usefixtures("no_state")
def test_fail_on_overrides_a_pack_fail_on_never(capsys: pytest.CaptureFixture[str]) -> None:
    """A pack's `failOn: never` makes exit 0; `--fail-on high` on the command line wins over it."""
    write("ota.yaml", declared(rate=300))
    keep = only("OTA302")
    write("never.yaml", "version: 1\nfailOn: never\n")
    base = ["lint", "ota.yaml", "--policy", keep, "--policy", "never.yaml"]
    assert main(base) == 0
    assert main([*base, "--fail-on", "high"]) == 1
    assert main([*base, "--fail-on", "critical"]) == 0
    capsys.readouterr()


@pytest.mark.usefixtures("no_state")
def test_fail_on_never_overrides_a_pack_fail_on_low(capsys: pytest.CaptureFixture[str]) -> None:
    """The command line wins in the other direction too: `--fail-on never` over `failOn: info`."""
    write("ota.yaml", declared(rate=300))
    write("info.yaml", "version: 1\nfailOn: info\n")
    base = ["lint", "ota.yaml", "--policy", only("OTA302"), "--policy", "info.yaml"]
    assert main(base) == 1
    assert main([*base, "--fail-on", "never"]) == 0
    capsys.readouterr()


@pytest.mark.usefixtures("no_state")
def test_lint_output_file_gets_the_report_and_stdout_stays_empty(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`lint --output FILE` writes the report there (creating the directory) and not to stdout."""
    write("ota.yaml", declared(rate=300))
    code = main(
        [
            "lint",
            "ota.yaml",
            "--policy",
            only("OTA302"),
            "--format",
            "json",
            "--output",
            "out/r.json",
        ]
    )
    assert code == 1
    assert capsys.readouterr().out == ""
    report = json.loads(Path("out/r.json").read_text(encoding="utf-8"))
    assert [f["ruleId"] for f in report["findings"]] == ["OTA302"]
    assert report["summary"]["live"] is None


# --- rules -----------------------------------------------------------------------------------


def test_rules_lists_every_registered_rule_with_severity_applies_to_and_title(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`rules` prints a header and one row per registry rule: ID, severity, applies-to, title."""
    assert main(["rules"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert re.split(r"\s{2,}", lines[0]) == ["ID", "SEVERITY", "APPLIES TO", "TITLE"]
    rows = [re.split(r"\s{2,}", line, maxsplit=3) for line in lines[1:]]
    assert [(r[0], r[1], r[3]) for r in rows] == [
        (m.rule_id, m.severity.value, m.title) for m in ALL_RULES
    ]
    assert [r[0] for r in rows] == sorted(META_BY_ID)
    for meta, row in zip(ALL_RULES, rows, strict=True):
        if meta.needs_verify:  # only when the chain behind each file was read
            assert row[2] == "live chain (--verify)", row
        elif meta.needs_deep and meta.applies_to == "live":  # only when the job was read
            assert row[2] == "live job (--deep)", row
        elif meta.needs_deep:  # declared always, live only when the job config was read
            assert row[2].startswith("declared") and "live" in row[2], row
        else:
            assert row[2] == APPLIES[meta.applies_to], row


def test_rules_list_has_the_known_rules_exactly(capsys: pytest.CaptureFixture[str]) -> None:
    """The rows for OTA001, OTA002, OTA101, OTA302 and OTA900 carry their documented values."""
    main(["rules"])
    rows = {
        row[0]: row
        for row in (
            re.split(r"\s{2,}", line, maxsplit=3) for line in capsys.readouterr().out.splitlines()
        )
    }
    assert rows["OTA001"] == [
        "OTA001",
        "high",
        "drift (check)",
        "Ensure the live OTA update matches its declaration",
    ]
    assert rows["OTA002"] == [
        "OTA002",
        "high",
        "drift (check)",
        "Ensure every declared OTA update exists",
    ]
    assert rows["OTA101"] == [
        "OTA101",
        "critical",
        "declared and live",
        "Ensure every OTA file is code-signed",
    ]
    assert rows["OTA302"] == [
        "OTA302",
        "high",
        "declared and live",
        "Ensure the rollout rate stays within policy",
    ]
    assert rows["OTA900"] == [
        "OTA900",
        "low",
        "policy packs",
        "Ensure suppressions are reviewed before they expire",
    ]


def test_rules_ota302_prints_the_full_documentation_with_parameter_defaults(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`rules OTA302` prints title, severity, what/why/fix, both params with defaults and
    valid ranges, and the examples."""
    assert main(["rules", "OTA302"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert lines[0] == "OTA302: Ensure the rollout rate stays within policy"
    assert lines[1] == "Severity: high (default)    Applies to: declared and live"
    for heading in ("What it checks", "Why it matters", "How to fix it", "Fails", "Passes"):
        assert heading in lines
    at = lines.index("  maxPerMinute (int, default 200): highest allowed `maximumPerMinute`")
    assert lines[at + 1] == (
        "    valid: an integer, at least 1 and below 1000 "
        "(maximumPerMinute is 1 to 1000: a limit of 1000 or more never fires, "
        "one below 1 always does)"
    )
    at = lines.index(
        "  maxBaseRatePerMinute (int, default 50): "
        "highest allowed `exponentialRate.baseRatePerMinute`"
    )
    assert lines[at + 1] == (
        "    valid: an integer, at least 1 and below 1000 "
        "(baseRatePerMinute is 1 to 1000: a limit of 1000 or more never fires, "
        "one below 1 always does)"
    )
    assert "    maximumPerMinute: 1000" in lines  # the failing example
    for reference in META_BY_ID["OTA302"].doc.references:
        assert f"  - {reference}" in lines


def test_rules_ota302_markdown_has_the_parameter_table(capsys: pytest.CaptureFixture[str]) -> None:
    """`rules OTA302 --format markdown` documents the params in a table with their defaults and
    valid ranges."""
    assert main(["rules", "OTA302", "--format", "markdown"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "## OTA302: Ensure the rollout rate stays within policy"
    assert "| parameter | type | default | meaning | valid values |" in lines
    assert (
        "| `maxPerMinute` | int | `200` | highest allowed `maximumPerMinute` "
        "| an integer, at least 1 and below 1000 "
        "(maximumPerMinute is 1 to 1000: a limit of 1000 or more never fires, "
        "one below 1 always does) |" in lines
    )
    assert (
        "| `maxBaseRatePerMinute` | int | `50` | "
        "highest allowed `exponentialRate.baseRatePerMinute` "
        "| an integer, at least 1 and below 1000 "
        "(baseRatePerMinute is 1 to 1000: a limit of 1000 or more never fires, "
        "one below 1 always does) |" in lines
    )


def test_rules_id_is_case_insensitive(capsys: pytest.CaptureFixture[str]) -> None:
    """`rules ota302` prints exactly what `rules OTA302` prints."""
    assert main(["rules", "OTA302"]) == 0
    upper = capsys.readouterr().out
    assert main(["rules", "ota302"]) == 0
    assert capsys.readouterr().out == upper
    assert main(["rules", "Ota302"]) == 0
    assert capsys.readouterr().out == upper


def test_rules_for_a_rule_without_params_prints_no_parameter_section(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`rules OTA101` documents the rule and has no Parameters section."""
    assert main(["rules", "OTA101"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OTA101: Ensure every OTA file is code-signed\n")
    assert "Parameters" not in out


def test_rules_unknown_id_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """`rules OTA999` exits 2 with a message on stderr and nothing on stdout."""
    assert main(["rules", "OTA999"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "ota-drift: unknown rule 'OTA999' (see `ota-drift rules`)\n"


def test_rules_markdown_matches_docs_rules_md(capsys: pytest.CaptureFixture[str]) -> None:
    """`rules --format markdown` is exactly docs/rules.md: the generated docs are up to date."""
    docs = REPO / "docs" / "rules.md"
    assert main(["rules", "--format", "markdown"]) == 0
    assert capsys.readouterr().out == docs.read_text(encoding="utf-8")


def test_rules_markdown_documents_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    """The markdown catalogue has a table row and a section for every registered rule."""
    assert main(["rules", "--format", "markdown"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "# ota-drift rules"
    for meta in ALL_RULES:
        assert f"## {meta.rule_id}: {meta.title}" in lines
        assert sum(1 for line in lines if line.startswith(f"| [{meta.rule_id}](#")) == 1


@pytest.mark.parametrize("rule_id", [m.rule_id for m in ALL_RULES if m.params])
def test_rules_id_shows_every_parameters_valid_values_in_text_and_markdown(
    rule_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rules ID` prints a `valid:` line under each parameter, and the markdown row ends with
    the same text: the ranges packs are checked against are documented where they are set."""
    meta = META_BY_ID[rule_id]
    assert main(["rules", rule_id]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert main(["rules", rule_id, "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out.splitlines()
    for param in meta.params:
        (at,) = [i for i, line in enumerate(lines) if line.startswith(f"  {param.name} (")]
        assert lines[at + 1] == f"    valid: {param.valid_text()}"
        (row,) = [line for line in markdown if line.startswith(f"| `{param.name}` |")]
        assert row.endswith(f"| {param.valid_text()} |")
