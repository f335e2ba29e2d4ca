"""OTA001: the live OTA update matches its declaration. Raised by `checker.drift.compare`."""

from __future__ import annotations

from checker.model import Severity
from checker.rules.interface import RuleDoc, RuleMeta

CHANGED = RuleMeta(
    rule_id="OTA001",
    title="Ensure the live OTA update matches its declaration",
    severity=Severity.HIGH,
    applies_to="drift",
    doc=RuleDoc(
        what="A value differs between the declared config and what GetOTAUpdate returns, after "
        "both are normalised (sets, defaults, server-owned fields). One finding per path, with "
        "`desired` and `actual`.",
        why="The declaration is what was reviewed. A live update that differs was changed "
        "outside review, or the repository no longer describes what devices receive.",
        fix="OTA updates are immutable: delete and recreate the update from the declaration, "
        "or change the declaration to what should be live and get it reviewed.",
        failing="""\
# declared                       # live (GetOTAUpdate)
awsJobPresignedUrlConfig:        awsJobPresignedUrlConfig:
  expiresInSec: 600                expiresInSec: 3600
""",
        passing="""\
# declared                       # live (GetOTAUpdate)
awsJobPresignedUrlConfig:        awsJobPresignedUrlConfig:
  expiresInSec: 600                expiresInSec: 600
""",
    ),
)
