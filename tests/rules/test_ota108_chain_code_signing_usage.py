"""OTA108: the leaf of an inline chain has the code-signing extended key usage."""

from __future__ import annotations

from cryptography.x509 import ObjectIdentifier
from cryptography.x509.oid import ExtendedKeyUsageOID

from checker.rules.ota108_chain_code_signing_usage import LeafNotForCodeSigning
from tests.rules import chains
from tests.rules.harness import declared_views, live_views, violations

RULE = LeafNotForCodeSigning()


def _messages(usages: tuple[ObjectIdentifier, ...] | None) -> list[str]:
    leaf = chains.issue(issuer=chains.authority(), usages=usages).certificate
    return chains.messages(RULE, chains.config(chains.document(leaf)))


def test_a_tls_certificate_names_the_usages_it_has() -> None:
    found = violations(RULE, declared_views("OTA108"))["fail_server_auth"]
    assert [(v.path, v.message) for v in found] == [
        (
            ("files", 0, "codeSigning", "customCodeSigning", "certificateChain", "inlineDocument"),
            "file fw.bin: certificate (signer) has the extended key usages serverAuth, not "
            "codeSigning",
        )
    ]
    assert violations(RULE, live_views("OTA108"))["fail_server_auth"] == found


def test_no_extension_is_no_code_signing_usage() -> None:
    found = violations(RULE, declared_views("OTA108"))["fail_no_usages"]
    assert [v.message for v in found] == [
        "file fw.bin: certificate (signer) has no extended key usage extension, so no "
        "codeSigning usage"
    ]


def test_any_usage_is_not_code_signing_and_unknown_usages_show_their_oid() -> None:
    usages = (ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE, ObjectIdentifier("1.2.3.4"))
    assert _messages(usages) == [
        "file fw.bin: certificate (signer) has the extended key usages anyExtendedKeyUsage, "
        "1.2.3.4, not codeSigning"
    ]


def test_code_signing_among_other_usages_passes() -> None:
    assert _messages((ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CODE_SIGNING)) == []


def test_only_the_leaf_is_judged() -> None:
    """The CA of a chain of two has no extended key usages: it signs certificates, not code."""
    assert violations(RULE, declared_views("OTA108"))["pass_issuer_without_usages"] == []
    ca = chains.authority()
    tls = chains.issue(issuer=ca, usages=(ExtendedKeyUsageOID.SERVER_AUTH,)).certificate
    document = chains.document(tls, ca.certificate)
    assert chains.messages(RULE, chains.config(document)) == [
        "file fw.bin: certificate 1 of 2 (signer) has the extended key usages serverAuth, not "
        "codeSigning"
    ]
