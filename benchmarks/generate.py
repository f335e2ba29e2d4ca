"""Generate N declared OTA updates and the matching live snapshot, 5 % of them drifted.

Deterministic for a given (N, seed). Writes into `OUT/` (default `benchmarks/.work/nN/`):

- `declared/<family>/fleet-XXX.yaml`: `PER_FILE` updates per file, as an infra repo has them;
- `snapshot.json`: the live side as GetOTAUpdate returns it: lists reordered, server fields
  added, service defaults filled in, `additionalParameters: {}`;
- `expected.json`: the ground truth, `{"drifted": {otaUpdateId: path}}`, one path per drifted
  update.

Usage: python benchmarks/generate.py N [--seed S] [--out DIR]
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

PER_FILE = 250
DRIFT_PERCENT = 5
WORK_DIR = Path(__file__).resolve().parent / ".work"
ACCOUNT = "123456789012"
REGION = "eu-west-1"
FAMILIES = ("sensors", "gateways", "cameras", "meters")
PROTOCOLS = (["MQTT"], ["MQTT", "HTTP"], ["HTTP"], None)
"""None: omitted, so the service default (MQTT) applies."""
CAPTURED_AT = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)

Entry = dict[str, Any]
Drift = Callable[[Entry, random.Random], str]
"""Changes a live entry in place; returns the drifted path as the report displays it."""

_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def iot_arn(kind: str, name: str) -> str:
    return f"arn:aws:iot:{REGION}:{ACCOUNT}:{kind}/{name}"


def family_of(index: int) -> str:
    """Each declared file holds one product family's updates."""
    return FAMILIES[(index // PER_FILE) % len(FAMILIES)]


def declared_entry(index: int, rng: random.Random) -> Entry:
    """One create_ota_update kwargs dict, with the variety a real fleet has."""
    family = family_of(index)
    ota_id = f"fw-{index:05d}"
    groups = rng.sample("abcdefgh", rng.randint(1, 3))
    targets = [iot_arn("thinggroup", f"{family}-{g}") for g in groups]
    if rng.random() < 0.1:
        targets.append(iot_arn("thing", f"{family}-canary-{index:05d}"))
    entry: Entry = {"otaUpdateId": ota_id}
    if rng.random() < 0.4:
        entry["description"] = f"{family} firmware rollout {index}"
    entry["targets"] = targets
    protocols = rng.choices(PROTOCOLS, weights=[60, 25, 10, 5])[0]
    if protocols is not None:
        entry["protocols"] = protocols
    selection = rng.choices(["SNAPSHOT", "CONTINUOUS", None], weights=[50, 30, 20])[0]
    if selection is not None:
        entry["targetSelection"] = selection
    if rng.random() < 0.85:
        rollout: Entry = {"maximumPerMinute": rng.choice([50, 100, 200, 500])}
        if rng.random() < 0.3:
            rollout["exponentialRate"] = {
                "baseRatePerMinute": rng.choice([5, 10, 20]),
                "incrementFactor": rng.choice([1.5, 2.0, 3.0]),
                "rateIncreaseCriteria": {"numberOfSucceededThings": rng.choice([50, 100])},
            }
        entry["awsJobExecutionsRolloutConfig"] = rollout
    if rng.random() < 0.8:
        entry["awsJobPresignedUrlConfig"] = {"expiresInSec": rng.choice([300, 900, 1800, 3600])}
    if rng.random() < 0.9:  # most of a fleet under ota-drift's lint has these
        entry["awsJobAbortConfig"] = {
            "abortCriteriaList": [
                {
                    "failureType": "FAILED",
                    "action": "CANCEL",
                    "thresholdPercentage": rng.choice([5, 10, 20]),
                    "minNumberOfExecutedThings": rng.choice([10, 50, 100]),
                }
            ]
        }
        entry["awsJobTimeoutConfig"] = {"inProgressTimeoutInMinutes": rng.choice([30, 60, 120])}
    names = ["fw.bin", "bootloader.bin"] if rng.random() < 0.25 else ["fw.bin"]
    entry["files"] = [file_entry(family, index, name, rng) for name in names]
    entry["roleArn"] = f"arn:aws:iam::{ACCOUNT}:role/ota-{family}"
    return entry


def file_entry(family: str, index: int, name: str, rng: random.Random) -> Entry:
    version = f"{rng.randint(1, 4)}.{rng.randint(0, 20)}.{rng.randint(0, 99)}"
    file: Entry = {
        "fileName": name,
        "fileVersion": version,
        "fileLocation": {
            "s3Location": {
                "bucket": f"fw-{family}",
                "key": f"{family}/{index:05d}/{version}/{name}",
                "version": rng.randbytes(12).hex(),
            }
        },
        "codeSigning": {"awsSignerJobId": rng.randbytes(16).hex()},
    }
    if rng.random() < 0.5:
        file["attributes"] = {"board": rng.choice(["esp32", "stm32", "nrf52"]), "rev": "b"}
    return file


def live_info(entry: Entry, rng: random.Random) -> Entry:
    """What GetOTAUpdate returns for `entry`: same config, service's view of it."""
    ota_id = entry["otaUpdateId"]
    created = CAPTURED_AT - timedelta(minutes=rng.randint(60, 60 * 24 * 365))
    modified = created + timedelta(seconds=rng.randint(5, 600))
    targets = list(entry["targets"])
    rng.shuffle(targets)
    files = copy.deepcopy(entry["files"])
    if len(files) > 1 and rng.random() < 0.5:
        files.reverse()
    info: Entry = {
        "otaUpdateId": ota_id,
        "otaUpdateArn": iot_arn("otaupdate", ota_id),
        "creationDate": created.isoformat(),
        "lastModifiedDate": modified.isoformat(),
    }
    if "description" in entry:
        info["description"] = entry["description"]
    info["targets"] = targets
    info["protocols"] = list(reversed(entry.get("protocols", ["MQTT"])))
    info["awsJobExecutionsRolloutConfig"] = copy.deepcopy(
        entry.get("awsJobExecutionsRolloutConfig", {})
    )
    info["awsJobPresignedUrlConfig"] = dict(
        entry.get("awsJobPresignedUrlConfig", {"expiresInSec": 1800})
    )
    info["targetSelection"] = entry.get("targetSelection", "SNAPSHOT")
    info["otaUpdateFiles"] = files
    info["otaUpdateStatus"] = "CREATE_COMPLETE"
    info["awsIotJobId"] = f"AFR_OTA-{ota_id}"
    info["awsIotJobArn"] = iot_arn("job", f"AFR_OTA-{ota_id}")
    info["additionalParameters"] = {}
    return info


def _fw(info: Entry) -> Entry:
    return next(f for f in info["otaUpdateFiles"] if f["fileName"] == "fw.bin")


def drift_expiry(info: Entry, rng: random.Random) -> str:
    # Declared values are 300, 900, 1800, 3600 or omitted (1800): none of these.
    info["awsJobPresignedUrlConfig"]["expiresInSec"] = rng.choice([600, 1200, 2400])
    return "awsJobPresignedUrlConfig.expiresInSec"


def drift_signer(info: Entry, rng: random.Random) -> str:
    _fw(info)["codeSigning"]["awsSignerJobId"] = rng.randbytes(16).hex()
    return "files[fw.bin].codeSigning.awsSignerJobId"


def drift_rate(info: Entry, rng: random.Random) -> str:
    # Declared values are 50, 100, 200, 500 or omitted (1000): none of these.
    info["awsJobExecutionsRolloutConfig"]["maximumPerMinute"] = rng.choice([25, 75, 750])
    return "awsJobExecutionsRolloutConfig.maximumPerMinute"


def drift_target(info: Entry, rng: random.Random) -> str:
    info["targets"].insert(rng.randint(0, len(info["targets"])), iot_arn("thinggroup", "extra"))
    return "targets"


def drift_s3_version(info: Entry, rng: random.Random) -> str:
    _fw(info)["fileLocation"]["s3Location"]["version"] = rng.randbytes(12).hex()
    return "files[fw.bin].fileLocation.s3Location.version"


DRIFTS: tuple[Drift, ...] = (drift_expiry, drift_signer, drift_rate, drift_target, drift_s3_version)


def generate(n: int, out: Path, seed: int = 20261126) -> dict[str, str]:
    """Write the data set for `n` updates into `out` (replaced); return the expected drift."""
    if n % (100 // DRIFT_PERCENT):
        raise ValueError(f"N must be a multiple of {100 // DRIFT_PERCENT} for exactly 5 % drift")
    rng = random.Random(seed)
    entries = [declared_entry(i, rng) for i in range(n)]
    live = [live_info(e, rng) for e in entries]
    drifted = sorted(rng.sample(range(n), n * DRIFT_PERCENT // 100))
    expected: dict[str, str] = {}
    for k, i in enumerate(drifted):  # the drift kinds in turn, 1 % of N each
        expected[live[i]["otaUpdateId"]] = DRIFTS[k % len(DRIFTS)](live[i], rng)
    rng.shuffle(live)  # a snapshot lists updates in the service's order, not the repo's

    if out.exists():
        shutil.rmtree(out)
    for start in range(0, n, PER_FILE):
        path = out / "declared" / family_of(start) / f"fleet-{start // PER_FILE:03d}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        doc = {"otaUpdates": entries[start : start + PER_FILE]}
        with path.open("w", encoding="utf-8") as handle:
            yaml.dump(doc, handle, Dumper=_Dumper, sort_keys=False, default_flow_style=False)
    snapshot = {
        "version": 1,
        "capturedAt": CAPTURED_AT.isoformat(),
        "region": REGION,
        "otaUpdates": live,
    }
    (out / "snapshot.json").write_text(json.dumps(snapshot, indent=2) + "\n", encoding="utf-8")
    (out / "expected.json").write_text(
        json.dumps({"n": n, "seed": seed, "drifted": expected}, indent=2) + "\n", encoding="utf-8"
    )
    return expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of declared updates (multiple of 20)")
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--out", type=Path, help="output directory (default .work/nN)")
    args = parser.parse_args()
    out = args.out or WORK_DIR / f"n{args.n}"
    expected = generate(args.n, out, args.seed)
    print(f"{out}: {args.n} updates, {len(expected)} drifted")


if __name__ == "__main__":
    main()
