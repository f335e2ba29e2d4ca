"""Fleet benchmark: `ota-drift check --fleet` over many rate-limited (account, region) partitions.

Starts `tests/support/cloud_endpoint.py`'s LocalCloud in this process (IoT in every partition
plus STS, 127.0.0.1 only, 60 ms latency, GetOTAUpdate limited per partition by a token bucket),
writes `--accounts` (default 4) x 3 regions of `generate.py`'s fleet (400 updates per
partition, 5 % drifted) under `benchmarks/.work/fleet/`, with a fleet file whose roles
LocalCloud trusts, and seeds each partition. Then it measures, each `ota-drift` run a separate
process timed from start to exit, on a quiet machine (it waits until other processes use under
`--max-others` cores, and runs again when they used more during a run):

1. **fleet**: one `check --fleet` over every partition at `--max-rps 20` (the endpoint's
   limit), `--concurrency 36` (12 partitions in flight, 3 workers each), `--repeat` times;
2. **sequential**: the same partitions one after another, one single-partition fleet file
   each (`check --fleet one.yaml --concurrency 8 --max-rps 20`): every partition at its full
   rate, nothing in parallel across partitions;
3. **capacity**: the fleet with the endpoint's rate limits lifted and `--max-rps 10000`, at
   each `--capacity-concurrency`: GetOTAUpdate requests per second one process sustains, and
   the CPU time the tool and the endpoint spend per request.

Prints Markdown tables and PASS/FAIL per target; exits 1 when a target is missed. `--serve`
builds the fleet and serves it, printing the command to run by hand (for profiling).

Usage: python benchmarks/bench_fleet.py [--repeat 3] [--skip-sequential] [--skip-capacity]
       [--accounts 4] [--concurrency 36] [--capacity-concurrency 12,24,48,64] [--serve]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as a script, this directory comes first on sys.path, and its html.py would then shadow
# the standard library's `html` (which botocore imports): import from the repository root.
sys.path[:] = [path for path in sys.path if Path(path or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import ACCOUNT, REGION, generate  # noqa: E402
from tests.support.cloud_endpoint import LocalCloud  # noqa: E402

WORK_DIR = HERE / ".work" / "fleet"

ACCOUNTS = 4
REGIONS = ("eu-west-1", "us-east-1", "ap-northeast-1")
PER_PARTITION = 400
LATENCY = 0.06
LIMIT = 20.0
"""GetOTAUpdate requests per second the endpoint allows in each partition."""
CONCURRENCY = 36
"""12 partitions in flight with 3 workers each: 3 / 63 ms = 48 requests/s of room per
partition for its 20/s, so a slow answer never holds the partition under its rate."""
SEQUENTIAL_CONCURRENCY = 8
"""The single-partition default; more than the 20/s of one partition needs."""
CAPACITY_CONCURRENCY = (12, 24, 48, 64)
MAX_RPS_RANGE_TOP = 10_000.0
"""The highest --max-rps: no client-side limit in the capacity runs."""
AS_OF = "2026-12-01T00:00:00Z"
"""One clock for every run, so the reports can be compared."""
ROLE = "arn:aws:iam::{account}:role/ota-drift-audit"

TARGET = 1.15
"""Fleet wall time at most this multiple of one partition's floor, PER_PARTITION / LIMIT."""


# --------------------------------------------------------------------------------------------
# The fleet
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fleet:
    file: Path
    partitions: tuple[tuple[str, str], ...]
    drifted: dict[tuple[str, str], int]
    folder: Path


def account_ids(n: int) -> tuple[str, ...]:
    """111111111111, 222222222222, ...: n accounts (up to 9)."""
    if not 1 <= n <= 9:  # one digit, repeated
        raise ValueError(f"--accounts must be 1 to 9, not {n}")
    return tuple(str(i) * 12 for i in range(1, n + 1))


def build_fleet(cloud: LocalCloud, seed: int, accounts_n: int = ACCOUNTS) -> Fleet:
    """`generate.py`'s data set once per partition (its own seed), moved into the partition's
    account and region, with a fleet file naming each partition's declared folder.

    `generate.py` writes ARNs in its one account and region; they are rewritten here, or every
    update would be an OTA404 finding (targets in another partition).
    """
    out = WORK_DIR / "fleet"
    if out.exists():
        shutil.rmtree(out)
    scratch = WORK_DIR / "generated"
    drifted: dict[tuple[str, str], int] = {}
    accounts: list[dict[str, Any]] = []
    ids = account_ids(accounts_n)
    for a, account in enumerate(ids):
        cloud.add_role(ROLE.format(account=account))
        by_region: dict[str, list[str]] = {}
        for r, region in enumerate(REGIONS):
            expected = generate(PER_PARTITION, scratch, seed + a * len(REGIONS) + r)
            drifted[account, region] = len(expected)
            target = out / "declared" / account / region
            for path in sorted((scratch / "declared").rglob("*.yaml")):
                moved = target / path.relative_to(scratch / "declared")
                moved.parent.mkdir(parents=True, exist_ok=True)
                text = _move(path.read_text(encoding="utf-8"), account, region)
                moved.write_text(text, encoding="utf-8")
            live = (scratch / "snapshot.json").read_text(encoding="utf-8")
            snapshot = json.loads(_move(live, account, region))
            iot = cloud.iot(account, region)
            iot.rate_limits = {"GetOTAUpdate": LIMIT}
            for info in snapshot["otaUpdates"]:
                iot.put(info, role_arn=f"arn:aws:iam::{account}:role/ota-fleet")
            by_region[region] = [f"declared/{account}/{region}"]
        accounts.append({"account": account, "name": f"acct-{a + 1}", "declared": by_region})
    shutil.rmtree(scratch)
    doc = {"defaults": {"role": ROLE, "regions": list(REGIONS)}, "accounts": accounts}
    file = out / "fleet.yaml"
    file.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return Fleet(file, tuple((a, r) for a in ids for r in REGIONS), drifted, out)


def _move(text: str, account: str, region: str) -> str:
    return text.replace(ACCOUNT, account).replace(REGION, region)


def single_fleet(fleet: Fleet, account: str, region: str) -> Path:
    """A fleet file of one partition of `fleet`, next to it (same relative declared paths)."""
    doc = {
        "defaults": {"role": ROLE, "regions": [region]},
        "accounts": [
            {"account": account, "name": "one", "declared": [f"declared/{account}/{region}"]}
        ],
    }
    file = fleet.folder / f"one-{account}-{region}.yaml"
    file.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return file


# --------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------


@dataclass
class Run:
    """One `check --fleet` process."""

    label: str
    wall: float
    tool_cpu: float
    """User + system seconds of the tool's process."""
    endpoint_cpu: float
    """User + system seconds of this process (the endpoint) during the run."""
    gets: int
    throttled: int
    window: float
    """First request received to last GetOTAUpdate received plus one latency, seconds."""
    peak_rps: int
    """GetOTAUpdate requests received in the busiest whole second."""
    median_rps: float = 0.0
    """The median of the whole seconds of the fetch window (first and last left out)."""
    others_cpu: float = 0.0
    """CPU seconds every other process of the machine used during the run."""
    attempts: int = 1
    """Runs made to get one that other processes did not disturb (see --max-others)."""
    fetch_tool_cpu: float = 0.0
    """CPU seconds of the tool between the first and the last GetOTAUpdate."""
    fetch_endpoint_cpu: float = 0.0
    """CPU seconds of the endpoint in the same window."""
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds from spawn to the first request, to the first GetOTAUpdate, to the last
    GetOTAUpdate's answer, and to exit."""
    partition_windows: dict[tuple[str, str], float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.gets / self.window if self.window else 0.0


def child_env(cloud: LocalCloud) -> dict[str, str]:
    """The caller's environment with only LocalCloud's endpoints and base keys: no profile or
    config file is read, and every AWS request goes to 127.0.0.1."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(cloud.env())
    env.update(
        AWS_ACCESS_KEY_ID="base-key",
        AWS_SECRET_ACCESS_KEY="base-secret",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    return env


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def machine_busy() -> float:
    """CPU seconds all processes have used since boot (every core, from /proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def wait_quiet(limit: float, timeout: float) -> float:
    """Wait until the rest of the machine used under `limit` cores over 5 s (this process
    idles meanwhile); give up after `timeout` s. Returns the last figure."""
    deadline = time.monotonic() + timeout
    while True:
        busy, own = machine_busy(), _cpu(resource.getrusage(resource.RUSAGE_SELF))
        time.sleep(5)
        others = (
            machine_busy() - busy - (_cpu(resource.getrusage(resource.RUSAGE_SELF)) - own)
        ) / 5
        if others < limit or time.monotonic() > deadline:
            return others
        print(f"  (waiting: other processes use {others:.2f} cores)", file=sys.stderr)


class CpuSampler:
    """CPU seconds of a child process and of this one (the endpoint), sampled every 50 ms on
    time.monotonic(), so the CPU of one phase of a run (the fetch window) can be told."""

    INTERVAL = 0.05

    def __init__(self, pid: int) -> None:
        self._stat = Path(f"/proc/{pid}/stat")
        self._tick = os.sysconf("SC_CLK_TCK")
        self.samples: list[tuple[float, float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                fields = self._stat.read_text().rpartition(")")[2].split()
            except OSError:  # the child has exited
                return
            child = (int(fields[11]) + int(fields[12])) / self._tick  # utime, stime
            self.samples.append(
                (time.monotonic(), child, _cpu(resource.getrusage(resource.RUSAGE_SELF)))
            )
            self._stop.wait(self.INTERVAL)

    def between(self, start: float, end: float) -> tuple[float, float]:
        """(child, own) CPU seconds from `start` to `end`, from the nearest samples."""
        inside = [s for s in self.samples if start <= s[0] <= end]
        if len(inside) < 2:  # a difference needs two samples
            return 0.0, 0.0
        first, last = inside[0], inside[-1]
        scale = (end - start) / (last[0] - first[0])
        return (last[1] - first[1]) * scale, (last[2] - first[2]) * scale


def run_check(
    cloud: LocalCloud,
    fleet: Fleet,
    fleet_file: Path,
    partitions: Sequence[tuple[str, str]],
    *,
    label: str,
    concurrency: int,
    max_rps: float,
    limit: float | None,
    report: Path,
) -> Run:
    """One `check --fleet fleet_file` process; verified against what was generated."""
    for account, region in partitions:
        iot = cloud.iot(account, region)
        iot.rate_limits = {"GetOTAUpdate": limit} if limit else {}  # also refills the bucket
        iot.reset_counters()
    cloud.clear_calls()
    report.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "checker",
        "check",
        "--fleet",
        str(fleet_file),
        "--as-of",
        AS_OF,
        "--concurrency",
        str(concurrency),
        "--max-rps",
        f"{max_rps:g}",
        "--quiet",
        "--format",
        "json",
        "--output",
        str(report),
    ]
    print(f"$ {' '.join(command)}", file=sys.stderr)
    children, own = (
        resource.getrusage(resource.RUSAGE_CHILDREN),
        resource.getrusage(resource.RUSAGE_SELF),
    )
    busy = machine_busy()
    spawned = time.monotonic()  # the clock of CloudCall.time
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=child_env(cloud),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    sampler = CpuSampler(process.pid)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - start
    sampler.stop()
    done = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    tool_cpu = _cpu(resource.getrusage(resource.RUSAGE_CHILDREN)) - _cpu(children)
    endpoint_cpu = _cpu(resource.getrusage(resource.RUSAGE_SELF)) - _cpu(own)
    others_cpu = machine_busy() - busy - tool_cpu - endpoint_cpu
    problems = verify(done, report, fleet, partitions)
    for account, region in partitions:
        iot = cloud.iot(account, region)
        if iot.validation_errors or iot.internal_errors:
            problems.append(
                f"endpoint {account}/{region}: {len(iot.validation_errors)} validation, "
                f"{len(iot.internal_errors)} internal errors"
            )
    if cloud.internal_errors:
        problems.append(f"LocalCloud: {len(cloud.internal_errors)} internal errors")
    calls = list(cloud.calls)
    gets = [c.time for c in calls if c.operation == "GetOTAUpdate" and c.error is None]
    window = max(gets) + LATENCY - min(c.time for c in calls) if gets else 0.0
    per_second = Counter(int(t - min(gets)) for t in gets) if gets else Counter()
    phases = {}
    fetch_cpu = (0.0, 0.0)
    if gets:
        fetch_cpu = sampler.between(min(gets), max(gets) + LATENCY)
        phases = {
            "first request": min(c.time for c in calls) - spawned,
            "first GetOTAUpdate": min(gets) - spawned,
            "last GetOTAUpdate answered": max(gets) + LATENCY - spawned,
            "exit": wall,
        }
    partition_windows = {}
    for account, region in partitions:
        log = cloud.iot(account, region).call_log
        own_gets = [t for op, _, t in log if op == "GetOTAUpdate"]
        if own_gets:
            partition_windows[account, region] = max(own_gets) + LATENCY - min(t for *_, t in log)
    return Run(
        label=label,
        wall=wall,
        tool_cpu=tool_cpu,
        endpoint_cpu=endpoint_cpu,
        gets=len(gets),
        throttled=sum(cloud.iot(a, r).throttled["GetOTAUpdate"] for a, r in partitions),
        window=window,
        peak_rps=max(per_second.values(), default=0),
        median_rps=statistics.median(
            [per_second[i] for i in range(1, max(per_second, default=0))] or [0]
        ),
        phases=phases,
        others_cpu=max(0.0, others_cpu),
        fetch_tool_cpu=fetch_cpu[0],
        fetch_endpoint_cpu=fetch_cpu[1],
        partition_windows=partition_windows,
        problems=problems,
    )


def quiet_run(args: argparse.Namespace, *run_args: Any, **run_kwargs: Any) -> Run:
    """`run_check` on a quiet machine: wait for the other processes to calm down, and run
    again (up to --attempts) when they used more than --max-others cores during the run."""
    for attempt in range(1, args.attempts + 1):
        wait_quiet(args.max_others, timeout=600)
        run = run_check(*run_args, **run_kwargs)
        run.attempts = attempt
        if run.others_cpu <= args.max_others * run.wall:
            break
        print(
            f"  (disturbed: other processes used {run.others_cpu / run.wall:.2f} cores)",
            file=sys.stderr,
        )
    return run


def verify(
    done: subprocess.CompletedProcess[str],
    report: Path,
    fleet: Fleet,
    partitions: Sequence[tuple[str, str]],
) -> list[str]:
    """What is wrong with a run: its exit code, its errors, or any partition's counts."""
    problems: list[str] = []
    if done.returncode not in (0, 1):  # 1: drift findings, as generated
        problems.append(f"exit {done.returncode}: {done.stderr.strip()[-2000:]}")
    if not report.exists():
        return [*problems, "no report written"]
    doc = json.loads(report.read_text(encoding="utf-8"))
    if doc["errors"]:
        problems.append(f"{len(doc['errors'])} error entries, first: {doc['errors'][0]}")
    misplaced = [f for f in doc["findings"] if f["ruleId"] == "OTA404"]
    if misplaced:  # the ARNs were not moved into their partition
        problems.append(f"{len(misplaced)} OTA404 findings, first: {misplaced[0]}")
    seen = {(p["account"], p["region"]): p["summary"] for p in doc.get("partitions", [])}
    if sorted(seen) != sorted(partitions):
        problems.append(f"partitions reported {sorted(seen)}, expected {sorted(partitions)}")
    for key in partitions:
        drifted = fleet.drifted[key]
        expected = {
            "declared": PER_PARTITION,
            "live": PER_PARTITION,
            "inSync": PER_PARTITION - drifted,
            "drifted": drifted,
            "missing": 0,
            "unmanaged": 0,
        }
        summary = seen.get(key, {})
        wrong = {k: (summary.get(k), v) for k, v in expected.items() if summary.get(k) != v}
        if wrong:
            problems.append(f"{key[0]}/{key[1]} summary (got, expected): {wrong}")
    return problems


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def _spread(values: Sequence[float], digits: int = 2) -> str:
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return (
        f"{statistics.median(values):.{digits}f} "
        f"({min(values):.{digits}f}-{max(values):.{digits}f})"
    )


def _phase(r: Run, key: str) -> str:
    return f"{r.phases[key]:.2f}" if key in r.phases else "-"


def run_table(runs: Sequence[Run], floor: float) -> str:
    """Wall time against the floor, and where it went (seconds from spawn)."""
    lines = [
        "| run | wall s | ratio to floor | first request s | first GetOTAUpdate s "
        "| last answer s | GetOTAUpdate | throttled | req/s in window | tool CPU s "
        "| others' CPU s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        lines.append(
            f"| {r.label} | {r.wall:.2f} | {r.wall / floor:.3f} | {_phase(r, 'first request')} "
            f"| {_phase(r, 'first GetOTAUpdate')} | {_phase(r, 'last GetOTAUpdate answered')} "
            f"| {r.gets} | {r.throttled} | {r.rps:.1f} | {r.tool_cpu:.2f} "
            f"| {r.others_cpu:.2f} |"
        )
    return "\n".join(lines)


def capacity_table(runs: Sequence[Run]) -> str:
    """Throughput with nothing limiting it but the two processes, and their CPU per request
    in the fetch window (first to last GetOTAUpdate)."""
    lines = [
        "| --concurrency | wall s | GetOTAUpdate | fetch window s | req/s | median s | busiest s "
        "| tool CPU ms/req | tool cores | endpoint CPU ms/req | endpoint cores "
        "| others' CPU s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        per = 1000 / r.gets if r.gets else 0.0
        lines.append(
            f"| {r.label} | {r.wall:.2f} | {r.gets} | {r.window:.2f} | {r.rps:.1f} "
            f"| {r.median_rps:g} | {r.peak_rps} | {r.fetch_tool_cpu * per:.2f} "
            f"| {r.fetch_tool_cpu / r.window:.2f} "
            f"| {r.fetch_endpoint_cpu * per:.2f} | {r.fetch_endpoint_cpu / r.window:.2f} "
            f"| {r.others_cpu:.2f} |"
        )
    return "\n".join(lines)


def _record(r: Run) -> dict[str, Any]:
    return {
        "label": r.label,
        "wall_s": round(r.wall, 3),
        "tool_cpu_s": round(r.tool_cpu, 3),
        "endpoint_cpu_s": round(r.endpoint_cpu, 3),
        "get_calls": r.gets,
        "throttled": r.throttled,
        "fetch_window_s": round(r.window, 3),
        "fetch_tool_cpu_s": round(r.fetch_tool_cpu, 3),
        "fetch_endpoint_cpu_s": round(r.fetch_endpoint_cpu, 3),
        "rps": round(r.rps, 1),
        "busiest_second": r.peak_rps,
        "median_second": r.median_rps,
        "others_cpu_s": round(r.others_cpu, 3),
        "attempts": r.attempts,
        "phases_s": {k: round(v, 3) for k, v in r.phases.items()},
        "partition_windows_s": {
            f"{a}/{g}": round(w, 3) for (a, g), w in r.partition_windows.items()
        },
        "problems": r.problems,
    }


def serve(cloud: LocalCloud, fleet: Fleet) -> int:
    """Print how to run `check --fleet` against `cloud`, then serve it until Ctrl-C."""
    env = {k: v for k, v in child_env(cloud).items() if k.startswith("AWS_")}
    print(" ".join(f"{k}={v}" for k, v in sorted(env.items())) + " \\")
    print(
        f"  {sys.executable} -m checker check --fleet {fleet.file} --as-of {AS_OF} "
        f"--concurrency {CONCURRENCY} --max-rps {LIMIT:g} --quiet --format json "
        f"--output {WORK_DIR / 'report-serve.json'}",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0


def measure(cloud: LocalCloud, fleet: Fleet, args: argparse.Namespace) -> dict[str, list[Run]]:
    """The three scenarios of the module docstring, in order."""
    runs: dict[str, list[Run]] = {"fleet": [], "sequential": [], "capacity": []}
    for i in range(args.repeat):
        runs["fleet"].append(
            quiet_run(
                args,
                cloud,
                fleet,
                fleet.file,
                fleet.partitions,
                label=f"fleet #{i + 1}, --concurrency {args.concurrency}",
                concurrency=args.concurrency,
                max_rps=LIMIT,
                limit=LIMIT,
                report=WORK_DIR / f"report-fleet-{i + 1}.json",
            )
        )
    for account, region in [] if args.skip_sequential else fleet.partitions:
        runs["sequential"].append(
            quiet_run(
                args,
                cloud,
                fleet,
                single_fleet(fleet, account, region),
                [(account, region)],
                label=f"{account}/{region}",
                concurrency=SEQUENTIAL_CONCURRENCY,
                max_rps=LIMIT,
                limit=LIMIT,
                report=WORK_DIR / f"report-one-{account}-{region}.json",
            )
        )
    for concurrency in [] if args.skip_capacity else args.capacity_concurrency:
        runs["capacity"].append(
            quiet_run(
                args,
                cloud,
                fleet,
                fleet.file,
                fleet.partitions,
                label=str(concurrency),
                concurrency=concurrency,
                max_rps=MAX_RPS_RANGE_TOP,
                limit=None,
                report=WORK_DIR / f"report-capacity-{concurrency}.json",
            )
        )
    return runs


def summarise(fleet: Fleet, runs: dict[str, list[Run]]) -> list[tuple[str, bool, str]]:
    """Print the tables; return the checks (name, passed, evidence)."""
    floor = PER_PARTITION / LIMIT
    fleet_runs, sequential, capacity = runs["fleet"], runs["sequential"], runs["capacity"]
    walls = [r.wall for r in fleet_runs]
    print(f"Fleet: {len(fleet.partitions)} partitions at once; floor {floor:g} s\n")
    print(run_table(fleet_runs, floor))
    print(f"\nwall s: {_spread(walls)}; ratio to floor {_spread([w / floor for w in walls], 3)}")
    for r in fleet_runs:
        windows = sorted(r.partition_windows.values())
        print(
            f"- {r.label}: partitions' own fetch windows {windows[0]:.2f}-{windows[-1]:.2f} s; "
            f"tool CPU {r.fetch_tool_cpu:.2f} s in the fetch window, {r.tool_cpu:.2f} s in all; "
            f"endpoint CPU {r.fetch_endpoint_cpu:.2f} s / {r.endpoint_cpu:.2f} s"
        )
    if sequential:
        total = sum(r.wall for r in sequential)
        print("\nSequential: one process per partition, one after another\n")
        print(run_table(sequential, floor))
        print(
            f"\ntotal {total:.2f} s = {total / floor:.2f}x the floor; the fleet run is "
            f"{total / statistics.median(walls):.2f}x faster"
        )
    if capacity:
        print(f"\nCapacity: rate limits lifted, --max-rps {MAX_RPS_RANGE_TOP:g}\n")
        print(capacity_table(capacity))
    print()
    noisy = [r.label for r in (*fleet_runs, *sequential, *capacity) if r.others_cpu > 0.1 * r.wall]
    if noisy:
        print(f"NOTE  other processes used over 0.1 cores during: {', '.join(noisy)}")
    worst = max(fleet_runs, key=lambda r: r.wall)
    checks = [
        (
            f"fleet within {TARGET}x of {PER_PARTITION}/{LIMIT:g} = {floor:g} s (every run)",
            worst.wall / floor <= TARGET,
            f"worst {worst.wall:.2f} s = {worst.wall / floor:.3f}x",
        )
    ]
    wrong = [r for r in (*fleet_runs, *sequential, *capacity) if r.problems]
    checks += [(f"{r.label}: audited as generated", False, "; ".join(r.problems)) for r in wrong]
    if not wrong:
        checks.append(("every run audited every partition as generated", True, "0 errors"))
    return checks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="fleet runs (default 3)")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument(
        "--accounts",
        type=int,
        default=ACCOUNTS,
        help=f"accounts of {len(REGIONS)} regions each (default %(default)s, at most 9)",
    )
    parser.add_argument("--skip-sequential", action="store_true", help="skip the ~4.5 min run")
    parser.add_argument("--skip-capacity", action="store_true")
    parser.add_argument(
        "--capacity-concurrency",
        type=lambda text: [int(v) for v in text.split(",")],
        default=list(CAPACITY_CONCURRENCY),
        help="--concurrency of each capacity run (default "
        f"{','.join(map(str, CAPACITY_CONCURRENCY))})",
    )
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument(
        "--max-others",
        type=float,
        default=0.1,
        help="a run during which other processes used more cores than this on average is "
        "made again (default %(default)s)",
    )
    parser.add_argument("--attempts", type=int, default=3, help="most runs per measurement")
    parser.add_argument(
        "--serve",
        action="store_true",
        help="build the fleet, print the environment to run ota-drift against it, and serve "
        "until interrupted (for profiling a run by hand)",
    )
    args = parser.parse_args()

    WORK_DIR.mkdir(parents=True, exist_ok=True)
    with LocalCloud(latency=LATENCY) as cloud:
        fleet = build_fleet(cloud, args.seed, args.accounts)
        print(
            f"{len(fleet.partitions)} partitions x {PER_PARTITION} updates on {cloud.url}, "
            f"latency {LATENCY * 1000:g} ms, GetOTAUpdate {LIMIT:g}/s each; {fleet.file}",
            file=sys.stderr,
        )
        if args.serve:
            return serve(cloud, fleet)
        runs = measure(cloud, fleet, args)
    checks = summarise(fleet, runs)
    for name, passed, evidence in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {name}: {evidence}")
    record = {
        "partitions": len(fleet.partitions),
        "per_partition": PER_PARTITION,
        "limit": LIMIT,
        "latency": LATENCY,
        **{name: [_record(r) for r in group] for name, group in runs.items()},
        "checks": [{"name": n, "passed": p, "evidence": e} for n, p, e in checks],
    }
    (WORK_DIR / "results.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 1 if any(not passed for _, passed, _ in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
