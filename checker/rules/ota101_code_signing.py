"""OTA101: every file is code-signed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation

SIGNING_METHODS = ("awsSignerJobId", "startSigningJobParameter", "customCodeSigning")


class CodeSigningMissing:
    meta = RuleMeta(
        rule_id="OTA101",
        title="Ensure every OTA file is code-signed",
        severity=Severity.CRITICAL,
        applies_to="both",
        doc=RuleDoc(
            what="A file has no `codeSigning`, or its `codeSigning` names none of "
            "`awsSignerJobId`, `startSigningJobParameter` or `customCodeSigning`.",
            why="Without a signature the device cannot tell the vendor's firmware from an "
            "attacker's: whoever can write to the bucket or stream can run code on the fleet.",
            fix="Sign the image with AWS Signer (`startSigningJobParameter` lets the OTA "
            "service start the signing job) or supply your own signature with "
            "`customCodeSigning`.",
            failing="""\
files:
  - fileName: fw.bin
    fileLocation: {s3Location: {bucket: fw, key: fw.bin, version: v3}}
""",
            passing="""\
files:
  - fileName: fw.bin
    fileLocation: {s3Location: {bucket: fw, key: fw.bin, version: v3}}
    codeSigning:
      awsSignerJobId: 7c1e5a0f-2b9d-4f83-8e6a-1d4c3b2a9f80
""",
            references=(ref.ETSI_5_3_9, ref.NIST_8259A_UPDATE, ref.OWASP_I4, ref.IOT_LENS_REL08),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        for index, file in enumerate(view.files):
            signing = file.get("codeSigning")
            name = file.get("fileName", f"#{index}")
            if not isinstance(signing, dict) or not signing:
                yield Violation(("files", index), f"file {name} has no code signing")
            elif not any(signing.get(method) for method in SIGNING_METHODS):
                yield Violation(
                    ("files", index, "codeSigning"),
                    f"file {name}: codeSigning names no signing method "
                    f"({', '.join(SIGNING_METHODS)})",
                )
