"""OTA002: every declared OTA update exists. Raised by `checker.drift.compare`."""

from __future__ import annotations

from checker.model import DeclaredUpdate, Finding, Severity
from checker.rules.interface import RuleDoc, RuleMeta

MISSING = RuleMeta(
    rule_id="OTA002",
    title="Ensure every declared OTA update exists",
    severity=Severity.HIGH,
    applies_to="drift",
    doc=RuleDoc(
        what="An OTA update is declared, but the live state has no update with its id.",
        why="Devices the declaration targets are not being updated: a security fix the "
        "repository claims is rolling out is not.",
        fix="Create the update (e.g. `pulumi up` or your deployment job), or remove the "
        "declaration if the update was deliberately deleted.",
        failing="# declared: otaUpdateId sensor-fw-5     # live: no such update\n",
        passing="# declared: otaUpdateId sensor-fw-5     # live: sensor-fw-5 exists\n",
    ),
)


def missing_finding(update: DeclaredUpdate) -> Finding:
    """The finding for a declared update the live state does not have, at its declaration."""
    return MISSING.finding(
        ota_update_id=update.ota_update_id,
        side="drift",
        path="",
        message="declared, but no such OTA update exists live",
        location=update.location,
    )
