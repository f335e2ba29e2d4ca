"""OTA103: custom code signing carries its signature and a certificate chain."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation


class CustomSigningIncomplete:
    meta = RuleMeta(
        rule_id="OTA103",
        title="Ensure custom code signing carries a signature and a certificate chain",
        severity=Severity.HIGH,
        applies_to="both",
        doc=RuleDoc(
            what="A file's `codeSigning.customCodeSigning` has no `signature.inlineDocument`, "
            "or no `certificateChain` (absent, or with neither `certificateName` nor "
            "`inlineDocument`). One finding per file names everything missing.",
            why="The device verifies the image against the signature with the certificate the "
            "chain names. Without either, the update is signed in name only: the device "
            "either rejects it or, worse, installs it unverified.",
            fix="Put the base64 signature in `signature.inlineDocument` and name the signer's "
            "certificate in `certificateChain` (the path the device reads it from).",
            failing="""\
files:
  - fileName: fw.bin
    fileLocation: {s3Location: {bucket: fw, key: fw.bin, version: v3}}
    codeSigning:
      customCodeSigning: {hashAlgorithm: SHA256, signatureAlgorithm: ECDSA}
""",
            passing="""\
files:
  - fileName: fw.bin
    fileLocation: {s3Location: {bucket: fw, key: fw.bin, version: v3}}
    codeSigning:
      customCodeSigning:
        signature: {inlineDocument: !!binary MEUCIQ==}
        certificateChain: {certificateName: signer}
        hashAlgorithm: SHA256
        signatureAlgorithm: ECDSA
""",
            references=(ref.ETSI_5_3_9, ref.ETSI_5_3_10, ref.NIST_8259A_UPDATE, ref.OWASP_I4),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        for index, file in enumerate(view.files):
            signing = file.get("codeSigning")
            custom = signing.get("customCodeSigning") if isinstance(signing, dict) else None
            if not isinstance(custom, dict) or not custom:
                continue  # not signed this way; an empty block is OTA101's to report
            missing = []
            signature = custom.get("signature")
            if not (isinstance(signature, dict) and signature.get("inlineDocument")):
                missing.append("signature.inlineDocument")
            chain = custom.get("certificateChain")
            if not (
                isinstance(chain, dict)
                and (chain.get("certificateName") or chain.get("inlineDocument"))
            ):
                missing.append("certificateChain")
            if missing:
                name = file.get("fileName") or f"#{index}"
                yield Violation(
                    ("files", index, "codeSigning", "customCodeSigning"),
                    f"file {name}: customCodeSigning lacks {' and '.join(missing)}",
                )
