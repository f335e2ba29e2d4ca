"""Declared folders: every entry is read or is an error; nothing is skipped, nothing hangs.

Which entries count: in a folder searched recursively, every name ending in `.yaml` or `.yml`
must be a regular file after following symlinks; other regular files (README.md) and other
special files are not declarations. Any entry that cannot be stat'ed (a dangling link, a loop)
is an error whatever its name, since it might have been a folder of declarations.
Permission errors are tested in tests/test_files.py, with the real permission bits.
"""

from __future__ import annotations

import inspect
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.declared.loader import declared_files, load_declared
from checker.errors import InputError, Problem


def entry(ota_id: str) -> str:
    return f"""\
otaUpdates:
  - otaUpdateId: {ota_id}
    targets: [arn:aws:iot:eu-west-1:123456789012:thinggroup/sensors]
    files:
      - fileName: fw.bin
        fileLocation:
          s3Location: {{bucket: firmware, key: fw.bin, version: v1}}
    roleArn: arn:aws:iam::123456789012:role/ota
"""


pytestmark = pytest.mark.usefixtures("in_tmp")


def declare(path: str, ota_id: str | None = None) -> Path:
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(entry(ota_id or file.stem), encoding="utf-8")
    return file


def problems_of(*paths: str) -> tuple[Problem, ...]:
    """The problems of loading `paths`, which must come within a second."""
    outcome: dict[str, Any] = {}

    def load() -> None:
        try:
            load_declared(list(paths))
        except InputError as exc:
            outcome["problems"] = exc.problems

    started = time.monotonic()
    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(1.0)
    assert not worker.is_alive(), "loading did not finish within a second"
    assert time.monotonic() - started < 1.0
    assert "problems" in outcome, "expected an InputError"
    problems: tuple[Problem, ...] = outcome["problems"]
    return problems


def ids(*paths: str) -> list[str]:
    return [u.ota_update_id for u in load_declared(list(paths))]


def test_dangling_yaml_symlink_in_a_folder_is_an_error() -> None:
    """A `*.yaml` symlink whose target is gone is an error, not a skipped file."""
    declare("ota/a.yaml")
    Path("ota/b.yaml").symlink_to("moved-away.yaml")
    assert problems_of("ota") == (
        Problem(
            "ota/b.yaml", None, "dangling symlink: its target 'moved-away.yaml' does not exist"
        ),
    )


def test_dangling_symlink_of_any_name_is_an_error() -> None:
    """A dangling link without a YAML name might have been a folder: it is an error too."""
    declare("ota/a.yaml")
    Path("ota/current").symlink_to("releases/v3")
    assert problems_of("ota") == (
        Problem("ota/current", None, "dangling symlink: its target 'releases/v3' does not exist"),
    )


def test_symlink_loop_entry_is_an_error() -> None:
    """Links that point at each other are an error, whether or not their name is YAML."""
    declare("ota/a.yaml")
    Path("ota/x.yaml").symlink_to("y.yaml")
    Path("ota/y.yaml").symlink_to("x.yaml")
    loop = "symlink loop: following its links never reaches a file"
    assert problems_of("ota") == (
        Problem("ota/x.yaml", None, loop),
        Problem("ota/y.yaml", None, loop),
    )


def test_fifo_named_yaml_is_an_error_and_never_opened() -> None:
    """A FIFO named `*.yaml` is an error within a second; opening it would block for ever."""
    declare("ota/a.yaml")
    os.mkfifo("ota/pipe.yaml")
    assert problems_of("ota") == (
        Problem("ota/pipe.yaml", None, "is a FIFO (named pipe), not a regular file"),
    )


def test_device_named_yaml_is_an_error() -> None:
    """A `*.yaml` link to a character device (/dev/zero) is an error, not an endless read."""
    declare("ota/a.yaml")
    Path("ota/zero.yaml").symlink_to("/dev/zero")
    assert problems_of("ota") == (
        Problem("ota/zero.yaml", None, "is a character device, not a regular file"),
    )


def test_other_files_in_a_folder_are_not_declarations() -> None:
    """README.md, a FIFO or a link to a device without a YAML name are left alone."""
    declare("ota/a.yaml")
    Path("ota/README.md").write_text("# declarations\n", encoding="utf-8")
    os.mkfifo("ota/events.fifo")
    Path("ota/null").symlink_to("/dev/null")
    assert ids("ota") == ["a"]


def test_symlinked_yaml_file_and_folder_are_followed() -> None:
    """A `*.yaml` link to a file and a link to a folder are read through, under the link's name."""
    declare("library/common.yaml", "common")
    declare("elsewhere/zone/z.yaml", "z")
    declare("ota/a.yaml")
    Path("ota/common.yaml").symlink_to("../library/common.yaml")
    Path("ota/zone").symlink_to("../elsewhere/zone")
    assert declared_files(["ota"]) == [
        Path("ota/a.yaml"),
        Path("ota/common.yaml"),
        Path("ota/zone/z.yaml"),
    ]
    assert ids("ota") == ["a", "common", "z"]


def test_link_back_to_a_folder_above_is_a_loop_not_an_endless_search() -> None:
    """A link to an ancestor folder is a symlink loop error, reported within a second."""
    declare("ota/a.yaml")
    declare("ota/zone/b.yaml")
    Path("ota/zone/up").symlink_to("..")
    Path("ota/zone/self").symlink_to(".")
    loop = "symlink loop: it leads back to a folder above it"
    assert problems_of("ota") == (
        Problem("ota/zone/self", None, loop),
        Problem("ota/zone/up", None, loop),
    )


def test_folder_reached_twice_is_searched_once() -> None:
    """Two links to the same folder load its files once, not as duplicate declarations."""
    declare("ota/v3/a.yaml")
    Path("ota/current").symlink_to("v3")
    Path("ota/latest").symlink_to("v3")
    assert declared_files(["ota"]) == [Path("ota/current/a.yaml")]
    assert ids("ota") == ["a"]


def test_hard_link_to_a_declared_file_loads_once() -> None:
    """The same file under two names (a hard link) is one file, not a duplicate declaration."""
    declare("ota/a.yaml")
    os.link("ota/a.yaml", "ota/b.yaml")
    assert ids("ota") == ["a"]


def test_a_very_deep_folder_tree_is_searched_without_recursion() -> None:
    """A declaration 300 folders down is found with only 150 frames of stack to spare."""
    deep = Path("ota", *(["d"] * 300))
    declare(str(deep / "bottom.yaml"))
    depth = len(inspect.stack(context=0))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + 150)  # a search that recursed per folder would need 300
    try:
        found = ids("ota")
    finally:
        sys.setrecursionlimit(limit)
    assert found == ["bottom"]


def test_command_line_paths_get_the_same_checks(tmp_path: Path) -> None:
    """A FIFO, a device, a dangling link and a loop named on the command line are each an error."""
    os.mkfifo("pipe.yaml")
    Path("gone.yaml").symlink_to("nowhere.yaml")
    Path("loop.yaml").symlink_to("loop.yaml")
    assert problems_of("pipe.yaml", "/dev/zero", "gone.yaml", "loop.yaml") == (
        Problem("pipe.yaml", None, "is a FIFO (named pipe), not a regular file"),
        Problem(os.path.relpath("/dev/zero"), None, "is a character device, not a regular file"),
        Problem("gone.yaml", None, "dangling symlink: its target 'nowhere.yaml' does not exist"),
        Problem("loop.yaml", None, "symlink loop: following its links never reaches a file"),
    )


def test_folder_holding_only_bad_entries_reports_them_not_emptiness() -> None:
    """A folder whose only YAML entry is broken reports that entry, not 'no *.yaml files'."""
    Path("ota").mkdir()
    Path("ota/a.yaml").symlink_to("gone.yaml")
    assert problems_of("ota") == (
        Problem("ota/a.yaml", None, "dangling symlink: its target 'gone.yaml' does not exist"),
    )


def test_path_and_file_problems_come_together_in_folder_order(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Broken entries and broken files in one folder are all reported in one run, exit 2."""
    declare("ota/a.yaml")
    Path("ota/b.yaml").symlink_to("gone.yaml")
    Path("ota/c.yaml").write_text("otaUpdates: [\n", encoding="utf-8")
    os.mkfifo("ota/d.yaml")
    assert main(["lint", "ota"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 3, err
    assert lines[0] == "ota/b.yaml: dangling symlink: its target 'gone.yaml' does not exist"
    assert lines[1].startswith("ota/c.yaml:2: YAML syntax error")
    assert lines[2] == "ota/d.yaml: is a FIFO (named pipe), not a regular file"


def test_upper_case_yaml_suffix_is_a_declaration() -> None:
    """`prod.YAML` and `lab.Yml` in a declared folder are loaded, never silently left out."""
    declare("ota/prod.YAML", "prod")
    declare("ota/lab.Yml", "lab")
    assert ids("ota") == ["lab", "prod"]
