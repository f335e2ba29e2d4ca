"""Ctrl-C and SIGTERM during a live `check` or `snapshot`: out within 2 s, nothing written.

Each scenario runs the real CLI (`python -m checker`) against its own LocalIot whose every
answer takes seconds, and signals it while a request is in flight: during the listing (the
main thread waits on a socket), or while workers wait on GetOTAUpdate answers (threads the
process must not wait for). The scenarios run side by side, so the module takes about as
long as the slowest one.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.sources.test_aws_reliability import REGION, declared_entry, live_info, ota_id
from tests.support.iot_endpoint import LocalIot
from tests.support.offline_aws import offline_aws_env

BOUND = 2.0
"""Seconds from the signal to the end of the process."""
LISTING_LATENCY = 8.0
"""Every answer takes this long: the signal, ~1 s after the listing request, meets it."""
READING_LATENCY = 3.0
"""Every answer takes this long: the signal, as the first GetOTAUpdate arrives, meets four
workers that would wait 3 s more for their answers (and 9 s for the queue)."""
UPDATES = 12

COMMANDS = {
    "check": ["check", "ota/fleet.yaml", "--output", "report.json", "--report", "html=out/r.html"],
    "snapshot": ["snapshot", "-o", "evidence/snap.json"],
}


@dataclass(frozen=True)
class Scenario:
    """One run to interrupt: which command, which signal, and when."""

    command: str
    signum: int
    phase: str
    """`listing` (signal ~1 s after ListOTAUpdates arrived) or `reading` (after the first
    GetOTAUpdate arrived, the listing having been answered)."""

    @property
    def name(self) -> str:
        return f"{self.command}-{signal.Signals(self.signum).name}-{self.phase}"


SCENARIOS = [
    Scenario(command, signum, phase)
    for command in COMMANDS
    for signum in (signal.SIGINT, signal.SIGTERM)
    for phase in ("listing", "reading")
]


@dataclass(frozen=True)
class Outcome:
    """What an interrupted run left: exit code, output, time after the signal, files."""

    returncode: int
    stdout: str
    stderr: str
    after_signal: float
    files: list[str]


def _environment(tmp: Path) -> dict[str, str]:
    """The offline AWS settings, and no NO_COLOR (it changes what the CLI writes)."""
    env = offline_aws_env(tmp, region=REGION)
    env.pop("NO_COLOR", None)
    return env


def _seeded(latency: float) -> LocalIot:
    """A started LocalIot holding UPDATES updates, every answer `latency` seconds late."""
    iot = LocalIot(latency=latency).start()
    for number in range(1, UPDATES + 1):
        iot.put(live_info(ota_id(number)))
    return iot


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Outcome]]:
    """Every scenario run at once, each signalled when its trigger request has arrived."""
    running = []
    for scenario in SCENARIOS:
        folder = tmp_path_factory.mktemp(scenario.name)
        (folder / "ota").mkdir()
        declared = "".join(declared_entry(ota_id(n)) for n in range(1, UPDATES + 1))
        (folder / "ota/fleet.yaml").write_text(f"otaUpdates:\n{declared}", encoding="utf-8")
        iot = _seeded(LISTING_LATENCY if scenario.phase == "listing" else READING_LATENCY)
        argv = [*COMMANDS[scenario.command], "--region", REGION, "--endpoint-url", iot.url]
        argv += ["--max-rps", "1000", "--concurrency", "4"]
        process = subprocess.Popen(
            [sys.executable, "-m", "checker", *argv],
            cwd=folder,
            env=_environment(folder),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        running.append((scenario, folder, iot, process))
    try:
        yield _interrupt_all(running)
    finally:
        for _, _, iot, process in running:
            if process.poll() is None:
                process.kill()
                process.communicate()
            iot.stop()


def _interrupt_all(
    running: list[tuple[Scenario, Path, LocalIot, subprocess.Popen[str]]],
) -> dict[str, Outcome]:
    """Signal each run when its trigger request has arrived; time how long it takes to end."""
    arrived: dict[str, float] = {}
    signalled: dict[str, float] = {}
    ended: dict[str, float] = {}
    deadline = time.monotonic() + 60
    while len(ended) < len(running) and time.monotonic() < deadline:
        now = time.monotonic()
        for scenario, _, iot, process in running:
            name = scenario.name
            if name not in signalled:
                trigger = "ListOTAUpdates" if scenario.phase == "listing" else "GetOTAUpdate"
                if iot.calls[trigger]:
                    arrived.setdefault(name, now)
                wait = 1.0 if scenario.phase == "listing" else 0.0
                if name in arrived and now - arrived[name] >= wait:
                    process.send_signal(scenario.signum)
                    signalled[name] = now
            elif name not in ended and process.poll() is not None:
                ended[name] = now
        time.sleep(0.005)
    results = {}
    for scenario, folder, _, process in running:
        stdout, stderr = process.communicate(timeout=30)
        name = scenario.name
        results[name] = Outcome(
            process.returncode,
            stdout,
            stderr,
            ended.get(name, math.inf) - signalled.get(name, -math.inf),
            sorted(str(p.relative_to(folder)) for p in folder.rglob("*")),
        )
    return results


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_interrupted_run_ends_fast_with_the_signal_code_and_writes_nothing(
    outcomes: dict[str, Outcome], scenario: Scenario
) -> None:
    """Exit 130 (SIGINT) or 143 (SIGTERM) within 2 s, one line, no output file or temp file."""
    outcome = outcomes[scenario.name]
    assert outcome.returncode == 128 + scenario.signum
    assert outcome.after_signal < BOUND
    assert outcome.stdout == ""
    assert outcome.stderr == "ota-drift: interrupted\n"
    assert "Traceback" not in outcome.stderr
    assert outcome.files == ["ota", "ota/fleet.yaml"]  # no report, no snapshot, no temp, no folder


def _declared_folder(tmp_path: Path) -> Path:
    (tmp_path / "ota.yaml").write_text("otaUpdates: []\n", encoding="utf-8")
    return tmp_path


def _wait_for(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "the run never got there"
        time.sleep(0.01)


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_sigterm_while_a_report_waits_for_a_fifo_removes_its_temporary_file(
    tmp_path: Path,
) -> None:
    """r.json staged, the FIFO output blocked on a reader that reads nothing (its buffer
    already full): SIGTERM ends it (143), temp gone."""
    folder = _declared_folder(tmp_path)
    os.mkfifo(folder / "pipe")
    reader = os.open(folder / "pipe", os.O_RDONLY | os.O_NONBLOCK)
    filler = os.open(folder / "pipe", os.O_WRONLY | os.O_NONBLOCK)
    with contextlib.suppress(BlockingIOError):
        while True:
            os.write(filler, b"x" * 65536)
    argv = ["lint", "ota.yaml", "--output", "pipe", "--report", "json=r.json"]
    process = subprocess.Popen(
        [sys.executable, "-m", "checker", *argv],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(lambda: bool(_temporaries(folder)))  # staged, now writing to the full FIFO
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=10)
        elapsed = time.monotonic() - signalled
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
        os.close(filler)
        os.close(reader)
    assert (process.returncode, stdout, stderr) == (143, "", "ota-drift: interrupted\n")
    assert elapsed < BOUND
    assert sorted(p.name for p in folder.iterdir()) == ["ota.yaml", "pipe"]


STUCK_WRITE = """
import sys
import time

import checker.output
from checker.cli import main


def stuck(fd, data):  # a write that never ends and swallows every exception (a hung NFS mount)
    checker.output.os.write(fd, data[:1])
    while True:
        try:
            time.sleep(3600)
        except BaseException:
            pass


checker.output._write_all = stuck
sys.argv = ["ota-drift", "lint", "ota.yaml", "--output", "r.json"]
sys.exit(main())
"""


def test_cleanup_that_cannot_finish_is_cut_short_and_the_temporary_file_removed(
    tmp_path: Path,
) -> None:
    """A write stuck past INTERRUPT_GRACE: the watchdog removes the temp and exits 143 anyway."""
    folder = _declared_folder(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-c", STUCK_WRITE],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(lambda: bool(_temporaries(folder)))
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=10)
        elapsed = time.monotonic() - signalled
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert (process.returncode, stdout, stderr) == (143, "", "ota-drift: interrupted\n")
    assert 0.9 < elapsed < BOUND  # INTERRUPT_GRACE (1 s), not at once: the write swallowed it
    assert sorted(p.name for p in folder.iterdir()) == ["ota.yaml"]
