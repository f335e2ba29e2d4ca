"""OTA202: pre-signed URLs expire within the policy's limit."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.normalise import service_default
from checker.rules import references as ref
from checker.rules.interface import (
    Bounds,
    ConfigView,
    Param,
    RuleDoc,
    RuleMeta,
    Violation,
    is_number,
)
from checker.rules.ota201_presigned_url_range import MAX_EXPIRES_IN_SEC, MIN_EXPIRES_IN_SEC

PRESIGNED = "awsJobPresignedUrlConfig"


class PresignedUrlExpiryTooLong:
    meta = RuleMeta(
        rule_id="OTA202",
        title="Ensure pre-signed URLs expire within policy",
        severity=Severity.MEDIUM,
        applies_to="both",
        params=(
            Param(
                "maxExpiresInSec",
                "int",
                1800,
                "longest allowed `awsJobPresignedUrlConfig.expiresInSec`, in seconds",
                Bounds(
                    MIN_EXPIRES_IN_SEC,
                    MAX_EXPIRES_IN_SEC,
                    exclusive_maximum=True,
                    why=f"expiresInSec is {MIN_EXPIRES_IN_SEC} to {MAX_EXPIRES_IN_SEC}: "
                    f"a limit of {MAX_EXPIRES_IN_SEC} or more never fires, one below "
                    f"{MIN_EXPIRES_IN_SEC} always does",
                ),
            ),
        ),
        doc=RuleDoc(
            what="`awsJobPresignedUrlConfig.expiresInSec` is within 60-3600 but above "
            "`maxExpiresInSec`. With HTTP among the protocols and no `expiresInSec`, the "
            "service default of 1800 seconds is checked instead. Values outside 60-3600 are "
            "OTA201's.",
            why="Anyone holding a pre-signed URL can download the firmware image until it "
            "expires: a URL copied from a device log or a proxy is a way to the image, and to "
            "reverse-engineering it, for as long as the URL lives.",
            fix="Lower `expiresInSec` to what a device needs to start its download (a few "
            "minutes), or raise `maxExpiresInSec` in a policy pack if slow links need more.",
            failing="""\
protocols: [HTTP]
awsJobPresignedUrlConfig: {expiresInSec: 3600}
""",
            passing="""\
protocols: [HTTP]
awsJobPresignedUrlConfig: {expiresInSec: 600}
""",
            references=(ref.AWS_PRESIGNED,),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        limit = params["maxExpiresInSec"]
        expires = view.get(PRESIGNED, "expiresInSec")
        if expires is None and "HTTP" in view.protocols:
            default = service_default(PRESIGNED, "expiresInSec")
            if is_number(default) and default > limit:
                yield Violation(
                    (PRESIGNED,),
                    f"expiresInSec is not set, so HTTP downloads use the service default "
                    f"{default}, above the policy's {limit}",
                )
        elif (
            is_number(expires)
            and MIN_EXPIRES_IN_SEC <= expires <= MAX_EXPIRES_IN_SEC
            and expires > limit
        ):
            yield Violation(
                (PRESIGNED, "expiresInSec"),
                f"expiresInSec {expires} is above the policy's {limit}",
            )
