"""Writing reports never harms what is there: checked before the audit, atomic, mode-preserving.

Tests run as root in CI containers, where permission bits stop nothing; an unwritable folder
is therefore shown with folders that refuse new files whatever the bits say (`/proc`, where
creating a file fails with ENOENT, and `/sys`, EACCES even for root) and, when the tests run
as another user, with a folder of mode 0500.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

import checker.cli
import checker.output
import checker.policy.packs
import checker.sources.choice
from checker.cli import main
from checker.errors import UsageError
from checker.output import OutputRequest, check_outputs, write_outputs
from tests.support.unprivileged import run_unprivileged
from tests.test_cli import entry, live, snapshot, yaml_file

AS_OF = ["--as-of", "2026-11-25T00:00:00Z"]
CLI = [sys.executable, "-m", "checker"]


@pytest.fixture(autouse=True)
def _in_tmp(in_tmp: Path) -> None:
    """Each test in its own folder with one declared update and a snapshot of it."""
    Path("ota.yaml").write_text(yaml_file(entry("a")), encoding="utf-8")
    Path("snap.json").write_text(snapshot(live("a", 600)), encoding="utf-8")


def lint(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    """`ota-drift lint ota.yaml --format json …`: exit code, stdout, stderr."""
    code = main(["lint", "ota.yaml", *AS_OF, "--format", "json", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def check(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    """`ota-drift check ota.yaml --state snap.json --format json …` (one OTA001 drift)."""
    code = main(["check", "ota.yaml", "--state", "snap.json", *AS_OF, "--format", "json", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def files_here() -> list[str]:
    """Every entry under the current folder, recursively, as sorted relative paths."""
    return sorted(str(p) for p in Path().rglob("*"))


def expected_report(capsys: pytest.CaptureFixture[str], fmt: str = "json") -> str:
    """The report `check` prints on stdout, for comparison with what files hold."""
    code, out, _ = check(capsys, "--format", fmt)
    assert code == 1
    return out


# --- checked before the audit ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--output", ""], "--output: the path is empty"),
        (["--output", "."], "--output .: is a folder, not a file"),
        (["--output", "sub/"], "--output sub/: is a folder, not a file"),
        (["--report", "json=sub"], "--report json sub: is a folder, not a file"),
        (
            ["--output", "ota.yaml/r.json"],
            "--output ota.yaml/r.json: ota.yaml is a file, not a folder",
        ),
        (
            ["--report", "sarif=ota.yaml/deeper/r.sarif"],
            "--report sarif ota.yaml/deeper/r.sarif: ota.yaml is a file, not a folder",
        ),
        (
            ["--output", "/proc/ota-drift-report.json"],
            "--output /proc/ota-drift-report.json: cannot create files in /proc: "
            "No such file or directory",
        ),
        (
            ["--report", "html=/proc/new/folder/r.html"],
            "--report html /proc/new/folder/r.html: cannot create files in /proc: "
            "No such file or directory",
        ),
        (
            ["--output", "a.json", "--report", "json=a.json"],
            "--report json a.json: is also --output a.json",
        ),
        (
            ["--output", "a.json", "--report", "json=./sub/../a.json"],
            "--report json ./sub/../a.json: is also --output a.json",
        ),
        (
            ["--report", "html=r.html", "--report", "sarif=r.html"],
            "--report sarif r.html: is also --report html r.html",
        ),
        (["--output", "snap.json"], "--output snap.json: is also an input (--state)"),
        (
            ["--report", "text=ota.yaml"],
            "--report text ota.yaml: is also an input (a declared file)",
        ),
        (
            ["--output", "/dev/null", "--report", "json=/dev/null"],
            "--report json /dev/null: is also --output /dev/null",
        ),
    ],
    ids=[
        "empty",
        "folder",
        "folder-slash",
        "report-folder",
        "under-a-file",
        "report-deep-under-a-file",
        "proc",
        "proc-new-folders",
        "output-and-report",
        "same-after-resolving",
        "two-reports",
        "replaces-the-state",
        "replaces-a-declared-file",
        "device-twice",
    ],
)
def test_bad_output_path_is_a_usage_error_before_anything_is_read(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    message: str,
) -> None:
    """Each bad output path: exit 2, one line naming it, no file load, nothing written."""
    Path("sub").mkdir()
    loaded: list[object] = []
    monkeypatch.setattr(checker.cli, "load_declared", lambda *a: loaded.append(a))
    before = {p: p.read_bytes() for p in Path().iterdir() if p.is_file()}
    code = main(["check", "ota.yaml", "--state", "snap.json", *argv])
    out, err = capsys.readouterr()
    assert (code, out, err) == (2, "", f"ota-drift: error: {message}\n")
    assert loaded == []
    assert files_here() == ["ota.yaml", "snap.json", "sub"]
    assert {p: p.read_bytes() for p in Path().iterdir() if p.is_file()} == before


def test_sys_refuses_new_files_even_for_root(capsys: pytest.CaptureFixture[str]) -> None:
    """A folder that takes no new file (/sys: EACCES whatever the user) is a usage error."""
    code, out, err = lint(capsys, "--output", "/sys/ota-drift-report.json")
    assert (code, out) == (2, "")
    assert err == (
        "ota-drift: error: --output /sys/ota-drift-report.json: cannot create files in /sys: "
        "Permission denied\n"
    )


def test_read_only_folder_is_a_usage_error_before_the_audit() -> None:
    """A folder of mode 0500 is refused before the audit, in a process permission bits apply
    to (root runs it with its permission-bypassing capabilities dropped)."""
    Path("ro").mkdir(mode=0o500)
    try:
        result = run_unprivileged(
            "-m", "checker", "lint", "ota.yaml", *AS_OF, "--report", "json=ro/r.json"
        )
    finally:
        Path("ro").chmod(0o700)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "ota-drift: error: --report json ro/r.json: cannot create files in ro: Permission denied\n"
    )
    assert list(Path("ro").iterdir()) == []


def test_output_paths_are_checked_before_aws_is_called(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """check --region and snapshot with a folder as output: exit 2 and no AWS client made."""
    made: list[object] = []
    monkeypatch.setattr(checker.cli, "AwsSource", lambda *a, **k: made.append(a))  # snapshot
    monkeypatch.setattr(checker.sources.choice, "AwsSource", lambda *a, **k: made.append(a))
    Path("out").mkdir()
    code = main(["check", "ota.yaml", "--region", "eu-west-1", "--output", "out"])
    assert code == 2
    code = main(["snapshot", "--region", "eu-west-1", "-o", "out"])
    assert code == 2
    code = main(["snapshot", "--region", "eu-west-1", "-o", ""])
    assert code == 2
    assert made == []
    assert capsys.readouterr().err == (
        "ota-drift: error: --output out: is a folder, not a file\n"
        "ota-drift: error: --output out: is a folder, not a file\n"
        "ota-drift: error: --output: the path is empty\n"
    )


def test_github_summary_path_is_checked_too(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """$GITHUB_STEP_SUMMARY naming a folder, or a file in a missing folder: exit 2, no report."""
    Path("sub").mkdir()
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", "sub")
    code, out, err = lint(capsys, "--github-summary", "--output", "r.json")
    assert (code, out) == (2, "")
    assert err == "ota-drift: error: $GITHUB_STEP_SUMMARY sub: is a folder, not a file\n"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", "missing/summary.md")
    code, out, err = lint(capsys, "--github-summary", "--output", "r.json")
    assert (code, out) == (2, "")
    assert err == (
        "ota-drift: error: $GITHUB_STEP_SUMMARY missing/summary.md: the folder "
        "missing does not exist\n"
    )
    assert files_here() == ["ota.yaml", "snap.json", "sub"]


def test_github_summary_is_appended_and_never_replaced(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The job summary keeps what earlier steps wrote, its inode and its mode."""
    summary = Path("summary.md")
    summary.write_text("earlier step\n", encoding="utf-8")
    summary.chmod(0o600)
    inode = summary.stat().st_ino
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", "summary.md")
    code, _, err = check(capsys, "--github-summary")
    assert (code, err) == (1, "")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## ❌ ota-drift check: 2 active findings")
    assert (summary.stat().st_ino, stat.S_IMODE(summary.stat().st_mode)) == (inode, 0o600)


# --- devices, FIFOs and symlinks --------------------------------------------------------------


def test_dev_null_is_written_to_and_stays_a_device(capsys: pytest.CaptureFixture[str]) -> None:
    """--output /dev/null (run as root): the device node is still a character device after."""
    before = Path("/dev/null").stat()
    code, out, err = check(capsys, "--output", "/dev/null", "--report", "sarif=r.sarif")
    assert (code, out, err) == (1, "", "")
    after = Path("/dev/null").stat()
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev, after.st_mode) == (
        before.st_ino,
        before.st_rdev,
        before.st_mode,
    )
    assert json.loads(Path("r.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_dev_stdout_is_written_through_and_never_replaced(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--output /dev/stdout >> log`: the report is appended to log; /dev/stdout stays a link."""
    expected = expected_report(capsys, "text")
    log = Path("log.txt")
    log.write_text("earlier line\n", encoding="utf-8")
    with log.open("a", encoding="utf-8") as handle:
        result = subprocess.run(
            [*CLI, "check", "ota.yaml", "--state", "snap.json", *AS_OF, "--output", "/dev/stdout"],
            stdout=handle,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert (result.returncode, result.stderr) == (1, "")
    assert log.read_text(encoding="utf-8") == "earlier line\n" + expected
    assert Path("/dev/stdout").is_symlink()
    assert files_here() == ["log.txt", "ota.yaml", "snap.json"]


def test_dev_stdout_as_a_second_report_of_stdout_is_refused() -> None:
    """`--report json=/dev/stdout` while the main report goes to stdout: it would print twice."""
    result = subprocess.run(
        [sys.executable, "-m", "checker", "lint", "ota.yaml", "--report", "json=/dev/stdout"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "ota-drift: error: --report json /dev/stdout: is also stdout (the main report)\n"
    )


def test_fifo_is_written_to_and_stays_a_fifo(capsys: pytest.CaptureFixture[str]) -> None:
    """A FIFO given as --output receives the report through the pipe and is not replaced."""
    expected = expected_report(capsys)
    os.mkfifo("pipe")
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(Path("pipe").read_bytes()))
    reader.start()
    code, out, err = check(capsys, "--output", "pipe")
    reader.join(timeout=10)
    assert (code, out, err) == (1, "", "")
    assert received == [expected.encode("utf-8")]
    assert stat.S_ISFIFO(Path("pipe").stat().st_mode)


def test_symlink_target_is_replaced_and_the_link_kept(capsys: pytest.CaptureFixture[str]) -> None:
    """--output through a symlink: the target holds the new report, the link is still a link."""
    expected = expected_report(capsys)
    Path("reports").mkdir()
    Path("reports/2026-11-25.json").write_text("yesterday\n", encoding="utf-8")
    Path("latest.json").symlink_to("reports/2026-11-25.json")
    Path("dangling.json").symlink_to("reports/new.json")
    code, out, err = check(capsys, "--output", "latest.json", "--report", "json=dangling.json")
    assert (code, out, err) == (1, "", "")
    assert Path("latest.json").is_symlink()
    assert str(Path("latest.json").readlink()) == "reports/2026-11-25.json"
    assert Path("reports/2026-11-25.json").read_text(encoding="utf-8") == expected
    assert str(Path("dangling.json").readlink()) == "reports/new.json"
    assert Path("reports/new.json").read_text(encoding="utf-8") == expected
    assert files_here() == [
        "dangling.json",
        "latest.json",
        "ota.yaml",
        "reports",
        "reports/2026-11-25.json",
        "reports/new.json",
        "snap.json",
    ]


def test_symlink_loop_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An output path that is a symlink loop: exit 2, one line, nothing written."""
    Path("a.json").symlink_to("b.json")
    Path("b.json").symlink_to("a.json")
    code, out, err = lint(capsys, "--output", "a.json")
    assert (code, out) == (2, "")
    assert err == (
        "ota-drift: error: --output a.json: too many levels of symbolic links (a symlink loop?)\n"
    )


# --- modes ----------------------------------------------------------------------------------


@pytest.fixture
def umask_027() -> Any:
    """The process umask set to 027 for the test, restored after."""
    previous = os.umask(0o027)
    yield
    os.umask(previous)


def test_new_files_get_the_umask_mode(capsys: pytest.CaptureFixture[str], umask_027: Any) -> None:
    """New --output, --report and snapshot-style files are 0666 less the umask (0640), not 0600."""
    code, _, err = check(capsys, "--output", "new/r.json", "--report", "html=r.html")
    assert (code, err) == (1, "")
    for path in ("new/r.json", "r.html"):
        assert stat.S_IMODE(Path(path).stat().st_mode) == 0o640, path
    assert stat.S_IMODE(Path("new").stat().st_mode) == 0o750  # a created folder follows it too


def test_replaced_files_keep_their_mode(capsys: pytest.CaptureFixture[str], umask_027: Any) -> None:
    """An existing report keeps the mode it had (0600 stays private, 0644 stays readable)."""
    Path("private.json").write_text("old\n", encoding="utf-8")
    Path("private.json").chmod(0o600)
    Path("public.html").write_text("old\n", encoding="utf-8")
    Path("public.html").chmod(0o644)
    code, _, _ = check(capsys, "--output", "private.json", "--report", "html=public.html")
    assert code == 1
    assert stat.S_IMODE(Path("private.json").stat().st_mode) == 0o600
    assert stat.S_IMODE(Path("public.html").stat().st_mode) == 0o644
    assert Path("private.json").read_text(encoding="utf-8").startswith("{")


def test_write_outputs_replaces_atomically_with_a_new_inode(tmp_path: Path) -> None:
    """write_outputs renames a temporary file over the target: a new inode, no leftovers."""
    target = tmp_path / "r.txt"
    target.write_text("old\n", encoding="utf-8")
    inode = target.stat().st_ino
    plan = check_outputs([OutputRequest("--output", str(target))])
    write_outputs(plan, ["new\n"])
    assert target.read_text(encoding="utf-8") == "new\n"
    assert target.stat().st_ino != inode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ota.yaml", "r.txt", "snap.json"]


def test_check_outputs_reads_the_umask_once_and_leaves_it(umask_027: Any) -> None:
    """The plan carries the umask in force when it was checked; the process umask is unchanged."""
    plan = check_outputs([OutputRequest("--output", "r.json")])
    assert plan.umask == 0o027
    assert os.umask(0o027) == 0o027


def test_check_outputs_refuses_a_nul_in_a_path() -> None:
    """A NUL in an output path (which no OS accepts) is a usage error, not a ValueError."""
    with pytest.raises(UsageError, match="NUL"):
        check_outputs([OutputRequest("--output", "a\0b")])


# --- failed writes --------------------------------------------------------------------------


def test_dev_full_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    """--output /dev/full (a disk that is always full): exit 2 with one line naming it."""
    code, out, err = check(capsys, "--output", "/dev/full")
    assert (code, out) == (2, "")
    assert err == "ota-drift: error: cannot write /dev/full: No space left on device\n"


def test_stdout_on_a_full_disk_is_a_one_line_error() -> None:
    """`ota-drift … > /dev/full`: exit 2 with one line, and no 'Exception ignored' after it."""
    with Path("/dev/full").open("w", encoding="utf-8") as full:
        result = subprocess.run(
            [sys.executable, "-m", "checker", "lint", "ota.yaml"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert (result.returncode, result.stderr) == (
        2,
        "ota-drift: error: cannot write stdout: No space left on device\n",
    )


def full_disk_for(monkeypatch: pytest.MonkeyPatch, name_part: str) -> None:
    """os.write fails with ENOSPC on files whose path contains `name_part`.

    The check is on the real path of the descriptor, so writes to anything else (a pipe,
    another report) go through untouched.
    """
    real_write = os.write

    def write(fd: int, data: Any) -> int:
        if name_part in str(Path(f"/proc/self/fd/{fd}").readlink()):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(checker.output.os, "write", write)


def test_disk_full_on_the_atomic_path_leaves_the_old_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC writing r.json's temporary file: exit 2, old r.json intact, no temp left."""
    Path("r.json").write_text("previous report\n", encoding="utf-8")
    full_disk_for(monkeypatch, "/.r.json.")
    code, out, err = check(capsys, "--output", "r.json")
    assert (code, out) == (2, "")
    assert err == "ota-drift: error: cannot write r.json: No space left on device\n"
    assert Path("r.json").read_text(encoding="utf-8") == "previous report\n"
    assert files_here() == ["ota.yaml", "r.json", "snap.json"]


def test_one_failed_report_replaces_no_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--output and two --report, the last one failing: none is replaced, no folder is made."""
    Path("main.json").write_text("old main\n", encoding="utf-8")
    full_disk_for(monkeypatch, "/.r.sarif.")
    code, out, err = check(
        capsys, "--output", "main.json", "--report", "html=new/r.html", "--report", "sarif=r.sarif"
    )
    assert (code, out) == (2, "")
    assert err == "ota-drift: error: cannot write r.sarif: No space left on device\n"
    assert Path("main.json").read_text(encoding="utf-8") == "old main\n"
    assert files_here() == ["main.json", "ota.yaml", "snap.json"]


@pytest.mark.parametrize(
    ("signum", "exit_code"),
    [(signal.SIGINT, 130), (signal.SIGTERM, 143)],
    ids=["SIGINT", "SIGTERM"],
)
def test_a_signal_while_writing_removes_the_temporary_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, signum: int, exit_code: int
) -> None:
    """SIGINT or SIGTERM arriving mid-write: exit 130/143, old file intact, no temp, no folder."""
    Path("r.json").write_text("previous report\n", encoding="utf-8")
    real_write = os.write

    def interrupted_write(fd: int, data: Any) -> int:
        if "/.r.json." in str(Path(f"/proc/self/fd/{fd}").readlink()):
            signal.raise_signal(signum)  # the CLI's handler raises in this (main) thread
        return real_write(fd, data)

    monkeypatch.setattr(checker.output.os, "write", interrupted_write)
    code, out, err = check(capsys, "--output", "r.json", "--report", "html=new/r.html")
    assert (code, out, err) == (exit_code, "", "ota-drift: interrupted\n")
    assert Path("r.json").read_text(encoding="utf-8") == "previous report\n"
    assert files_here() == ["ota.yaml", "r.json", "snap.json"]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # main() restored the handlers


# --- parent folders -------------------------------------------------------------------------


def test_parent_folders_are_created_for_every_output(capsys: pytest.CaptureFixture[str]) -> None:
    """--output and --report create missing parent folders (only once the audit has run)."""
    code, _, err = check(capsys, "--output", "a/b/r.json", "--report", "junit=c/r.xml")
    assert (code, err) == (1, "")
    assert Path("a/b/r.json").read_text(encoding="utf-8").startswith("{")
    assert Path("c/r.xml").read_text(encoding="utf-8").startswith("<?xml")


def test_snapshot_output_is_refused_under_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    """snapshot -o under a regular file: exit 2 before AWS, the same one-line message."""
    code = main(["snapshot", "--region", "eu-west-1", "-o", "ota.yaml/snap.json"])
    assert code == 2
    assert capsys.readouterr().err == (
        "ota-drift: error: --output ota.yaml/snap.json: ota.yaml is a file, not a folder\n"
    )


def test_a_normal_run_leaves_exactly_its_outputs(capsys: pytest.CaptureFixture[str]) -> None:
    """After a normal run with every output kind, the folder holds exactly the outputs."""
    Path("old.md").write_text("old\n", encoding="utf-8")
    code, _, _ = check(
        capsys,
        "--output",
        "r.json",
        "--report",
        "markdown=old.md",
        "--report",
        "text=/dev/null",
    )
    assert code == 1
    assert files_here() == ["old.md", "ota.yaml", "r.json", "snap.json"]
    assert Path("old.md").read_text(encoding="utf-8").startswith("## ")


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_root_replacing_another_users_report_gives_it_back(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Run as root over a report owned by uid 4242: the new file still belongs to 4242."""
    Path("r.json").write_text("old\n", encoding="utf-8")
    os.chown("r.json", 4242, 4343)
    code, _, _ = check(capsys, "--output", "r.json")
    assert code == 1
    st = Path("r.json").stat()
    assert (st.st_uid, st.st_gid) == (4242, 4343)
    assert Path("r.json").read_text(encoding="utf-8").startswith("{")


def test_a_declared_file_found_in_a_folder_is_an_input(capsys: pytest.CaptureFixture[str]) -> None:
    """A report naming a declaration found inside a declared folder, or the default policy
    pack, is refused before the audit: no report can replace what the audit reads."""
    Path("ota").mkdir()
    Path("ota/cam.yaml").write_text(yaml_file(entry("b")), encoding="utf-8")
    before = Path("ota/cam.yaml").read_bytes()
    for argv, message in (
        (["--output", "ota/cam.yaml"], "--output ota/cam.yaml: is also an input (a declared file)"),
        (
            ["--report", "markdown=ota/cam.yaml"],
            "--report markdown ota/cam.yaml: is also an input (a declared file)",
        ),
    ):
        code = main(["lint", "ota", *AS_OF, *argv])
        out, err = capsys.readouterr()
        assert (code, out, err) == (2, "", f"ota-drift: error: {message}\n")
    pack = str(checker.policy.packs.default_pack_path())
    code = main(["lint", "ota", *AS_OF, "--output", pack])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.endswith(": is also an input (the default policy pack)\n")
    assert Path("ota/cam.yaml").read_bytes() == before


def test_github_summary_naming_a_declaration_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """$GITHUB_STEP_SUMMARY pointing at a declared file is never appended to."""
    Path("ota").mkdir()
    Path("ota/gw.yaml").write_text(yaml_file(entry("b")), encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", "ota/gw.yaml")
    code = main(["lint", "ota", *AS_OF, "--github-summary", "--output", "r.json"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == (
        "ota-drift: error: $GITHUB_STEP_SUMMARY ota/gw.yaml: is also an input (a declared file)\n"
    )
    assert Path("ota/gw.yaml").read_text(encoding="utf-8") == yaml_file(entry("b"))


def test_longest_valid_file_name_can_be_written(capsys: pytest.CaptureFixture[str]) -> None:
    """A report name of 255 bytes (NAME_MAX) is written: the temporary name stays valid."""
    name = "r" * 250 + ".json"
    code, _, err = lint(capsys, "--output", name)
    assert (code, err) == (0, "")
    assert json.loads(Path(name).read_text(encoding="utf-8"))["summary"]["declared"] == 1
    assert files_here() == sorted(["ota.yaml", "snap.json", name])


def test_fifo_that_nobody_reads_is_an_error_not_a_hang() -> None:
    """--output to a FIFO without a reader: one line naming it, exit 2, within seconds."""
    os.mkfifo("pipe")
    result = subprocess.run(
        [*CLI, "lint", "ota.yaml", *AS_OF, "--output", "pipe"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "ota-drift: error: cannot write pipe: a FIFO that nobody reads\n"
    assert stat.S_ISFIFO(Path("pipe").lstat().st_mode)


def test_trailing_slash_names_a_folder(capsys: pytest.CaptureFixture[str]) -> None:
    """`--output new.json/` is refused, not written as a file `new.json`."""
    code, out, err = lint(capsys, "--output", "new.json/")
    assert (code, out) == (2, "")
    assert err == (
        "ota-drift: error: --output new.json/: ends with '/', so it names a folder, not a file\n"
    )
    assert files_here() == ["ota.yaml", "snap.json"]


def test_read_only_report_is_not_replaced() -> None:
    """An existing report of mode 0444 is refused before the audit, as `>` would refuse it,
    in a process permission bits apply to (also when the tests run as root)."""
    Path("r.json").write_text("old\n", encoding="utf-8")
    Path("r.json").chmod(0o444)
    result = run_unprivileged("-m", "checker", "lint", "ota.yaml", *AS_OF, "--output", "r.json")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "ota-drift: error: --output r.json: the file is read-only\n"
    assert Path("r.json").read_text(encoding="utf-8") == "old\n"


@pytest.mark.parametrize("command", [["lint", "ota.yaml"], ["rules"], ["iam-policy"]])
def test_closed_stdout_is_a_usage_error(command: list[str]) -> None:
    """Run with stdout closed (`>&-`) and no --output: one line, exit 2, no internal error."""
    result = subprocess.run(
        ["sh", "-c", '"$@" >&-', "sh", *CLI, *command],
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr == "ota-drift: error: standard output is closed: give --output FILE\n"
