"""OTA001: the live OTA update matches its declaration. Raised by `checker.drift.compare`,
which decides where the canonical forms differ; this module says what each finding says."""

from __future__ import annotations

from typing import Any

from checker.jsonsafe import json_line
from checker.model import DeclaredUpdate, DriftValues, Finding, Location, Path, Severity, display
from checker.rules.interface import RuleDoc, RuleMeta

ABSENT = object()
"""The value on a side that does not have the path at all (shown `absent`)."""
MAX_SHOWN_CHARS = 120
"""A value longer than this in a message is cut: the finding's drift values hold it whole."""

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


def changed_finding(
    update: DeclaredUpdate,
    path: Path,
    declared: Any,
    live: Any,
    *,
    defaulted: bool,
    location: Location,
) -> Finding:
    """The finding for one whole-value `path` whose canonical values differ (`ABSENT` on a side
    without it); `defaulted`: the declared value is the service default, not written."""
    shown = display(path)
    if isinstance(declared, list) and isinstance(live, list):
        message = f"{shown}: {_list_change(declared, live)}"
    else:
        note = " (service default)" if defaulted else ""
        message = f"{shown}: declared {_show(declared)}{note}, live {_show(live)}"
    return CHANGED.finding(
        ota_update_id=update.ota_update_id,
        side="drift",
        path=shown,
        message=message,
        location=location,
        drift=DriftValues(
            None if declared is ABSENT else declared, None if live is ABSENT else live
        ),
    )


def _list_change(declared: list[Any], live: list[Any]) -> str:
    """What a set-like list gained and lost live, which reads better than two long lists."""
    added = [v for v in live if v not in declared]
    removed = [v for v in declared if v not in live]
    parts = []
    if added:
        parts.append(f"live also has {', '.join(map(str, added))}")
    if removed:
        parts.append(f"live lacks {', '.join(map(str, removed))}")
    return "; ".join(parts) or f"declared {_show(declared)}, live {_show(live)}"


def _show(value: Any) -> str:
    """A value on one line as the reports write drift values (`json_line`), cut short."""
    if value is ABSENT:
        return "absent"
    text = json_line(value)
    return text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 3] + "..."
