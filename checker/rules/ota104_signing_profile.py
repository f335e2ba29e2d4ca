"""OTA104: the OTA service signs with an approved AWS Signer profile."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Path, Severity
from checker.rules import references as ref
from checker.rules.interface import ConfigView, Items, Param, RuleDoc, RuleMeta, Violation

SIGNING_PROFILE_NAME = Items(
    "an AWS Signer profile name",
    r"[A-Za-z0-9_]{2,64}",
    "2 to 64 letters, digits or _, as AWS Signer names profiles",
)


class SigningProfileNotAllowed:
    meta = RuleMeta(
        rule_id="OTA104",
        title="Ensure the OTA service signs with an approved signing profile",
        severity=Severity.MEDIUM,
        applies_to="both",
        params=(
            Param(
                "allowedSigningProfiles",
                "string-list",
                [],
                "AWS Signer profiles `startSigningJobParameter.signingProfileName` may name "
                "(exact match); the rule is inactive while the list is empty",
                items=SIGNING_PROFILE_NAME,
            ),
        ),
        doc=RuleDoc(
            what="A file's `codeSigning.startSigningJobParameter.signingProfileName` is not in "
            "`allowedSigningProfiles`, or is missing. Inactive until a policy pack lists the "
            "approved profiles. Files signed by `awsSignerJobId` or `customCodeSigning` are not "
            "checked: their profile is not in the OTA config.",
            why="The profile decides which certificate and key sign the image. A development "
            "profile (often with a self-signed certificate) signing a production rollout ships "
            "firmware that production devices either reject or, if they trust it, accept from "
            "anyone holding the development key.",
            fix="Name one of the approved production profiles, or add the profile to "
            "`allowedSigningProfiles` once it has been reviewed.",
            failing="""\
# policy pack: rules: {OTA104: {params: {allowedSigningProfiles: [prod_ecdsa]}}}
files:
  - fileName: fw.bin
    fileLocation: {s3Location: {bucket: fw, key: fw.bin, version: v3}}
    codeSigning:
      startSigningJobParameter: {signingProfileName: dev_selfsigned}
""",
            passing="""\
# policy pack: rules: {OTA104: {params: {allowedSigningProfiles: [prod_ecdsa]}}}
files:
  - fileName: fw.bin
    fileLocation: {s3Location: {bucket: fw, key: fw.bin, version: v3}}
    codeSigning:
      startSigningJobParameter: {signingProfileName: prod_ecdsa}
""",
            references=(ref.ETSI_5_3_10, ref.NIST_8259A_UPDATE, ref.FREERTOS_SIGNING),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        allowed = [p for p in params["allowedSigningProfiles"] if isinstance(p, str)]
        if not allowed:
            return
        listed = ", ".join(allowed)
        for index, file in enumerate(view.files):
            signing = file.get("codeSigning")
            start = signing.get("startSigningJobParameter") if isinstance(signing, dict) else {}
            if not isinstance(start, dict) or not start:
                continue  # not signed this way; an empty block is OTA101's to report
            name = file.get("fileName") or f"#{index}"
            where: Path = ("files", index, "codeSigning", "startSigningJobParameter")
            profile = start.get("signingProfileName")
            if profile is None:
                yield Violation(
                    where,
                    f"file {name}: startSigningJobParameter names no signingProfileName "
                    f"(allowed: {listed})",
                )
            elif profile not in allowed:
                shown = profile if isinstance(profile, str) and profile else repr(profile)
                yield Violation(
                    (*where, "signingProfileName"),
                    f"file {name}: signing profile {shown} is not allowed (allowed: {listed})",
                )
