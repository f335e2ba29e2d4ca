"""The `OtaUpdate` dynamic provider's methods, called directly as the provider host calls them."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import dill
import pytest
from google.protobuf import json_format, struct_pb2
from pulumi.dynamic.dynamic import serialize_provider

from checker.declared import load_declared
from checker.model import DeclaredUpdate, LiveUpdate
from checker.pulumi.provider import (
    AuditError,
    AuditSettings,
    OtaUpdateProvider,
    declared_from_props,
    live_from_record,
    resource_inputs,
    to_json,
)
from checker.rules.ota002_missing import missing_finding
from checker.sources.snapshot import SnapshotSource
from tests.pulumi import (
    EXAMPLE_DECLARED,
    EXAMPLE_STATE,
    OFFLINE_REGION,
    ROOT,
    SAFE_ID,
    safe_snapshot,
    safe_yaml,
)
from tests.support.iot_endpoint import LocalIot
from tests.support.offline_aws import offline_aws

PROVIDER = OtaUpdateProvider()


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Run from the repository root with dummy AWS settings, loopback only."""
    monkeypatch.chdir(ROOT)
    offline_aws(monkeypatch, tmp_path, region=OFFLINE_REGION)


def wire(props: dict[str, Any]) -> dict[str, Any]:
    """`props` as they arrive over gRPC: a protobuf Struct, where every number is a double."""
    struct = struct_pb2.Struct()
    struct.update(props)
    decoded: dict[str, Any] = json_format.MessageToDict(struct)
    return decoded


def example(ota_update_id: str, **settings: Any) -> dict[str, Any]:
    """The inputs of one update of the bundled example, over the wire."""
    update = next(u for u in load_declared([EXAMPLE_DECLARED]) if u.ota_update_id == ota_update_id)
    state = settings.pop("state", EXAMPLE_STATE)
    return wire(resource_inputs(update, AuditSettings(state=state, **settings)))


def safe_case(tmp_path: Path, declared_expires: int = 900, live_expires: int = 900) -> Any:
    """The safe update's inputs, and the path of a snapshot in which it exists."""
    (tmp_path / "ota.yaml").write_text(safe_yaml(declared_expires))
    state = tmp_path / "state.json"
    state.write_text(safe_snapshot(live_expires))
    update = load_declared([str(tmp_path / "ota.yaml")])[0]
    return wire(resource_inputs(update, AuditSettings(state=str(state)))), state


def failures(props: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f.property, f.reason) for f in PROVIDER.check({}, props).failures]


def test_check_passes_a_safe_declaration(tmp_path: Path) -> None:
    """A declaration that every rule accepts has no check failure, and keeps its inputs."""
    props, _ = safe_case(tmp_path)
    result = PROVIDER.check({}, props)
    assert result.failures == []
    assert result.inputs == props


def test_check_fails_an_unsafe_declaration_with_rule_ids() -> None:
    """Every active finding at or above failOn is a failure naming the rule and property."""
    at = "[examples/ota/gateways.yaml:34]"
    assert failures(example("gw-fw-4")) == [
        ("", f"OTA306 (high): no awsJobAbortConfig: the job never aborts when installs fail {at}"),
        (
            "",
            "OTA307 (low): no awsJobTimeoutConfig: job executions stay IN_PROGRESS without "
            f"limit {at}",
        ),
        (
            "targetSelection",
            "OTA401 (medium): targetSelection is CONTINUOUS: things that join a target group "
            f"later get the update at once, outside the rollout rate {at}",
        ),
        (
            "files",
            "OTA402 (high): file gw-4.0.0-rc1.bin: s3Location "
            "s3://acme-ota-firmware/gateways/gw-4.0.0-rc1.bin has no version, so the firmware "
            f"under the key can change {at}",
        ),
    ]


def test_check_honours_fail_on_and_policy_packs() -> None:
    """failOn high keeps only high findings, never keeps none, and a pack's suppression counts."""
    assert [r[:6] for _, r in failures(example("gw-fw-4", fail_on="high"))] == ["OTA306", "OTA402"]
    assert failures(example("gw-fw-4", fail_on="never")) == []
    with_pack = example("gw-fw-4", policy=("examples/policy.yaml",))  # failOn medium, OTA401 ok
    assert [r[:6] for _, r in failures(with_pack)] == ["OTA306", "OTA402"]


def test_check_reports_a_config_botocore_would_refuse(tmp_path: Path) -> None:
    """An input that is not a valid CreateOTAUpdate request fails on the model, not the rules."""
    props, _ = safe_case(tmp_path)
    props["awsJobPresignedUrlConfig"] = {"expiresInSeconds": 600}
    assert failures(props) == [
        (
            "awsJobPresignedUrlConfig",
            "unknown key 'expiresInSeconds' in awsJobPresignedUrlConfig; did you mean "
            "'expiresInSec'?",
        )
    ]


def test_create_records_the_live_update_json_safe() -> None:
    """Create reads the snapshot and records otaUpdateInfo with dates and blobs as text."""
    props = example("cam-fw-0")
    result = PROVIDER.create(props)
    assert result.id == "cam-fw-0"
    outs = result.outs
    assert outs is not None
    assert json.loads(json.dumps(outs)) == outs
    assert outs["liveJobConfig"] is False
    assert outs["otaDrift"] == props["otaDrift"]
    assert outs["description"] == "Camera firmware 2.7.4"
    live = outs["live"]
    assert live["creationDate"] == "2026-08-02T07:20:00+00:00"
    assert live["otaUpdateStatus"] == "CREATE_COMPLETE"
    signature = live["otaUpdateFiles"][0]["codeSigning"]["customCodeSigning"]["signature"]
    assert signature["inlineDocument"] == (
        "MEUCIQDx7bZ0pVbLr2o4Ww8n1oHk0n5T3xq1m3y0r6b1n1b2cQIgY2s8fJ8QfV2n5k3wq0c6k0n9z7Y2b8h4V1t3r5q7w9E="
    )


def test_create_of_an_update_that_does_not_exist_fails_as_ota002() -> None:
    """The provider never creates an OTA update: a missing one is an error naming OTA002."""
    with pytest.raises(AuditError, match=r"^OTA002 cam-fw-1: declared, but no such OTA update"):
        PROVIDER.create(example("cam-fw-1"))


def test_create_and_update_of_a_missing_update_say_what_ota002_says(tmp_path: Path) -> None:
    """Both errors carry OTA002's own message (checker/rules/ota002_missing.py), word for word:
    create then says how to go on, update says no more."""
    props, state = safe_case(tmp_path)
    state.write_text(safe_snapshot(ids=()))
    said = missing_finding(declared_from_props(props)).message
    with pytest.raises(AuditError) as created:
        PROVIDER.create(props)
    assert str(created.value).startswith(f"OTA002 {SAFE_ID}: {said}. ota-drift audits")
    with pytest.raises(AuditError) as updated:
        PROVIDER.update(SAFE_ID, props, props)
    assert str(updated.value) == f"OTA002 {SAFE_ID}: {said}"


def test_read_records_the_current_live_update(tmp_path: Path) -> None:
    """Read returns the same id and the live update as the snapshot now has it."""
    props, state = safe_case(tmp_path)
    outs = PROVIDER.create(props).outs
    assert outs is not None
    state.write_text(safe_snapshot(3600))
    result = PROVIDER.read(SAFE_ID, outs)
    assert result.id == SAFE_ID
    assert result.outs is not None
    assert result.outs["live"]["awsJobPresignedUrlConfig"] == {"expiresInSec": 3600}
    assert result.outs["awsJobPresignedUrlConfig"] == {"expiresInSec": 900.0}  # declared, kept


def test_read_of_a_deleted_update_returns_no_id(tmp_path: Path) -> None:
    """An update gone from live state reads back with an empty id: refresh drops it."""
    props, state = safe_case(tmp_path)
    outs = PROVIDER.create(props).outs
    assert outs is not None
    state.write_text(safe_snapshot(ids=()))
    result = PROVIDER.read(SAFE_ID, outs)
    assert (result.id, result.outs) == ("", {})


def test_diff_in_sync_has_no_changes(tmp_path: Path) -> None:
    """Declared and recorded live agree: no changes, nothing to replace."""
    props, _ = safe_case(tmp_path)
    outs = PROVIDER.create(props).outs
    assert outs is not None
    result = PROVIDER.diff(SAFE_ID, wire(outs), props)
    assert (result.changes, result.replaces) == (False, [])


def test_diff_replaces_the_drifted_top_level_properties() -> None:
    """The drift engine's OTA001 paths become replaces, by top-level property."""
    props = example("gw-fw-4")
    outs = PROVIDER.create(props).outs
    assert outs is not None
    result = PROVIDER.diff("gw-fw-4", wire(outs), props)
    assert (result.changes, result.replaces) == (
        True,
        ["awsJobExecutionsRolloutConfig", "targets"],
    )
    assert result.delete_before_replace is False


def test_diff_of_an_edited_declaration_replaces_it(tmp_path: Path) -> None:
    """A declaration changed after create no longer matches the recorded live update."""
    props, _ = safe_case(tmp_path)
    outs = PROVIDER.create(props).outs
    assert outs is not None
    edited = {**props, "awsJobPresignedUrlConfig": {"expiresInSec": 600}}
    result = PROVIDER.diff(SAFE_ID, wire(outs), edited)
    assert (result.changes, result.replaces) == (True, ["awsJobPresignedUrlConfig"])


def test_diff_honours_ignored_drift(tmp_path: Path) -> None:
    """Drift that the policy's ignoreDrift covers is no change, as in `ota-drift check`."""
    props, _ = safe_case(tmp_path, live_expires=600)
    pack = tmp_path / "pack.yaml"
    pack.write_text(f"version: 1\nignoreDrift:\n  - otaUpdates: [{SAFE_ID}]\n")
    outs = PROVIDER.create(props).outs
    assert outs is not None
    assert PROVIDER.diff(SAFE_ID, wire(outs), props).replaces == ["awsJobPresignedUrlConfig"]
    ignoring = {**props, "otaDrift": {**props["otaDrift"], "policy": [str(pack)]}}
    result = PROVIDER.diff(SAFE_ID, wire(outs), ignoring)
    assert (result.changes, result.replaces) == (False, [])


def test_a_new_live_state_source_is_an_update_not_a_replacement(tmp_path: Path) -> None:
    """Pointing `ota-drift:state` elsewhere changes the resource in place; update re-reads."""
    props, _ = safe_case(tmp_path)
    outs = PROVIDER.create(props).outs
    assert outs is not None
    moved = tmp_path / "moved.json"
    moved.write_text(safe_snapshot())
    news = {**props, "otaDrift": {**props["otaDrift"], "state": str(moved)}}
    result = PROVIDER.diff(SAFE_ID, wire(outs), news)
    assert (result.changes, result.replaces) == (True, [])
    updated = PROVIDER.update(SAFE_ID, wire(outs), news).outs
    assert updated is not None
    assert updated["otaDrift"]["state"] == str(moved)
    assert updated["live"]["otaUpdateId"] == SAFE_ID


def test_delete_never_touches_the_update(tmp_path: Path) -> None:
    """Delete forgets the resource: the live state still has the update, unchanged."""
    props, state = safe_case(tmp_path)
    before = state.read_text()
    outs = PROVIDER.create(props).outs
    assert outs is not None
    PROVIDER.delete(SAFE_ID, outs)
    assert state.read_text() == before
    live = [u for u in SnapshotSource(str(state)).fetch() if isinstance(u, LiveUpdate)]
    assert [u.ota_update_id for u in live] == [SAFE_ID]


def test_inputs_round_trip_blobs_and_integers(tmp_path: Path) -> None:
    """Inputs carry blobs as base64 and numbers as doubles; decoding restores the config."""
    (tmp_path / "ota.yaml").write_text(safe_yaml())
    update = load_declared([str(tmp_path / "ota.yaml")])[0]
    props = wire(resource_inputs(update, AuditSettings()))
    file = props["files"][0]
    assert file["codeSigning"]["customCodeSigning"]["signature"]["inlineDocument"] == "AAECAwQ="
    assert file["fileLocation"]["stream"]["fileId"] == 0.0
    decoded = declared_from_props(props)
    assert decoded == DeclaredUpdate(SAFE_ID, update.config, update.location, key_lines={})
    signature = decoded.config["files"][0]["codeSigning"]["customCodeSigning"]["signature"]
    assert signature["inlineDocument"] == b"\x00\x01\x02\x03\x04"
    assert type(decoded.config["files"][0]["fileLocation"]["stream"]["fileId"]) is int


def test_live_records_round_trip() -> None:
    """A recorded live update decodes back to what the snapshot source read."""
    updates = [u for u in SnapshotSource(EXAMPLE_STATE).fetch() if isinstance(u, LiveUpdate)]
    assert len(updates) == 6
    for live in updates:
        record = wire(to_json(live.info))
        assert live_from_record(live.ota_update_id, record).info == live.info


def test_a_deep_records_job_health_round_trips_with_integer_counts() -> None:
    """gRPC carries the job's counts as doubles: decoding restores them as integers, and the
    deep fields beside them (the timeout's minutes) too."""
    info = {
        "otaUpdateId": "fw-1",
        "awsJobTimeoutConfig": {"inProgressTimeoutInMinutes": 60},
        "awsIotJob": {
            "status": "CANCELED",
            "forceCanceled": True,
            "jobProcessDetails": {"numberOfSucceededThings": 7, "numberOfFailedThings": 3},
        },
    }
    record = wire(to_json(info))
    assert type(record["awsIotJob"]["jobProcessDetails"]["numberOfFailedThings"]) is float
    decoded = live_from_record("fw-1", record).info
    assert decoded == info
    counts = decoded["awsIotJob"]["jobProcessDetails"]
    assert {type(n) for n in counts.values()} == {int}
    assert type(decoded["awsJobTimeoutConfig"]["inProgressTimeoutInMinutes"]) is int


def test_the_provider_pickles_by_reference_without_state() -> None:
    """The SDK's serialization names the importable class and carries no client or setting."""
    serialized = serialize_provider(OtaUpdateProvider())
    payload = base64.b64decode(serialized)
    assert b"checker.pulumi.provider" in payload
    assert b"OtaUpdateProvider" in payload
    assert len(payload) < 120
    assert isinstance(dill.loads(payload), OtaUpdateProvider)
    assert vars(dill.loads(payload)) == {}


def test_without_a_snapshot_the_provider_reads_one_update_from_aws_iot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a region and no state file, create and read make one GetOTAUpdate each (a local
    endpoint); a deleted update reads back gone, and a refused read is an error."""
    (tmp_path / "ota.yaml").write_text(safe_yaml())
    (tmp_path / "state.json").write_text(safe_snapshot(ids=(SAFE_ID, "fw-other")))
    update = load_declared([str(tmp_path / "ota.yaml")])[0]
    props = wire(resource_inputs(update, AuditSettings(region="eu-west-1")))
    with LocalIot() as iot:
        infos = [
            u.info
            for u in SnapshotSource(str(tmp_path / "state.json")).fetch()
            if isinstance(u, LiveUpdate)
        ]
        for info in infos:
            iot.put(info)
        monkeypatch.setenv("AWS_ENDPOINT_URL_IOT", iot.url)
        outs = PROVIDER.create(props).outs
        assert outs is not None
        assert outs["live"]["otaUpdateArn"] == (
            f"arn:aws:iot:eu-central-1:123456789012:otaupdate/{SAFE_ID}"
        )
        assert PROVIDER.diff(SAFE_ID, wire(outs), props).changes is False
        assert dict(iot.calls) == {"GetOTAUpdate": 1}  # no listing of the whole account
        iot.access_denied.add(SAFE_ID)
        with pytest.raises(AuditError, match=r"^fw-safe: GetOTAUpdate: AccessDeniedException"):
            PROVIDER.read(SAFE_ID, outs)
        iot.access_denied.clear()
        iot.delete_now(SAFE_ID)
        assert PROVIDER.read(SAFE_ID, outs).id == ""
        assert iot.calls["GetOTAUpdate"] == 3
