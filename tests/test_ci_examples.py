"""The shipped CI examples and hooks stay valid: YAML parses, every ota-drift command parses."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
GITHUB_FLEET = ROOT / "examples/ci/github-actions-fleet.yml"
GITLAB_FLEET = ROOT / "examples/ci/gitlab-ci-fleet.yml"
CI_FILES = [
    ROOT / "examples/ci/github-actions.yml",
    ROOT / "examples/ci/gitlab-ci.yml",
    GITHUB_FLEET,
    GITLAB_FLEET,
]
AS_OF = "2026-12-01T04:17:00Z"
SAMPLES = {"${{ matrix.shard }}": "2", "$SHARD": "2", "$AS_OF": AS_OF}
"""What CI puts in place of the expressions and variables the examples' commands use."""


def _scripts(node: Any) -> list[str]:
    """Every `run:` / `script:` string in a CI document."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("run", "script", "entry"):
                found += (
                    [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]
                )
            else:
                found += _scripts(value)
    elif isinstance(node, list):
        for item in node:
            found += _scripts(item)
    return found


def _commands(text: str) -> list[list[str]]:
    """The ota-drift invocations in shell text, as argument lists (without `ota-drift`)."""
    return [
        shlex.split(re.split(r"\s(?:>|\||&&|;)", match.group(1))[0])
        for match in re.finditer(
            r"(?:^|\s)ota-drift ((?:lint|check|merge|snapshot|import|iam-policy|fleet|rules)"
            r"[^\n]*)",
            text,
        )
    ]


def _shell_commands(script: str) -> list[list[str]]:
    """The ota-drift invocations of a CI script, one per shell line (continuations joined),
    with CI's expressions and variables replaced by the values CI would give them."""
    for name, value in SAMPLES.items():
        script = script.replace(name, value)
    return [c for line in script.replace("\\\n", " ").splitlines() for c in _commands(line)]


def _doc(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", CI_FILES, ids=lambda p: p.name)
def test_ci_example_commands_parse_with_the_real_cli(path: Path) -> None:
    """Each ota-drift command in a CI example is accepted by ota-drift's own argument parser,
    with every CI variable it uses given a value."""
    commands = [c for script in _scripts(_doc(path)) for c in _shell_commands(script)]
    assert commands, f"no ota-drift command found in {path.name}"
    parser = build_parser()
    for argv in commands:
        assert not [a for a in argv if "$" in a], f"unreplaced CI variable in {argv}"
        parser.parse_args(argv)  # raises SystemExit(2) on an unknown or malformed option


def test_github_workflow_uploads_sarif_and_keeps_reports() -> None:
    """The PR job lints with SARIF upload and a job summary; the nightly job uses OIDC."""
    doc = yaml.safe_load((ROOT / "examples/ci/github-actions.yml").read_text(encoding="utf-8"))
    lint, nightly = doc["jobs"]["lint"], doc["jobs"]["nightly"]
    lint_run = " ".join(_scripts(lint))
    assert "ota-drift lint" in lint_run and "sarif=" in lint_run and "--github-summary" in lint_run
    assert any(
        s.get("uses", "").startswith("github/codeql-action/upload-sarif") for s in lint["steps"]
    )
    assert lint["permissions"]["security-events"] == "write"
    assert nightly["permissions"]["id-token"] == "write"
    nightly_run = " ".join(_scripts(nightly))
    assert "ota-drift check" in nightly_run and "junit=" in nightly_run and "html=" in nightly_run
    assert any(s.get("uses", "").startswith("actions/upload-artifact") for s in nightly["steps"])


def test_gitlab_jobs_publish_junit() -> None:
    """Both GitLab jobs hand the JUnit report to GitLab and keep artifacts on failure."""
    doc = yaml.safe_load((ROOT / "examples/ci/gitlab-ci.yml").read_text(encoding="utf-8"))
    base = doc[".ota-drift"]
    assert base["artifacts"]["reports"]["junit"] == "out/ota-drift.xml"
    assert base["artifacts"]["when"] == "always"
    assert "ota-drift lint" in " ".join(_scripts(doc["ota-drift-lint"]))
    assert "ota-drift check" in " ".join(_scripts(doc["ota-drift-nightly"]))


def test_pre_commit_hook_runs_lint_on_yaml() -> None:
    """.pre-commit-hooks.yaml exposes `ota-drift lint` as a python hook on YAML files."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] == "ota-drift-lint"
    assert hook["entry"] == "ota-drift lint"
    assert hook["language"] == "python"
    assert re.search(hook["files"], "ota/sensors.yaml")
    assert not re.search(hook["files"], "other/config.yaml")
    build_parser().parse_args([*hook["entry"].split()[1:], "ota/sensors.yaml"])


def test_readme_ota_drift_commands_parse() -> None:
    """Every `ota-drift ...` command shown in the README's shell blocks parses."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", readme, re.S)
    lines = [line for block in blocks for line in block.replace("\\\n", " ").splitlines()]
    commands = [c for line in lines for c in _commands(line.split("#")[0])]
    assert len(commands) >= 5
    parser = build_parser()
    for argv in commands:
        parser.parse_args(argv)


# --------------------------------------------------------------------------------------------
# The sharded fleet examples: structure, and what their shell does with each exit code
# --------------------------------------------------------------------------------------------

STUB = """#!/bin/sh
# ota-drift as the CI scripts see it: exits $STUB_CODE; writes its reports when it is 0 or 1.
echo "$*" >> "$STUB_LOG"
[ "$STUB_CODE" -le 1 ] || exit "$STUB_CODE"
while [ $# -gt 0 ]; do
  case "$1" in
    --output) mkdir -p "$(dirname "$2")"; echo report > "$2"; shift ;;
    --report) mkdir -p "$(dirname "${2#*=}")"; echo report > "${2#*=}"; shift ;;
  esac
  shift
done
exit "$STUB_CODE"
"""


def _run_shell(script: str, work: Path, code: int, **env: str) -> subprocess.CompletedProcess[str]:
    """`script` as a CI runner runs it (bash -eo pipefail) in `work`, with `ota-drift` a stub
    that exits `code`."""
    stub = work / "bin" / "ota-drift"
    if not stub.exists():
        stub.parent.mkdir(parents=True)
        stub.write_text(STUB, encoding="utf-8")
        stub.chmod(0o755)
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=work,
        env={
            "PATH": f"{stub.parent}{os.pathsep}{os.environ['PATH']}",
            "STUB_CODE": str(code),
            "STUB_LOG": str(work / "calls.log"),
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )


def _step(job: dict[str, Any], uses: str) -> dict[str, Any]:
    (step,) = [s for s in job["steps"] if s.get("uses", "").startswith(uses)]
    return step


def _github_merge_step(doc: Any) -> dict[str, Any]:
    (step,) = [s for s in doc["jobs"]["merge"]["steps"] if s.get("id") == "merge"]
    return step


def _github_audit_step(doc: Any) -> dict[str, Any]:
    (step,) = [s for s in doc["jobs"]["audit"]["steps"] if "ota-drift check" in s.get("run", "")]
    return step


def test_github_fleet_workflow_shards_with_one_clock_and_merges_to_sarif() -> None:
    """Scheduled; one --as-of from the clock job for every shard; a matrix over shards 1-4
    whose `--shard K/N` matches it; OIDC; each JSON report uploaded; the merge job runs after
    failed shards too, merges every shard and uploads SARIF and the summary."""
    doc = _doc(GITHUB_FLEET)
    triggers = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` key as true
    assert "schedule" in triggers
    clock, audit, merge = doc["jobs"]["clock"], doc["jobs"]["audit"], doc["jobs"]["merge"]
    assert clock["outputs"]["as-of"] == "${{ steps.clock.outputs.as-of }}"

    assert audit["needs"] == "clock"
    assert audit["strategy"] == {"fail-fast": False, "matrix": {"shard": [1, 2, 3, 4]}}
    assert audit["permissions"]["id-token"] == "write"
    assert _step(audit, "aws-actions/configure-aws-credentials")["with"]["role-to-assume"]
    step = _github_audit_step(doc)
    assert step["env"] == {"AS_OF": "${{ needs.clock.outputs.as-of }}"}
    (check,) = _shell_commands(step["run"])
    args = build_parser().parse_args(check)
    assert (args.fleet, args.shard.index, args.shard.count) == ("fleet.yaml", 2, 4)
    assert (args.as_of.isoformat(), args.format) == ("2026-12-01T04:17:00+00:00", "json")
    assert args.output == "out/shard-2.json"
    upload = _step(audit, "actions/upload-artifact")
    assert upload["if"] == "always()"
    assert upload["with"]["name"] == "ota-drift-shard-${{ matrix.shard }}"
    assert upload["with"]["path"] == "out/"

    assert merge["needs"] == ["clock", "audit"]
    assert "!cancelled()" in merge["if"]
    assert merge["permissions"]["security-events"] == "write"
    download = _step(merge, "actions/download-artifact")["with"]
    assert download == {"pattern": "ota-drift-shard-*", "merge-multiple": True, "path": "shards/"}
    (merged,) = _shell_commands(_github_merge_step(doc)["run"])
    args = build_parser().parse_args(merged)
    assert args.reports == ["shards/shard-*.json"]  # the shell expands it to every shard
    assert (args.format, args.output, args.report) == (
        "sarif",
        "ota-drift.sarif",
        [("markdown", "summary.md")],
    )
    sarif = _step(merge, "github/codeql-action/upload-sarif")
    assert sarif["if"].startswith("always()")
    assert sarif["with"]["sarif_file"] == "ota-drift.sarif"
    final = merge["steps"][-1]
    assert final["if"] == "always()"
    assert final["env"] == {"CODE": "${{ steps.merge.outputs.code }}"}


def test_github_fleet_clock_gives_an_as_of_the_cli_takes(tmp_path: Path) -> None:
    """The clock step's output is a time `--as-of` accepts."""
    (step,) = _doc(GITHUB_FLEET)["jobs"]["clock"]["steps"]
    output = tmp_path / "output"
    done = _run_shell(step["run"], tmp_path, 0, GITHUB_OUTPUT=str(output))
    assert done.returncode == 0, done.stderr
    name, _, value = output.read_text(encoding="utf-8").strip().partition("=")
    assert name == "as-of"
    build_parser().parse_args(["check", "--fleet", "fleet.yaml", "--as-of", value])


@pytest.mark.parametrize(("code", "step_exit"), [(0, 0), (1, 0), (2, 2), (130, 130)])
def test_github_fleet_shard_step_keeps_findings_for_the_merge(
    tmp_path: Path, code: int, step_exit: int
) -> None:
    """A shard's step records ota-drift's exit code next to its report; findings (1) pass the
    step, anything worse fails it (the upload step runs `if: always()`)."""
    script = _github_audit_step(_doc(GITHUB_FLEET))["run"].replace("${{ matrix.shard }}", "2")
    done = _run_shell(script, tmp_path, code, AS_OF=AS_OF)
    assert done.returncode == step_exit, done.stderr
    assert (tmp_path / "out/shard-2.exit").read_text(encoding="utf-8") == f"{code}\n"
    assert (tmp_path / "out/shard-2.json").exists() == (code <= 1)


def _github_merge(tmp_path: Path, merge_code: int, shard_codes: list[int]) -> tuple[int, str]:
    """The merge job's shell: the merge step, then the final step with its output."""
    doc = _doc(GITHUB_FLEET)
    shards = tmp_path / "shards"
    shards.mkdir()
    for index, shard_code in enumerate(shard_codes, 1):
        (shards / f"shard-{index}.json").write_text("{}", encoding="utf-8")
        (shards / f"shard-{index}.exit").write_text(f"{shard_code}\n", encoding="utf-8")
    output, summary = tmp_path / "output", tmp_path / "summary"
    step = _run_shell(
        _github_merge_step(doc)["run"],
        tmp_path,
        merge_code,
        GITHUB_OUTPUT=str(output),
        GITHUB_STEP_SUMMARY=str(summary),
    )
    assert step.returncode == 0, step.stderr  # the uploads after it must still run
    (line,) = output.read_text(encoding="utf-8").splitlines()
    code = line.removeprefix("code=")
    final = _run_shell(doc["jobs"]["merge"]["steps"][-1]["run"], tmp_path, 0, CODE=code)
    text = summary.read_text(encoding="utf-8") if summary.exists() else ""
    return final.returncode, text


@pytest.mark.parametrize(
    ("merge_code", "shard_codes", "final"),
    [
        (0, [0, 0, 0, 0], 0),
        (1, [0, 1, 0, 1], 1),
        (2, [0, 0, 0, 0], 2),  # e.g. a shard's report holds a partition's read error
        (0, [0, 2, 0, 0], 2),  # a shard exited 2 while its report looks clean
        (1, [1, 1, 2, 1], 2),
        (2, [], 2),  # no shard left anything: merge refuses
    ],
)
def test_github_fleet_merge_exits_as_the_whole_fleet_would(
    tmp_path: Path, merge_code: int, shard_codes: list[int], final: int
) -> None:
    """The job ends with merge's exit code, raised to 2 when any shard exited 2."""
    code, summary = _github_merge(tmp_path, merge_code, shard_codes)
    assert code == final
    if merge_code == 2:  # merge wrote no report: the job summary still says why
        assert summary == "ota-drift merge failed (exit 2): see the job log\n"
    calls = (tmp_path / "calls.log").read_text(encoding="utf-8").splitlines()
    shards = " ".join(f"shards/shard-{i}.json" for i in range(1, len(shard_codes) + 1))
    assert calls == [
        f"merge {shards or 'shards/shard-*.json'} --format sarif --output ota-drift.sarif "
        "--report markdown=summary.md --github-summary"
    ]


def test_github_fleet_final_step_fails_when_the_merge_step_never_ran(tmp_path: Path) -> None:
    final = _doc(GITHUB_FLEET)["jobs"]["merge"]["steps"][-1]["run"]
    assert _run_shell(final, tmp_path, 0, CODE="").returncode == 2


def _gitlab_script(job: dict[str, Any]) -> str:
    return "\n".join(job["script"])


def test_gitlab_fleet_pipeline_shards_with_one_clock_and_merges() -> None:
    """A clock job hands AS_OF on as dotenv; `parallel:matrix` over SHARD 1-4 matching
    `--shard $SHARD/4`; OIDC; reports kept on failure; the merge job needs every shard, runs
    after failed shards too and publishes JUnit."""
    doc = _doc(GITLAB_FLEET)
    clock, shard, merge = doc["ota-drift-clock"], doc["ota-drift-shard"], doc["ota-drift-merge"]
    assert clock["artifacts"]["reports"]["dotenv"] == "as-of.env"
    assert "AS_OF=$(date -u +%Y-%m-%dT%H:%M:%SZ)" in _gitlab_script(clock)
    assert shard["needs"] == ["ota-drift-clock"]
    assert shard["parallel"] == {"matrix": [{"SHARD": ["1", "2", "3", "4"]}]}
    assert shard["id_tokens"]["AWS_ID_TOKEN"]["aud"] == "sts.amazonaws.com"
    assert shard["variables"]["AWS_ROLE_ARN"]
    (check,) = _shell_commands(_gitlab_script(shard))
    args = build_parser().parse_args(check)
    assert (args.fleet, args.shard.index, args.shard.count) == ("fleet.yaml", 2, 4)
    assert (args.format, args.output) == ("json", "shards/shard-2.json")
    assert args.as_of.isoformat() == "2026-12-01T04:17:00+00:00"
    assert shard["artifacts"]["when"] == "always"
    assert shard["artifacts"]["paths"] == ["shards/"]

    assert merge["needs"] == ["ota-drift-shard"]
    assert merge["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"', "when": "always"}]
    (merged,) = _shell_commands(_gitlab_script(merge))
    args = build_parser().parse_args(merged)
    assert args.reports == ["shards/shard-*.json"]
    assert (args.format, args.output) == ("junit", "out/ota-drift.xml")
    assert merge["artifacts"]["reports"]["junit"] == "out/ota-drift.xml"
    assert merge["artifacts"]["when"] == "always"


@pytest.mark.parametrize(("code", "job_exit"), [(0, 0), (1, 0), (2, 2)])
def test_gitlab_fleet_shard_keeps_findings_for_the_merge(
    tmp_path: Path, code: int, job_exit: int
) -> None:
    script = _gitlab_script(_doc(GITLAB_FLEET)["ota-drift-shard"])
    done = _run_shell(
        script,
        tmp_path,
        code,
        SHARD="3",
        AS_OF=AS_OF,
        CI_BUILDS_DIR=str(tmp_path),
        AWS_ID_TOKEN="t",
    )
    assert done.returncode == job_exit, done.stderr
    assert (tmp_path / "shards/shard-3.exit").read_text(encoding="utf-8") == f"{code}\n"


@pytest.mark.parametrize(
    ("merge_code", "shard_codes", "final"),
    [
        (0, [0, 0, 0, 0], 0),
        (1, [0, 1, 0, 1], 1),
        (2, [0, 0, 0, 0], 2),
        (0, [0, 2, 0, 0], 2),
        (2, [], 2),
    ],
)
def test_gitlab_fleet_merge_exits_as_the_whole_fleet_would(
    tmp_path: Path, merge_code: int, shard_codes: list[int], final: int
) -> None:
    shards = tmp_path / "shards"
    shards.mkdir()
    for index, shard_code in enumerate(shard_codes, 1):
        (shards / f"shard-{index}.json").write_text("{}", encoding="utf-8")
        (shards / f"shard-{index}.exit").write_text(f"{shard_code}\n", encoding="utf-8")
    script = _gitlab_script(_doc(GITLAB_FLEET)["ota-drift-merge"])
    assert _run_shell(script, tmp_path, merge_code).returncode == final
