"""OTA204: a pre-signed URL expiry is set only where HTTP makes use of it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation

PRESIGNED = "awsJobPresignedUrlConfig"


class PresignedUrlExpiryUnused:
    meta = RuleMeta(
        rule_id="OTA204",
        title="Ensure the pre-signed URL expiry is set only when HTTP is used",
        severity=Severity.INFO,
        applies_to="both",
        doc=RuleDoc(
            what="`awsJobPresignedUrlConfig.expiresInSec` is set but `protocols` do not "
            "include HTTP (when `protocols` is omitted, MQTT alone applies).",
            why="Pre-signed URLs serve HTTP downloads only: over MQTT the setting does "
            "nothing. It suggests the author expected HTTP, or left a setting behind when "
            "HTTP was dropped.",
            fix="Remove `awsJobPresignedUrlConfig`, or add HTTP to `protocols` if devices are "
            "meant to download over HTTP.",
            failing="""\
protocols: [MQTT]
awsJobPresignedUrlConfig: {expiresInSec: 600}
""",
            passing="""\
protocols: [MQTT]
""",
            references=(ref.AWS_PRESIGNED,),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        expires = view.get(PRESIGNED, "expiresInSec")
        protocols = view.protocols
        if expires is not None and "HTTP" not in protocols:
            yield Violation(
                (PRESIGNED, "expiresInSec"),
                f"expiresInSec {expires!r} has no effect: HTTP is not among the protocols "
                f"({', '.join(map(str, protocols)) or 'none'})",
            )
