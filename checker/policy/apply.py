"""Apply a policy to findings: severities, ignored drift, suppressions and OTA900."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from checker.model import Finding, Suppressed
from checker.policy.model import Policy
from checker.rules.ota900_expired_suppression import EXPIRED_SUPPRESSION, expired_suppressions


def is_drift_ignored(ota_update_id: str, policy: Policy) -> bool:
    """The policy leaves all drift of this update out (`ignoreDrift` naming it, no paths)."""
    return any(not i.paths and i.names(ota_update_id) for i in policy.ignore_drift)


def is_ignored(finding: Finding, policy: Policy) -> bool:
    """Drift the policy says to leave out entirely (`ignoreDrift`)."""
    return finding.side == "drift" and any(i.matches(finding) for i in policy.ignore_drift)


def apply_policy(findings: Iterable[Finding], policy: Policy, today: date) -> list[Finding]:
    """New findings with the policy's severities and suppressions; disabled and ignored dropped.

    An expired suppression suppresses nothing and raises one OTA900 at its line in its pack
    (the rule module, `checker/rules/ota900_expired_suppression.py`, builds those findings).
    """
    live_suppressions = [s for s in policy.suppressions if not s.expired(today)]
    out: list[Finding] = []
    for finding in findings:
        if not policy.enabled(finding.rule_id) or is_ignored(finding, policy):
            continue
        match = next((s for s in live_suppressions if s.matches(finding)), None)
        severity = policy.severity(finding.rule_id, finding.severity)
        if match is None and severity is finding.severity:
            out.append(finding)  # the common case: nothing to change, nothing to copy
            continue
        out.append(
            replace(
                finding,
                severity=severity,
                suppressed=Suppressed(match.reason, match.expires) if match else None,
            )
        )
    if policy.enabled(EXPIRED_SUPPRESSION.rule_id):
        out.extend(expired_suppressions(policy, today))
    return out
