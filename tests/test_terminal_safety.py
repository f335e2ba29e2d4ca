"""Nothing a value holds reaches the terminal raw: text report, every stderr line, progress bar.

Values come from YAML, AWS, snapshots and file names; each may hold an ESC sequence, a
carriage return, a newline or a bidi override. Wherever ota-drift prints one, it shows the
character as an escape (`\\x1b`, `\\r`, `\\n`, `\\u202e`), and its own colour codes still work.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import checker.cli
import checker.sources.choice
from checker import audit
from checker.cli import main
from checker.errors import InputError, Problem
from checker.model import LiveUpdate, SkippedUpdate, SourceError
from checker.sources.interface import Progress
from checker.terminal import ProgressBar
from checker.textsafe import visible
from tests.test_cli import entry, live, snapshot, yaml_file

EVIL = "a\x1b[2Jb\rc\nd\u202ee\x9bf\x00g\ud800h"
"""Clear screen, carriage return, newline, RLO, C1 CSI, NUL, a lone surrogate."""
SHOWN = "a\\x1b[2Jb\\rc\\nd\\u202ee\\x9bf\\x00g\\ud800h"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
OWN_COLOURS = re.compile(r"\x1b\[[0-9;]*m")


pytestmark = pytest.mark.usefixtures("in_tmp")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_inert(text: str) -> None:
    """No control, bidi or surrogate character in `text` but newlines between lines."""
    assert RAW.findall(text) == []


def test_visible_spells_out_every_dangerous_character() -> None:
    """C0, DEL, C1, bidi overrides and isolates, separators and surrogates read as escapes."""
    assert visible(EVIL) == SHOWN
    dangerous = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))]
    dangerous += [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
    dangerous += ["\u061c", "\u200e", "\u200f", "\u2028", "\u2029", "\ud800", "\udfff"]
    for char in dangerous:
        shown = visible(char)
        assert shown.startswith("\\") and shown.isascii() and shown.isprintable(), repr(char)
    assert visible("plain ümläut 🔥 C:\\ota\\fw.yaml") == "plain ümläut 🔥 C:\\ota\\fw.yaml"
    assert visible("a\tb\nc\r", multiline=True) == "a\tb\nc\\r"


def test_a_newline_in_a_file_name_cannot_split_a_problem_line() -> None:
    """Problem(file with newline and ESC) prints as exactly one line with escapes."""
    problem = Problem("ota/evil\n\x1b[31mname.yaml", 3, f"bad value {EVIL}")
    assert str(problem) == f"ota/evil\\n\\x1b[31mname.yaml:3: bad value {SHOWN}"
    assert str(InputError([problem])).count("\n") == 0


def test_declared_file_with_a_hostile_name_gives_one_escaped_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A YAML file named with a newline and ESC, holding bad YAML: one stderr line, escaped."""
    Path("ota").mkdir()
    Path("ota/x\n\x1b[2Jy.yaml").write_text("otaUpdates: [\n", encoding="utf-8")
    code, out, err = run(capsys, "lint", "ota")
    assert (code, out) == (2, "")
    (line,) = err.splitlines()
    assert line.startswith("ota/x\\n\\x1b[2Jy.yaml:")
    assert_inert(err.replace("\n", ""))


class _HostileSource:
    """A state source whose every value is hostile: an update, an error and a note."""

    deep = False
    verified = False

    def __init__(self, path: str) -> None:
        self.path = path

    def fetch(self) -> Iterator[LiveUpdate | SourceError | SkippedUpdate]:
        yield LiveUpdate(f"fw-{EVIL}", live(f"fw-{EVIL}", description=EVIL), origin="fake")
        yield SourceError(f"gone-{EVIL}", "GetOTAUpdate", f"Code{EVIL}", f"message {EVIL}")
        yield SkippedUpdate(f"skip-{EVIL}", f"reason {EVIL}")

    @property
    def captured_at(self) -> datetime | None:
        return None


@pytest.mark.parametrize("colour", [False, True], ids=["plain", "colour"])
def test_text_report_escapes_every_value_and_keeps_its_colours(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, colour: bool
) -> None:
    """Live ids, messages, errors and notes are escaped; only the format's own SGR codes remain."""
    Path("ota.yaml").write_text(yaml_file(entry("a")), encoding="utf-8")
    Path("snap.json").write_text(snapshot(), encoding="utf-8")
    monkeypatch.setattr(checker.sources.choice, "SnapshotSource", _HostileSource)
    monkeypatch.setattr(checker.cli, "_wants_colour", lambda stream: colour)
    code, out, err = run(capsys, "check", "ota.yaml", "--state", "snap.json")
    assert (code, err) == (2, "")
    assert f"fw-{SHOWN}" in out
    assert f"  gone-{SHOWN}  GetOTAUpdate  Code{SHOWN}: message {SHOWN}" in out
    assert f"  skip-{SHOWN}: reason {SHOWN}" in out
    codes = set(OWN_COLOURS.findall(out))
    assert bool(codes) == colour
    palette = {"\x1b[0m", "\x1b[1m", "\x1b[1;35m", "\x1b[1;31m", "\x1b[33m", "\x1b[36m", "\x1b[2m"}
    assert codes <= palette
    assert_inert(OWN_COLOURS.sub("", out).replace("\n", ""))


class _HostileAws:
    """An AwsSource stand-in for `snapshot`: one update read, one skipped, one failing."""

    failing = True
    deep = False
    verified = False

    def __init__(self, settings: Any, progress: Any = None) -> None:
        self.region = "eu-west-1"
        self.captured_at: datetime | None = None

    def fetch(self) -> Iterator[LiveUpdate | SourceError | SkippedUpdate]:
        yield LiveUpdate("fw-1", live("fw-1"), origin="eu-west-1")
        yield SkippedUpdate(f"skip-{EVIL}", f"reason {EVIL}")
        if self.failing:
            yield SourceError(f"gone-{EVIL}", f"Op{EVIL}", f"Code{EVIL}", f"message {EVIL}")


def test_snapshot_stderr_lines_are_escaped(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Notes, read errors and the summary line: one escaped line each, whatever they hold."""
    monkeypatch.setattr(checker.cli, "AwsSource", _HostileAws)
    code, out, err = run(capsys, "snapshot", "--region", "eu-west-1", "-o", "snap.json")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"note: skip-{SHOWN}: reason {SHOWN}",
        f"ota-drift: gone-{SHOWN}: Op{SHOWN}: Code{SHOWN}: message {SHOWN}",
        "ota-drift: 1 read error(s); no snapshot written",
    ]
    monkeypatch.setattr(_HostileAws, "failing", False)
    name = "snap\x1b[31m\u202e.json"
    code, out, err = run(capsys, "snapshot", "--region", "eu-west-1", "-o", name)
    assert (code, out) == (0, "")
    assert err.splitlines()[-1] == "ota-drift: 1 OTA update(s) written to snap\\x1b[31m\\u202e.json"
    assert Path(name).exists()


def test_usage_errors_escape_the_path_they_name(capsys: pytest.CaptureFixture[str]) -> None:
    """An --output folder whose name holds ESC and a newline: one escaped usage line."""
    Path("ota.yaml").write_text(yaml_file(entry("a")), encoding="utf-8")
    Path("out\n\x1b[2J").mkdir()
    code, out, err = run(capsys, "lint", "ota.yaml", "--output", "out\n\x1b[2J")
    assert (code, out) == (2, "")
    assert err == "ota-drift: error: --output out\\n\\x1b[2J: is a folder, not a file\n"


def test_argument_errors_escape_the_value(capsys: pytest.CaptureFixture[str]) -> None:
    """A hostile --as-of value is quoted with its escapes in argparse's one-line error."""
    with pytest.raises(SystemExit):
        main(["lint", "ota.yaml", "--as-of", "\x1b[2J\u202e"])
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == (
        "ota-drift lint: error: argument --as-of: not an ISO 8601 time: '\\x1b[2J\\u202e'"
    )


def test_internal_error_text_is_escaped_and_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug whose message holds ESC and a newline: still one escaped line, exit 2."""
    Path("ota.yaml").write_text(yaml_file(entry("a")), encoding="utf-8")

    def broken(*args: object, **kwargs: object) -> audit.Report:
        raise RuntimeError(f"boom {EVIL}")

    monkeypatch.setattr(checker.cli.audit, "lint", broken)
    code, out, err = run(capsys, "lint", "ota.yaml")
    assert (code, out) == (2, "")
    assert err == f"ota-drift: internal error: RuntimeError('boom {SHOWN}') (rerun with --debug)\n"


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_label_is_escaped_and_the_bar_still_coloured() -> None:
    """A label with ESC and a newline is drawn escaped; the green bar and \\r still work."""
    stream = _Tty()
    bar = ProgressBar(stream, label=f"Reading {EVIL}")
    bar(Progress(done=1, total=2, throttled=0, elapsed=1.0))
    bar.close()
    drawn = stream.getvalue()
    assert drawn.startswith(f"\rReading {SHOWN} [\x1b[32m{'#' * 12}\x1b[0m{'-' * 12}] 1/2")
    assert drawn.endswith("\n")
    assert_inert(OWN_COLOURS.sub("", drawn).replace("\r", "").removesuffix("\n"))


def test_argparse_own_errors_escape_what_was_typed(capsys: pytest.CaptureFixture[str]) -> None:
    """`unrecognized arguments` and `invalid choice` quote the hostile word with its escapes."""
    with pytest.raises(SystemExit):
        main(["rules", "OTA101", "\x1b]0;PWNED\x07\u202e"])
    assert capsys.readouterr().err.splitlines()[-1] == (
        "ota-drift: error: unrecognized arguments: \\x1b]0;PWNED\\x07\\u202e"
    )
    with pytest.raises(SystemExit):
        main(["lint", "ota.yaml", "--format", "\x1b[2J"])
    assert "invalid choice: '\\x1b[2J'" in capsys.readouterr().err.splitlines()[-1]
