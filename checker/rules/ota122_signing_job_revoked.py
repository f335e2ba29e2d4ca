"""OTA122: the signature of each file's signing job was not revoked."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.chain_links import date, day, linked_files, shown, text
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation


class SigningJobRevoked:
    meta = RuleMeta(
        rule_id="OTA122",
        title="Ensure no file's signature was revoked",
        severity=Severity.CRITICAL,
        applies_to="live",
        needs_verify=True,
        doc=RuleDoc(
            what="The Signer job a file names (`codeSigning.awsSignerJobId`, read with "
            "DescribeSigningJob into `awsChain[].signingJob`) has a revocation record: its "
            "signature was revoked (RevokeSignature). The message says when, by whom and why, "
            "as Signer recorded it. Runs only when the source read the chain (`--verify`, or "
            "a snapshot taken with it).",
            why="A signature is revoked when it must no longer be trusted: a compromised key, "
            "an image signed by mistake, a build that must not ship. The update keeps "
            "offering that image to devices all the same, and a device that does not check "
            "revocation installs it.",
            fix="Cancel the update's job (`aws iot cancel-job --job-id AFR_OTA-ID`) and delete "
            "the update; if the image is still wanted, sign it again with a trusted profile "
            "and create a new update.",
            failing="""\
files:
  - fileName: fw.bin
    codeSigning: {awsSignerJobId: 0f3c-signing-job}
awsChain:
  - signingJob:
      jobId: 0f3c-signing-job
      found: true
      status: Succeeded
      revocation:
        reason: signed by mistake
        revokedAt: 2026-11-20T09:30:00Z
        revokedBy: arn:aws:iam::123456789012:user/release
""",
            passing="""\
files:
  - fileName: fw.bin
    codeSigning: {awsSignerJobId: 0f3c-signing-job}
awsChain:
  - signingJob:
      jobId: 0f3c-signing-job
      found: true
      status: Succeeded
""",
            references=(
                ref.ETSI_5_3_9,
                ref.ETSI_5_3_10,
                ref.NIST_8259A_UPDATE,
                ref.AWS_SIGNER_REVOCATION,
            ),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        for chain in linked_files(view):
            job = chain.found("signingJob")
            revocation = None if job is None else job.get("revocation")
            if job is None or not isinstance(revocation, dict):
                continue
            revoked_at = date(revocation.get("revokedAt"))
            by = text(revocation.get("revokedBy"))
            reason = text(revocation.get("reason"))
            when = f" on {day(revoked_at)}" if revoked_at is not None else ""
            who = f" by {by}" if by else ""
            why = f" (reason: {reason})" if reason else ""
            yield Violation(
                chain.job_path,
                f"file {chain.name}: the signature of signing job {shown(job, 'jobId')} was "
                f"revoked{when}{who}{why}: devices must not trust it",
            )
