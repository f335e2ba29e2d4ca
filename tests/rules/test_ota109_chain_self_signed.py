"""OTA109: the leaf of an inline chain is not self-signed."""

from __future__ import annotations

from checker.rules.ota109_chain_self_signed import LeafSelfSigned
from tests.rules import chains
from tests.rules.harness import declared_views, live_views, violations

RULE = LeafSelfSigned()


def test_a_self_signed_leaf_says_it_is_for_tests() -> None:
    found = violations(RULE, declared_views("OTA109"))["fail_self_signed"]
    assert [(v.path, v.message) for v in found] == [
        (
            ("files", 0, "codeSigning", "customCodeSigning", "certificateChain", "inlineDocument"),
            "file fw.bin: certificate (signer) is self-signed (FreeRTOS: for tests only); no CA "
            "vouches for the signer",
        )
    ]
    assert violations(RULE, live_views("OTA109"))["fail_self_signed"] == found
    assert len(violations(RULE, declared_views("OTA109"))["fail_self_signed_ed25519"]) == 1


def test_a_ca_first_in_the_chain_is_a_self_signed_leaf() -> None:
    ca = chains.authority()
    leaf = chains.issue(issuer=ca).certificate
    assert chains.messages(RULE, chains.config(chains.document(ca.certificate, leaf))) == [
        "file fw.bin: certificate 1 of 2 (Acme Code Signing CA) is self-signed (FreeRTOS: for "
        "tests only); no CA vouches for the signer"
    ]
    assert chains.messages(RULE, chains.config(chains.document(leaf, ca.certificate))) == []


def test_naming_itself_as_issuer_is_not_enough() -> None:
    """Issuer and subject alike, signed by another key: not self-signed (its own key does not
    verify it)."""
    other = chains.issue("signer")  # a CA that happens to be called `signer` too
    leaf = chains.issue("signer", issuer=other).certificate
    assert leaf.issuer == leaf.subject
    assert chains.messages(RULE, chains.config(chains.document(leaf))) == []
