"""OTA102: custom code signing names an allowed hash and signature algorithm."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Path, Severity
from checker.rules import references as ref
from checker.rules.interface import (
    ConfigView,
    Items,
    Param,
    RuleDoc,
    RuleMeta,
    Violation,
    dig,
)

ALGORITHMS = (
    ("hashAlgorithm", "allowedHashAlgorithms"),
    ("signatureAlgorithm", "allowedSignatureAlgorithms"),
)
"""Each algorithm key of `customCodeSigning`, with the parameter that lists its allowed values."""
ALGORITHM_NAME = Items(
    "an algorithm name",
    r"[A-Za-z0-9][A-Za-z0-9._+/-]{0,63}",
    "1 to 64 letters, digits or . _ + / -, starting with a letter or digit",
)
"""The API takes free text; names such as SHA256, SHA-384 or RSASSA-PSS fit, blanks do not.
An empty list is valid and strict: it allows no custom signing at all."""


class SigningAlgorithmNotAllowed:
    meta = RuleMeta(
        rule_id="OTA102",
        title="Ensure custom code signing uses allowed hash and signature algorithms",
        severity=Severity.HIGH,
        applies_to="both",
        params=(
            Param(
                "allowedHashAlgorithms",
                "string-list",
                ["SHA256", "SHA384", "SHA512"],
                "values `customCodeSigning.hashAlgorithm` may take (compared ignoring case)",
                items=ALGORITHM_NAME,
            ),
            Param(
                "allowedSignatureAlgorithms",
                "string-list",
                ["ECDSA", "RSA"],
                "values `customCodeSigning.signatureAlgorithm` may take (compared ignoring case)",
                items=ALGORITHM_NAME,
            ),
        ),
        doc=RuleDoc(
            what="A file's `codeSigning.customCodeSigning` has a `hashAlgorithm` not in "
            "`allowedHashAlgorithms` or a `signatureAlgorithm` not in "
            "`allowedSignatureAlgorithms`, or leaves either out. Values are compared ignoring "
            "case; each offending key is its own finding.",
            why="With custom signing the algorithms are free text: nothing in AWS stops SHA1 or "
            "an algorithm the device does not implement. A weak hash lets an attacker forge an "
            "image that verifies; an unknown one makes every device reject the update.",
            fix="Sign with SHA256 (or stronger) and ECDSA or RSA, and name both algorithms "
            "exactly as the device's OTA agent expects them.",
            failing="""\
files:
  - fileName: fw.bin
    fileLocation: {s3Location: {bucket: fw, key: fw.bin, version: v3}}
    codeSigning:
      customCodeSigning:
        signature: {inlineDocument: !!binary MEUCIQ==}
        certificateChain: {certificateName: signer}
        hashAlgorithm: SHA1
        signatureAlgorithm: ECDSA
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
            references=(ref.ETSI_5_3_7, ref.NIST_8259A_UPDATE, ref.OWASP_I4),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        for index, file in enumerate(view.files):
            custom = dig(file, "codeSigning", "customCodeSigning")
            if not isinstance(custom, dict) or not custom:
                continue  # not signed this way; an empty block is OTA101's to report
            name = file.get("fileName") or f"#{index}"
            where: Path = ("files", index, "codeSigning", "customCodeSigning")
            for key, param in ALGORITHMS:
                allowed = [a for a in params[param] if isinstance(a, str)]
                listed = ", ".join(allowed) or "none"
                value = custom.get(key)
                if value is None:
                    yield Violation(  # the absent key's own path: its line falls back to the block
                        (*where, key),
                        f"file {name}: customCodeSigning has no {key} (allowed: {listed})",
                    )
                elif not (isinstance(value, str) and value.upper() in _upper(allowed)):
                    yield Violation(
                        (*where, key),
                        f"file {name}: {key} {_shown(value)} is not allowed (allowed: {listed})",
                    )


def _upper(values: list[str]) -> set[str]:
    return {v.upper() for v in values}


def _shown(value: Any) -> str:
    """The value as the user wrote it, quoted only where plain text would be unclear."""
    return value if isinstance(value, str) and value and value.isprintable() else repr(value)
