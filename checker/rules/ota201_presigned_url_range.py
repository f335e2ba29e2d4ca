"""OTA201: the pre-signed URL expiry is within the 60..3600 seconds the API accepts."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation, is_number

MIN_EXPIRES_IN_SEC = 60
MAX_EXPIRES_IN_SEC = 3600
"""The range the API reference documents; botocore does not check it."""


class PresignedUrlExpiryOutOfRange:
    meta = RuleMeta(
        rule_id="OTA201",
        title="Ensure the pre-signed URL expiry is within 60 to 3600 seconds",
        severity=Severity.HIGH,
        applies_to="both",
        doc=RuleDoc(
            what="`awsJobPresignedUrlConfig.expiresInSec` is below 60 or above 3600 "
            "(both limits are valid values).",
            why="The API accepts only 60-3600 seconds, but botocore checks no upper limit and "
            "no lower one for this field: the mistake surfaces only when CreateOTAUpdate is "
            "called, in the middle of a release. Live state outside the range means the update "
            "runs with a value AWS does not document.",
            fix="Set `expiresInSec` between 60 and 3600; a short lifetime (a few minutes) is "
            "enough for a device that downloads at once.",
            failing="""\
protocols: [HTTP]
awsJobPresignedUrlConfig: {expiresInSec: 7200}
""",
            passing="""\
protocols: [HTTP]
awsJobPresignedUrlConfig: {expiresInSec: 900}
""",
            references=(ref.AWS_PRESIGNED,),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        expires = view.get("awsJobPresignedUrlConfig", "expiresInSec")
        if not is_number(expires):
            return
        if not MIN_EXPIRES_IN_SEC <= expires <= MAX_EXPIRES_IN_SEC:
            yield Violation(
                ("awsJobPresignedUrlConfig", "expiresInSec"),
                f"expiresInSec {expires} is outside the {MIN_EXPIRES_IN_SEC}..{MAX_EXPIRES_IN_SEC} "
                "seconds the API accepts",
            )
