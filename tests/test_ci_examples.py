"""The shipped CI examples and hooks stay valid: YAML parses, every ota-drift command parses."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
CI_FILES = [ROOT / "examples/ci/github-actions.yml", ROOT / "examples/ci/gitlab-ci.yml"]


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
            r"(?:^|\s)ota-drift ((?:lint|check|snapshot|iam-policy|rules)[^\n]*)", text
        )
    ]


@pytest.mark.parametrize("path", CI_FILES, ids=lambda p: p.name)
def test_ci_example_commands_parse_with_the_real_cli(path: Path) -> None:
    """Each ota-drift command in a CI example is accepted by ota-drift's own argument parser."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    commands = [c for script in _scripts(doc) for c in _commands(" ".join(script.split()))]
    assert commands, f"no ota-drift command found in {path.name}"
    parser = build_parser()
    for argv in commands:
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
