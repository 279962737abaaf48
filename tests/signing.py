"""A throwaway certificate authority and signer for the content credential tests.

Made fresh with ``cryptography`` wherever a test needs one (never kept in the repository): a
self-signed CA and an end-entity certificate it issues with the profile C2PA asks of a
signer (digital signature key usage, the e-mail protection extended key usage, key
identifiers). ``c2pa-python`` then reads a signed file back as valid but "untrusted", which
is right: no trust list knows this CA.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_USAGE = {
    "content_commitment": False,
    "key_encipherment": False,
    "data_encipherment": False,
    "key_agreement": False,
    "encipher_only": False,
    "decipher_only": False,
}


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "publisher tests"),
        ]
    )


def _certificate(
    subject: str,
    issuer: x509.Name | None,
    key: ec.EllipticCurvePrivateKey,
    signing_key: ec.EllipticCurvePrivateKey,
) -> x509.Certificate:
    """A certificate for ``key``'s public half: a CA's, self-signed (``issuer`` None), or an
    end entity's that C2PA accepts, issued by ``issuer`` and signed with ``signing_key``."""
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    ca = issuer is None
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(subject) if issuer is None else issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=not ca, key_cert_sign=ca, crl_sign=ca, **_USAGE),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )
    if not ca:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False
        ).add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()), False
        )
    return builder.sign(signing_key, hashes.SHA256())


def make_signer(folder: Path) -> tuple[Path, Path]:
    """A new CA and signer in ``folder``: (the chain ``signer.pem``, the key ``signer.key``)."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("Test CA", None, ca_key, ca_key)
    key = ec.generate_private_key(ec.SECP256R1())
    signer = _certificate("Test signer", ca.subject, key, ca_key)
    pem = serialization.Encoding.PEM
    chain, private = folder / "signer.pem", folder / "signer.key"
    chain.write_bytes(signer.public_bytes(pem) + ca.public_bytes(pem))
    private.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return chain, private
