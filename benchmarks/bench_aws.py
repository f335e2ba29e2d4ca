"""Live-source benchmark: `ota-drift check` against a rate-limited local AWS IoT endpoint.

Starts `tests/support/iot_endpoint.py`'s LocalIot in this process (127.0.0.1 only, 60 ms
latency, GetOTAUpdate limited by a token bucket), writes `generate.py`'s fleet of N updates
(5 % drifted; declared YAML and snapshot) under `benchmarks/.work/aws/fleet/`, seeds the
endpoint with the snapshot's updates, then measures, each as a separate process, timed from
start to exit:

1. `python -m checker check ... --max-rps 100` with the endpoint allowing 100 GetOTAUpdate/s;
2. a naive sequential boto3 loop (default client config: list, `get_ota_update` one by one,
   `DeepDiff(declared, live, ignore_order=True)` per pair), against the same endpoint;
3. the same `check` with the endpoint allowing only 50 GetOTAUpdate/s.

Prints a Markdown table and PASS/FAIL per target; exits 1 when a target is missed.

Usage: python benchmarks/bench_aws.py [--n 2000] [--skip-naive]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
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

from benchmarks.generate import ACCOUNT, REGION, Entry, generate  # noqa: E402
from tests.support.iot_endpoint import LocalIot  # noqa: E402

WORK_DIR = HERE / ".work" / "aws"

LATENCY = 0.06
FAST_LIMIT = 100.0
SLOW_LIMIT = 50.0
MAX_RPS = 100.0

TARGET_FAST = 1.15
"""Tool wall time at most this multiple of N / FAST_LIMIT."""
TARGET_SLOW = 1.3
"""Tool wall time at most this multiple of N / SLOW_LIMIT, while asking for MAX_RPS."""
TARGET_SPEEDUP = 5.0
"""Tool at least this many times faster than the naive loop."""


# --------------------------------------------------------------------------------------------
# The fleet
# --------------------------------------------------------------------------------------------


@dataclass
class Fleet:
    declared_dir: Path
    n: int
    drifted: int


def build_fleet(iot: LocalIot, n: int, seed: int) -> Fleet:
    """Write `generate.py`'s data set for N updates and seed `iot` with its live side.

    The one fleet generator is `generate.py`: the snapshot it writes is what GetOTAUpdate
    returns, so each of its updates is stored as is (dates as ISO strings, which `put` accepts).
    """
    out = WORK_DIR / "fleet"
    expected = generate(n, out, seed)
    snapshot = json.loads((out / "snapshot.json").read_text(encoding="utf-8"))
    for info in snapshot["otaUpdates"]:
        iot.put(info, role_arn=f"arn:aws:iam::{ACCOUNT}:role/ota-fleet")
    return Fleet(out / "declared", n, len(expected))


# --------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------


@dataclass
class Result:
    scenario: str
    n: int
    wall: float
    limit: float | None
    failed: int | None
    """Fetches that ended in an error; None when the run died before saying."""
    throttled: int
    get_calls: int
    fetch_window: float
    """First request received to last GetOTAUpdate received (plus one latency), seconds."""
    problems: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def floor(self) -> float | None:
        return self.n / self.limit if self.limit else None

    @property
    def ratio(self) -> float | None:
        return self.wall / self.floor if self.floor else None


def child_env() -> dict[str, str]:
    """The caller's environment with only the fake credentials; no profile or config file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    return env


def fetch_window(iot: LocalIot) -> float:
    log = list(iot.call_log)
    gets = [t for op, _, t in log if op == "GetOTAUpdate"]
    if not log or not gets:
        return 0.0
    return max(gets) + iot.latency - min(t for _, _, t in log)


def run_tool(iot: LocalIot, fleet: Fleet, limit: float) -> Result:
    """One `check` process against `iot` with GetOTAUpdate limited to `limit` per second."""
    scenario = f"check --max-rps {MAX_RPS:g}, endpoint limit {limit:g}/s"
    iot.rate_limits = {"GetOTAUpdate": limit}  # also refills the bucket
    iot.reset_counters()
    report = WORK_DIR / f"report-{int(limit)}.json"
    report.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "checker",
        "check",
        str(fleet.declared_dir),
        "--region",
        REGION,
        "--endpoint-url",
        iot.url,
        "--max-rps",
        f"{MAX_RPS:g}",
        "--quiet",
        "--format",
        "json",
        "--output",
        str(report),
    ]
    print(f"$ {' '.join(command)}", file=sys.stderr)
    start = time.perf_counter()
    done = subprocess.run(
        command, check=False, cwd=ROOT, env=child_env(), capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    problems: list[str] = []
    if done.returncode not in (0, 1):  # 1: drift findings, as expected
        problems.append(f"exit {done.returncode}: {done.stderr.strip()[-2000:]}")
    errors: list[Any] = []
    summary: dict[str, Any] = {}
    if report.exists():
        doc = json.loads(report.read_text(encoding="utf-8"))
        errors, summary = doc["errors"], doc["summary"]
        if errors:
            problems.append(f"{len(errors)} error entries, first: {errors[0]}")
        expected = {
            "declared": fleet.n,
            "live": fleet.n,
            "inSync": fleet.n - fleet.drifted,
            "drifted": fleet.drifted,
            "missing": 0,
            "unmanaged": 0,
        }
        wrong = {k: (summary.get(k), v) for k, v in expected.items() if summary.get(k) != v}
        if wrong:
            problems.append(f"summary (got, expected): {wrong}")
    else:
        problems.append("no report written")
    if iot.validation_errors or iot.internal_errors:
        problems.append(
            f"endpoint: {len(iot.validation_errors)} validation, "
            f"{len(iot.internal_errors)} internal errors"
        )
    return Result(
        scenario=scenario,
        n=fleet.n,
        wall=wall,
        limit=limit,
        failed=len(errors) if report.exists() else None,
        throttled=iot.throttled["GetOTAUpdate"],
        get_calls=iot.calls["GetOTAUpdate"],
        fetch_window=fetch_window(iot),
        problems=problems,
        detail={"summary": summary, "calls": dict(iot.calls)},
    )


def run_naive(iot: LocalIot, fleet: Fleet) -> Result:
    """The naive loop in its own process, against the endpoint as it is (100/s)."""
    iot.rate_limits = {"GetOTAUpdate": FAST_LIMIT}
    iot.reset_counters()
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--naive-child",
        iot.url,
        "--declared",
        str(fleet.declared_dir),
    ]
    print(f"$ {' '.join(command)}", file=sys.stderr)
    start = time.perf_counter()
    done = subprocess.run(
        command, check=False, cwd=ROOT, env=child_env(), capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    problems: list[str] = []
    detail: dict[str, Any] = {}
    if done.returncode != 0:
        problems.append(f"exit {done.returncode}: {done.stderr.strip()[-2000:]}")
    else:
        detail = json.loads(done.stdout.strip().splitlines()[-1])
        if detail["fetched"] != fleet.n:
            problems.append(f"fetched {detail['fetched']} of {fleet.n}")
    return Result(
        scenario="naive boto3 loop (sequential, default config)",
        n=fleet.n,
        wall=wall,
        limit=None,
        failed=int(detail["failed"]) if detail else None,
        throttled=iot.throttled["GetOTAUpdate"],
        get_calls=iot.calls["GetOTAUpdate"],
        fetch_window=fetch_window(iot),
        problems=problems,
        detail=detail,
    )


def naive_child(endpoint_url: str, declared_dir: str) -> None:
    """The naive loop itself: what a quick script would do. Prints one JSON line."""
    import boto3  # noqa: PLC0415 - only the child needs boto3
    import botocore.exceptions  # noqa: PLC0415
    from deepdiff import DeepDiff  # noqa: PLC0415

    start = time.perf_counter()
    declared: dict[str, Entry] = {}
    for path in sorted(Path(declared_dir).rglob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["otaUpdates"]:
            declared[entry["otaUpdateId"]] = entry
    client = boto3.client("iot", region_name=REGION, endpoint_url=endpoint_url)
    loaded = time.perf_counter()
    ids: list[str] = []
    kwargs: dict[str, Any] = {}
    while True:
        page = client.list_ota_updates(**kwargs)
        ids += [s["otaUpdateId"] for s in page.get("otaUpdates", [])]
        if not page.get("nextToken"):
            break
        kwargs["nextToken"] = page["nextToken"]
    listed = time.perf_counter()
    live: dict[str, Entry] = {}
    failed = 0
    for ota_id in ids:
        try:
            info: Entry = dict(client.get_ota_update(otaUpdateId=ota_id)["otaUpdateInfo"])
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError):
            failed += 1
            continue
        info["files"] = info.pop("otaUpdateFiles", [])
        live[ota_id] = info
    fetched = time.perf_counter()
    differing = sum(
        1
        for ota_id, want in declared.items()
        if ota_id in live and DeepDiff(want, live[ota_id], ignore_order=True)
    )
    done = time.perf_counter()
    result = {
        "listed": len(ids),
        "fetched": len(live),
        "failed": failed,
        "differing": differing,
        "load_s": round(loaded - start, 3),
        "list_s": round(listed - loaded, 3),
        "get_s": round(fetched - listed, 3),
        "diff_s": round(done - fetched, 3),
    }
    print(json.dumps(result))


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


@dataclass
class Verdict:
    name: str
    passed: bool | None
    """None: not measured (skipped)."""
    evidence: str


def verdicts(fast: Result, slow: Result, naive: Result | None) -> list[Verdict]:
    out = [
        Verdict(
            f"{MAX_RPS:g} rps vs {FAST_LIMIT:g}/s: within {TARGET_FAST}x of N/{FAST_LIMIT:g}",
            (fast.ratio or 0) <= TARGET_FAST,
            f"{fast.wall:.2f} s = {fast.ratio:.3f}x of {fast.floor:.1f} s",
        ),
        Verdict(
            f"{MAX_RPS:g} rps vs {FAST_LIMIT:g}/s: zero failed fetches, every update audited",
            fast.failed == 0 and not fast.problems,
            f"{fast.failed} failed; {'; '.join(fast.problems) or 'summary as generated'}",
        ),
        Verdict(
            f"at least {TARGET_SPEEDUP:g}x faster than the naive loop",
            None if naive is None else naive.wall / fast.wall >= TARGET_SPEEDUP,
            "skipped (--skip-naive)"
            if naive is None
            else f"{naive.wall:.1f} s / {fast.wall:.2f} s = {naive.wall / fast.wall:.2f}x",
        ),
        Verdict(
            f"{MAX_RPS:g} rps vs {SLOW_LIMIT:g}/s: within {TARGET_SLOW}x of N/{SLOW_LIMIT:g}",
            (slow.ratio or 0) <= TARGET_SLOW,
            f"{slow.wall:.2f} s = {slow.ratio:.3f}x of {slow.floor:.1f} s",
        ),
        Verdict(
            f"{MAX_RPS:g} rps vs {SLOW_LIMIT:g}/s: zero failed fetches, every update audited",
            slow.failed == 0 and not slow.problems,
            f"{slow.failed} failed; {'; '.join(slow.problems) or 'summary as generated'}",
        ),
    ]
    if naive is not None and naive.problems:
        out.append(Verdict("naive loop completed", False, "; ".join(naive.problems)))
    return out


def _num(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def table(results: list[Result], naive: Result | None) -> str:
    lines = [
        "| scenario | N | wall s | floor s | ratio to floor | failed fetches "
        "| throttled responses | speed-up vs naive |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        speedup = "-"
        if naive is not None and r is not naive and r.limit == FAST_LIMIT:
            speedup = f"{naive.wall / r.wall:.1f}x"
        elif r is naive:
            speedup = "1.0x"
        failed = "-" if r.failed is None else str(r.failed)
        lines.append(
            f"| {r.scenario} | {r.n:,} | {r.wall:.2f} | {_num(r.floor, 1)} "
            f"| {_num(r.ratio, 3)} | {failed} | {r.throttled} | {speedup} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="updates (default 2000)")
    parser.add_argument("--skip-naive", action="store_true", help="skip the ~2 min naive loop")
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--naive-child", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--declared", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.naive_child:
        naive_child(args.naive_child, args.declared)
        return 0
    if args.n < 20 or args.n % 20:
        parser.error("--n must be a positive multiple of 20 (5 % drift exactly)")

    WORK_DIR.mkdir(parents=True, exist_ok=True)
    with LocalIot(latency=LATENCY, rate_limits={"GetOTAUpdate": FAST_LIMIT}) as iot:
        fleet = build_fleet(iot, args.n, args.seed)
        print(
            f"{fleet.n} updates ({fleet.drifted} drifted) on {iot.url}, latency "
            f"{LATENCY * 1000:g} ms; declared in {fleet.declared_dir}",
            file=sys.stderr,
        )
        fast = run_tool(iot, fleet, FAST_LIMIT)
        naive = None if args.skip_naive else run_naive(iot, fleet)
        slow = run_tool(iot, fleet, SLOW_LIMIT)

    results = [fast] + ([naive] if naive else []) + [slow]
    print(table(results, naive))
    print()
    for r in results:
        extra = {k: v for k, v in r.detail.items() if k != "summary"}
        print(
            f"- {r.scenario}: {r.get_calls} GetOTAUpdate requests, fetch window "
            f"{r.fetch_window:.2f} s, start-up and audit {r.wall - r.fetch_window:.2f} s; {extra}"
        )
    print()
    checks = verdicts(fast, slow, naive)
    for v in checks:
        label = "SKIP" if v.passed is None else "PASS" if v.passed else "FAIL"
        print(f"{label}  {v.name}: {v.evidence}")
    record = {
        "n": fleet.n,
        "results": [
            {
                "scenario": r.scenario,
                "wall_s": round(r.wall, 3),
                "floor_s": r.floor,
                "failed": r.failed,
                "throttled": r.throttled,
                "get_calls": r.get_calls,
                "fetch_window_s": round(r.fetch_window, 3),
                "problems": r.problems,
                "detail": r.detail,
            }
            for r in results
        ],
        "verdicts": [{"name": v.name, "passed": v.passed, "evidence": v.evidence} for v in checks],
    }
    (WORK_DIR / "results.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 1 if any(v.passed is False for v in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
