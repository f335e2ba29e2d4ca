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
from checker.model import Severity
from checker.policy.apply import apply_policy
from checker.policy.model import Policy, RuleSetting, blocks_at
from checker.policy.packs import load_policy
from checker.pulumi.provider import OTA_UPDATE_TYPE, declared_from_props
from checker.rules.interface import MAX_LIST_ITEMS, Param, Rule, RuleMeta
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
_SCHEMA_TYPES = {"int": "integer", "number": "number", "string-list": "array"}
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
                report_violation(str(finding), None)


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
        item = "" if problem.item is None else f"[{problem.item}]"
        raise ValueError(f"{meta.rule_id}.{param.name}{item} {problem.message}")
    return value
