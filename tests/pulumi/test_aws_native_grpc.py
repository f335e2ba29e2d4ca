"""The CrossGuard pack on Pulumi aws-native's `aws-native:iot:OtaUpdate`, over gRPC.

The analyzer host serves policies/ as `pulumi preview --policy-pack policies` runs it (see
test_policy_pack_grpc.py). The resource's properties are what pulumi-aws-native 1.84.0
registers for the OtaUpdate of tests/declared/fixtures/pulumi/stack-export.json:
fixtures/aws-native-registered.json was captured from `pulumi_aws_native.iot.OtaUpdate(...)`
under `pulumi.runtime.set_mocks` (camelCase schema names, the secret role in its wire form,
every number a double), so the suite needs no 250 MB provider SDK. Its violations must be
exactly what `ota-drift lint` reports on the stack export that declares the same update, and a
secret input is an unknown value there too: its plain text is in no violation.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs
from pulumi_policy import ResourceValidationPolicy as Probe
from pulumi_policy.deserialize import serialize_properties
from pulumi_policy.policy import _PolicyAnalyzerServicer
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from checker.declared.pulumi_stack import COMPUTED, OTA_UPDATE_TYPE, SECRET, SECRET_SIG, SIG_KEY
from checker.pulumi import crossguard
from checker.pulumi.provider import OTA_UPDATE_TYPE as OWN_TYPE
from checker.pulumi.provider import OtaUpdateProvider
from tests.pulumi import EXAMPLE_DECLARED, ROOT, cli_json
from tests.pulumi.test_policy_pack_grpc import analyze as analyze_own
from tests.pulumi.test_policy_pack_grpc import (
    lint_messages,
    pack_analyzer,
    registered_inputs,
    struct,
    violations,
)

FIXTURES = ROOT / "tests" / "declared" / "fixtures" / "pulumi"
EXPORT = FIXTURES / "stack-export.json"
REGISTERED = Path(__file__).parent / "fixtures" / "aws-native-registered.json"
OTA_INDEX = 3
"""The OtaUpdate's place among the export's resources."""
URN = "urn:pulumi:prod::firmware-releases::aws-native:iot:OtaUpdate::sensor-fw"
OTA_ID = "sensor-fw-2-4-0"
PLAIN = "SUPERSECRET"
"""What every secret's plain text starts with here: it must appear nowhere in a response."""

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


def secret(value: Any) -> dict[str, Any]:
    """`value` as a secret on the wire: what the engine sends the analyzer."""
    return {SIG_KEY: SECRET_SIG, "value": value}


def as_exported(value: Any) -> Any:
    """Inputs as `pulumi stack export` stores them: each wire secret encrypted."""
    if isinstance(value, list):
        return [as_exported(item) for item in value]
    if not isinstance(value, dict):
        return value
    if value.get(SIG_KEY) == SECRET_SIG:
        return {SIG_KEY: SECRET_SIG, "ciphertext": "v1:a:b"}
    return {key: as_exported(item) for key, item in value.items()}


def with_secrets(props: dict[str, Any]) -> dict[str, Any]:
    """`props` with the s3 key, the description and expiresInSec secret."""
    props = copy.deepcopy(props)
    props["files"][0]["fileLocation"]["s3Location"]["key"] = secret(f"{PLAIN}-key")
    props["description"] = secret(f"{PLAIN} description")
    props["awsJobPresignedUrlConfig"] = {"expiresInSec": secret(3000.0)}
    return props


def assert_no_plain_text(response: analyzer_pb2.AnalyzeResponse) -> None:
    assert PLAIN.encode() not in response.SerializeToString()
    assert not any("3000" in d.message for d in response.diagnostics)


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


def test_secret_inputs_are_unknown_values_as_in_the_export(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    """A secret is never judged (OTA005 instead of OTA202/OTA204 on the secret 3000) and its
    plain text is in no violation: OTA402 judges the missing version, not the secret key."""
    response = analyze(analyzer, with_secrets(registered()))
    found = violations(response)
    expected = lint_messages(
        cli_json("lint", export_with(as_exported(with_secrets(registered())))), OTA_ID
    )
    assert found == expected
    assert found == [
        (
            "OTA005",
            f"OTA005 (info) {OTA_ID} awsJobPresignedUrlConfig.expiresInSec: OTA201, OTA202, "
            "OTA204 not checked: awsJobPresignedUrlConfig.expiresInSec is computed at deploy "
            "time (a Pulumi secret)",
            analyzer_pb2.ADVISORY,
        ),
        (
            "OTA306",
            f"OTA306 (high) {OTA_ID}: no awsJobAbortConfig: the job never aborts when installs "
            "fail",
            analyzer_pb2.MANDATORY,
        ),
        (
            "OTA307",
            f"OTA307 (low) {OTA_ID}: no awsJobTimeoutConfig: job executions stay IN_PROGRESS "
            "without limit",
            analyzer_pb2.MANDATORY,
        ),
        (
            "OTA402",
            f"OTA402 (high) {OTA_ID} files[sensor-fw.bin].fileLocation.s3Location: file "
            "sensor-fw.bin: s3Location s3://firmware-releases/<computed at deploy time: a "
            "Pulumi secret> has no version, so the firmware under the key can change",
            analyzer_pb2.MANDATORY,
        ),
    ]
    assert_no_plain_text(response)


def test_a_secret_id_is_shown_as_the_resource_name(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    """As an id unknown in preview: lint refuses it (no live update to find), the pack judges
    the config and names the resource."""
    props = registered()
    props["otaUpdateId"] = secret(f"{PLAIN}-id")
    response = analyze(analyzer, props)
    known = lint_messages(cli_json("lint", str(EXPORT)), OTA_ID)
    assert violations(response) == [
        (p, m.replace(f" {OTA_ID}", " sensor-fw", 1), e) for p, m, e in known
    ]
    assert_no_plain_text(response)


def test_secret_inputs_of_the_projects_own_otaupdate_are_unknown_values(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    """`OtaUpdate(name, props)` takes any inputs, secret outputs too, and the engine sends them
    to the pack as secrets: they are unknown values, as in a stack export of the same config;
    a secret id is shown as the resource's name (here the id, as `OtaFleetAudit` names them)."""
    props = registered_inputs(str(ROOT / EXAMPLE_DECLARED), "gw-fw-4")
    config = {k: v for k, v in props.items() if k != "otaDrift"}
    config["files"][0]["fileLocation"]["s3Location"]["key"] = secret(f"{PLAIN}-key")
    config["description"] = secret(f"{PLAIN} description")
    config["awsJobPresignedUrlConfig"] = {"expiresInSec": secret(3000.0)}
    config["roleArn"] = secret(f"{PLAIN}-role")
    request = analyzer_pb2.AnalyzeRequest(
        type=OWN_TYPE,
        properties=struct(
            {
                **config,
                "otaUpdateId": secret(f"{PLAIN}-id"),
                "otaDrift": {**props["otaDrift"], "file": secret(f"{PLAIN}.yaml")},
                "__provider": serialize_provider(OtaUpdateProvider()),
            }
        ),
        urn=f"urn:pulumi:ci::ota-drift::ota-drift:index:OtaFleetAudit${OWN_TYPE}::gw-fw-4",
        name="gw-fw-4",
    )
    response = analyzer.Analyze(request, timeout=30)
    expected = lint_messages(cli_json("lint", export_with(as_exported(config))), "gw-fw-4")
    assert violations(response) == expected
    assert [p for p, _, _ in expected] == ["OTA005", "OTA306", "OTA307", "OTA401", "OTA402"]
    assert "s3://acme-ota-firmware/<computed at deploy time: a Pulumi secret>" in expected[-1][1]
    assert_no_plain_text(response)


def test_an_unknown_input_of_the_projects_own_otaupdate_is_the_sdks_advisory(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    """Reading the request leaves the SDK's handling of an unknown input alone there."""
    props = registered_inputs(str(ROOT / EXAMPLE_DECLARED), "gw-fw-4")
    props["description"] = UNKNOWN_STRING_VALUE
    response = analyze_own(analyzer, props)
    assert {d.message.split(": ", 1)[1] for d in response.diagnostics} == {
        "string value at .description can't be known during preview"
    }
    assert response.diagnostics[0].message.startswith("can't run policy 'OTA005'")


def test_the_sdk_reveals_secrets_and_keep_requests_keeps_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pins what crossguard.keep_requests relies on in pulumi_policy, in-process: the props a
    policy gets hold each secret's plain text; the servicer's Analyze(request, context) runs
    the policies on the calling thread, so the request it recorded is the one in `inputs_of`,
    which reads the inputs as the SDK does but for the secrets. If the SDK changes any of
    this, this test fails: then revisit keep_requests."""
    seen: dict[str, Any] = {}

    def probe(args: ResourceValidationArgs, _report: ReportViolation) -> None:
        seen["props"] = serialize_properties(args.props)
        try:
            seen["inputs"] = crossguard.inputs_of(args)
        except RuntimeError as exc:
            seen["inputs"] = str(exc)

    servicer = _PolicyAnalyzerServicer(
        "probe", "0.0.1", [Probe("probe", "what a policy sees", probe)], EnforcementLevel.ADVISORY
    )
    props = registered()
    props["files"][0]["fileLocation"]["s3Location"]["key"] = secret(f"{PLAIN}-key")
    request = analyzer_pb2.AnalyzeRequest(
        type=OTA_UPDATE_TYPE, properties=struct(props), urn=URN, name="sensor-fw"
    )
    monkeypatch.setattr(_PolicyAnalyzerServicer, "Analyze", _PolicyAnalyzerServicer.Analyze)
    sdk = _PolicyAnalyzerServicer.Analyze
    servicer.Analyze(request, None)
    revealed = copy.deepcopy(props)
    revealed["roleArn"] = "arn:aws:iam::123456789012:role/ota-update"
    revealed["files"][0]["fileLocation"]["s3Location"]["key"] = f"{PLAIN}-key"
    assert seen["props"] == revealed  # the SDK reveals every secret to a policy
    assert seen["inputs"] == (
        f"ota-drift cannot see which inputs of {URN} are secret (the pack must be served by "
        "checker.pulumi.crossguard.serve): it judges no revealed secret"
    )
    crossguard.keep_requests()
    crossguard.keep_requests()  # idempotent: wraps once
    assert _PolicyAnalyzerServicer.Analyze.__wrapped__ is sdk
    servicer.Analyze(request, None)
    kept = copy.deepcopy(props)
    kept["roleArn"] = SECRET
    kept["files"][0]["fileLocation"]["s3Location"]["key"] = SECRET
    assert seen["props"] == revealed
    assert seen["inputs"] == kept
    # a request not this resource's (or none being served) is never read in its stead
    args = ResourceValidationArgs(OTA_UPDATE_TYPE, {}, f"{URN}-2", "sensor-fw", None, None)
    token = crossguard._REQUEST.set(request)
    try:
        with pytest.raises(RuntimeError, match=f"inputs of {URN}-2 are secret"):
            crossguard.inputs_of(args)
    finally:
        crossguard._REQUEST.reset(token)
    with pytest.raises(RuntimeError, match=f"inputs of {URN}-2 are secret"):
        crossguard.inputs_of(args)
