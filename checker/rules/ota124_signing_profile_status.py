"""OTA124: the signing profile behind each file exists and is neither canceled nor revoked."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.chain_links import linked_files, shown, text
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation

STOPPED = frozenset({"Canceled", "Revoked"})
"""Profile statuses that no longer sign (Canceled) or are no longer trusted (Revoked)."""


class SigningProfileStopped:
    meta = RuleMeta(
        rule_id="OTA124",
        title="Ensure each file's signing profile exists and is active",
        severity=Severity.CRITICAL,
        applies_to="live",
        needs_verify=True,
        doc=RuleDoc(
            what="The Signer profile behind a file (the signing job's `profileName`, or "
            "`startSigningJobParameter.signingProfileName`, read with GetSigningProfile into "
            "`awsChain[].signingProfile`) does not exist, or its `status` is `Canceled` or "
            "`Revoked`. Runs only when the source read the chain (`--verify`, or a snapshot "
            "taken with it).",
            why="A profile is canceled or revoked when its key or its use must stop: a revoked "
            "profile's signatures are no longer trusted, and a canceled one signs nothing "
            "new. An update still resting on it ships an image whose signer its owner has "
            "withdrawn; one whose profile is gone has nothing left to vouch for the signature.",
            fix="Find why the profile was withdrawn (`aws signer get-signing-profile "
            "--profile-name NAME`), sign the image with an active profile and create a new "
            "update; cancel this update's job if the withdrawal was for a compromise.",
            failing="""\
files:
  - fileName: fw.bin
    codeSigning: {awsSignerJobId: 0f3c-signing-job}
awsChain:
  - signingJob: {jobId: 0f3c-signing-job, found: true, profileName: fw_prod}
    signingProfile:
      profileName: fw_prod
      found: true
      status: Revoked
      statusReason: key compromised
""",
            passing="""\
files:
  - fileName: fw.bin
    codeSigning: {awsSignerJobId: 0f3c-signing-job}
awsChain:
  - signingJob: {jobId: 0f3c-signing-job, found: true, profileName: fw_prod}
    signingProfile: {profileName: fw_prod, found: true, status: Active}
""",
            references=(
                ref.ETSI_5_3_10,
                ref.NIST_8259A_UPDATE,
                ref.AWS_SIGNER_PROFILE,
            ),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        for chain in linked_files(view):
            gone = chain.missing("signingProfile")
            if gone is not None:
                yield Violation(
                    chain.profile_path(gone),
                    f"file {chain.name}: signing profile {shown(gone, 'profileName')} does not "
                    "exist (Signer found no such profile)",
                )
                continue
            profile = chain.found("signingProfile")
            status = None if profile is None else text(profile.get("status"))
            if profile is None or status not in STOPPED:
                continue
            reason = text(profile.get("statusReason"))
            because = f": {reason}" if reason else ""
            yield Violation(
                chain.profile_path(profile),
                f"file {chain.name}: signing profile {_named(profile)} is {status}{because}",
            )


def _named(profile: Mapping[str, Any]) -> str:
    """`fw_prod` or `fw_prod (version 2)`: the profile as Signer names it."""
    version = text(profile.get("profileVersion"))
    name = shown(profile, "profileName")
    return f"{name} (version {version})" if version else name
