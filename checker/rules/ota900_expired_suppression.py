"""OTA900: a suppression has expired. Raised by the policy stage, not by a config check."""

from __future__ import annotations

from checker.model import Severity
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
