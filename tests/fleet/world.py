"""The fleet the fleet tests run against: two accounts in two regions on LocalCloud, three
updates in each partition, the lab account reached through a hop role in a third account.
The `cloud` fixture (tests/fleet/conftest.py) sets it up in the test's tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support.cloud_endpoint import LocalCloud
from tests.support.offline_aws import offline_aws

PROD, LAB, HOP = "111122223333", "444455556666", "999988887777"
ROLE = "arn:aws:iam::{account}:role/ota-drift-audit"
REGIONS = ("eu-west-1", "us-east-1")
AS_OF = "2026-11-25T00:00:00Z"
T0 = datetime(2026, 11, 25, tzinfo=UTC)
UPDATES = ("fw-1", "fw-2", "fw-3")


def live(ota_id: str, account: str, region: str) -> dict[str, Any]:
    return {
        "otaUpdateId": ota_id,
        "targets": [f"arn:aws:iot:{region}:{account}:thinggroup/sensors"],
        "protocols": ["MQTT"],
        "targetSelection": "SNAPSHOT",
        "otaUpdateFiles": [
            {
                "fileName": "fw.bin",
                "fileLocation": {"s3Location": {"bucket": "fw", "key": "fw.bin", "version": "v1"}},
                "codeSigning": {"awsSignerJobId": "job-1"},
            }
        ],
        "otaUpdateStatus": "CREATE_COMPLETE",
    }


DECLARED = """\
otaUpdates:
  - otaUpdateId: fw-1
    targets: [arn:aws:iot:eu-west-1:111122223333:thinggroup/sensors]
    roleArn: arn:aws:iam::111122223333:role/ota
    protocols: [MQTT]
    targetSelection: SNAPSHOT
    files:
      - fileName: fw.bin
        fileLocation: {s3Location: {bucket: fw, key: fw.bin, version: v1}}
        codeSigning: {awsSignerJobId: job-1}
"""

FLEET = f"""\
defaults:
  role: {ROLE}
  regions: [eu-west-1, us-east-1]
accounts:
  - account: "{PROD}"
    name: prod
    declared:
      eu-west-1: [ota/prod]
  - account: "{LAB}"
    name: lab
    role: [arn:aws:iam::{HOP}:role/hop, arn:aws:iam::{LAB}:role/ota-drift-audit]
"""


def cloud_world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LocalCloud]:
    """Two accounts in two regions, three updates in each partition, the lab account reached
    through a hop in a third account; the test runs in tmp_path with the fleet file there."""
    offline_aws(monkeypatch, tmp_path, region="eu-west-1", key_id="base-key", secret="base-secret")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ota" / "prod").mkdir(parents=True)
    (tmp_path / "ota" / "prod" / "fw.yaml").write_text(DECLARED)
    (tmp_path / "fleet.yaml").write_text(FLEET)
    with LocalCloud() as local:
        local.add_role(ROLE.format(account=PROD))
        local.add_role(f"arn:aws:iam::{HOP}:role/hop")
        local.add_role(ROLE.format(account=LAB), trusts=(f"arn:aws:iam::{HOP}:role/hop",))
        for account in (PROD, LAB):
            for region in REGIONS:
                for ota_id in UPDATES:
                    local.iot(account, region).put(live(ota_id, account, region))
        for name, value in local.env().items():
            monkeypatch.setenv(name, value)
        yield local
        assert local.internal_errors == []
        assert local.validation_errors == []
