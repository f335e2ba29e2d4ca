"""OTA105: an inline certificate chain can be read."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.certificates import MAX_DOCUMENT_CHARS, Unreadable
from checker.model import Severity
from checker.rules import references as ref
from checker.rules.inline_chains import EXAMPLE_CHAIN, example, inline_chains
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation


class ChainUnreadable:
    meta = RuleMeta(
        rule_id="OTA105",
        title="Ensure an inline certificate chain is base64 of PEM or DER certificates",
        severity=Severity.HIGH,
        applies_to="both",
        doc=RuleDoc(
            what="A file's `customCodeSigning.certificateChain.inlineDocument` is not base64 "
            "(a file path written there, PEM text not encoded), is not text, does not decode "
            "to PEM certificates or one DER X.509 certificate, holds another PEM block (a "
            "private key above all) or a certificate the `cryptography` library cannot read, "
            f"or is longer than {MAX_DOCUMENT_CHARS:,} characters. Whitespace in the base64 is "
            "ignored; an empty document is no chain (OTA103 judges a missing one). The finding "
            "says why.",
            why="The chain is what vouches for the signature, and the API takes it as base64. "
            "A document that is no chain vouches for nothing: the devices verify against "
            "something else or reject the update, and none of OTA106-OTA111 can check expiry, "
            "usage, issuer or key. A private key here is readable by anyone who may read the "
            "OTA update.",
            fix="Write the chain itself, leaf first, base64-encoded: `base64 -w0 chain.pem` (or "
            "a DER `.cer` for a single certificate), not the path of a file holding it. A chain "
            "that held a private key: revoke the certificate and sign with a new key.",
            failing="""\
files:
  - fileName: fw.bin
    fileLocation: {s3Location: {bucket: fw, key: fw.bin, version: v3}}
    codeSigning:
      customCodeSigning:
        signature: {inlineDocument: !!binary MEUCIQ==}
        certificateChain: {certificateName: signer, inlineDocument: /certs/signer.pem}
        hashAlgorithm: SHA256
        signatureAlgorithm: ECDSA
""",
            passing=example(EXAMPLE_CHAIN),
            references=(
                ref.ETSI_5_3_9,
                ref.ETSI_5_3_10,
                ref.NIST_8259A_UPDATE,
                ref.FREERTOS_SIGNING,
            ),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        for inline in inline_chains(view):
            if isinstance(inline.read, Unreadable):
                yield Violation(
                    inline.path,
                    f"file {inline.file}: certificateChain.inlineDocument cannot be read: "
                    f"{inline.read.reason}",
                )
