"""ota-drift's rule catalogue as a CrossGuard policy pack (`policies/`, PulumiPolicy.yaml).

Every rule of the catalogue is one `ResourceValidationPolicy`, named by its rule ID, on
`OtaUpdate` resources (matched by their type token, `OTA_UPDATE_TYPE`; other resources are left
alone). The rules that `ota-drift lint` runs (declared and both sides) check the resource's
declared config exactly as lint does; the others need live state or ota-drift's own policy
packs, and say so as "not applicable". Severities, parameters and failOn come from
policies/default.yaml: enforcement is mandatory at or above failOn and advisory below. Each
rule's parameters are its policy's config schema, so `--policy-pack-config` tunes them.

Importing this module starts nothing: `serve()` builds the pack, which serves at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

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

from checker import __version__
from checker.evaluate import evaluate
from checker.model import Finding, Severity
from checker.policy.apply import apply_policy
from checker.policy.model import Policy, RuleSetting
from checker.policy.packs import load_policy
from checker.pulumi.provider import OTA_UPDATE_TYPE, declared_from_props
from checker.rules.interface import Param, Rule, RuleMeta
from checker.rules.registry import ALL_RULES, CONFIG_RULES

PACK_NAME = "ota-drift"
PACK_DESCRIPTION = (
    f"ota-drift {__version__} rules on the declared config of ota-drift's OtaUpdate resources "
    f"({OTA_UPDATE_TYPE}): what `ota-drift lint` enforces."
)
LINT_SIDES = ("declared", "both")
"""Rules that `ota-drift lint` runs on declared configs; the rest are not applicable here."""

_SEVERITIES = {
    Severity.LOW: PolicySeverity.LOW,
    Severity.MEDIUM: PolicySeverity.MEDIUM,
    Severity.HIGH: PolicySeverity.HIGH,
    Severity.CRITICAL: PolicySeverity.CRITICAL,
}
"""CrossGuard has no 'info': info rules get no severity (unspecified)."""
_SCHEMA_TYPES: dict[str, dict[str, Any]] = {
    "int": {"type": "integer"},
    "number": {"type": "number"},
    "string-list": {"type": "array", "items": {"type": "string"}},
}
_NOT_APPLICABLE = {
    "drift": "{rule} compares the live OTA update with its declaration: after `pulumi refresh`, "
    "`pulumi preview` shows drift as a replacement; `ota-drift check` reports it",
    "live": "{rule} checks the live OTA update only: `ota-drift check` (and the stack's "
    "`findings` output) reports it",
    "checker": "{rule} reviews suppressions in ota-drift policy packs, which CrossGuard does not "
    "read: `ota-drift lint --policy PACK` reports it",
}


class RulePolicy(ResourceValidationPolicy):
    """One catalogue rule as a CrossGuard policy on `OtaUpdate` resources."""

    def __init__(self, meta: RuleMeta, rule: Rule | None, policy: Policy) -> None:
        self._meta = meta
        self._rule = rule
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
        """One violation per active finding of this rule on the resource's declared config."""
        if args.resource_type != OTA_UPDATE_TYPE:
            return
        if self._rule is None:
            args.not_applicable(
                _NOT_APPLICABLE[self._meta.applies_to].format(rule=self._meta.rule_id)
            )
            return
        declared = declared_from_props(args.props)
        policy = with_params(self._policy, self._meta, config_params(self._meta, args.get_config()))
        now = datetime.now(UTC)
        found = evaluate([declared], [], policy, now, rules=(self._rule,))
        for finding in apply_policy(found, policy, now.date()):
            if finding.active and finding.rule_id == self._meta.rule_id:
                report_violation(_message(finding), None)


def build_policies(policy: Policy | None = None) -> list[PackPolicy]:
    """One policy per catalogue rule, in rule ID order, tuned by `policy` (default: the
    default pack, policies/default.yaml)."""
    policy = policy if policy is not None else load_policy()
    config_rules = {rule.meta.rule_id: rule for rule in CONFIG_RULES}
    return [
        RulePolicy(
            meta, config_rules.get(meta.rule_id) if meta.applies_to in LINT_SIDES else None, policy
        )
        for meta in ALL_RULES
    ]


def serve() -> None:
    """Build the pack and serve it to the engine (prints the port, then blocks)."""
    PolicyPack(PACK_NAME, build_policies(), description=PACK_DESCRIPTION)


def enforcement_level(meta: RuleMeta, policy: Policy) -> EnforcementLevel:
    """Mandatory at or above the pack's failOn, advisory below; disabled rules stay disabled."""
    if not policy.enabled(meta.rule_id):
        return EnforcementLevel.DISABLED
    severity = policy.severity(meta.rule_id, meta.severity)
    if policy.fail_on != "never" and severity >= Severity(policy.fail_on):
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
                **_SCHEMA_TYPES[p.type],
                "description": p.description,
                "default": defaults[p.name],
            }
            for p in meta.params
        }
    )


def config_params(meta: RuleMeta, config: Mapping[str, Any] | None) -> dict[str, Any]:
    """The rule's parameters set by `--policy-pack-config`, typed as the rule expects them.

    Config arrives as a protobuf Struct, where every number is a double: 600 arrives as 600.0.
    Keys that are not parameters of the rule are ignored (the engine validates the schema).
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
    ok: bool
    if param.type == "int":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif param.type == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    else:
        ok = isinstance(value, Sequence) and not isinstance(value, str)
        ok = ok and all(isinstance(v, str) for v in value)
        value = list(value) if ok else value
    if not ok:
        raise ValueError(f"{meta.rule_id}.{param.name} must be {param.type}, not {value!r}")
    return value


def _message(finding: Finding) -> str:
    path = f" {finding.path}" if finding.path else ""
    return f"{finding.rule_id} {finding.ota_update_id}{path}: {finding.message}"
