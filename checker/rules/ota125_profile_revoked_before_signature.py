"""OTA125: no file was signed after its signing profile's revocation took effect."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity, assume_utc
from checker.rules import references as ref
from checker.rules.chain_links import date, day, linked_files, shown
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation


class SignedAfterProfileRevocation:
    meta = RuleMeta(
        rule_id="OTA125",
        title="Ensure no file was signed after its signing profile's revocation took effect",
        severity=Severity.CRITICAL,
        applies_to="live",
        needs_verify=True,
        doc=RuleDoc(
            what="The Signer profile behind a file (`awsChain[].signingProfile`, from "
            "GetSigningProfile) has a revocation record whose `revocationEffectiveFrom` is at "
            "or before the time the file's job signed it (`awsChain[].signingJob`: "
            "`completedAt`, else `createdAt`). Without a job time, a revocation already in "
            "effect at the audit's clock (`--as-of`) fires. Runs only when the source read the "
            "chain (`--verify`, or a snapshot taken with it).",
            why="Revoking a profile distrusts every signature it made from the effective time "
            "on (RevokeSigningProfile), while the profile's status alone does not say whether "
            "this image was signed before or after: this one was signed after, so its "
            "signature is not trusted even where the profile is still shown.",
            fix="Cancel the update's job (`aws iot cancel-job --job-id AFR_OTA-ID`), sign the "
            "image again with a profile that is not revoked and create a new update.",
            failing="""\
files:
  - fileName: fw.bin
    codeSigning: {awsSignerJobId: 0f3c-signing-job}
awsChain:
  - signingJob:
      jobId: 0f3c-signing-job
      found: true
      profileName: fw_prod
      completedAt: 2026-11-10T12:00:00Z
    signingProfile:
      profileName: fw_prod
      found: true
      status: Revoked
      revocation: {revocationEffectiveFrom: 2026-11-01T00:00:00Z}
""",
            passing="""\
files:
  - fileName: fw.bin
    codeSigning: {awsSignerJobId: 0f3c-signing-job}
awsChain:
  - signingJob:
      jobId: 0f3c-signing-job
      found: true
      profileName: fw_prod
      completedAt: 2026-10-10T12:00:00Z
    signingProfile:
      profileName: fw_prod
      found: true
      status: Revoked
      revocation: {revocationEffectiveFrom: 2026-11-01T00:00:00Z}
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
        now = assume_utc(view.now)
        for chain in linked_files(view):
            profile = chain.found("signingProfile")
            revocation = None if profile is None else profile.get("revocation")
            effective = (
                date(revocation.get("revocationEffectiveFrom"))
                if isinstance(revocation, dict)
                else None
            )
            if profile is None or effective is None:
                continue
            job = chain.found("signingJob") or {}
            signed = date(job.get("completedAt")) or date(job.get("createdAt"))
            name = f"file {chain.name}: signing profile {shown(profile, 'profileName')}"
            revoked = f"{name} was revoked with effect from {day(effective)}"
            if signed is not None and effective <= signed:
                yield Violation(
                    chain.profile_path(profile),
                    f"{revoked}, and signing job {shown(job, 'jobId')} signed the image on "
                    f"{day(signed)}: the signature is not trusted",
                )
            elif signed is None and effective <= now:
                yield Violation(
                    chain.profile_path(profile),
                    f"{revoked}, and no signing time shows the image was signed before: its "
                    "signature cannot be trusted",
                )
