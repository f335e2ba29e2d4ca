"""The real dynamic-provider host (`python -m pulumi.dynamic`), driven over gRPC like the engine.

The engine starts the host in the project directory, reads the port it prints, calls Configure,
then Check → Create on `pulumi up` and Read → Diff on `pulumi refresh` and the next preview.
Every request carries the pickled provider in `__provider`, as the engine passes it on from
the program's registration.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from checker.declared import load_declared
from checker.pulumi.provider import (
    OTA_UPDATE_TYPE,
    AuditSettings,
    OtaUpdateProvider,
    resource_inputs,
)
from tests.pulumi import SAFE_ID, copy_example, host_process, safe_snapshot, safe_yaml

PROVIDER_KEY = "__provider"


def urn(name: str) -> str:
    return f"urn:pulumi:ci::ota-drift::ota-drift:index:OtaFleetAudit${OTA_UPDATE_TYPE}::{name}"


def struct(props: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(props)
    return message


def props_of(message: struct_pb2.Struct) -> dict[str, Any]:
    decoded: dict[str, Any] = json_format.MessageToDict(message)
    return decoded


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project directory: the bundled example plus the safe update and its snapshot."""
    root = copy_example(tmp_path_factory.mktemp("project"))
    (root / "safe.yaml").write_text(safe_yaml())
    (root / "safe-state.json").write_text(safe_snapshot())
    return root


@pytest.fixture(scope="module")
def host(project: Path) -> Iterator[provider_pb2_grpc.ResourceProviderStub]:
    """The provider host, started in the project directory and configured as the engine does."""
    with host_process(["-m", "pulumi.dynamic"], cwd=project) as port:
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=15)
        stub = provider_pb2_grpc.ResourceProviderStub(channel)
        stub.Configure(provider_pb2.ConfigureRequest(args=struct({})), timeout=15)
        yield stub
        channel.close()


def inputs(project: Path, file: str, ota_update_id: str, state: str) -> dict[str, Any]:
    """The registered inputs of one declared update: relative paths, and the provider."""
    with contextlib.chdir(project):  # the program runs in the project directory too
        update = next(u for u in load_declared([file]) if u.ota_update_id == ota_update_id)
    props = resource_inputs(update, AuditSettings(state=state))
    props[PROVIDER_KEY] = serialize_provider(OtaUpdateProvider())
    return props


def test_check_create_read_diff_detects_drift_on_refresh(
    host: provider_pb2_grpc.ResourceProviderStub, project: Path
) -> None:
    """Create records the update in sync; after live state changes, Read and Diff show drift."""
    news = inputs(project, "safe.yaml", SAFE_ID, "safe-state.json")
    check = host.Check(
        provider_pb2.CheckRequest(urn=urn(SAFE_ID), olds=struct({}), news=struct(news)),
        timeout=30,
    )
    assert list(check.failures) == []
    checked = props_of(check.inputs)
    assert checked[PROVIDER_KEY] == news[PROVIDER_KEY]

    created = host.Create(
        provider_pb2.CreateRequest(urn=urn(SAFE_ID), properties=check.inputs), timeout=30
    )
    assert created.id == SAFE_ID
    outs = props_of(created.properties)
    assert outs["live"]["awsJobPresignedUrlConfig"] == {"expiresInSec": 900}
    assert outs["live"]["creationDate"] == "2026-11-19T10:00:00+00:00"
    assert outs["liveJobConfig"] is False

    in_sync = host.Diff(
        provider_pb2.DiffRequest(
            id=SAFE_ID, urn=urn(SAFE_ID), olds=created.properties, news=check.inputs
        ),
        timeout=30,
    )
    assert (in_sync.changes, list(in_sync.replaces)) == (provider_pb2.DiffResponse.DIFF_NONE, [])

    (project / "safe-state.json").write_text(safe_snapshot(3600))  # changed outside review
    read = host.Read(
        provider_pb2.ReadRequest(
            id=SAFE_ID, urn=urn(SAFE_ID), properties=created.properties, inputs=check.inputs
        ),
        timeout=30,
    )
    assert read.id == SAFE_ID
    assert props_of(read.properties)["live"]["awsJobPresignedUrlConfig"] == {"expiresInSec": 3600}

    drift = host.Diff(
        provider_pb2.DiffRequest(
            id=SAFE_ID, urn=urn(SAFE_ID), olds=read.properties, news=check.inputs
        ),
        timeout=30,
    )
    assert drift.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert list(drift.replaces) == ["awsJobPresignedUrlConfig"]
    assert drift.deleteBeforeReplace is False


def test_refresh_of_a_deleted_update_reads_no_id_and_delete_keeps_it(
    host: provider_pb2_grpc.ResourceProviderStub, project: Path
) -> None:
    """An update gone live reads back with an empty id; Delete succeeds and deletes nothing."""
    news = inputs(project, "ota/sensors.yaml", "sensor-fw-2026-11", "live-snapshot.json")
    created = host.Create(
        provider_pb2.CreateRequest(urn=urn("sensor-fw-2026-11"), properties=struct(news)),
        timeout=30,
    )
    assert created.id == "sensor-fw-2026-11"
    snapshot = (project / "live-snapshot.json").read_text()
    (project / "live-snapshot.json").write_text(
        snapshot.replace('"otaUpdateId": "sensor-fw-2026-11"', '"otaUpdateId": "sensor-fw-old"')
    )
    read = host.Read(
        provider_pb2.ReadRequest(
            id="sensor-fw-2026-11", urn=urn("sensor-fw-2026-11"), properties=created.properties
        ),
        timeout=30,
    )
    assert read.id == ""
    deleted = host.Delete(
        provider_pb2.DeleteRequest(
            id="sensor-fw-2026-11", urn=urn("sensor-fw-2026-11"), properties=created.properties
        ),
        timeout=30,
    )
    assert deleted == empty_pb2.Empty()
    assert '"otaUpdateId": "sensor-fw-old"' in (project / "live-snapshot.json").read_text()


def test_check_fails_an_unsafe_declaration_with_the_rule_id(
    host: provider_pb2_grpc.ResourceProviderStub, project: Path
) -> None:
    """Check returns the declared-side findings as failures: what stops `pulumi preview`."""
    news = inputs(project, "ota/gateways.yaml", "gw-fw-4", "live-snapshot.json")
    news["otaDrift"]["failOn"] = "high"
    check = host.Check(
        provider_pb2.CheckRequest(urn=urn("gw-fw-4"), olds=struct({}), news=struct(news)),
        timeout=30,
    )
    at = "[ota/gateways.yaml:34]"
    assert [(f.property, f.reason) for f in check.failures] == [
        ("", f"OTA306 (high): no awsJobAbortConfig: the job never aborts when installs fail {at}"),
        (
            "files",
            "OTA402 (high): file gw-4.0.0-rc1.bin: s3Location "
            "s3://acme-ota-firmware/gateways/gw-4.0.0-rc1.bin has no version, so the firmware "
            f"under the key can change {at}",
        ),
    ]


def test_create_of_a_missing_update_is_an_error_naming_ota002(
    host: provider_pb2_grpc.ResourceProviderStub, project: Path
) -> None:
    """Creating an update that does not exist live fails the RPC; nothing is created."""
    news = inputs(project, "ota/cameras.yaml", "cam-fw-1", "live-snapshot.json")
    with pytest.raises(grpc.RpcError) as failure:
        host.Create(
            provider_pb2.CreateRequest(urn=urn("cam-fw-1"), properties=struct(news)), timeout=30
        )
    assert failure.value.code() == grpc.StatusCode.UNKNOWN
    assert "OTA002 cam-fw-1: declared, but no such OTA update exists live" in str(
        failure.value.details()
    )


def test_plugin_info(host: provider_pb2_grpc.ResourceProviderStub) -> None:
    """The host answers GetPluginInfo, the engine's first call after the handshake."""
    assert host.GetPluginInfo(empty_pb2.Empty(), timeout=15).version == "0.1.0"
