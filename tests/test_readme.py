"""The README's promises: its quick start runs, CI runs exactly it, its tables match the code."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from checker.normalise import SERVICE_DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def quickstart(name: str) -> str:
    """The command in the ```sh block after the `<!-- quickstart:NAME -->` marker."""
    match = re.search(rf"<!-- quickstart:{name} -->\s*```sh\n(.*?)\n```", README, re.S)
    assert match, f"README has no quickstart:{name} block"
    return match.group(1).strip()


def test_ci_runs_the_readme_commands_verbatim() -> None:
    """.ci/run reads both quick-start commands from the README rather than keeping copies."""
    printed = subprocess.run(
        ["bash", ".ci/run", "--print"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert printed == [quickstart("audit"), quickstart("test")]


def test_quickstart_has_exactly_two_commands() -> None:
    """The quick start is two one-line commands: one installs and audits, one installs and tests."""
    assert README.count("<!-- quickstart:") == 2
    audit, tests = quickstart("audit"), quickstart("test")
    assert "\n" not in audit and "\n" not in tests
    assert "pip install ." in audit and "ota-drift check" in audit
    assert "requirements-dev.txt" in tests and "pytest" in tests


def test_quickstart_audit_runs_on_the_bundled_example() -> None:
    """The audit part of the first quick-start command reports the example's drift and exits 1.

    The install part is what the README's test command already did to this environment (and
    .ci/run runs the whole command on a fresh clone); running pip here would need the network.
    """
    audit = quickstart("audit")
    check = audit[audit.index("ota-drift check") :]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("NO_COLOR", None)
    result = subprocess.run(
        ["bash", "-c", check], cwd=ROOT, capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    first = "ota-drift 0.1.0: 6 declared, 6 live; 3 in sync, 2 drifted, 1 missing, 1 unmanaged"
    assert result.stdout.splitlines()[0] == first


def test_readme_sample_output_is_what_the_command_prints() -> None:
    """Every line the README shows as the first command's output appears in the real output."""
    marker = r"What the first command prints \(abridged\):\s*```text\n(.*?)\n```"
    sample = re.search(marker, README, re.S)
    assert sample
    audit = quickstart("audit")
    args = audit[audit.index("ota-drift check") :].split()[2:]
    result = subprocess.run(
        [sys.executable, "-m", "checker", "check", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    real = result.stdout.splitlines()
    for line in sample.group(1).splitlines():
        if line.strip() != "...":
            assert line in real


def test_readme_defaults_table_matches_the_code() -> None:
    """The README's table of service defaults lists exactly SERVICE_DEFAULTS, in order."""
    table = README.split("<!-- defaults-table -->", 1)[1].split("\n\n", 1)[0]
    rows = [r for r in table.strip().splitlines()[2:] if r.startswith("|")]
    expected = [
        f"| `{'.'.join(map(str, d.path))}` | `{_show(d.value)}` | {d.evidence} |"
        for d in SERVICE_DEFAULTS
    ]
    assert rows == expected


def _show(value: object) -> str:
    return json.dumps(value) if isinstance(value, list) else str(value)
