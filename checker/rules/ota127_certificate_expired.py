"""OTA127: the code-signing certificate behind each file is within its validity period."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity, assume_utc
from checker.rules import references as ref
from checker.rules.chain_links import date, day, linked_files, shown
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation

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
      notBefore: 2025-06-01T00:00:00Z
"""


class CertificateExpired:
    meta = RuleMeta(
        rule_id="OTA127",
        title="Ensure each file's code-signing certificate has not expired and is already valid",
        severity=Severity.CRITICAL,
        applies_to="live",
        needs_verify=True,
        doc=RuleDoc(
            what="The ACM certificate behind a file (`awsChain[].certificate`, from "
            "DescribeCertificate) is outside its validity period at the audit's clock "
            "(`--as-of`): its `NotAfter` has passed, or its `NotBefore` is still to come. "
            "Valid through `NotAfter` itself. Runs only when the source read the chain "
            "(`--verify`, or a snapshot taken with it).",
            why="A device that checks the certificate rejects an image whose certificate has "
            "expired or is not yet valid: every device the rollout reaches now fails to "
            "install it, and retries fail alike.",
            fix="Renew the certificate (or wait for the one not yet valid), sign the image "
            "again with a profile that uses it and create a new update.",
            failing=_CERTIFICATE + "      notAfter: 2026-11-01T00:00:00Z\n",
            passing=_CERTIFICATE + "      notAfter: 2027-06-01T00:00:00Z\n",
            references=(ref.ETSI_5_3_10, ref.NIST_8259A_UPDATE, ref.RFC_5280_VALIDITY),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        now = assume_utc(view.now)
        for chain in linked_files(view):
            certificate = chain.found("certificate")
            if certificate is None:
                continue
            name = f"file {chain.name}: certificate {shown(certificate, 'certificateArn')}"
            not_after = date(certificate.get("notAfter"))
            not_before = date(certificate.get("notBefore"))
            if not_after is not None and not_after < now:
                yield Violation(
                    chain.certificate_path(certificate),
                    f"{name} expired on {day(not_after)}, before the audit",
                )
            elif not_before is not None and now < not_before:
                yield Violation(
                    chain.certificate_path(certificate),
                    f"{name} is not valid until {day(not_before)}, after the audit",
                )
