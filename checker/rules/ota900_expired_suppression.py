"""OTA900: a suppression has expired. A check of the policy packs, not of an OTA config.

The policy stage (`checker.policy.apply`) calls `expired_suppressions` once per audit, after it
has applied the live suppressions; this module decides which suppressions have expired and
what each finding says.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from checker.model import Finding, Severity
from checker.policy.model import Policy
from checker.rules.interface import RuleDoc, RuleMeta

EXPIRED_SUPPRESSION = RuleMeta(
    rule_id="OTA900",
    title="Ensure suppressions are reviewed before they expire",
    severity=Severity.LOW,
    applies_to="checker",
    doc=RuleDoc(
        what="A suppression in a policy pack is past its `expires` date. It no longer "
        "suppresses anything: the findings it covered count again.",
        why="An accepted risk is accepted for a time, after which someone must look again. "
        "An expired suppression is a review that did not happen.",
        fix="Fix the finding and delete the suppression, or review the risk again and set a "
        "new `expires` date with an updated `reason`.",
        failing="""\
suppressions:
  - rule: OTA401
    otaUpdates: ["fleet-continuous-*"]
    reason: Continuous targeting approved in security review SR-142
    expires: 2026-03-31
""",
        passing="""\
suppressions:
  - rule: OTA401
    otaUpdates: ["fleet-continuous-*"]
    reason: Continuous targeting re-approved in security review SR-201
    expires: 2027-03-31
""",
    ),
)


def expired_suppressions(policy: Policy, today: date) -> Iterator[Finding]:
    """One OTA900 per suppression past its `expires` day, at its line in its pack, with the
    severity the policy gives OTA900."""
    meta = EXPIRED_SUPPRESSION
    for suppression in policy.suppressions:
        if not suppression.expired(today):
            continue
        names = ", ".join(suppression.ota_updates)
        yield Finding(
            rule_id=meta.rule_id,
            severity=policy.severity(meta.rule_id, meta.severity),
            ota_update_id=names,
            side="declared",
            path="",
            message=f"the suppression of {suppression.rule} for {names} expired on "
            f"{suppression.expires}; it no longer suppresses anything "
            f"(reason given: {suppression.reason})",
            location=suppression.location,
            references=meta.doc.references,
        )
