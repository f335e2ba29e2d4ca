"""Reading input files: only regular files, bounded reads, and a reason for whatever is refused.

Declared files, policy packs and `--state` are all read through `checker.files`, so each class
here is tested once on the function and once per input through the CLI.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.errors import InputError, Problem
from checker.files import read_bytes, read_text
from checker.sources.snapshot import MAX_STATE_BYTES
from tests.support.unprivileged import run_unprivileged

DECLARED = """\
otaUpdates:
  - otaUpdateId: fw-1
    targets: [arn:aws:iot:eu-west-1:123456789012:thinggroup/sensors]
    files:
      - fileName: fw.bin
        fileLocation:
          s3Location: {bucket: firmware, key: fw.bin, version: v1}
    roleArn: arn:aws:iam::123456789012:role/ota
"""
SNAPSHOT = '{"version": 1, "otaUpdates": []}\n'
PACK = "version: 1\n"


pytestmark = pytest.mark.usefixtures("in_tmp")


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    """A FIFO nobody writes to: opening it for reading would block for ever."""
    path = tmp_path / "pipe"
    os.mkfifo(path)
    yield path
    # Should a regression have left a reader blocked in open(), a writer releases it; with
    # no reader waiting (the normal case) the open fails, which is fine.
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))


def within(seconds: float, call: Callable[[], Any]) -> Any:
    """The result of `call`, which must return or raise within `seconds` of wall-clock time."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed to the test thread below
            outcome["error"] = exc

    started = time.monotonic()
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still running after {seconds} s"
    assert time.monotonic() - started < seconds
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def refused(path: Path, max_bytes: int = 1000) -> Problem:
    """The one problem `read_text` raises for `path`, within a second."""
    with pytest.raises(InputError) as caught:
        within(1.0, lambda: read_text(path, max_bytes))
    (problem,) = caught.value.problems
    return problem


# --- what is not a regular file --------------------------------------------------------------


def test_fifo_is_refused_before_it_is_opened(fifo: Path) -> None:
    """A FIFO with no writer is an error within a second, not a read that blocks for ever."""
    assert refused(fifo) == Problem("pipe", None, "is a FIFO (named pipe), not a regular file")


def test_dev_zero_is_refused_before_it_is_read() -> None:
    """`/dev/zero`, which never ends, is refused as a character device within a second."""
    problem = refused(Path("/dev/zero"))
    assert problem.message == "is a character device, not a regular file"
    assert problem.line is None


def test_directory_is_refused() -> None:
    """A directory given where a file is expected says so."""
    Path("folder").mkdir()
    assert refused(Path("folder")) == Problem("folder", None, "is a directory, expected a file")


def test_missing_file_is_refused() -> None:
    """A path that does not exist is 'no such file or directory'."""
    assert refused(Path("absent.json")) == Problem("absent.json", None, "no such file or directory")


def test_dangling_symlink_names_its_target() -> None:
    """A symlink whose target is gone is called a dangling symlink, naming the target."""
    Path("link.yaml").symlink_to("gone.yaml")
    assert refused(Path("link.yaml")) == Problem(
        "link.yaml", None, "dangling symlink: its target 'gone.yaml' does not exist"
    )


def test_symlink_loop_is_refused() -> None:
    """Two symlinks pointing at each other are a symlink loop, not a hang or a crash."""
    Path("a.yaml").symlink_to("b.yaml")
    Path("b.yaml").symlink_to("a.yaml")
    assert refused(Path("a.yaml")) == Problem(
        "a.yaml", None, "symlink loop: following its links never reaches a file"
    )


def test_symlink_to_a_regular_file_is_read() -> None:
    """A symlink to a regular file is followed and the file is read."""
    Path("real.yaml").write_text(PACK, encoding="utf-8")
    Path("link.yaml").symlink_to("real.yaml")
    assert read_text(Path("link.yaml"), 1000) == PACK


# --- bounded reads ---------------------------------------------------------------------------


def test_limit_is_inclusive_and_counts_bytes() -> None:
    """A file of exactly the limit is read; one byte more is refused, naming the limit."""
    Path("exact").write_bytes(b"x" * 1000)
    Path("over").write_bytes(b"x" * 1001)
    assert read_bytes(Path("exact"), 1000) == b"x" * 1000
    assert refused(Path("over")) == Problem(
        "over", None, "file is 1,001 bytes, over the 1,000-byte limit"
    )


def test_huge_sparse_file_is_refused_without_being_read(tmp_path: Path) -> None:
    """A 1 TiB sparse `--state` file is refused at once: its size is never read into memory."""
    with (tmp_path / "huge.json").open("wb") as handle:
        handle.truncate(2**40)
    problem = refused(tmp_path / "huge.json", MAX_STATE_BYTES)
    assert problem == Problem("huge.json", None, "file is 1048576.0 MiB, over the 256 MiB limit")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_limit_applies_to_the_bytes_read_not_the_size_on_disk() -> None:
    """`/proc/self/status` claims 0 bytes on disk but holds more: the limit counts what is read."""
    status = Path("/proc/self/status")
    assert status.stat().st_size == 0
    assert refused(status, 100) == Problem(
        os.path.relpath(status), None, "file holds more than the 100-byte limit"
    )
    assert read_text(status, 2**20).startswith("Name:")


def test_utf8_bom_is_dropped_and_bad_bytes_are_located() -> None:
    """A UTF-8 byte-order mark is not part of the text; an undecodable byte names its line."""
    Path("bom.yaml").write_bytes(b"\xef\xbb\xbfversion: 1\n")
    Path("bad.yaml").write_bytes(b"version: 1\n# \xff\n")
    assert read_text(Path("bom.yaml"), 1000) == "version: 1\n"
    assert refused(Path("bad.yaml")) == Problem(
        "bad.yaml", 2, "not UTF-8: byte 0xff cannot be decoded"
    )


# --- every input, through the CLI ------------------------------------------------------------


def _write_inputs() -> None:
    Path("ota.yaml").write_text(DECLARED, encoding="utf-8")
    Path("snap.json").write_text(SNAPSHOT, encoding="utf-8")
    Path("pack.yaml").write_text(PACK, encoding="utf-8")


COMMANDS = {
    "declared": ["lint", "{}"],
    "policy": ["lint", "ota.yaml", "--policy", "{}"],
    "state": ["check", "ota.yaml", "--state", "{}"],
}


@pytest.mark.parametrize("special", ["fifo", "/dev/zero", "/dev/null"])
@pytest.mark.parametrize("role", list(COMMANDS))
def test_every_input_refuses_special_files_within_a_second(
    role: str, special: str, fifo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A FIFO, /dev/zero or /dev/null as any input is exit 2 with one line, within a second."""
    _write_inputs()
    target = str(fifo) if special == "fifo" else special
    argv = [arg.format(target) for arg in COMMANDS[role]]
    assert within(1.0, lambda: main(argv)) == 2
    out, err = capsys.readouterr()
    kind = "a FIFO (named pipe)" if special == "fifo" else "a character device"
    shown = "pipe" if special == "fifo" else os.path.relpath(special)
    assert out == ""
    assert err == f"{shown}: is {kind}, not a regular file\n"


# --- permissions: real ones, also when the tests run as root ---------------------------------


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[Callable[[Path, int], None]]:
    """chmod for the test, undone afterwards so the temporary folder can be removed."""
    changed: list[tuple[Path, int]] = []

    def chmod(path: Path, mode: int) -> None:
        changed.append((path, path.stat().st_mode))
        path.chmod(mode)

    yield chmod
    for path, mode in reversed(changed):
        path.chmod(mode)


def test_unreadable_inputs_are_errors_naming_each_file(
    tmp_path: Path, locked: Callable[[Path, int], None]
) -> None:
    """An unreadable declared file, pack or snapshot is `PATH: cannot read: permission denied`."""
    _write_inputs()
    for name in ("ota.yaml", "pack.yaml", "snap.json"):
        locked(tmp_path / name, 0o000)
    expected = "{}: cannot read: permission denied\n"
    for argv, name in (
        (["lint", "ota.yaml"], "ota.yaml"),
        (["lint", "ok.yaml", "--policy", "pack.yaml"], "pack.yaml"),
        (["check", "ok.yaml", "--state", "snap.json"], "snap.json"),
    ):
        Path("ok.yaml").write_text(DECLARED, encoding="utf-8")
        result = run_unprivileged("-m", "checker", *argv)
        assert (result.returncode, result.stdout) == (2, ""), result.stderr
        assert result.stderr == expected.format(name)


def test_unreadable_entries_of_a_declared_folder_are_all_errors(
    tmp_path: Path, locked: Callable[[Path, int], None]
) -> None:
    """An unreadable file, an unlistable subfolder and an unsearchable one are each an error."""
    ota = tmp_path / "ota"
    for folder in ("blind", "sealed"):
        (ota / folder).mkdir(parents=True)
    for path in ("a.yaml", "blind/b.yaml", "locked.yaml", "sealed/c.yaml"):
        (ota / path).write_text(
            DECLARED.replace("fw-1", re.sub(r"[^a-z0-9]", "-", path)), encoding="utf-8"
        )
    locked(ota / "locked.yaml", 0o000)
    locked(ota / "sealed", 0o000)  # cannot be listed
    locked(ota / "blind", 0o600)  # can be listed, but nothing in it can be reached
    result = run_unprivileged("-m", "checker", "lint", "ota", "--format", "json")
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    assert result.stderr.splitlines() == [
        "ota/blind/b.yaml: cannot read: permission denied",
        "ota/locked.yaml: cannot read: permission denied",
        "ota/sealed: cannot list folder: permission denied",
    ]
