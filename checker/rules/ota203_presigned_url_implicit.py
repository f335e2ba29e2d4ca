"""OTA203: an update offering HTTP states its pre-signed URL expiry."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.normalise import service_default
from checker.rules import references as ref
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation

PRESIGNED = "awsJobPresignedUrlConfig"


class PresignedUrlExpiryImplicit:
    meta = RuleMeta(
        rule_id="OTA203",
        title="Ensure updates over HTTP set the pre-signed URL expiry explicitly",
        severity=Severity.LOW,
        applies_to="both",
        doc=RuleDoc(
            what="`protocols` include HTTP but `awsJobPresignedUrlConfig.expiresInSec` is not "
            "set, so the service default (1800 seconds) applies.",
            why="How long a download link stays valid is a security decision; left to the "
            "default it is nobody's decision, is invisible in review and changes if AWS "
            "changes the default.",
            fix="Set `awsJobPresignedUrlConfig.expiresInSec` (60-3600) to the lifetime you intend.",
            failing="""\
protocols: [HTTP]
""",
            passing="""\
protocols: [HTTP]
awsJobPresignedUrlConfig: {expiresInSec: 600}
""",
            references=(ref.AWS_PRESIGNED,),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        if "HTTP" in view.protocols and view.get(PRESIGNED, "expiresInSec") is None:
            yield Violation(
                (PRESIGNED,),
                "HTTP is among the protocols but expiresInSec is not set "
                f"(the service default {service_default(PRESIGNED, 'expiresInSec')} applies)",
            )
