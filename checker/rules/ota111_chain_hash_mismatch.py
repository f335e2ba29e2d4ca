"""OTA111: the file's hash algorithm is the one its signing certificate is signed with."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.inline_chains import EXAMPLE_CHAIN, example, readable_chains
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation, shown_value

KNOWN_HASHES = frozenset(
    {
        "MD5",
        "SHA1",
        "SHA224",
        "SHA256",
        "SHA384",
        "SHA512",
        "SHA512224",
        "SHA512256",
        "SHA3224",
        "SHA3256",
        "SHA3384",
        "SHA3512",
    }
)
"""Hash names compared, as `_normal` writes them: SHA-256, sha256 and SHA_256 are SHA256."""


class HashAlgorithmMismatch:
    meta = RuleMeta(
        rule_id="OTA111",
        title="Ensure the hash algorithm matches the one the signing certificate is signed with",
        severity=Severity.MEDIUM,
        applies_to="both",
        doc=RuleDoc(
            what="A file's `customCodeSigning.hashAlgorithm` names a hash (MD5, SHA-1, SHA-2 "
            "or SHA-3, written with or without dashes, in any case) other than the one the "
            "leaf of its `certificateChain.inlineDocument` is signed with. A leaf signed with "
            "Ed25519 or Ed448 (no separate hash), or a `hashAlgorithm` that names no hash "
            "known here, is not compared: OTA102 judges the name. A chain that cannot be read "
            "is OTA105's.",
            why="Code-signing toolchains usually hash the image with the hash the signer's "
            "certificate is signed with, so a different `hashAlgorithm` is often a name typed "
            "by hand; the device picks its verifier by that name: a wrong one makes every "
            "device reject the image, or verify it with a weaker hash than the chain's. "
            "Medium, not high: a CA may sign with SHA-384 a P-256 signer that rightly hashes "
            "with SHA-256, so a mismatch is a reason to look, not proof of a fault.",
            fix="Name in `hashAlgorithm` the hash the image was signed with (check with the "
            "signing tool), or, if it differs from the certificate's on purpose, suppress the "
            "finding with a reason.",
            failing=example(EXAMPLE_CHAIN, "SHA384"),
            passing=example(EXAMPLE_CHAIN),
            references=(ref.ETSI_5_3_7, ref.ETSI_5_3_9, ref.NIST_8259A_UPDATE),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        for inline, chain in readable_chains(view):
            signed_with = chain.leaf.signature_hash
            if signed_with is None:
                continue
            named = inline.custom.get("hashAlgorithm")
            if not isinstance(named, str) or _normal(named) not in KNOWN_HASHES:
                continue  # absent or not a hash name: OTA102's
            if _normal(named) != _normal(signed_with):
                label = chain.leaf.label(len(chain.certificates))
                shown = named if named.isprintable() and len(named) <= 40 else shown_value(named)
                yield Violation(
                    (*inline.custom_path, "hashAlgorithm"),
                    f"file {inline.file}: hashAlgorithm {shown} is not {_normal(signed_with)}, "
                    f"the hash {label} is signed with",
                )


def _normal(name: str) -> str:
    """`SHA3256` for `sha3-256`, `SHA-3_256` or `SHA3256`: what is compared."""
    return "".join(c for c in name.upper() if c.isalnum())
