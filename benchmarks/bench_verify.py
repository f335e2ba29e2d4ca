"""`check --verify` benchmark: 2,000 updates sharing 20 signing profiles and 20 certificates.

Starts `tests/support/cloud_endpoint.py`'s LocalCloud in this process (127.0.0.1 only, every
service behind it, 30 ms latency) and seeds one account and region with N updates. Each
update has one firmware file: its own Signer job and its own S3 object version; update i's
job was signed with profile i % 20, whose certificate is certificate i % 20. The endpoint
limits every operation (GetOTAUpdate, DescribeJob, ListTagsForResource, DescribeSigningJob,
GetSigningProfile, DescribeCertificate, HeadObject) to LIMIT requests per second. Then it runs
`python -m checker check --verify --max-rps LIMIT` as a separate process, timed from start to
exit, and counts what the endpoint received.

Targets (issue 14):
- at most one call per distinct resource: 2,000 jobs, 20 profiles, 20 certificates, 2,000
  object versions, each asked once, and each update read once;
- wall time within 1.2x of the floor: the slowest operation's calls divided by its limit
  (N / LIMIT: GetOTAUpdate, DescribeJob, ListTagsForResource, DescribeSigningJob and
  HeadObject each make N calls).

Declared: none (an empty file), so every update is unmanaged and every rule runs on its live
side; the audit's work is the same as for declared ones.

Usage: python benchmarks/bench_verify.py [--n 2000] [--limit 25]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as a script, this directory comes first on sys.path, and its html.py would then shadow
# the standard library's `html` (which botocore imports): import from the repository root.
sys.path[:] = [path for path in sys.path if Path(path or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.cloud_endpoint import LocalCloud  # noqa: E402

WORK_DIR = HERE / ".work" / "verify"
ACCOUNT = "000000000000"
REGION = "eu-west-1"
LATENCY = 0.03
SHARED = 20
"""Signing profiles, and certificates, the updates share."""
TARGET = 1.2
CONCURRENCY = 32
OPERATIONS = (
    "GetOTAUpdate",
    "DescribeJob",
    "ListTagsForResource",
    "DescribeSigningJob",
    "GetSigningProfile",
    "DescribeCertificate",
    "HeadObject",
)


def seed(cloud: LocalCloud, n: int) -> None:
    iot = cloud.iot(ACCOUNT, REGION)
    chain = cloud.chain(ACCOUNT, REGION)
    now = datetime.now(UTC)
    for k in range(SHARED):
        arn = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/cert-{k:02d}"
        chain.add_certificate(
            arn, not_before=now - timedelta(days=30), not_after=now + timedelta(days=400)
        )
        chain.add_signing_profile(f"profile_{k:02d}", certificate_arn=arn)
    for i in range(n):
        k = i % SHARED
        job = f"job-{i:05d}"
        key = f"fw/device-{i:05d}.bin"
        chain.add_signing_job(
            job,
            profile_name=f"profile_{k:02d}",
            certificate_arn=f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/cert-{k:02d}",
            completed_at=now - timedelta(days=1),
            signature_expires_at=now + timedelta(days=300),
        )
        chain.put_object("acme-firmware", key, f"v{i:05d}")
        iot.put(
            {
                "otaUpdateId": f"fw-{i:05d}",
                "targets": [f"arn:aws:iot:{REGION}:{ACCOUNT}:thinggroup/group-{k:02d}"],
                "protocols": ["MQTT"],
                "targetSelection": "SNAPSHOT",
                "awsJobExecutionsRolloutConfig": {"maximumPerMinute": 50},
                "awsJobPresignedUrlConfig": {"expiresInSec": 300},
                "otaUpdateFiles": [
                    {
                        "fileName": "device.bin",
                        "fileType": 0,
                        "fileLocation": {
                            "s3Location": {
                                "bucket": "acme-firmware",
                                "key": key,
                                "version": f"v{i:05d}",
                            }
                        },
                        "codeSigning": {"awsSignerJobId": job},
                    }
                ],
            },
            timeout=60,
            abort=[
                {
                    "failureType": "FAILED",
                    "action": "CANCEL",
                    "thresholdPercentage": 10.0,
                    "minNumberOfExecutedThings": 10,
                }
            ],
        )


def child_env(cloud: LocalCloud) -> dict[str, str]:
    """Only the fake credentials and the local endpoints; no profile or config file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="base-key",
        AWS_SECRET_ACCESS_KEY="base-secret",
        AWS_DEFAULT_REGION=REGION,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        **cloud.env(),
    )
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="updates (default 2000)")
    parser.add_argument("--limit", type=float, default=25.0, help="requests/s per operation")
    args = parser.parse_args()
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    declared = WORK_DIR / "none.yaml"
    declared.write_text("otaUpdates: []\n", encoding="utf-8")
    report = WORK_DIR / "report.json"
    report.unlink(missing_ok=True)
    with LocalCloud(latency=LATENCY) as cloud:
        seed(cloud, args.n)
        iot = cloud.iot(ACCOUNT, REGION)
        iot.rate_limits = dict.fromkeys(OPERATIONS[:3], args.limit)
        cloud.chain(ACCOUNT, REGION).rate_limits = dict.fromkeys(OPERATIONS[3:], args.limit)
        cloud.clear_calls()
        command = [
            sys.executable,
            "-m",
            "checker",
            "check",
            str(declared),
            "--region",
            REGION,
            "--verify",
            "--max-rps",
            f"{args.limit:g}",
            "--concurrency",
            str(CONCURRENCY),
            "--quiet",
            "--format",
            "json",
            "--output",
            str(report),
        ]
        print(f"$ {' '.join(command)}", file=sys.stderr)
        start = time.perf_counter()
        done = subprocess.run(
            command, check=False, cwd=ROOT, env=child_env(cloud), capture_output=True, text=True
        )
        wall = time.perf_counter() - start
        per_operation = Counter(c.operation for c in cloud.calls)
        per_resource = cloud.resource_calls(ACCOUNT)
        throttled = sum(
            1 for c in cloud.calls if "Throttl" in (c.error or "") or "TooMany" in (c.error or "")
        )
        problems = [*cloud.internal_errors, *(str(v) for v in cloud.validation_errors)]
    doc: dict[str, Any] = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    errors = doc.get("errors", ["no report"])
    repeated = {k: v for k, v in per_resource.items() if v > 1}
    distinct = Counter(action.split(":")[1] for action, _ in per_resource)
    floor = max(per_operation[op] for op in OPERATIONS) / args.limit
    ratio = wall / floor
    print(f"exit {done.returncode}; {len(errors)} error entries; {throttled} throttled answers")
    print()
    print("| operation | calls | distinct resources |")
    print("| --- | --- | --- |")
    for op in OPERATIONS:
        print(f"| {op} | {per_operation[op]:,} | {distinct.get(op, '') or '-'} |")
    print()
    print(
        f"N = {args.n:,}, limit {args.limit:g}/s per operation: wall {wall:.2f} s, floor "
        f"{floor:.1f} s, ratio {ratio:.3f}x (target {TARGET}x)"
    )
    once = not repeated and per_operation["GetSigningProfile"] == SHARED
    once = once and per_operation["DescribeCertificate"] == SHARED
    checks = [
        ("audited without errors", done.returncode in (0, 1) and not errors and not problems),
        ("at most one call per distinct resource", once),
        (f"wall within {TARGET}x of the floor", ratio <= TARGET),
    ]
    for name, passed in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {name}")
    if done.returncode not in (0, 1):
        print(done.stderr[-2000:], file=sys.stderr)
    record = {
        "n": args.n,
        "limit": args.limit,
        "wall_s": round(wall, 3),
        "floor_s": floor,
        "ratio": round(ratio, 4),
        "calls": dict(per_operation),
        "repeated": {f"{a} {r}": v for (a, r), v in repeated.items()},
        "errors": len(errors),
        "throttled": throttled,
    }
    (WORK_DIR / "results.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 0 if all(passed for _, passed in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
