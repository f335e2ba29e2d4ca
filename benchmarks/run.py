"""Benchmark `ota-drift check` against a naive DeepDiff-every-pair script, in the same run.

For each N: generate N declared updates and a snapshot with 5 % drifted, run both as separate
subprocesses, check the tool found exactly the drift the generator made, print a Markdown table
of wall time and peak RSS. Exits 1 if the N=10,000 target is missed, 2 if a check is wrong.

Usage: python benchmarks/run.py [--sizes 1000,10000] [--repeat K] [--checker-root DIR]

Peak RSS comes from `os.wait4` in a fresh wrapper process per measurement (`run.py --measure
CMD...`): on Linux a child's ru_maxrss starts at its parent's RSS when it execs, so measuring
from this process would mix in whatever it holds. The wrapper itself holds about 10 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, NoReturn

HERE = Path(__file__).resolve().parent
WORK_DIR = HERE / ".work"
DRIFT_PERCENT = 5
TARGET_N = 10_000
TARGET_WALL_S = 5.0
TARGET_PEAK_MB = 300.0


@dataclass(frozen=True)
class Measurement:
    wall_s: float
    peak_mb: float
    """Peak RSS in MB (10^6 bytes)."""
    returncode: int
    output: str
    wall_range: tuple[float, float] | None = None
    """Fastest and slowest wall time, for a median of several runs."""

    def wall(self) -> str:
        if self.wall_range is None or self.wall_range[0] == self.wall_range[1]:
            return f"{self.wall_s:.2f}"
        return f"{self.wall_s:.2f} ({self.wall_range[0]:.2f}-{self.wall_range[1]:.2f})"


@dataclass(frozen=True)
class Row:
    n: int
    tool: Measurement
    naive: Measurement
    naive_phases: dict[str, Any]

    @property
    def speedup(self) -> float:
        return self.naive.wall_s / self.tool.wall_s

    def misses(self) -> list[str]:
        """The targets this row misses, in words; empty when all are met."""
        missed = []
        if self.tool.wall_s >= TARGET_WALL_S:
            missed.append(f"wall {self.tool.wall_s:.2f} s >= {TARGET_WALL_S:g} s")
        if self.tool.peak_mb >= TARGET_PEAK_MB:
            missed.append(f"peak {self.tool.peak_mb:.0f} MB >= {TARGET_PEAK_MB:g} MB")
        if self.tool.wall_s >= self.naive.wall_s:
            missed.append("not faster than naive")
        return missed


def measure_child(cmd: list[str]) -> None:
    """Wrapper mode: run `cmd`, print its wall time, peak RSS, exit code and output as JSON."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    result = {"wall_s": wall, "maxrss_kib": usage.ru_maxrss, "rc": proc.returncode}
    print(json.dumps({**result, "output": output}))


def measure(cmd: list[str], cwd: Path) -> Measurement:
    """Run `cmd` in `cwd` under a fresh wrapper process, so its peak RSS is its own."""
    wrapper = [sys.executable, str(Path(__file__).resolve()), "--measure", *cmd]
    done = subprocess.run(wrapper, capture_output=True, text=True, check=True, cwd=cwd)
    result = json.loads(done.stdout)
    return Measurement(
        wall_s=result["wall_s"],
        peak_mb=result["maxrss_kib"] * 1024 / 1e6,
        returncode=result["rc"],
        output=result["output"],
    )


def fail(message: str) -> NoReturn:
    print(f"\nBENCHMARK FAILED: {message}", file=sys.stderr)
    sys.exit(2)


def verify_tool(n: int, data: Path, report_file: Path, run: Measurement) -> None:
    """The report must show exactly the generated drift: same ids, same paths, nothing else."""
    if run.returncode not in (0, 1):
        fail(f"N={n}: ota-drift exited {run.returncode}:\n{run.output}")
    report = json.loads(report_file.read_text(encoding="utf-8"))
    summary = report["summary"]
    want = {
        "declared": n,
        "live": n,
        "drifted": n * DRIFT_PERCENT // 100,
        "missing": 0,
        "unmanaged": 0,
    }
    got = {key: summary[key] for key in want}
    if got != want or report["errors"]:
        fail(f"N={n}: summary {got} (errors: {len(report['errors'])}), expected {want}")
    expected = json.loads((data / "expected.json").read_text(encoding="utf-8"))["drifted"]
    found = {(f["otaUpdateId"], f["path"]) for f in report["findings"] if f["ruleId"] == "OTA001"}
    if found != set(expected.items()):
        extra = sorted(found - set(expected.items()))[:5]
        lost = sorted(set(expected.items()) - found)[:5]
        fail(f"N={n}: drift findings differ from the generated drift; extra {extra}, lost {lost}")


def bench(n: int, repeat: int, root: Path) -> Row:
    """Measure both at size `n`; `python -m checker` runs in `root`, so it imports root/checker."""
    data = WORK_DIR / f"n{n}"
    subprocess.run(
        [sys.executable, str(HERE / "generate.py"), str(n), "--out", str(data)], check=True
    )
    declared, snapshot, report = data / "declared", data / "snapshot.json", data / "report.json"
    tool_cmd = [sys.executable, "-m", "checker", "check", str(declared), "--state", str(snapshot)]
    tool_cmd += ["--format", "json", "--output", str(report)]
    naive_cmd = [sys.executable, str(HERE / "naive_check.py"), str(declared), str(snapshot)]
    tools: list[Measurement] = []
    naives: list[Measurement] = []
    for attempt in range(1, repeat + 1):
        report.unlink(missing_ok=True)
        tool = measure(tool_cmd, root)
        verify_tool(n, data, report, tool)
        naive = measure(naive_cmd, HERE)
        if naive.returncode != 0:
            fail(f"N={n}: naive_check.py exited {naive.returncode}:\n{naive.output}")
        tools.append(tool)
        naives.append(naive)
        print(
            f"N={n} run {attempt}/{repeat}: tool {tool.wall_s:.2f} s {tool.peak_mb:.0f} MB, "
            f"naive {naive.wall_s:.2f} s {naive.peak_mb:.0f} MB",
            file=sys.stderr,
            flush=True,
        )
    phases = json.loads(naives[-1].output.strip().splitlines()[-1])
    return Row(n, median(tools), median(naives), phases)


def median(runs: list[Measurement]) -> Measurement:
    """Median wall time and median peak RSS over repeated runs."""
    walls = [r.wall_s for r in runs]
    return Measurement(
        wall_s=statistics.median(walls),
        peak_mb=statistics.median(r.peak_mb for r in runs),
        returncode=runs[-1].returncode,
        output=runs[-1].output,
        wall_range=(min(walls), max(walls)),
    )


def table(rows: list[Row]) -> str:
    lines = [
        "| N | tool wall s | tool peak MB | naive wall s | naive peak MB | speed-up | targets |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        missed = row.misses()
        verdict = "met" if not missed else "MISSED: " + "; ".join(missed)
        lines.append(
            f"| {row.n:,} | {row.tool.wall()} | {row.tool.peak_mb:.0f} "
            f"| {row.naive.wall()} | {row.naive.peak_mb:.0f} | {row.speedup:.1f}x "
            f"| {verdict} |"
        )
    return "\n".join(lines)


def code_version(root: Path) -> str:
    """`git describe` of the checker measured: benchmark figures belong to one version."""
    done = subprocess.run(
        ["git", "-C", str(root), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    )
    described = done.stdout.strip() if done.returncode == 0 else "not a git checkout"
    return f"checker in {root} ({described})"


def environment() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("deepdiff", "PyYAML", "botocore"))
    return (
        f"Python {platform.python_version()}, {versions}; "
        f"{os.cpu_count()} CPUs ({cpu}); {platform.system()} {platform.release()}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated N values")
    parser.add_argument("--repeat", type=int, default=3, help="runs per N; the median is shown")
    parser.add_argument(
        "--checker-root",
        type=Path,
        default=HERE.parent,
        help="directory holding the checker/ package to measure (default: this repository)",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    root = args.checker_root.resolve()
    rows = [bench(n, args.repeat, root) for n in sizes]
    print(f"\n{code_version(root)}")
    print(f"{environment()}; median (min-max) of {args.repeat} run(s)\n")
    print(table(rows))
    print("\nnaive_check.py phases (last run):")
    for row in rows:
        p = row.naive_phases
        print(
            f"- N={row.n:,}: {p['differing']:,} of {p['pairs']:,} pairs differ; "
            f"YAML+JSON load {p['load_s']:.2f} s, DeepDiff {p['diff_s']:.2f} s"
        )
    target = next((r for r in rows if r.n == TARGET_N), None)
    if target is not None and target.misses():
        print(f"\nTarget for N={TARGET_N:,} missed: {'; '.join(target.misses())}")
        return 1
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        measure_child(sys.argv[2:])
    else:
        sys.exit(main())
