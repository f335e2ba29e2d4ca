"""OTA126: the code-signing certificate behind each file exists, is issued and not revoked."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.chain_links import date, day, linked_files, shown, text
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation

ISSUED = "ISSUED"

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
"""
"""A documented example's file and job, up to the certificate's own fields (indented 6)."""


class CertificateNotIssued:
    meta = RuleMeta(
        rule_id="OTA126",
        title="Ensure each file's code-signing certificate exists, is issued and not revoked",
        severity=Severity.CRITICAL,
        applies_to="live",
        needs_verify=True,
        doc=RuleDoc(
            what="The ACM certificate behind a file (the signing job's or profile's "
            "`signingMaterial.certificateArn`, or `signingProfileParameter.certificateArn`, "
            "read with DescribeCertificate into `awsChain[].certificate`) does not exist, its "
            "`Status` is not `ISSUED` (`REVOKED`, `EXPIRED`, `INACTIVE`, ...), or it has a "
            "`RevokedAt`. Runs only when the source read the chain (`--verify`, or a snapshot "
            "taken with it).",
            why="Devices trust the image because they trust this certificate. A revoked one "
            "was withdrawn because its key must no longer be trusted, an inactive or expired "
            "one no longer vouches for anything, and one that is gone from ACM leaves nothing "
            "to check the signature against.",
            fix="Issue or import a new code-signing certificate, sign the image again with a "
            "profile that uses it and create a new update; if the key was compromised, cancel "
            "this update's job first (`aws iot cancel-job --job-id AFR_OTA-ID`).",
            failing=_CERTIFICATE
            + """\
      status: REVOKED
      revokedAt: 2026-11-20T09:30:00Z
      revocationReason: KEY_COMPROMISE
""",
            passing=_CERTIFICATE + "      status: ISSUED\n",
            references=(ref.ETSI_5_3_10, ref.NIST_8259A_UPDATE, ref.ACM_CERTIFICATE),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        for chain in linked_files(view):
            gone = chain.missing("certificate")
            if gone is not None:
                yield Violation(
                    chain.certificate_path(gone),
                    f"file {chain.name}: certificate {shown(gone, 'certificateArn')} does not "
                    "exist (ACM found no such certificate)",
                )
                continue
            certificate = chain.found("certificate")
            if certificate is None:
                continue
            status = text(certificate.get("status"))
            revoked_at = date(certificate.get("revokedAt"))
            said = []
            if status is not None and status != ISSUED:
                said.append(f"has status {status}, not {ISSUED}")
            if revoked_at is not None:
                reason = text(certificate.get("revocationReason"))
                why = f" ({reason})" if reason else ""
                said.append(f"was revoked on {day(revoked_at)}{why}")
            if said:
                yield Violation(
                    chain.certificate_path(certificate),
                    f"file {chain.name}: certificate {shown(certificate, 'certificateArn')} "
                    f"{' and '.join(said)}",
                )
