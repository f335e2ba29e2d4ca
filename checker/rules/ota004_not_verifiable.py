"""OTA004: declared fields this source cannot verify. Raised by `checker.drift.compare`."""

from __future__ import annotations

from collections.abc import Sequence

from checker.model import DeclaredUpdate, Finding, Severity
from checker.rules.interface import RuleDoc, RuleMeta

NOT_VERIFIABLE = RuleMeta(
    rule_id="OTA004",
    title="Declared fields that this source cannot verify",
    severity=Severity.INFO,
    applies_to="drift",
    doc=RuleDoc(
        what="The declaration sets create-only fields (`roleArn`, `awsJobAbortConfig`, "
        "`awsJobTimeoutConfig`, `tags`) that GetOTAUpdate never returns.",
        why="Drift in these fields cannot be seen from GetOTAUpdate alone; the report says so "
        "rather than implying they were checked.",
        fix="Nothing to fix. A source that reads the update's job and tags can verify the "
        "abort, timeout and tags; no API returns `roleArn`.",
        failing="roleArn: arn:aws:iam::123456789012:role/ota\n",
        passing="# (informational)\n",
    ),
)


def not_verifiable_finding(update: DeclaredUpdate, fields: Sequence[str]) -> Finding:
    """One finding naming every declared field (at least one) that was left uncompared, at
    the first one's line."""
    return NOT_VERIFIABLE.finding(
        ota_update_id=update.ota_update_id,
        side="drift",
        path="",
        message=f"{', '.join(fields)} cannot be verified: GetOTAUpdate does not return "
        f"{'it' if len(fields) == 1 else 'them'}",
        location=update.location_of((fields[0],)),
    )
