"""OTA110: no certificate of an inline chain has a weak key."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.certificates import Key
from checker.model import Severity
from checker.rules import references as ref
from checker.rules.inline_chains import EXAMPLE_CHAIN, example, readable_chains
from checker.rules.interface import (
    Bounds,
    ConfigView,
    Items,
    Param,
    RuleDoc,
    RuleMeta,
    Violation,
)

MIN_RSA_BITS = 2048
MAX_RSA_BITS = 15360
CURVE_NAME = Items(
    "a curve name",
    r"[A-Za-z][A-Za-z0-9]{2,31}",
    "3 to 32 letters or digits, starting with a letter, as OpenSSL names curves: secp256r1",
)

RSA_1024 = (
    "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJqekNDQVRhZ0F3SUJBZ0lVZmRENmRGdjFnMjUyZFBnTkk4"
    "MkJNYnBVSnFRd0NnWUlLb1pJemowRUF3SXcKSHpFZE1Cc0dBMVVFQXd3VVFXTnRaU0JEYjJSbElGTnBaMjVwYm1j"
    "Z1EwRXdIaGNOTWpZd05qQXhNREF3TURBdwpXaGNOTWpjd05qQXhNREF3TURBd1dqQVJNUTh3RFFZRFZRUUREQVp6"
    "YVdkdVpYSXdnWjh3RFFZSktvWklodmNOCkFRRUJCUUFEZ1kwQU1JR0pBb0dCQU5mNEpXTFpBM3lVcFVZSFZJMXpk"
    "RGU3WlhUYkhnU3FOcFhEYUt1TlcvalUKV1FUKzdtNFZkdDBKTDNUc0NMVmI4bjBOakN4YjhRZU9QWk5DbjY2Sjk1"
    "TFNJZGxnaGdXeS9nODNnNCt2dEVRawppUFUwMDUzQUxYdldKK3l5enNpWUp0aEg3RHk4RG0vYmVTb1ZaWlJSMUky"
    "a2pHZFArcDFyaSs3dTBaK2pwZjM3CkFnTUJBQUdqRnpBVk1CTUdBMVVkSlFRTU1Bb0dDQ3NHQVFVRkJ3TURNQW9H"
    "Q0NxR1NNNDlCQU1DQTBjQU1FUUMKSUg0K1FKZjhRbDh0RVhDMDBQZi9BVEQwWDF6dmlzcXV3U2xzK0t2NTY2WWpB"
    "aUJmUGtiY0VlbmRtU1RsbzcxcApaemNWVUplVkNWV0dHQk9pNnpOSFphQWVGdz09Ci0tLS0tRU5EIENFUlRJRklD"
    "QVRFLS0tLS0K"
)
"""`signer`'s certificate as EXAMPLE_CHAIN, but for a 1024-bit RSA key."""


class WeakKey:
    meta = RuleMeta(
        rule_id="OTA110",
        title="Ensure no certificate of an inline chain has a weak key",
        severity=Severity.HIGH,
        applies_to="both",
        params=(
            Param(
                "minRsaBits",
                "int",
                MIN_RSA_BITS,
                "smallest RSA key, in bits, a certificate of the chain may have",
                Bounds(
                    MIN_RSA_BITS,
                    MAX_RSA_BITS,
                    why=f"NIST SP 800-131A disallows RSA under {MIN_RSA_BITS} bits for "
                    f"signatures, and NIST SP 800-57 rates {MAX_RSA_BITS} bits at 256-bit "
                    "security, the most it rates any key",
                ),
            ),
            Param(
                "allowedCurves",
                "string-list",
                ["secp256r1", "secp384r1", "secp521r1"],
                "elliptic curves an EC key may be on (compared ignoring case): by default "
                "NIST P-256, P-384 and P-521, the ones AWS Private CA issues (FreeRTOS devices "
                "verify P-256)",
                items=CURVE_NAME,
            ),
        ),
        doc=RuleDoc(
            what="A certificate of a file's `customCodeSigning.certificateChain.inlineDocument` "
            "(the leaf or any issuer) has an RSA key under `minRsaBits`, an EC key on a curve "
            "not in `allowedCurves` (named as OpenSSL does: secp256r1 is P-256, secp256k1 is "
            "not), a DSA key (FIPS 186-5 no longer approves DSA for signing) or a key that "
            "cannot sign (X25519, X448). Ed25519 and Ed448 keys pass. One finding per "
            "certificate; a chain that cannot be read is OTA105's.",
            why="Whoever can break the leaf's key signs firmware the fleet installs; whoever "
            "can break an issuer's key makes such a leaf. A 1024-bit RSA key is within reach "
            "of a well-funded attacker, and a device keeps trusting the key for its whole "
            "life. A curve the device's crypto library lacks makes it reject every image.",
            fix="Issue the code-signing certificate (and its CA) with ECDSA P-256 or P-384, or "
            "RSA of 2048 bits or more (3072 for use beyond 2030), sign the image again and put "
            "the new chain in the update.",
            failing=example(RSA_1024),
            passing=example(EXAMPLE_CHAIN),
            references=(ref.ETSI_5_3_7, ref.NIST_8259A_UPDATE, ref.NIST_800_131A),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        min_bits = params["minRsaBits"]
        curves = [c for c in params["allowedCurves"] if isinstance(c, str)]
        for inline, chain in readable_chains(view):
            count = len(chain.certificates)
            for certificate in chain.certificates:
                weakness = _weakness(certificate.key, min_bits, curves)
                if weakness:
                    yield Violation(
                        inline.path,
                        f"file {inline.file}: {certificate.label(count)} {weakness}",
                    )


def _weakness(key: Key, min_bits: int, curves: list[str]) -> str:
    """What is wrong with `key`, completing `certificate (signer) ...`, or '' if nothing."""
    if key.kind == "RSA":
        if key.bits < min_bits:
            return f"has a {key.bits}-bit RSA key, under {min_bits} bits"
    elif key.kind == "EC":
        if (key.curve or "").lower() not in {c.lower() for c in curves}:
            allowed = ", ".join(curves) or "none"
            return f"has an EC key on {key.curve}, not an allowed curve (allowed: {allowed})"
    elif key.kind == "DSA":
        return f"has a {key.bits}-bit DSA key; DSA is no longer approved for signing (FIPS 186-5)"
    elif key.kind == "other":
        return f"has a key of type {key.type_name}, which cannot sign"
    return ""
