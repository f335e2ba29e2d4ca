"""The CrossGuard pack in policies/, served by the real analyzer host and driven over gRPC.

The engine runs a Python policy pack as `python -m pulumi.policy ENGINE_ADDRESS PACK_DIR`: the
host runs the pack's `__main__.py`, whose `PolicyPack` serves the Analyzer service and prints
its port. The engine then asks GetAnalyzerInfo, sends Configure (`--policy-pack-config`) and one
Analyze per resource with the resource's inputs.
"""

from __future__ import annotations

import contextlib
import math
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
import yaml
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy.version import VERSION as POLICY_SDK_VERSION

from checker import __version__
from checker.declared import load_declared
from checker.model import Severity
from checker.pulumi.crossguard import config_params, param_schema
from checker.pulumi.provider import (
    OTA_UPDATE_TYPE,
    AuditSettings,
    OtaUpdateProvider,
    resource_inputs,
)
from checker.rules.registry import ALL_RULES, META_BY_ID
from tests.pulumi import EXAMPLE_DECLARED, ROOT, SAFE_ID, cli_json, host_process, safe_yaml

PACK_DIR = ROOT / "policies"
UNUSED_ENGINE = "127.0.0.1:1"
"""The host parses the engine's address but never dials it: without runtime settings it logs
to stderr (and this pack logs nothing)."""


def struct(props: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(props)
    return message


@contextlib.contextmanager
def pack_analyzer() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    """The analyzer host running policies/, as `pulumi preview --policy-pack policies` runs it."""
    with contextlib.ExitStack() as stack:
        port = stack.enter_context(
            host_process(["-m", "pulumi.policy", UNUSED_ENGINE, str(PACK_DIR)], cwd=PACK_DIR)
        )
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        stack.callback(channel.close)
        grpc.channel_ready_future(channel).result(timeout=15)
        yield analyzer_pb2_grpc.AnalyzerStub(channel)


@pytest.fixture(scope="module")
def analyzer() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    with pack_analyzer() as stub:
        yield stub


def analyze(
    stub: analyzer_pb2_grpc.AnalyzerStub, props: dict[str, Any], type_: str = OTA_UPDATE_TYPE
) -> analyzer_pb2.AnalyzeResponse:
    name = props.get("otaUpdateId", "other")
    request = analyzer_pb2.AnalyzeRequest(
        type=type_,
        properties=struct({**props, "__provider": serialize_provider(OtaUpdateProvider())}),
        urn=f"urn:pulumi:ci::ota-drift::ota-drift:index:OtaFleetAudit${type_}::{name}",
        name=name,
    )
    response: analyzer_pb2.AnalyzeResponse = stub.Analyze(request, timeout=30)
    return response


def registered_inputs(path: str, ota_update_id: str) -> dict[str, Any]:
    """The inputs the program registers for one declared update (read from the repo root)."""
    update = next(u for u in load_declared([path]) if u.ota_update_id == ota_update_id)
    return resource_inputs(update, AuditSettings(state="live-snapshot.json"))


def violations(response: analyzer_pb2.AnalyzeResponse) -> list[tuple[str, str, int]]:
    """(policy, message without the description line, enforcement level) of each diagnostic."""
    return [
        (d.policyName, d.message.split("\n", 1)[1], d.enforcementLevel)
        for d in response.diagnostics
    ]


def lint_messages(report: dict[str, Any], ota_update_id: str) -> list[tuple[str, str, int]]:
    """The active findings `ota-drift lint` reports for one update, as the pack words them,
    with the enforcement the default failOn (low) gives their severity."""
    out = []
    for f in report["findings"]:
        if f["otaUpdateId"] == ota_update_id and "suppressed" not in f:
            path = f" {f['path']}" if f["path"] else ""
            level = analyzer_pb2.ADVISORY if f["severity"] == "info" else analyzer_pb2.MANDATORY
            shown = f"{f['ruleId']} ({f['severity']}) {ota_update_id}{path}: {f['message']}"
            out.append((f["ruleId"], shown, level))
    return out


@pytest.fixture(autouse=True)
def _repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_importing_the_policies_module_serves_nothing() -> None:
    """`import checker.pulumi.crossguard` returns at once: no pack is built, no port printed."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import checker.pulumi.crossguard as p; print(len(p.build_policies()))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout == f"{len(ALL_RULES)}\n"


def test_analyzer_info_lists_every_rule(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    """Every catalogue rule is a policy; mandatory at or above failOn (low), advisory below;
    each parameter's config schema carries its bounds or its list-entry pattern."""
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty(), timeout=15)
    assert (info.name, info.supportsConfig) == ("ota-drift", True)
    assert [p.name for p in info.policies] == [m.rule_id for m in ALL_RULES]
    advisory = [p.name for p in info.policies if p.enforcementLevel == analyzer_pb2.ADVISORY]
    info_rules = [m.rule_id for m in ALL_RULES if m.severity is Severity.INFO]
    assert advisory == info_rules  # the info rules, below failOn low
    assert {"OTA004", "OTA204"} <= set(info_rules)
    mandatory = [p.name for p in info.policies if p.enforcementLevel == analyzer_pb2.MANDATORY]
    assert len(mandatory) == len(ALL_RULES) - len(info_rules)
    by_name = {p.name: p for p in info.policies}
    assert by_name["OTA202"].displayName == "OTA202: Ensure pre-signed URLs expire within policy"
    assert by_name["OTA202"].severity == analyzer_pb2.POLICY_SEVERITY_MEDIUM
    assert json_format.MessageToDict(by_name["OTA202"].configSchema.properties) == {
        "maxExpiresInSec": {
            "type": "integer",
            "minimum": 60,
            "exclusiveMaximum": 3600,
            "default": 1800,
            "description": META_BY_ID["OTA202"].param("maxExpiresInSec").description,
        }
    }
    assert json_format.MessageToDict(by_name["OTA102"].configSchema.properties)[
        "allowedHashAlgorithms"
    ] == {
        "type": "array",
        "maxItems": 100,
        "items": {"type": "string", "pattern": "^(?:[A-Za-z0-9][A-Za-z0-9._+/-]{0,63})$"},
        "default": ["SHA256", "SHA384", "SHA512"],
        "description": META_BY_ID["OTA102"].param("allowedHashAlgorithms").description,
    }
    assert json_format.MessageToDict(by_name["OTA302"].configSchema.properties).keys() == {
        "maxPerMinute",
        "maxBaseRatePerMinute",
    }
    assert len(by_name["OTA101"].configSchema.properties) == 0
    assert analyzer.GetPluginInfo(empty_pb2.Empty(), timeout=15).version == POLICY_SDK_VERSION


def test_analyze_enforces_what_lint_reports(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    """For every update of the example, the violations are exactly lint's active findings."""
    report = cli_json("lint", EXAMPLE_DECLARED)
    for update in load_declared([EXAMPLE_DECLARED]):
        response = analyze(analyzer, registered_inputs(EXAMPLE_DECLARED, update.ota_update_id))
        assert violations(response) == lint_messages(report, update.ota_update_id)
    gw4 = analyze(analyzer, registered_inputs(EXAMPLE_DECLARED, "gw-fw-4"))
    assert [p for p, _, _ in violations(gw4)] == ["OTA306", "OTA307", "OTA401", "OTA402"]


def test_analyze_a_safe_config_has_no_violation(
    analyzer: analyzer_pb2_grpc.AnalyzerStub, tmp_path: Path
) -> None:
    """A declaration every rule accepts passes; rules needing live state are not applicable."""
    (tmp_path / "safe.yaml").write_text(safe_yaml())
    response = analyze(analyzer, registered_inputs(str(tmp_path / "safe.yaml"), SAFE_ID))
    assert list(response.diagnostics) == []
    not_applicable = [n.policy_name for n in response.not_applicable]
    assert not_applicable == [
        m.rule_id
        for m in ALL_RULES
        if m.applies_to not in ("declared", "both") and m.rule_id != "OTA005"
    ]  # OTA005 is lint's own: applicable, and silent when every value is known
    assert {"OTA001", "OTA002", "OTA003", "OTA004", "OTA501", "OTA502", "OTA900"} <= set(
        not_applicable
    )
    reasons = {n.policy_name: n.reason for n in response.not_applicable}
    assert reasons["OTA001"].startswith("OTA001 compares the live OTA update with its declaration")


def test_findings_below_fail_on_are_advisory(
    analyzer: analyzer_pb2_grpc.AnalyzerStub, tmp_path: Path
) -> None:
    """An info finding (OTA204, below failOn low) is reported, advisory, as lint reports it."""
    (tmp_path / "mqtt.yaml").write_text(safe_yaml().replace("[MQTT, HTTP]", "[MQTT]"))
    response = analyze(analyzer, registered_inputs(str(tmp_path / "mqtt.yaml"), SAFE_ID))
    expected = lint_messages(cli_json("lint", str(tmp_path / "mqtt.yaml")), SAFE_ID)
    assert violations(response) == expected
    assert [(p, level) for p, _, level in expected] == [("OTA204", analyzer_pb2.ADVISORY)]


def test_other_resource_types_are_left_alone(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    """A resource that is not an OtaUpdate gets neither violations nor not-applicable notes."""
    response = analyze(analyzer, {"bucket": "logs"}, type_="aws:s3/bucket:Bucket")
    assert (list(response.diagnostics), list(response.not_applicable)) == ([], [])


def test_configure_overrides_a_threshold(
    analyzer: analyzer_pb2_grpc.AnalyzerStub, tmp_path: Path
) -> None:
    """`--policy-pack-config` tightens OTA202 as policies/strict.yaml does, and can disable."""
    (tmp_path / "safe.yaml").write_text(safe_yaml(expires=900))
    props = registered_inputs(str(tmp_path / "safe.yaml"), SAFE_ID)
    config = {
        "OTA202": analyzer_pb2.PolicyConfig(
            enforcementLevel=analyzer_pb2.MANDATORY, properties=struct({"maxExpiresInSec": 600})
        )
    }
    try:
        analyzer.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig=config), timeout=15)
        tightened = violations(analyze(analyzer, props))
        strict = cli_json("lint", str(tmp_path / "safe.yaml"), "--policy", "policies/strict.yaml")
        assert tightened == lint_messages(strict, SAFE_ID)
        assert tightened == [
            (
                "OTA202",
                f"OTA202 (medium) {SAFE_ID} awsJobPresignedUrlConfig.expiresInSec: "
                "expiresInSec 900 is above the policy's 600",
                analyzer_pb2.MANDATORY,
            )
        ]
        config["OTA202"] = analyzer_pb2.PolicyConfig(
            enforcementLevel=analyzer_pb2.DISABLED, properties=struct({"maxExpiresInSec": 600})
        )
        analyzer.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig=config), timeout=15)
        assert violations(analyze(analyzer, props)) == []
    finally:
        analyzer.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig={}), timeout=15)


def test_policy_pack_project_file() -> None:
    """policies/PulumiPolicy.yaml names the Python runtime and ota-drift's version."""
    project = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert project["runtime"] == "python"
    assert project["version"] == __version__
    assert project["description"].startswith("ota-drift rules")


def test_configure_with_a_value_a_pack_refuses_fails_analyze_naming_it(
    analyzer: analyzer_pb2_grpc.AnalyzerStub, tmp_path: Path
) -> None:
    """An out-of-bounds `--policy-pack-config` value (one the engine's schema check refuses too)
    makes Analyze fail with the policy pack's own message: it is never applied silently."""
    (tmp_path / "safe.yaml").write_text(safe_yaml(expires=900))
    props = registered_inputs(str(tmp_path / "safe.yaml"), SAFE_ID)
    config = {
        "OTA202": analyzer_pb2.PolicyConfig(
            enforcementLevel=analyzer_pb2.MANDATORY, properties=struct({"maxExpiresInSec": 3600})
        )
    }
    try:
        analyzer.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig=config), timeout=15)
        with pytest.raises(grpc.RpcError) as exc:
            analyze(analyzer, props)
        assert (
            "OTA202.maxExpiresInSec must be at least 60 and below 3600, not 3600"
            in exc.value.details()
        )
    finally:
        analyzer.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig={}), timeout=15)


SAMPLES: list[Any] = [
    *(0, 1, 59, 60, 999, 1000, 3599, 3600, 8760, 8761, -5, 10**15),
    *(1.1, 1.0, 4.99, 5.0, 600.5, math.nan, math.inf, -math.inf),
    *(True, False, None, "600", {"a": 1}),
    *([], ["SHA256", "RSA"], ["prod_ecdsa"], ["a b"], [5], ["x"] * 101),
]
"""Values as a pack holds them. A protobuf Struct delivers every number as a double, so an
integer parameter's 5.0 is the pack's 5."""


@pytest.mark.parametrize(
    ("rule_id", "name"), [(m.rule_id, p.name) for m in ALL_RULES for p in m.params]
)
def test_config_params_accept_exactly_what_a_policy_pack_accepts(rule_id: str, name: str) -> None:
    """For every parameter and sample value, `--policy-pack-config` accepts the value (as the
    Struct delivers it) exactly when `Param.problem`, the packs' judge, does."""
    meta = META_BY_ID[rule_id]
    param = meta.param(name)
    for sample in SAMPLES:
        delivered = float(sample) if type(sample) is int else sample
        integral = isinstance(delivered, float) and delivered.is_integer()
        value = int(delivered) if param.type == "int" and integral else delivered
        try:
            got = config_params(meta, {name: delivered})
        except ValueError as exc:
            problem = param.problem(value)
            assert problem is not None, (value, exc)
            assert problem.message in str(exc)
        else:
            assert param.problem(value) is None, value
            assert got == {name: value}


@pytest.mark.parametrize(
    ("rule_id", "name"), [(m.rule_id, p.name) for m in ALL_RULES for p in m.params]
)
def test_config_schema_states_each_parameters_bounds_or_entry_pattern(
    rule_id: str, name: str
) -> None:
    """The schema the engine validates carries the same bounds and list-entry pattern."""
    param = META_BY_ID[rule_id].param(name)
    schema = param_schema(param)
    if param.bounds is not None:
        low = "exclusiveMinimum" if param.bounds.exclusive_minimum else "minimum"
        high = "exclusiveMaximum" if param.bounds.exclusive_maximum else "maximum"
        assert schema == {
            "type": "integer" if param.type == "int" else "number",
            low: param.bounds.minimum,
            high: param.bounds.maximum,
        }
    else:
        assert param.items is not None
        assert schema == {
            "type": "array",
            "maxItems": 100,
            "items": {"type": "string", "pattern": f"^(?:{param.items.pattern})$"},
        }
