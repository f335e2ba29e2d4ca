"""OTA106: every certificate of an inline chain is within its validity period at --as-of."""

from __future__ import annotations

from datetime import datetime

from cryptography import x509

from checker.rules.ota106_chain_validity import CertificateOutsideValidity
from tests.rules import chains
from tests.rules.chains import after
from tests.rules.harness import declared_views, live_views, violations

RULE = CertificateOutsideValidity()


def _messages(*certificates: x509.Certificate) -> list[str]:
    return chains.messages(RULE, chains.config(chains.document(*certificates)))


def _leaf(
    not_before: datetime = chains.VALID_FROM, not_after: datetime = chains.VALID_UNTIL
) -> x509.Certificate:
    return chains.issue(
        issuer=chains.authority(), not_before=not_before, not_after=not_after
    ).certificate


def test_an_expired_leaf_says_when_against_the_audit_clock() -> None:
    found = violations(RULE, declared_views("OTA106"))["fail_expired"]
    assert [(v.path, v.message) for v in found] == [
        (
            ("files", 0, "codeSigning", "customCodeSigning", "certificateChain", "inlineDocument"),
            "file fw.bin: certificate (signer) expired at 2026-11-01T00:00:00+00:00, before the "
            "audit's 2026-11-25T00:00:00+00:00",
        )
    ]
    assert violations(RULE, live_views("OTA106"))["fail_expired"] == found


def test_a_certificate_not_valid_yet_says_from_when() -> None:
    found = violations(RULE, declared_views("OTA106"))["fail_not_yet_valid"]
    assert [v.message for v in found] == [
        "file fw.bin: certificate (signer) is not valid until 2026-12-01T00:00:00+00:00, after "
        "the audit's 2026-11-25T00:00:00+00:00"
    ]


def test_an_expired_issuer_is_named_by_its_place_in_the_chain() -> None:
    found = violations(RULE, declared_views("OTA106"))["fail_expired_issuer"]
    assert [v.message for v in found] == [
        "file fw.bin: certificate 2 of 2 (Acme Code Signing CA) expired at "
        "2026-11-20T00:00:00+00:00, before the audit's 2026-11-25T00:00:00+00:00"
    ]


def test_both_ends_of_the_validity_period_are_inclusive() -> None:
    """RFC 5280: valid at notBefore and at notAfter; a second outside either end fires."""
    assert _messages(_leaf(not_after=after(0))) == []
    assert _messages(_leaf(not_before=after(0))) == []
    assert len(_messages(_leaf(not_after=after(seconds=-1)))) == 1
    assert len(_messages(_leaf(not_before=after(seconds=1)))) == 1


def test_each_certificate_out_of_its_period_is_one_finding() -> None:
    ca = chains.authority(not_after=after(-1))
    leaf = chains.issue(issuer=ca, not_after=after(-2)).certificate
    assert _messages(leaf, ca.certificate) == [
        "file fw.bin: certificate 1 of 2 (signer) expired at 2026-11-23T00:00:00+00:00, before "
        "the audit's 2026-11-25T00:00:00+00:00",
        "file fw.bin: certificate 2 of 2 (Acme Code Signing CA) expired at "
        "2026-11-24T00:00:00+00:00, before the audit's 2026-11-25T00:00:00+00:00",
    ]


def test_an_unreadable_chain_is_left_to_ota105() -> None:
    assert violations(RULE, declared_views("OTA106"))["pass_unreadable"] == []
