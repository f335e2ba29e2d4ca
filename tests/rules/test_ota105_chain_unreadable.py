"""OTA105: an inline certificate chain can be read; and how `checker.certificates` reads one.

Every chain here is made in the test (tests/rules/chains.py); private keys never leave memory.
"""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization

from checker.certificates import MAX_DOCUMENT_CHARS, Chain, Key, Unreadable, read_chain
from checker.model import Unknown
from checker.normalise import computed_values
from checker.rules.interface import ConfigView, judge
from checker.rules.ota105_chain_unreadable import ChainUnreadable
from checker.rules.registry import CONFIG_RULES
from tests.rules import chains
from tests.rules.harness import AS_OF, declared_views, live_views, violations

RULE = ChainUnreadable()
CHAIN_RULES = [r for r in CONFIG_RULES if "OTA105" <= r.meta.rule_id <= "OTA111"]
PREFIX = "file fw.bin: certificateChain.inlineDocument cannot be read: "


def _chain(document: str) -> Chain:
    read = read_chain(document)
    assert isinstance(read, Chain), read
    return read


def _reason(document: object) -> str:
    (message,) = chains.messages(RULE, chains.config(document))
    assert message.startswith(PREFIX)
    return message.removeprefix(PREFIX)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def test_a_file_path_is_named_for_what_it_is() -> None:
    """The commonest mistake, a file path where the chain goes, is named as one."""
    found = violations(RULE, declared_views("OTA105"))["fail_file_path"]
    assert [(v.path, v.message) for v in found] == [
        (
            ("files", 0, "codeSigning", "customCodeSigning", "certificateChain", "inlineDocument"),
            PREFIX + "it is not base64 (it looks like a file path; the API takes the chain "
            "itself, base64-encoded)",
        )
    ]


def test_each_fixture_failure_says_why() -> None:
    found = violations(RULE, declared_views("OTA105"))
    assert [v.message for v in found["fail_pem_text_not_base64"]] == [
        PREFIX + "it is PEM text, not base64: the API takes the chain base64-encoded "
        "(`base64 -w0 chain.pem`)"
    ]
    assert [v.message for v in found["fail_base64_of_a_path"]] == [
        PREFIX + "it is neither PEM nor one DER X.509 certificate (a chain of several is "
        "written as PEM) (it decodes to the text '/certs/signer.pem')"
    ]
    assert [(v.path[1], v.message) for v in found["fail_second_file"]] == [
        (1, "file part1.bin: certificateChain.inlineDocument cannot be read: it is not base64")
    ]
    live = violations(RULE, live_views("OTA105"))
    assert [v.message for v in live["fail_not_base64"]] == [PREFIX + "it is not base64"]


def test_pem_and_der_read_as_the_same_certificate() -> None:
    """base64 of PEM and of DER both read; the facts are the same, only the encoding differs."""
    leaf = chains.issue(issuer=chains.authority())
    from_pem = _chain(chains.document(leaf.certificate))
    from_der = _chain(chains.document(leaf.certificate, encoding="DER"))
    assert (from_pem.encoding, from_der.encoding) == ("PEM", "DER")
    assert from_pem.certificates == from_der.certificates
    (certificate,) = from_pem.certificates
    assert (certificate.position, certificate.name, certificate.self_signed) == (1, "signer", False)
    assert (certificate.not_before, certificate.not_after) == (
        chains.VALID_FROM,
        chains.VALID_UNTIL,
    )
    assert certificate.usages == ("1.3.6.1.5.5.7.3.3",)
    assert certificate.key == Key("EC", 256, "secp256r1")
    assert certificate.signature_hash == "sha256"
    assert certificate.label(1) == "certificate (signer)"


def test_a_chain_of_two_is_read_leaf_first() -> None:
    ca = chains.authority()
    chain = _chain(chains.document(chains.issue(issuer=ca).certificate, ca.certificate))
    assert [(c.position, c.name, c.self_signed) for c in chain.certificates] == [
        (1, "signer", False),
        (2, "Acme Code Signing CA", True),
    ]
    assert chain.leaf.label(2) == "certificate 1 of 2 (signer)"
    assert chain.certificates[1].usages is None


def test_a_der_chain_of_two_is_refused_as_der_holds_one() -> None:
    ca = chains.authority()
    data = chains.der(chains.issue(issuer=ca).certificate) + chains.der(ca.certificate)
    assert _reason(_b64(data)) == (
        "it is neither PEM nor one DER X.509 certificate (a chain of several is written as PEM)"
    )


def test_garbage_is_a_finding_never_a_crash() -> None:
    assert _reason(_b64(bytes(range(256)))) == (
        "it is neither PEM nor one DER X.509 certificate (a chain of several is written as PEM)"
    )
    assert _reason("not base64 at all") == "it is not base64"
    assert _reason("Zm9v!") == "it is not base64"
    assert _reason("ünïcode") == "it is not base64"
    assert _reason("====") == "it is not base64"
    assert _reason("C:\\certs\\signer.pem").endswith(
        "(it looks like a file path; the API takes the chain itself, base64-encoded)"
    )


def test_values_that_are_not_text_are_findings() -> None:
    """Hand-edited live data: a number, bytes or a list where the base64 text goes."""
    assert _reason(3) == "it is 3, not base64 text"
    assert _reason(b"MIIB") == "it is b'MIIB', not base64 text"
    assert _reason(["x"]) == "it is ['x'], not base64 text"


def test_no_document_is_no_chain_to_read() -> None:
    """Absent, empty or blank: OTA103 judges whether a chain is missing, not OTA105."""
    for document in (None, "", "  \n "):
        assert chains.messages(RULE, chains.config(document)) == []
    no_chain = {"files": [{"codeSigning": {"customCodeSigning": {"certificateChain": {}}}}]}
    assert chains.messages(RULE, no_chain) == []


def test_base64_wrapped_over_lines_reads() -> None:
    document = chains.document(chains.issue(issuer=chains.authority()).certificate)
    wrapped = "\n".join(document[i : i + 64] for i in range(0, len(document), 64))
    assert _chain(f"  {wrapped}\n").leaf.name == "signer"


def test_a_huge_document_is_refused_before_it_is_decoded() -> None:
    huge = "A" * (1024 * 1024)
    started = time.perf_counter()
    assert _reason(huge) == (
        "it is 1,048,576 characters, more than the 65,536 any certificate chain needs"
    )
    assert time.perf_counter() - started < 0.05
    at_limit = "A" * MAX_DOCUMENT_CHARS  # decoded (and not a certificate)
    assert _reason(at_limit).startswith("it is neither PEM nor one DER X.509 certificate")


def test_a_private_key_in_the_chain_is_named() -> None:
    """The key is made in the test and never written anywhere."""
    leaf = chains.issue(issuer=chains.authority())
    key = leaf.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    assert _reason(_b64(chains.pem(leaf.certificate) + key)) == (
        "it holds a private key (PRIVATE KEY): a chain is public, and anyone who can read the "
        "OTA update can read the key; revoke the certificate and sign with a new key"
    )


def test_pem_blocks_other_than_certificates_are_refused() -> None:
    leaf = chains.issue()
    public = leaf.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert _reason(_b64(public)) == "it holds a PEM PUBLIC KEY block, not only CERTIFICATE"
    assert _reason(_b64(b"-----BEGIN CERTIFICATE-----\nMIIB\n")) == (
        "it holds PEM armour without a complete PEM block"
    )
    unclosed = chains.pem(leaf.certificate) + b"-----BEGIN CERTIFICATE-----\nMIIB\n"
    assert _reason(_b64(unclosed)) == "it holds a PEM block that is not closed"


def test_a_broken_certificate_in_a_pem_chain_is_named_by_position() -> None:
    leaf = chains.issue(issuer=chains.authority())
    broken = b"-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n"
    assert _reason(_b64(chains.pem(leaf.certificate) + broken)) == (
        "its PEM certificate 2 of 2 is not a readable X.509 certificate"
    )


def test_a_certificate_the_library_warns_about_is_unreadable_and_warns_no_one() -> None:
    """A serial number that is not positive: `cryptography` warns it will refuse it; the
    suite turns warnings into errors, so none may escape the reader."""
    certificate = chains.issue(issuer=chains.authority()).certificate
    der = bytearray(chains.der(certificate))
    number = certificate.serial_number  # random: DER writes it in 19 to 21 bytes
    encoded = number.to_bytes(number.bit_length() // 8 + 1, "big")
    serial = der.index(bytes([0x02, len(encoded)]) + encoded)  # its INTEGER header
    der[serial + 2] |= 0x80
    assert _reason(_b64(bytes(der))).startswith("it is neither PEM nor one DER X.509")


def test_no_corrupted_certificate_makes_the_reader_raise() -> None:
    """Every byte of a DER certificate flipped in turn: a chain or a reason, never an error."""
    der = chains.der(chains.issue(issuer=chains.authority()).certificate)
    outcomes = set()
    for index in range(len(der)):
        corrupted = der[:index] + bytes([der[index] ^ 0xFF]) + der[index + 1 :]
        outcomes.add(type(read_chain(_b64(corrupted))))
    assert outcomes <= {Chain, Unreadable} and Unreadable in outcomes


def test_each_distinct_document_is_read_once() -> None:
    document = chains.document(chains.issue().certificate)
    assert read_chain(document) is read_chain(document)
    assert read_chain(document) is read_chain(str(document + " ").strip())


@pytest.mark.parametrize("rule", CHAIN_RULES, ids=lambda r: r.meta.rule_id)
def test_a_computed_chain_is_no_verdict_of_any_chain_rule(rule: object) -> None:
    """A chain computed at deploy time (`!GetAtt`) cannot be read: each chain rule looks at it,
    so none of them judges the file."""
    config = chains.config(Unknown("!GetAtt Signer.Chain"))
    view = ConfigView("x", "declared", config, AS_OF)
    params = {p.name: p.default for p in rule.meta.params}  # type: ignore[attr-defined]
    judgement = judge(rule, view, params, computed_values(config))  # type: ignore[arg-type]
    assert judgement.violations is None


def test_a_naive_audit_clock_is_taken_as_utc() -> None:
    """Every chain rule compares aware dates; a naive `now` is UTC, as everywhere else."""
    expired = chains.issue(not_after=datetime(2026, 11, 1, tzinfo=UTC)).certificate
    view = ConfigView(
        "x", "declared", chains.config(chains.document(expired)), datetime(2026, 11, 25)
    )
    for rule in CHAIN_RULES:
        params = {p.name: p.default for p in rule.meta.params}
        list(rule.check(view, params))
