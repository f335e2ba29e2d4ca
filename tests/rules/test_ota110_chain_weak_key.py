"""OTA110: no certificate of an inline chain has a weak key."""

from __future__ import annotations

import functools
from typing import Any

from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa, x25519

from checker.rules.ota110_chain_weak_key import WeakKey
from tests.rules import chains
from tests.rules.harness import declared_views, live_views, violations

RULE = WeakKey()


@functools.cache
def _rsa(bits: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(65537, bits)


def _messages(key: chains.PrivateKey, **params: Any) -> list[str]:
    leaf = chains.issue(issuer=chains.authority(), key=key).certificate
    return chains.messages(RULE, chains.config(chains.document(leaf)), **params)


def test_a_small_rsa_key_says_its_size() -> None:
    found = violations(RULE, declared_views("OTA110"))["fail_rsa_1024"]
    assert [(v.path, v.message) for v in found] == [
        (
            ("files", 0, "codeSigning", "customCodeSigning", "certificateChain", "inlineDocument"),
            "file fw.bin: certificate (signer) has a 1024-bit RSA key, under 2048 bits",
        )
    ]
    assert violations(RULE, live_views("OTA110"))["fail_rsa_1024"] == found


def test_the_rsa_limit_is_a_parameter() -> None:
    assert _messages(_rsa(2048)) == []
    assert _messages(_rsa(2048), minRsaBits=3072) == [
        "file fw.bin: certificate (signer) has a 2048-bit RSA key, under 3072 bits"
    ]


def test_an_ec_key_on_a_curve_not_allowed_names_the_allowed_ones() -> None:
    found = violations(RULE, declared_views("OTA110"))["fail_secp256k1"]
    assert [v.message for v in found] == [
        "file fw.bin: certificate (signer) has an EC key on secp256k1, not an allowed curve "
        "(allowed: secp256r1, secp384r1, secp521r1)"
    ]


def test_allowed_curves_are_compared_ignoring_case_and_may_be_none() -> None:
    key = chains.ec_key(ec.SECP256K1())
    assert _messages(key, allowedCurves=["SECP256K1"]) == []
    assert _messages(chains.ec_key(), allowedCurves=[]) == [
        "file fw.bin: certificate (signer) has an EC key on secp256r1, not an allowed curve "
        "(allowed: none)"
    ]
    assert _messages(chains.ec_key(ec.SECP521R1())) == []


def test_edwards_keys_pass_dsa_and_agreement_keys_do_not() -> None:
    assert _messages(ed25519.Ed25519PrivateKey.generate()) == []
    assert _messages(dsa.generate_private_key(2048)) == [
        "file fw.bin: certificate (signer) has a 2048-bit DSA key; DSA is no longer approved "
        "for signing (FIPS 186-5)"
    ]
    assert _messages(x25519.X25519PrivateKey.generate()) == [
        "file fw.bin: certificate (signer) has a key of type X25519, which cannot sign"
    ]


def test_every_certificate_of_the_chain_is_judged() -> None:
    """A weak CA key lets whoever breaks it issue a leaf the devices trust."""
    ca = chains.issue("Acme Code Signing CA", key=_rsa(1024), usages=None, ca=True)
    leaf = chains.issue(issuer=ca).certificate
    document = chains.document(leaf, ca.certificate)
    assert chains.messages(RULE, chains.config(document)) == [
        "file fw.bin: certificate 2 of 2 (Acme Code Signing CA) has a 1024-bit RSA key, under "
        "2048 bits"
    ]
