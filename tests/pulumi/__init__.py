"""ota-drift inside Pulumi: the program under mocks, the provider, both gRPC hosts, the project.

Shared helpers live here. Live state comes from snapshot files or from the local IoT endpoint
of tests/support (on 127.0.0.1), never from AWS.
"""

from __future__ import annotations

import json
import select
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support.offline_aws import offline_aws_env

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLE_DECLARED = "examples/ota"
EXAMPLE_STATE = "examples/live-snapshot.json"

OFFLINE_REGION = "eu-central-1"
"""The region of the dummy AWS settings (tests/support/offline_aws.py) every test here runs
with, so nothing here could ever reach a real AWS account."""
HOST_START_TIMEOUT = 60.0
"""Seconds a gRPC host may take to print its port."""


def cli_json(*args: str) -> dict[str, Any]:
    """`ota-drift ARGS --format json`, run in-process in the current directory, parsed."""
    from checker.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        main([*args, "--format", "json", "--output", str(out)])
        doc: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return doc


def snapshot_of(ids: list[str], source: Path = ROOT / EXAMPLE_STATE) -> dict[str, Any]:
    """The bundled snapshot, keeping only the updates named in `ids`."""
    doc: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    doc["otaUpdates"] = [u for u in doc["otaUpdates"] if u["otaUpdateId"] in ids]
    return doc


def copy_example(tmp: Path) -> Path:
    """A copy of the bundled example (declared configs and snapshot) under `tmp`."""
    shutil.copytree(ROOT / "examples" / "ota", tmp / "ota")
    shutil.copy(ROOT / EXAMPLE_STATE, tmp / "live-snapshot.json")
    return tmp


@contextmanager
def host_process(args: list[str], cwd: Path) -> Iterator[int]:
    """A gRPC host started as the engine starts it; yields the port it prints on stdout.

    Its stderr is drained on a thread (a full pipe would block the host) and the process is
    ended when the block exits. It runs with the offline AWS settings, no AWS_* variable of
    the machine.
    """
    with tempfile.TemporaryDirectory() as aws_home:
        env = {**offline_aws_env(Path(aws_home), region=OFFLINE_REGION), "PYTHONUNBUFFERED": "1"}
        with _started(args, cwd, env) as port:
            yield port


@contextmanager
def _started(args: list[str], cwd: Path, env: dict[str, str]) -> Iterator[int]:
    """`host_process` with its environment made: the process, its drained stderr, its port."""
    process = subprocess.Popen(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stderr: list[str] = []
    assert process.stdout is not None and process.stderr is not None
    drain = threading.Thread(target=lambda: stderr.extend(process.stderr or ()), daemon=True)
    drain.start()
    try:
        ready, _, _ = select.select([process.stdout], [], [], HOST_START_TIMEOUT)
        line = process.stdout.readline() if ready else ""
        if not line.strip().isdigit():
            process.kill()
            process.wait(timeout=10)
            drain.join(timeout=5)
            raise AssertionError(f"host printed {line!r}, not a port; stderr:\n{''.join(stderr)}")
        yield int(line)
    finally:
        process.kill()
        process.wait(timeout=10)
        drain.join(timeout=5)
        process.stdout.close()
        process.stderr.close()


SAFE_ID = "fw-safe"
TARGET = "arn:aws:iot:eu-central-1:123456789012:thinggroup/sensors"


def safe_yaml(expires: int = 900, extra: str = "") -> str:
    """A declared file with one update that passes every rule (so only drift can show)."""
    return f"""\
otaUpdates:
  - otaUpdateId: {SAFE_ID}
    description: firmware 1.0
    targets: [{TARGET}]
    protocols: [MQTT, HTTP]
    awsJobPresignedUrlConfig:
      expiresInSec: {expires}
    awsJobExecutionsRolloutConfig:
      maximumPerMinute: 50
    awsJobAbortConfig:
      abortCriteriaList:
        - {{failureType: FAILED, action: CANCEL, thresholdPercentage: 10,
            minNumberOfExecutedThings: 10}}
    awsJobTimeoutConfig:
      inProgressTimeoutInMinutes: 60
    files:
      - fileName: fw.bin
        fileLocation:
          stream: {{streamId: s1, fileId: 0}}
        codeSigning:
          customCodeSigning:
            signature: {{inlineDocument: !!binary AAECAwQ=}}
            certificateChain: {{certificateName: signer}}
            hashAlgorithm: SHA256
            signatureAlgorithm: ECDSA
    roleArn: arn:aws:iam::123456789012:role/ota
{extra}"""


def safe_snapshot(expires: int = 900, ids: tuple[str, ...] = (SAFE_ID,)) -> str:
    """A snapshot in which the safe update (and any other `ids`) exists as declared."""
    updates = [
        {
            "otaUpdateId": ota_id,
            "otaUpdateArn": f"arn:aws:iot:eu-central-1:123456789012:otaupdate/{ota_id}",
            "creationDate": "2026-11-19T10:00:00+00:00",
            "lastModifiedDate": "2026-11-19T10:01:00+00:00",
            "description": "firmware 1.0",
            "targets": [TARGET],
            "protocols": ["HTTP", "MQTT"],
            "awsJobPresignedUrlConfig": {"expiresInSec": expires},
            "awsJobExecutionsRolloutConfig": {"maximumPerMinute": 50},
            "targetSelection": "SNAPSHOT",
            "otaUpdateFiles": [
                {
                    "fileName": "fw.bin",
                    "fileLocation": {"stream": {"streamId": "s1", "fileId": 0}},
                    "codeSigning": {
                        "customCodeSigning": {
                            "signature": {"inlineDocument": "AAECAwQ="},
                            "certificateChain": {"certificateName": "signer"},
                            "hashAlgorithm": "SHA256",
                            "signatureAlgorithm": "ECDSA",
                        }
                    },
                }
            ],
            "otaUpdateStatus": "CREATE_COMPLETE",
        }
        for ota_id in ids
    ]
    doc = {"version": 1, "capturedAt": "2026-11-20T06:00:00+00:00", "otaUpdates": updates}
    return json.dumps(doc, indent=2)
