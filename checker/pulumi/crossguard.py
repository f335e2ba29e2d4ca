"""ota-drift's rule catalogue as a CrossGuard policy pack (`policies/`, PulumiPolicy.yaml).

Every rule of the catalogue is one `ResourceValidationPolicy`, named by its rule ID, on the
resources that declare an OTA update (matched by type token; other resources are left alone):
ota-drift's own `OtaUpdate` dynamic resource (`OTA_UPDATE_TYPE`) and Pulumi aws-native's
`aws-native:iot:OtaUpdate` (`AWS_NATIVE_TYPE`), whose inputs are read as a stack export's are
(checker/declared/pulumi_stack.py). The rules that `ota-drift lint` runs (declared and both
sides) check the resource's declared config exactly as lint does, through `audit.lint`; the
others need live state or ota-drift's own policy packs, and say so as "not applicable".
Severities, parameters and failOn come from policies/default.yaml: enforcement is mandatory at
or above failOn and advisory below. Each rule's parameters are its policy's config schema, so
`--policy-pack-config` tunes them.

A Pulumi secret input is an unknown value (`SECRET`), as in a stack export: it is never judged
and its plain text never reaches a violation. The SDK reveals secrets in the props it hands a
policy, so the pack reads the inputs from the engine's request instead (`keep_requests`).

Importing this module starts nothing: `serve()` builds the pack, which serves at once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import replace
from typing import Any

import pulumi_policy.policy
from google.protobuf import json_format  # type: ignore[import-untyped]  # no stubs; the SDK uses it
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)
from pulumi_policy import Policy as PackPolicy
from pulumi_policy import Severity as PolicySeverity
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    unknown_checking_proxy,
)

from checker import __version__, audit
from checker.declared.entries import declared_update
from checker.declared.pulumi_stack import OTA_UPDATE_TYPE as AWS_NATIVE_TYPE
from checker.declared.pulumi_stack import SECRET, SECRET_SIG, SIG_KEY, api_entry
from checker.model import DeclaredUpdate, Severity, Unknown
from checker.policy.model import Policy, RuleSetting, blocks_at
from checker.policy.packs import load_policy
from checker.pulumi.provider import OTA_UPDATE_TYPE, declared_from_props
from checker.rules.interface import MAX_LIST_ITEMS, Param, RuleMeta
from checker.rules.ota005_computed import COMPUTED
from checker.rules.registry import ALL_RULES

PACK_NAME = "ota-drift"
PACK_DESCRIPTION = (
    f"ota-drift {__version__} rules on the declared config of OTA update resources "
    f"({AWS_NATIVE_TYPE} and ota-drift's {OTA_UPDATE_TYPE}): what `ota-drift lint` enforces."
)
RESOURCE_TYPES = (OTA_UPDATE_TYPE, AWS_NATIVE_TYPE)
LINT_SIDES = ("declared", "both")
"""Rules that `ota-drift lint` runs on declared configs; the rest are not applicable here."""
PREVIEW_UNKNOWNS = (
    UNKNOWN_STRING_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_ARCHIVE_VALUE,
)
"""What the engine sends for an input not known during preview, by type: an unknown value."""

_SEVERITIES = {
    Severity.LOW: PolicySeverity.LOW,
    Severity.MEDIUM: PolicySeverity.MEDIUM,
    Severity.HIGH: PolicySeverity.HIGH,
    Severity.CRITICAL: PolicySeverity.CRITICAL,
}
"""CrossGuard has no 'info': info rules get no severity (unspecified)."""
_SCHEMA_TYPES = {"int": "integer", "number": "number", "string-list": "array"}
_NOT_APPLICABLE = {
    "drift": "{rule} compares the live OTA update with its declaration: after `pulumi refresh`, "
    "`pulumi preview` shows drift as a replacement; `ota-drift check` reports it",
    "live": "{rule} checks the live OTA update only: `ota-drift check` (and the stack's "
    "`findings` output) reports it",
    "checker": "{rule} reviews suppressions in ota-drift policy packs, which CrossGuard does not "
    "read: `ota-drift lint --policy PACK` reports it",
}

_VERIFY_ONLY = (
    "{rule} checks the chain behind the live OTA update (its Signer job and profile, ACM "
    "certificate, stream or S3 object version), which exists only once deployed: "
    "`ota-drift check --verify` reports it"
)


class RulePolicy(ResourceValidationPolicy):
    """One catalogue rule as a CrossGuard policy on the resources in `RESOURCE_TYPES`."""

    def __init__(self, meta: RuleMeta, policy: Policy) -> None:
        self._meta = meta
        # OTA005 is raised by lint itself, for the values it could not judge
        self._linted = meta.applies_to in LINT_SIDES or meta is COMPUTED
        self._policy = policy
        super().__init__(
            name=meta.rule_id,
            description=meta.title,
            enforcement_level=enforcement_level(meta, policy),
            config_schema=config_schema(meta, policy),
            display_name=f"{meta.rule_id}: {meta.title}",
            severity=_SEVERITIES.get(policy.severity(meta.rule_id, meta.severity)),
            remediation_steps=meta.doc.fix,
            tags=[meta.applies_to],
        )

    def validate(self, args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        """One violation per active finding of this rule that `ota-drift lint` reports on the
        resource's declared config, with this policy's parameters."""
        if args.resource_type not in RESOURCE_TYPES:
            return
        if not self._linted:
            why = (
                _VERIFY_ONLY if self._meta.needs_verify else _NOT_APPLICABLE[self._meta.applies_to]
            )
            args.not_applicable(why.format(rule=self._meta.rule_id))
            return
        declared = declared_of(args)
        policy = with_params(self._policy, self._meta, config_params(self._meta, args.get_config()))
        for finding in audit.lint([declared], policy).findings:
            if finding.active and finding.rule_id == self._meta.rule_id:
                report_violation(str(finding), None)


def declared_of(args: ResourceValidationArgs) -> DeclaredUpdate:
    """The declared update behind a resource of one of `RESOURCE_TYPES`, secrets unknown."""
    props = inputs_of(args)
    if args.resource_type == OTA_UPDATE_TYPE:
        if isinstance(props.get("otaUpdateId"), Unknown):  # a secret id: shown as on aws-native's
            props = {**props, "otaUpdateId": args.name}
        # as the SDK hands props to a policy: an input unknown in preview raises, which the SDK
        # reports as its "can't run policy during preview" advisory
        return declared_from_props(unknown_checking_proxy(props))
    return aws_native_declared(props, args.urn, args.name)


def aws_native_declared(props: Mapping[str, Any], urn: str, name: str) -> DeclaredUpdate:
    """An `aws-native:iot:OtaUpdate`'s inputs as lint reads them from a stack export.

    The props are `inputs_of`'s: the provider schema's camelCase names, secrets as `SECRET`,
    numbers as doubles and an input not known in preview as the engine's sentinel, which
    becomes an unknown value. An id not known in preview (or secret) is shown as the
    resource's name. An input the API would refuse is an error naming the resource: the pack
    never passes what it cannot judge.
    """
    entry, key_lines, problems = api_entry(props, {}, (), PREVIEW_UNKNOWNS)
    if isinstance(entry, dict) and isinstance(entry.get("otaUpdateId"), Unknown):
        entry = {**entry, "otaUpdateId": name}
    messages = [message for _, message in problems]
    if not messages:
        result = declared_update(entry, file=urn, line=1, key_lines=key_lines, resource=urn)
        if isinstance(result, DeclaredUpdate):
            return result
        messages = [problem.message for problem in result]
    raise ValueError(f"{AWS_NATIVE_TYPE} {urn}: " + "; ".join(messages))


_REQUEST: ContextVar[analyzer_pb2.AnalyzeRequest | None] = ContextVar(
    "ota_drift_analyze_request", default=None
)
"""The AnalyzeRequest being served on this thread, set by `keep_requests`."""


def keep_requests() -> None:
    """Make the SDK's Analyze record the engine's request, so `inputs_of` can read it.

    Why: the SDK (pulumi_policy 1.x) turns each secret `{SIG_KEY: SECRET_SIG, "value": ...}`
    of `AnalyzeRequest.properties` into its plain value before building the
    `ResourceValidationArgs`, and neither the args nor anything a policy receives keeps the
    request or which paths were secret. There is no documented hook, so this wraps the one
    stable point: the servicer's `Analyze(request, context)`, the gRPC method analyzer.proto
    defines. The wrapper changes nothing the SDK does; it only records the request in a
    context variable while the SDK runs the policies (synchronously, on the serving thread).
    If the SDK ever stops doing so, `inputs_of` finds no request and refuses to judge rather
    than judge plain text (tests/pulumi/test_aws_native_grpc.py pins all of this). Idempotent.
    """
    servicer = pulumi_policy.policy._PolicyAnalyzerServicer
    analyze: Callable[..., Any] = servicer.Analyze
    if getattr(analyze, "keeps_requests", False):
        return

    @functools.wraps(analyze)
    def recording(self: Any, request: analyzer_pb2.AnalyzeRequest, context: Any) -> Any:
        token = _REQUEST.set(request)
        try:
            return analyze(self, request, context)
        finally:
            _REQUEST.reset(token)

    recording.keeps_requests = True  # type: ignore[attr-defined]
    servicer.Analyze = recording  # type: ignore[method-assign]


def inputs_of(args: ResourceValidationArgs) -> dict[str, Any]:
    """The resource's inputs as the engine sent them (`AnalyzeRequest.properties`, as the SDK
    reads them), but every secret an unknown value, `SECRET`, exactly as a stack export's.

    A RuntimeError if the request being served is not this resource's (`keep_requests` not in
    effect): the SDK's props have their secrets revealed, and are never judged.
    """
    request = _REQUEST.get()
    if request is None or (request.type, request.urn, request.name) != (
        args.resource_type,
        args.urn,
        args.name,
    ):
        raise RuntimeError(
            f"ota-drift cannot see which inputs of {args.urn} are secret (the pack must be "
            "served by checker.pulumi.crossguard.serve): it judges no revealed secret"
        )
    props: dict[str, Any] = _secrets_unknown(json_format.MessageToDict(request.properties))
    return props


def _secrets_unknown(value: Any) -> Any:
    """`value` with each Pulumi secret (in the engine's wire form) as `SECRET`; other special
    values are kept for `api_entry` to refuse, as lint does."""
    if isinstance(value, list):
        return [_secrets_unknown(item) for item in value]
    if not isinstance(value, dict):
        return value
    if value.get(SIG_KEY) == SECRET_SIG:
        return SECRET
    return {key: _secrets_unknown(item) for key, item in value.items()}


def build_policies(policy: Policy | None = None) -> list[PackPolicy]:
    """One policy per catalogue rule, in rule ID order, tuned by `policy` (default: the
    default pack, policies/default.yaml)."""
    policy = policy if policy is not None else load_policy()
    return [RulePolicy(meta, policy) for meta in ALL_RULES]


def serve() -> None:
    """Build the pack and serve it to the engine (prints the port, then blocks)."""
    keep_requests()
    PolicyPack(PACK_NAME, build_policies(), description=PACK_DESCRIPTION)


def enforcement_level(meta: RuleMeta, policy: Policy) -> EnforcementLevel:
    """Mandatory at or above the pack's failOn, advisory below; disabled rules stay disabled."""
    if not policy.enabled(meta.rule_id):
        return EnforcementLevel.DISABLED
    severity = policy.severity(meta.rule_id, meta.severity)
    if blocks_at(severity, policy.fail_on):
        return EnforcementLevel.MANDATORY
    return EnforcementLevel.ADVISORY


def config_schema(meta: RuleMeta, policy: Policy) -> PolicyConfigSchema | None:
    """The rule's parameters as JSON schema properties, defaults from the pack; None without."""
    if not meta.params:
        return None
    defaults = policy.params(meta)
    return PolicyConfigSchema(
        {
            p.name: {
                **param_schema(p),
                "description": p.description,
                "default": defaults[p.name],
            }
            for p in meta.params
        }
    )


def param_schema(param: Param) -> dict[str, Any]:
    """The JSON schema (draft 7) of one parameter: its type, bounds and list entries.

    The engine checks config against it before the pack sees any; `config_params` checks again
    with `Param.problem`, the judge policy packs use, so both accept exactly the same values.
    """
    schema: dict[str, Any] = {"type": _SCHEMA_TYPES[param.type]}
    bounds = param.bounds
    if bounds is not None:
        schema["exclusiveMinimum" if bounds.exclusive_minimum else "minimum"] = bounds.minimum
        schema["exclusiveMaximum" if bounds.exclusive_maximum else "maximum"] = bounds.maximum
    if param.items is not None:
        schema["maxItems"] = MAX_LIST_ITEMS
        schema["items"] = {"type": "string", "pattern": f"^(?:{param.items.pattern})$"}
    return schema


def config_params(meta: RuleMeta, config: Mapping[str, Any] | None) -> dict[str, Any]:
    """The rule's parameters set by `--policy-pack-config`, checked as a policy pack's are.

    Config arrives as a protobuf Struct, where every number is a double: 600 arrives as 600.0,
    and a list as a sequence. Keys that are not parameters of the rule are ignored (the engine
    validates the schema). A value a pack would refuse is a ValueError naming it.
    """
    params: dict[str, Any] = {}
    for param in meta.params:
        if config is not None and param.name in config:
            params[param.name] = _typed(meta, param, config[param.name])
    return params


def with_params(policy: Policy, meta: RuleMeta, params: Mapping[str, Any]) -> Policy:
    """`policy` with the rule's parameters overridden by `params`."""
    if not params:
        return policy
    old = policy.settings.get(meta.rule_id, RuleSetting())
    new = RuleSetting(old.enabled, old.severity, {**old.params, **params})
    return replace(policy, settings={**policy.settings, meta.rule_id: new})


def _typed(meta: RuleMeta, param: Param, value: Any) -> Any:
    """`value` as a pack would hold it (undoing the Struct's doubles), once `Param.problem`
    accepts it."""
    if param.type == "int" and isinstance(value, float) and value.is_integer():
        value = int(value)
    elif param.type == "string-list" and isinstance(value, Sequence) and not isinstance(value, str):
        value = list(value)
    problem = param.problem(value)
    if problem is not None:
        raise ValueError(problem.text(meta.rule_id, param.name))
    return value
