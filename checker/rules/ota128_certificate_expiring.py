"""OTA128: the code-signing certificate behind each file does not expire soon after the audit."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

from checker.model import Severity, assume_utc
from checker.rules import references as ref
from checker.rules.chain_links import date, day, days_left, linked_files, shown
from checker.rules.interface import Bounds, ConfigView, Param, RuleDoc, RuleMeta, Violation

MAX_DAYS_LEFT = 365

_CERTIFICATE = """\
files:
  - fileName: fw.bin
    codeSigning: {awsSignerJobId: 0f3c-signing-job}
awsChain:
  - signingJob:
      jobId: 0f3c-signing-job
      found: true
      certificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/4f1e
    certificate:
      certificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/4f1e
      found: true
      status: ISSUED
      notBefore: 2025-12-01T00:00:00Z
"""


class CertificateExpiring:
    meta = RuleMeta(
        rule_id="OTA128",
        title="Ensure each file's code-signing certificate does not expire soon",
        severity=Severity.HIGH,
        applies_to="live",
        needs_verify=True,
        params=(
            Param(
                "minDaysLeft",
                "int",
                30,
                "days the certificate must stay valid after the audit's clock",
                Bounds(
                    1,
                    MAX_DAYS_LEFT,
                    why="0 would flag only what has expired, which is OTA127's, and more than "
                    f"{MAX_DAYS_LEFT} days, a year, would flag a code-signing certificate for "
                    "most of its life",
                ),
            ),
        ),
        doc=RuleDoc(
            what="The ACM certificate behind a file (`awsChain[].certificate`, from "
            "DescribeCertificate), valid now, has fewer than `minDaysLeft` days left before "
            "its `NotAfter`, counted from the audit's clock (`--as-of`). Exactly "
            "`minDaysLeft` days left passes; one already expired is OTA127's. Runs only when "
            "the source read the chain (`--verify`, or a snapshot taken with it).",
            why="A rollout takes days or weeks, and a device that checks the certificate "
            "rejects the image once it has expired: devices reached late, or retrying, fail. "
            "Renewing takes time (a new certificate, a new signature, a new update), so the "
            "warning has to come before the expiry.",
            fix="Renew the certificate now, sign the image again with a profile that uses it "
            "and create a new update before the rollout continues.",
            failing=_CERTIFICATE + "      notAfter: 2026-12-10T00:00:00Z\n",
            passing=_CERTIFICATE + "      notAfter: 2027-06-01T00:00:00Z\n",
            references=(ref.ETSI_5_3_10, ref.NIST_8259A_UPDATE, ref.ACM_CERTIFICATE),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        now = assume_utc(view.now)
        limit = params["minDaysLeft"]
        for chain in linked_files(view):
            certificate = chain.found("certificate")
            not_after = None if certificate is None else date(certificate.get("notAfter"))
            if certificate is None or not_after is None or not_after < now:
                continue  # expired: OTA127's
            not_before = date(certificate.get("notBefore"))
            if not_before is not None and now < not_before:
                continue  # not yet valid: OTA127's
            left = not_after - now
            if left < timedelta(days=limit):
                yield Violation(
                    chain.certificate_path(certificate),
                    f"file {chain.name}: certificate {shown(certificate, 'certificateArn')} "
                    f"expires on {day(not_after)}, {days_left(left)} after the audit (policy: "
                    f"at least {limit} days left)",
                )
