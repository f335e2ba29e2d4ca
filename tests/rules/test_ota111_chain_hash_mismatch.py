"""OTA111: hashAlgorithm is the hash the leaf of the inline chain is signed with."""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes

from checker.rules.ota111_chain_hash_mismatch import HashAlgorithmMismatch
from tests.rules import chains
from tests.rules.harness import declared_views, live_views, violations

RULE = HashAlgorithmMismatch()


def _messages(named: object, signed_with: hashes.HashAlgorithm | None = None) -> list[str]:
    leaf = chains.issue(issuer=chains.authority(), hash_algorithm=signed_with).certificate
    config = chains.config(chains.document(leaf), hash_algorithm=named)
    return chains.messages(RULE, config)


def test_a_mismatch_points_at_hash_algorithm_and_names_both() -> None:
    found = violations(RULE, declared_views("OTA111"))["fail_sha384_for_a_sha256_certificate"]
    assert [(v.path, v.message) for v in found] == [
        (
            ("files", 0, "codeSigning", "customCodeSigning", "hashAlgorithm"),
            "file fw.bin: hashAlgorithm SHA384 is not SHA256, the hash certificate (signer) is "
            "signed with",
        )
    ]
    live = violations(RULE, live_views("OTA111"))["fail_sha1_for_a_sha256_certificate"]
    assert [v.message for v in live] == [
        "file fw.bin: hashAlgorithm SHA1 is not SHA256, the hash certificate (signer) is "
        "signed with"
    ]


def test_names_are_compared_without_case_or_dashes() -> None:
    assert _messages("sha-256") == []
    assert _messages("SHA_256") == []
    assert _messages("SHA3-256", hashes.SHA3_256()) == []
    assert _messages("SHA256", hashes.SHA3_256()) == [
        "file fw.bin: hashAlgorithm SHA256 is not SHA3256, the hash certificate (signer) is "
        "signed with"
    ]


def test_what_names_no_known_hash_is_left_to_ota102() -> None:
    for named in ("SHA2-384", "FOO", None, 3, ""):
        assert _messages(named) == [], named


def test_a_leaf_signed_without_a_separate_hash_is_not_compared() -> None:
    assert violations(RULE, declared_views("OTA111"))["pass_ed25519_leaf_has_no_hash"] == []


def test_an_odd_name_is_shown_safely() -> None:
    named = "SHA-" + "-" * 100 + "384\x1b"
    (message,) = _messages(named)
    assert message.startswith("file fw.bin: hashAlgorithm 'SHA------")
    assert "..." in message and "\x1b" not in message
