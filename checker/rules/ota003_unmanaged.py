"""OTA003: every live OTA update is declared. Raised by `checker.drift.compare`."""

from __future__ import annotations

from checker.model import Finding, LiveUpdate, Severity
from checker.rules.interface import RuleDoc, RuleMeta

UNMANAGED = RuleMeta(
    rule_id="OTA003",
    title="Ensure every live OTA update is declared",
    severity=Severity.MEDIUM,
    applies_to="drift",
    doc=RuleDoc(
        what="A live OTA update has no declaration.",
        why="An update created by hand skipped review: its signing, targets and rollout were "
        "never checked, yet it can install firmware on devices.",
        fix="Declare it (then the rules review it), or delete it if it should not exist.",
        failing="# live: lab-fw-test exists          # declared: nothing\n",
        passing="# live: lab-fw-test exists          # declared: otaUpdateId lab-fw-test\n",
    ),
)


def unmanaged_finding(update: LiveUpdate) -> Finding:
    """The finding for a live update nobody declared: it has no declaration to point at."""
    return UNMANAGED.finding(
        ota_update_id=update.ota_update_id,
        side="drift",
        path="",
        message="exists live, but is not declared",
        location=None,
    )
