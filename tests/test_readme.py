"""The README's promises: its quick start runs, CI runs exactly it, its tables match the code."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

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


RECORDED_V1 = ROOT / "tests" / "sources" / "aws-cli" / "get-ota-update-v1.json"
FAKE_AWS = r"""#!/bin/sh
# Stands in for the AWS CLI: answers only the README's two commands, in the form both v1 and v2
# accept, from a recording of v1; like v1, it refuses any other option (v1 has no
# --cli-binary-format). AWS_LISTING=empty lists nothing; AWS_LISTING=fails-on-page-2 prints the
# first page's ids and then fails, as the CLI does when a later page is refused.
dir=$(dirname "$0")
case "$*" in
  "iot list-ota-updates --query otaUpdates[].otaUpdateId --output text")
    case "$AWS_LISTING" in
      empty) ;;
      fails-on-page-2)
        printf 'sensor-fw-2026-11\n'
        echo "An error occurred (AccessDeniedException) when calling ListOTAUpdates" >&2
        exit 254 ;;
      *) printf 'sensor-fw-2026-11\tcam_fw-9\n' ;;
    esac ;;
  "iot get-ota-update --ota-update-id sensor-fw-2026-11 --output json"|\
  "iot get-ota-update --ota-update-id cam_fw-9 --output json")
    if [ "$4" = "$AWS_FAIL_ID" ]; then
      echo "An error occurred (ResourceNotFoundException)" >&2; exit 254
    fi
    cat "$dir/$4.json" ;;
  *) echo "Unknown options: $*" >&2; exit 255 ;;
esac
"""
AWS_CLI_DECLARED = """\
otaUpdates:
  - otaUpdateId: cam_fw-9
    targets: [arn:aws:iot:eu-central-1:123456789012:thinggroup/cameras]
    files:
      - fileName: cam.bin
        fileLocation: {stream: {streamId: cam-stream, fileId: 0}}
        codeSigning: {awsSignerJobId: 0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7}
    roleArn: arn:aws:iam::123456789012:role/ota
"""


def _aws_cli_block() -> str:
    match = re.search(r"<!-- aws-cli-state -->\s*```sh\n(.*?)\n```", README, re.S)
    assert match, "README has no aws-cli-state block"
    return match.group(1)


def _run_aws_cli_block(
    tmp_path: Path, shell: str, fail_id: str = "", listing: str = ""
) -> subprocess.CompletedProcess[str]:
    """The README's block, verbatim, with a stand-in `aws` replaying recorded v1 output."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    first, second = RECORDED_V1.read_text(encoding="utf-8").split("}\n{", 1)
    (bin_dir / "sensor-fw-2026-11.json").write_text(first + "}\n", encoding="utf-8")
    (bin_dir / "cam_fw-9.json").write_text("{" + second, encoding="utf-8")
    (bin_dir / "aws").write_text(FAKE_AWS, encoding="utf-8")
    (bin_dir / "aws").chmod(0o755)
    (tmp_path / "ota").mkdir()
    (tmp_path / "ota" / "fw.yaml").write_text(AWS_CLI_DECLARED, encoding="utf-8")
    path = os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), os.environ["PATH"]])
    env = {**os.environ, "PATH": path, "AWS_FAIL_ID": fail_id, "AWS_LISTING": listing}
    return subprocess.run(
        [shell, "-c", _aws_cli_block()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_readme_aws_cli_example_uses_no_v2_only_option() -> None:
    """AWS CLI v1 rejects --cli-binary-format (and it only affects input in v2)."""
    assert "--cli-binary-format" not in README


@pytest.mark.parametrize("shell", ["sh", "bash"])
def test_readme_aws_cli_loop_writes_a_state_file_that_check_reads(
    tmp_path: Path, shell: str
) -> None:
    result = _run_aws_cli_block(tmp_path, shell)
    assert result.stderr == ""
    assert result.returncode == 1  # one update unmanaged: a finding, not an input error
    assert result.stdout.splitlines()[0].endswith(
        "1 declared, 2 live; 1 in sync, 0 drifted, 0 missing, 1 unmanaged"
    )
    recorded = RECORDED_V1.read_text(encoding="utf-8")
    assert (tmp_path / "state.json").read_text(encoding="utf-8") == recorded


def test_readme_aws_cli_loop_stops_at_a_failed_call(tmp_path: Path) -> None:
    """A failed get-ota-update stops the loop: ota-drift never audits an incomplete file."""
    result = _run_aws_cli_block(tmp_path, "sh", fail_id="cam_fw-9")
    assert result.returncode == 254
    assert result.stdout == ""


def test_readme_aws_cli_loop_stops_when_a_later_listing_page_fails(tmp_path: Path) -> None:
    """The first page's ids must not become a partial state file that audits 'complete'."""
    result = _run_aws_cli_block(tmp_path, "sh", listing="fails-on-page-2")
    assert result.returncode == 254
    assert result.stdout == ""
    assert not (tmp_path / "state.json").exists()


@pytest.mark.parametrize("shell", ["sh", "bash"])
def test_readme_aws_cli_loop_audits_a_region_without_updates(tmp_path: Path, shell: str) -> None:
    """An empty region is `[]`, so the declared update is reported missing, not an input error."""
    result = _run_aws_cli_block(tmp_path, shell, listing="empty")
    assert (tmp_path / "state.json").read_text(encoding="utf-8") == "[]\n"
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0].endswith(
        "1 declared, 0 live; 0 in sync, 0 drifted, 1 missing, 0 unmanaged"
    )


CHECKER = ROOT / "checker"
MODULES = sorted(p.relative_to(CHECKER).as_posix() for p in CHECKER.rglob("*.py"))
"""Every Python file of the package, by path below checker/."""


def _architecture() -> str:
    """README's "Development" section, whose paragraphs from "The code follows the data" to
    "`checker/audit.py` wires ..." name the package's modules."""
    section = README.split("\n## Development\n", 1)[1].split("\n## ", 1)[0]
    assert "`checker/audit.py` wires" in section
    return section


def _modules_meant(name: str) -> set[str]:
    """The modules a backquoted `name` stands for: `checker/x/y.py` is that path; `x/y.py` or
    `y.py` is whichever module's path ends so; `NNN` (three digits) and `*` make a pattern."""
    pattern = re.escape(name.removeprefix("checker/"))
    pattern = pattern.replace("NNN", r"\d{3}").replace(r"\*", "[^/]*")
    if not name.startswith("checker/"):
        pattern = f"(?:.+/)?{pattern}"
    return {m for m in MODULES if re.fullmatch(pattern, m)}


def test_the_architecture_paragraph_names_every_module() -> None:
    """Each module below checker/ (but `__init__.py` and `__main__.py`) is named in README's
    architecture paragraphs, by its path or by a stated pattern (`rules/otaNNN_*.py`), so a new
    module cannot go unmentioned. A bare name must mean one module only (`model.py` exists
    twice: write `checker/model.py` or `policy/model.py`), and every name must still exist."""
    names = re.findall(r"`([^`\s]+\.py)`", _architecture())
    named: set[str] = set()
    unclear: dict[str, set[str]] = {}
    for name in names:
        meant = _modules_meant(name)
        pattern = "NNN" in name or "*" in name
        if meant and (pattern or len(meant) == 1):
            named |= meant
        else:
            unclear[name] = meant
    assert unclear == {}, "no module, or more than one, has that name"
    wanted = {m for m in MODULES if Path(m).name not in ("__init__.py", "__main__.py")}
    assert sorted(wanted - named) == []


def test_the_architecture_check_resolves_names_as_documented() -> None:
    """What the check above relies on: paths, suffixes, patterns, and an ambiguous name."""
    assert _modules_meant("checker/model.py") == {"model.py"}
    assert _modules_meant("policy/model.py") == {"policy/model.py"}
    assert _modules_meant("model.py") == {"model.py", "policy/model.py"}
    assert _modules_meant("choice.py") == {"sources/choice.py"}
    assert "rules/ota101_code_signing.py" in _modules_meant("rules/otaNNN_*.py")
    assert _modules_meant("rules/otaNNN_*.py") <= {m for m in MODULES if m.startswith("rules/ota")}
    assert _modules_meant("gone.py") == set()
