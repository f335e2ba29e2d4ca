"""The CrossGuard pack on Pulumi aws-native's `aws-native:iot:OtaUpdate`, over gRPC.

The analyzer host serves policies/ as `pulumi preview --policy-pack policies` runs it (see
test_policy_pack_grpc.py). The resource's properties are what pulumi-aws-native 1.84.0
registers for the OtaUpdate of tests/declared/fixtures/pulumi/stack-export.json:
fixtures/aws-native-registered.json was captured from `pulumi_aws_native.iot.OtaUpdate(...)`
under `pulumi.runtime.set_mocks` (camelCase schema names, the secret role in its wire form,
every number a double), so the suite needs no 250 MB provider SDK. Its violations must be
exactly what `ota-drift lint` reports on the stack export that declares the same update.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from checker.declared.pulumi_stack import COMPUTED, OTA_UPDATE_TYPE, SECRET_SIG, SIG_KEY
from tests.pulumi import ROOT, cli_json
from tests.pulumi.test_policy_pack_grpc import lint_messages, pack_analyzer, struct, violations

FIXTURES = ROOT / "tests" / "declared" / "fixtures" / "pulumi"
EXPORT = FIXTURES / "stack-export.json"
REGISTERED = Path(__file__).parent / "fixtures" / "aws-native-registered.json"
OTA_INDEX = 3
"""The OtaUpdate's place among the export's resources."""
URN = "urn:pulumi:prod::firmware-releases::aws-native:iot:OtaUpdate::sensor-fw"
OTA_ID = "sensor-fw-2-4-0"

pytestmark = pytest.mark.usefixtures("in_tmp")


@pytest.fixture(scope="module")
def analyzer() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    with pack_analyzer() as stub:
        yield stub


def registered() -> dict[str, Any]:
    """The properties pulumi-aws-native registers (and the engine analyses) for the update."""
    doc: dict[str, Any] = json.loads(REGISTERED.read_text(encoding="utf-8"))
    assert (doc["type"], doc["name"]) == (OTA_UPDATE_TYPE, "sensor-fw")
    inputs: dict[str, Any] = doc["inputs"]
    return inputs


def analyze(
    stub: analyzer_pb2_grpc.AnalyzerStub, props: dict[str, Any]
) -> analyzer_pb2.AnalyzeResponse:
    request = analyzer_pb2.AnalyzeRequest(
        type=OTA_UPDATE_TYPE, properties=struct(props), urn=URN, name="sensor-fw"
    )
    response: analyzer_pb2.AnalyzeResponse = stub.Analyze(request, timeout=30)
    return response


def export_with(inputs: dict[str, Any]) -> str:
    """The fixture export, its OtaUpdate declaring `inputs` instead, written as stack.json."""
    doc = json.loads(EXPORT.read_text(encoding="utf-8"))
    doc["deployment"]["resources"][OTA_INDEX]["inputs"] = inputs
    Path("stack.json").write_text(json.dumps(doc, indent=4), encoding="utf-8")
    return "stack.json"


def test_the_sdk_registers_the_names_the_export_holds() -> None:
    """The engine sees an aws-native resource's inputs in the schema's camelCase names, as the
    export records them; only the secret's form and the numbers' type differ on the wire."""
    exported = json.loads(EXPORT.read_text(encoding="utf-8"))["deployment"]["resources"]
    wire = registered()
    assert wire["roleArn"] == {
        SIG_KEY: SECRET_SIG,
        "value": "arn:aws:iam::123456789012:role/ota-update",
    }
    assert wire["awsJobPresignedUrlConfig"] == {"expiresInSec": 3600.0}
    stored = copy.deepcopy(exported[OTA_INDEX]["inputs"])
    assert set(stored["roleArn"]) == {SIG_KEY, "ciphertext"}
    stored["roleArn"] = wire["roleArn"]
    assert stored == wire  # 3600 == 3600.0: the same numbers


def test_violations_on_an_aws_native_update_are_lints_findings_on_its_export(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    response = analyze(analyzer, registered())
    expected = lint_messages(cli_json("lint", str(EXPORT)), OTA_ID)
    assert violations(response) == expected
    assert [policy for policy, _, _ in expected] == [
        "OTA202",
        "OTA204",
        "OTA306",
        "OTA307",
        "OTA402",
    ]
    assert expected[0] == (
        "OTA202",
        f"OTA202 (medium) {OTA_ID} awsJobPresignedUrlConfig.expiresInSec: "
        "expiresInSec 3600 is above the policy's 1800",
        analyzer_pb2.MANDATORY,
    )
    assert "OTA001" in [n.policy_name for n in response.not_applicable]


def test_an_input_unknown_in_preview_is_an_unknown_value_as_in_the_export(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    """The engine's unknown (an output of a resource not created yet) is what the export's
    placeholder is: the same unknown value, never the SDK's "can't run policy" advisory."""
    props = registered()
    props["awsJobPresignedUrlConfig"]["expiresInSec"] = COMPUTED
    props["files"][0]["fileLocation"]["s3Location"]["bucket"] = COMPUTED
    response = analyze(analyzer, props)
    exported = copy.deepcopy(props)
    exported["roleArn"] = {SIG_KEY: SECRET_SIG, "ciphertext": "v1:a:b"}
    assert violations(response) == lint_messages(cli_json("lint", export_with(exported)), OTA_ID)
    assert not any(d.message.startswith("can't run policy") for d in response.diagnostics)


def test_an_id_unknown_in_preview_is_shown_as_the_resource_name(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    """The rules still judge the config; the findings name the resource instead of the id."""
    props = registered()
    props["otaUpdateId"] = COMPUTED
    found = violations(analyze(analyzer, props))
    known = lint_messages(cli_json("lint", str(EXPORT)), OTA_ID)
    assert found == [(p, m.replace(f" {OTA_ID}", " sensor-fw", 1), e) for p, m, e in known]


def test_a_safe_aws_native_update_has_no_violation(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    props = registered()
    props["protocols"] = ["MQTT", "HTTP"]
    props["awsJobPresignedUrlConfig"] = {"expiresInSec": 900.0}
    props["awsJobAbortConfig"] = {
        "abortCriteriaList": [
            {
                "action": "CANCEL",
                "failureType": "FAILED",
                "minNumberOfExecutedThings": 10.0,
                "thresholdPercentage": 10.0,
            }
        ]
    }
    props["awsJobTimeoutConfig"] = {"inProgressTimeoutInMinutes": 60.0}
    props["files"][0]["fileLocation"]["s3Location"]["version"] = "3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"
    response = analyze(analyzer, props)
    assert list(response.diagnostics) == []
    exported = {**props, "roleArn": {SIG_KEY: SECRET_SIG, "ciphertext": "v1:a:b"}}
    assert lint_messages(cli_json("lint", export_with(exported)), OTA_ID) == []


def test_an_input_the_api_refuses_fails_analyze_naming_the_resource(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    """Lint refuses such an export (exit 2); the pack refuses the resource, never passes it."""
    props = registered()
    props["awsJobPresignedUrlConfig"] = {"expiresInSecs": 600.0}
    with pytest.raises(grpc.RpcError) as exc:
        analyze(analyzer, props)
    assert (
        f"{OTA_UPDATE_TYPE} {URN}: unknown Pulumi property 'expiresInSecs' in "
        "awsJobPresignedUrlConfig; did you mean 'expiresInSec'?"
    ) in exc.value.details()
