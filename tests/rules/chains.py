"""Test certificate chains for the inline-chain rules (OTA105-OTA111), made with `cryptography`.

Keys are generated in the test and thrown away: no private key is ever written to the
repository. The fixtures and the rules' documented examples hold public certificates only;
they were made once with `python -m tests.rules.chains NAME...`, which prints each named
certificate's inline document, with validity dates fixed around the harness's AS_OF
(2026-11-25), so they judge the same on every day the suite runs.
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa, x25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from checker.rules.interface import ConfigView, Rule
from tests.rules.harness import AS_OF

PrivateKey = (
    ec.EllipticCurvePrivateKey
    | rsa.RSAPrivateKey
    | ed25519.Ed25519PrivateKey
    | dsa.DSAPrivateKey
    | x25519.X25519PrivateKey
)
"""A subject's key; an X25519 one only with an issuer (it cannot sign)."""

VALID_FROM = datetime(2026, 6, 1, tzinfo=UTC)
VALID_UNTIL = datetime(2027, 6, 1, tzinfo=UTC)
CA_FROM = datetime(2026, 1, 1, tzinfo=UTC)
CA_UNTIL = datetime(2036, 1, 1, tzinfo=UTC)
CODE_SIGNING = ExtendedKeyUsageOID.CODE_SIGNING
SERVER_AUTH = ExtendedKeyUsageOID.SERVER_AUTH


@dataclass(frozen=True)
class Issued:
    """A certificate and the key it certifies (to issue others with; never written out)."""

    certificate: x509.Certificate
    key: PrivateKey


def ec_key(curve: ec.EllipticCurve | None = None) -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(curve or ec.SECP256R1())


def issue(
    name: str = "signer",
    *,
    key: PrivateKey | None = None,
    issuer: Issued | None = None,
    not_before: datetime = VALID_FROM,
    not_after: datetime = VALID_UNTIL,
    usages: Sequence[x509.ObjectIdentifier] | None = (CODE_SIGNING,),
    hash_algorithm: hashes.HashAlgorithm | None = None,
    ca: bool = False,
) -> Issued:
    """A certificate for `name` (P-256 unless `key` says otherwise), issued by `issuer` or, with
    none, by itself; `usages` None leaves the extended key usage extension out."""
    key = key or ec_key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    signer = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    if usages is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(usages)), critical=False)
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
    if isinstance(signer, ed25519.Ed25519PrivateKey):
        algorithm = None
    else:
        algorithm = hash_algorithm or hashes.SHA256()
    return Issued(builder.sign(signer, algorithm), key)


def authority(name: str = "Acme Code Signing CA", not_after: datetime = CA_UNTIL) -> Issued:
    """A self-signed CA, valid from 2026, without extended key usages."""
    return issue(name, usages=None, ca=True, not_before=CA_FROM, not_after=not_after)


def pem(*certificates: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def document(*certificates: x509.Certificate, encoding: str = "PEM") -> str:
    """The inline document: base64 of the PEM chain, or of one DER certificate."""
    data = pem(*certificates) if encoding == "PEM" else der(*certificates)
    return base64.b64encode(data).decode("ascii")


def config(*documents: object, hash_algorithm: object = "SHA256") -> dict[str, Any]:
    """A config with one custom-signed file per document (`fw.bin`, then `part1.bin`...)."""
    return {
        "files": [
            {
                "fileName": "fw.bin" if index == 0 else f"part{index}.bin",
                "codeSigning": {
                    "customCodeSigning": {
                        "signature": {"inlineDocument": b"0E"},
                        "certificateChain": {"certificateName": "/c.pem", "inlineDocument": doc},
                        "hashAlgorithm": hash_algorithm,
                        "signatureAlgorithm": "ECDSA",
                    }
                },
            }
            for index, doc in enumerate(documents)
        ]
    }


def messages(rule: Rule, config: dict[str, Any], **params: Any) -> list[str]:
    """What `rule` says about `config` at AS_OF, with its defaults overlaid by `params`."""
    defaults = {p.name: p.default for p in rule.meta.params}
    view = ConfigView("x", "declared", config, AS_OF)
    return [v.message for v in rule.check(view, {**defaults, **params})]


def named() -> dict[str, str]:
    """The certificates the fixtures and documented examples hold, by name, as documents."""
    ca = authority()
    leaf = issue(issuer=ca)
    return {
        "good": document(leaf.certificate),
        "good-der": document(leaf.certificate, encoding="DER"),
        "chain-of-two": document(leaf.certificate, ca.certificate),
        "expired": document(
            issue(
                issuer=ca,
                not_before=datetime(2025, 11, 1, tzinfo=UTC),
                not_after=datetime(2026, 11, 1, tzinfo=UTC),
            ).certificate
        ),
        "not-yet-valid": document(
            issue(
                issuer=ca,
                not_before=datetime(2026, 12, 1, tzinfo=UTC),
                not_after=datetime(2027, 12, 1, tzinfo=UTC),
            ).certificate
        ),
        "expiring": document(
            issue(issuer=ca, not_after=datetime(2026, 12, 10, tzinfo=UTC)).certificate
        ),
        "expired-ca": _with_ca_until(datetime(2026, 11, 20, tzinfo=UTC)),
        "expiring-ca": _with_ca_until(datetime(2026, 12, 1, tzinfo=UTC)),
        "server-auth": document(issue(issuer=ca, usages=(SERVER_AUTH,)).certificate),
        "no-usage": document(issue(issuer=ca, usages=None).certificate),
        "self-signed": document(issue().certificate),
        "rsa-1024": document(
            issue(issuer=ca, key=rsa.generate_private_key(65537, 1024)).certificate
        ),
        "rsa-2048": document(
            issue(issuer=ca, key=rsa.generate_private_key(65537, 2048)).certificate
        ),
        "secp256k1": document(issue(issuer=ca, key=ec_key(ec.SECP256K1())).certificate),
        "p384": document(issue(issuer=ca, key=ec_key(ec.SECP384R1())).certificate),
        "sha384": document(issue(issuer=ca, hash_algorithm=hashes.SHA384()).certificate),
        "ed25519": document(
            issue(key=ed25519.Ed25519PrivateKey.generate(), issuer=None).certificate
        ),
    }


def _with_ca_until(not_after: datetime) -> str:
    """A valid leaf followed by the CA that issued it, valid until `not_after`."""
    ca = authority(not_after=not_after)
    return document(issue(issuer=ca).certificate, ca.certificate)


def after(days: float = 0, **more: float) -> datetime:
    """AS_OF moved by `days` (and `hours=`, `minutes=`...): dates around the audit's clock."""
    return AS_OF + timedelta(days=days, **more)


if __name__ == "__main__":
    documents = named()
    for wanted in sys.argv[1:] or list(documents):
        print(f"{wanted}: {documents[wanted]}")
