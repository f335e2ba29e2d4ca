"""Reading an inline code-signing certificate chain: base64 text in, certificates or a reason out.

`customCodeSigning.certificateChain.inlineDocument` is, as the IoT API says, base64 of the
chain: PEM (one or more certificates, the leaf first) or DER (one certificate). X.509 is
ASN.1, where hand-written parsers are a classic source of security bugs, so the certificates
are read by `cryptography` (its Rust X.509 parser, fuzzed and widely deployed). Everything the
rules OTA105-OTA111 need is read here once, eagerly: a certificate the library accepts at load
time can still fail later (a duplicate extension, a key type it does not know), and a rule
must never raise. So the result is either a `Chain` of plain facts or an `Unreadable` with a
reason, never an exception; and each distinct document is read once per process (many updates
share a chain, and every rule asks).
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
import threading
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from checker.textsafe import visible

MAX_DOCUMENT_CHARS = 64 * 1024
"""Longest document read. A code-signing certificate is 0.3 to 2 KB and a chain a handful of
them; 64 KiB of base64 is 48 KiB of chain, ten times any real one, and bounds the work a
hostile document can cause."""
_SHOWN_CHARS = 40

CODE_SIGNING = ExtendedKeyUsageOID.CODE_SIGNING.dotted_string
EKU_NAMES = {
    ExtendedKeyUsageOID.SERVER_AUTH.dotted_string: "serverAuth",
    ExtendedKeyUsageOID.CLIENT_AUTH.dotted_string: "clientAuth",
    CODE_SIGNING: "codeSigning",
    ExtendedKeyUsageOID.EMAIL_PROTECTION.dotted_string: "emailProtection",
    ExtendedKeyUsageOID.TIME_STAMPING.dotted_string: "timeStamping",
    ExtendedKeyUsageOID.OCSP_SIGNING.dotted_string: "OCSPSigning",
    ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE.dotted_string: "anyExtendedKeyUsage",
}
"""RFC 5280's names for the usages a reader meets; any other is shown by its OID."""

KeyKind = Literal["RSA", "EC", "Ed25519", "Ed448", "DSA", "other"]


@dataclass(frozen=True)
class Key:
    """A certificate's public key: its kind, size in bits and, for EC, its curve."""

    kind: KeyKind
    bits: int
    curve: str | None = None
    type_name: str = ""
    """The library's class name, for a key of kind `other` (X25519, say): it signs nothing."""


@dataclass(frozen=True)
class Certificate:
    """The facts the rules judge about one certificate of a chain."""

    position: int
    """1 for the leaf, then each issuer as written."""
    name: str
    """The subject's common name, else the whole subject (RFC 4514), cut short and visible."""
    not_before: datetime
    not_after: datetime
    """Both aware, in UTC."""
    usages: tuple[str, ...] | None
    """The extended key usages as dotted OIDs, or None when the extension is absent."""
    self_signed: bool
    """Issuer equals subject and the certificate's own key verifies its signature."""
    key: Key
    signature_hash: str | None
    """The hash the issuer signed it with (`sha256`), or None (Ed25519 and Ed448 have none)."""

    def label(self, count: int) -> str:
        """`certificate 1 of 2 (signer)`, or `certificate (signer)` in a chain of one."""
        where = f" {self.position} of {count}" if count > 1 else ""
        return f"certificate{where} ({self.name})"


@dataclass(frozen=True)
class Chain:
    """A chain read: its certificates, leaf first, and how they were encoded."""

    certificates: tuple[Certificate, ...]
    encoding: Literal["PEM", "DER"]

    @property
    def leaf(self) -> Certificate:
        return self.certificates[0]


@dataclass(frozen=True)
class Unreadable:
    """Why a document is not a certificate chain: `it is not base64`, completing the
    sentence `certificateChain.inlineDocument cannot be read: ...`."""

    reason: str


def read_chain(document: str) -> Chain | Unreadable:
    """The chain base64 `document` holds, or why it holds none. Whitespace is ignored (base64
    is often wrapped); a document over MAX_DOCUMENT_CHARS is refused before it is decoded."""
    if len(document) > MAX_DOCUMENT_CHARS:
        return Unreadable(
            f"it is {len(document):,} characters, more than the {MAX_DOCUMENT_CHARS:,} any "
            "certificate chain needs"
        )
    return _read(document)


@functools.lru_cache(maxsize=1024)
def _read(document: str) -> Chain | Unreadable:
    text = "".join(document.split())
    if text.startswith("-----BEGIN"):
        return Unreadable(
            "it is PEM text, not base64: the API takes the chain base64-encoded "
            "(`base64 -w0 chain.pem`)"
        )
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        hint = " (it looks like a file path; the API takes the chain itself, base64-encoded)"
        return Unreadable(f"it is not base64{hint if _looks_like_path(text) else ''}")
    if not data:
        return Unreadable("it decodes to nothing")
    with _LIBRARY, warnings.catch_warnings():
        # The library warns about certificates it will refuse in a later release (a serial
        # number that is not positive): here that is a certificate that cannot be read. The
        # filters are process-wide, so the lock keeps two threads from interleaving them.
        warnings.simplefilter("error", CryptographyDeprecationWarning)
        if b"-----BEGIN" in data:
            return _read_pem(data)
        return _read_der(data)


_LIBRARY = threading.Lock()
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]{1,40})-----(.*?)-----END \1-----", re.DOTALL)
_PATH = re.compile(r"(?:[A-Za-z]:)?[\\/~.].*|.*\.(?:pem|crt|cer|der)", re.IGNORECASE)


def _looks_like_path(text: str) -> bool:
    return _PATH.fullmatch(text) is not None


def _read_pem(data: bytes) -> Chain | Unreadable:
    blocks = _PEM_BLOCK.findall(data)
    if not blocks:
        return Unreadable("it holds PEM armour without a complete PEM block")
    if data.count(b"-----BEGIN ") != len(blocks):
        return Unreadable("it holds a PEM block that is not closed")
    for label, _ in blocks:
        if label.endswith(b"PRIVATE KEY"):
            return Unreadable(
                f"it holds a private key ({label.decode()}): a chain is public, and anyone "
                "who can read the OTA update can read the key; revoke the certificate and "
                "sign with a new key"
            )
        if label != b"CERTIFICATE":
            return Unreadable(f"it holds a PEM {label.decode()} block, not only CERTIFICATE")
    certificates = []
    for index, (label, body) in enumerate(blocks, 1):
        block = b"-----BEGIN %s-----%s-----END %s-----\n" % (label, body, label)
        try:
            certificates.append(x509.load_pem_x509_certificate(block))
        except Exception:  # see _facts
            where = f" {index} of {len(blocks)}" if len(blocks) > 1 else ""
            return Unreadable(f"its PEM certificate{where} is not a readable X.509 certificate")
    return _chain(certificates, "PEM")


def _read_der(data: bytes) -> Chain | Unreadable:
    try:
        certificate = x509.load_der_x509_certificate(data)
    except Exception:  # see _facts
        text = _as_text(data)
        shown = f" (it decodes to the text {text})" if text else ""
        return Unreadable(
            "it is neither PEM nor one DER X.509 certificate (a chain of several is "
            f"written as PEM){shown}"
        )
    return _chain([certificate], "DER")


def _as_text(data: bytes) -> str:
    """`data` quoted when it is short printable ASCII (a path encoded by mistake), else ''."""
    if len(data) > 200 or not all(32 <= byte < 127 for byte in data):
        return ""
    text = data.decode("ascii")
    return repr(text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "...")


def _chain(
    certificates: list[x509.Certificate], encoding: Literal["PEM", "DER"]
) -> Chain | Unreadable:
    facts = []
    for position, certificate in enumerate(certificates, 1):
        read = _facts(certificate, position)
        if isinstance(read, str):
            where = f" {position} of {len(certificates)}" if len(certificates) > 1 else ""
            return Unreadable(f"its certificate{where} {read}")
        facts.append(read)
    return Chain(tuple(facts), encoding)


def _facts(certificate: x509.Certificate, position: int) -> Certificate | str:
    """The facts of one certificate, or what about it cannot be read.

    The library reads parts of a certificate only when asked, and on hostile bytes raises
    more than ValueError (a KeyError for a name in an unknown string type, found by flipping
    bytes: tests/rules/test_ota105_chain_unreadable.py), and warns of what a later release will
    refuse. So each read catches any exception: whatever it is, that part cannot be read.
    """
    try:
        name = _name(certificate)
        self_named = certificate.issuer == certificate.subject
        not_before = certificate.not_valid_before_utc
        not_after = certificate.not_valid_after_utc
    except Exception:
        return "has a name or validity period that cannot be read"
    try:
        usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
        usages: tuple[str, ...] | None = tuple(oid.dotted_string for oid in usage.value)
    except x509.ExtensionNotFound:
        usages = None
    except Exception:  # see _facts
        return "has extensions that cannot be read"
    try:
        key = _key(certificate.public_key())
    except Exception:  # see _facts
        return "has a public key that cannot be read"
    try:
        algorithm = certificate.signature_hash_algorithm
    except Exception:  # see _facts
        return "has a signature algorithm that cannot be read"
    return Certificate(
        position=position,
        name=name,
        not_before=not_before,
        not_after=not_after,
        usages=usages,
        self_signed=self_named and _verifies_itself(certificate),
        key=key,
        signature_hash=None if algorithm is None else algorithm.name,
    )


def _name(certificate: x509.Certificate) -> str:
    common = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    value = common[0].value if common else certificate.subject.rfc4514_string()
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = visible(text) or "no subject"
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


def _key(key: CertificatePublicKeyTypes) -> Key:
    if isinstance(key, rsa.RSAPublicKey):
        return Key("RSA", key.key_size)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return Key("EC", key.curve.key_size, key.curve.name)
    if isinstance(key, ed25519.Ed25519PublicKey):
        return Key("Ed25519", 256)
    if isinstance(key, ed448.Ed448PublicKey):
        return Key("Ed448", 448)
    if isinstance(key, dsa.DSAPublicKey):
        return Key("DSA", key.key_size)
    return Key("other", 0, type_name=type(key).__name__.removesuffix("PublicKey"))


def _verifies_itself(certificate: x509.Certificate) -> bool:
    """Its own key verifies its signature (a failure of any kind: it does not)."""
    try:
        certificate.verify_directly_issued_by(certificate)
    except Exception:
        return False
    return True


def usage_names(usages: tuple[str, ...]) -> str:
    """`serverAuth, clientAuth`: usages by name where RFC 5280 gives one, else by OID."""
    return ", ".join(EKU_NAMES.get(oid, oid) for oid in usages) or "none"
