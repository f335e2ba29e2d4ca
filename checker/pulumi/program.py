"""The Pulumi program behind `__main__.py`: the `ota-drift check` audit as a stack.

It reads the stack's config, loads the declared configs with the CLI's loader, runs the CLI's
audit (so `pulumi preview` shows the findings before any resource exists), registers one
`OtaUpdate` per declared update inside an `OtaFleetAudit` and exports the results. For the same
inputs the exports agree with `ota-drift check --format json`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pulumi

from checker import audit
from checker.declared import load_declared
from checker.errors import InputError, UsageError
from checker.model import Report
from checker.policy.model import FAIL_ON_VALUES, blocks, effective_fail_on
from checker.policy.packs import load_policy
from checker.pulumi.provider import AuditSettings, OtaFleetAudit
from checker.sources.aws import AwsSettings
from checker.sources.choice import source_for

DEFAULT_DECLARED = "ota"
"""`ota-drift:declared` when the stack does not set it (Pulumi.yaml states the same default)."""
FLEET_NAME = "ota-fleet"


@dataclass(frozen=True)
class ProgramSettings:
    """The stack's config, as the program uses it."""

    declared: str = DEFAULT_DECLARED
    """Declared YAML file, or directory of them (`ota-drift:declared`)."""
    state: str | None = None
    """Snapshot file (`ota-drift:state`); None reads AWS IoT in `region`."""
    region: str | None = None
    """`aws:region`; None leaves it to the credential chain (AWS_DEFAULT_REGION)."""
    policy: tuple[str, ...] = ()
    """Policy packs overlaid on policies/default.yaml (`ota-drift:policy`)."""
    fail_on: str | None = None
    """`ota-drift:failOn`; None takes the packs' failOn."""


def read_settings(config: pulumi.Config, aws: pulumi.Config) -> ProgramSettings:
    """The settings from `ota-drift:*` and `aws:region`; empty values count as unset."""
    policy: Any = config.get_object("policy") or []
    if isinstance(policy, str):
        policy = [policy]
    if not isinstance(policy, list) or not all(isinstance(p, str) for p in policy):
        raise pulumi.RunError("ota-drift:policy must be a list of policy pack paths")
    fail_on = config.get("failOn") or None
    if fail_on is not None and fail_on not in FAIL_ON_VALUES:
        raise pulumi.RunError(
            f"ota-drift:failOn must be one of {', '.join(FAIL_ON_VALUES)}, not {fail_on!r}"
        )
    return ProgramSettings(
        declared=config.get("declared") or DEFAULT_DECLARED,
        state=config.get("state") or None,
        region=aws.get("region") or None,
        policy=tuple(policy),
        fail_on=fail_on,
    )


def audit_results(report: Report) -> dict[str, Any]:
    """The stack outputs for a `check` report; each is derived from what the JSON report says.

    - `driftCount`: updates drifted, missing or unmanaged (`summary` drifted + missing +
      unmanaged);
    - `findingCount`: active findings (the sum of `summary.findings`);
    - `findings`: `{ruleId, severity, otaUpdateId, path}` of each active finding, in report
      order (suppressed findings count for nothing, as in the CLI);
    - `inSync`: `driftCount` is 0.
    """
    summary = report.summary
    drift_count = (summary.drifted or 0) + (summary.missing or 0) + (summary.unmanaged or 0)
    active = [f for f in report.findings if f.active]
    return {
        "driftCount": drift_count,
        "findingCount": sum(summary.findings.values()),
        "findings": [
            {
                "ruleId": f.rule_id,
                "severity": f.severity.value,
                "otaUpdateId": f.ota_update_id,
                "path": f.path,
            }
            for f in active
        ],
        "inSync": drift_count == 0,
    }


def run(settings: ProgramSettings, as_of: datetime | None = None) -> OtaFleetAudit:
    """Audit, register the fleet and export the results. Unusable input fails the program, as
    does live state that could not be read in full (the CLI's exit code 2)."""
    try:
        declared = load_declared([settings.declared])
        policy = load_policy(settings.policy)
        source = source_for(settings.state, AwsSettings(region=settings.region))
        report = audit.check(declared, source, policy, as_of)
    except InputError as exc:
        raise pulumi.RunError("\n".join(str(p) for p in exc.problems)) from None
    except UsageError as exc:  # worded for the CLI: say which stack config helps
        raise pulumi.RunError(
            f"ota-drift: {exc} (in this stack: aws:region, or ota-drift:state for a snapshot)"
        ) from None
    if not report.complete:
        lines = [str(e) for e in report.errors]
        raise pulumi.RunError(
            "live state could not be read in full, so no audit result is given:\n"
            + "\n".join(lines)
        )
    fail_on = effective_fail_on(settings.fail_on, policy)
    _log_findings(report, fail_on)
    results = audit_results(report)
    fleet = OtaFleetAudit(
        FLEET_NAME,
        declared,
        AuditSettings(settings.state, settings.region, settings.policy, settings.fail_on),
        results,
    )
    for name, value in results.items():
        pulumi.export(name, value)
    return fleet


def _log_findings(report: Report, fail_on: str) -> None:
    """Each active finding in the engine's diagnostics: a warning at or above failOn.

    Diagnostics never fail a Pulumi command; `check` failures (declared side) and
    `pulumi preview --expect-no-changes` (drift) are the gates.
    """
    for finding in report.findings:
        if not finding.active:
            continue
        message = str(finding)
        if blocks(finding, fail_on):
            pulumi.log.warn(message)
        else:
            pulumi.log.info(message)
