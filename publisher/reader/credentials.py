"""The key that signs the audio's content credentials (C2PA), as the author gives it.

Two places, the environment first (so that a machine that publishes, such as CI with its
secrets, can sign a book whose front matter names a test key, or none):

- ``PUBLISHER_C2PA_CERTIFICATE`` and ``PUBLISHER_C2PA_KEY``: paths to PEM files, anywhere;
- ``credentials: {certificate: …, key: …}`` in the front matter: PEM files beside the book
  (checked like every path an author gives, :func:`~publisher.reader.files.book_file`).

The certificate file holds the signer's certificate first, then the certificates that issued
it (C2PA wants the chain); the key file the signer's private key, unencrypted (EC P-256,
P-384 or P-521, RSA, or Ed25519). Nothing here copies either file anywhere: the key is read
when the audio is signed, and never enters the build folder or the cache.

A book without a key is built the same, without the credential: the audio target says so
once, as a note (:func:`no_key_note`; not a warning, and ``check`` does not say it, since
it is about the build, not the book).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from publisher.errors import Problem, SourceError
from publisher.model import Book
from publisher.reader.files import book_file

CERTIFICATE_ENV = "PUBLISHER_C2PA_CERTIFICATE"
KEY_ENV = "PUBLISHER_C2PA_KEY"
NO_KEY = (
    "the MP3s and the M4B carry no content credential (C2PA): no signing key is given "
    f"('credentials' in the front matter, or {CERTIFICATE_ENV} and {KEY_ENV}); they still "
    "say in their tags that the voice is synthetic"
)


@dataclass(frozen=True, kw_only=True)
class SigningFiles:
    """The PEM files that sign the content credentials, and the front-matter lines that name
    them: where a problem with each is reported (``None`` when the environment named them)."""

    certificate: Path
    key: Path
    certificate_line: int | None = None
    key_line: int | None = None


@dataclass(frozen=True, kw_only=True)
class SigningKey:
    """What signs: the certificate chain and private key as PEM bytes, and the algorithm
    C2PA names for the key (``es256``, ``ps256``, ``ed25519``, …)."""

    certificate: bytes
    key: bytes
    algorithm: str


def environment_files() -> tuple[str | None, str | None]:
    """The two environment variables' values (None where unset or empty)."""
    return os.environ.get(CERTIFICATE_ENV) or None, os.environ.get(KEY_ENV) or None


def signing_files(book: Book) -> SigningFiles | None:
    """Where the signing key is, if the author gave one; :class:`SourceError` when a file
    given is missing, or only one of the pair is given."""
    certificate, key = environment_files()
    if certificate or key:
        if not (certificate and key):
            missing = KEY_ENV if certificate else CERTIFICATE_ENV
            raise SourceError.at(book.source, None, f"{missing} is not set; set both or neither")
        for name, value in ((CERTIFICATE_ENV, certificate), (KEY_ENV, key)):
            if not Path(value).is_file():
                raise SourceError.at(book.source, None, f"{name}={value!r}: no such file")
        return SigningFiles(certificate=Path(certificate), key=Path(key))
    given = book.config.credentials
    if given.certificate is None or given.key is None:
        return None
    cert_line = book.config.line_of("credentials.certificate")
    key_line = book.config.line_of("credentials.key")
    return SigningFiles(
        certificate=book_file(
            book.root, given.certificate, book.source, cert_line, "credentials.certificate"
        ),
        key=book_file(book.root, given.key, book.source, key_line, "credentials.key"),
        certificate_line=cert_line,
        key_line=key_line,
    )


def signing_key(book: Book) -> SigningKey | None:
    """The key that signs ``book``'s content credentials, read and checked; None without one.
    :class:`SourceError` (at the key's line, or naming the variable) when the files are not
    a PEM certificate chain and the private key of its first certificate."""
    files = signing_files(book)
    if files is None:
        return None
    return load_key(files, book.source)


def load_key(files: SigningFiles, path: str) -> SigningKey:
    """The key in ``files``, checked with ``cryptography`` (so a wrong file is one line at
    the author's key in the book at ``path``, not an error deep in the signing library)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    cert_line, key_line = files.certificate_line, files.key_line
    cert_bytes, key_bytes = files.certificate.read_bytes(), files.key.read_bytes()
    try:
        chain = x509.load_pem_x509_certificates(cert_bytes)
    except ValueError as e:
        raise SourceError.at(
            path, cert_line, f"{files.certificate.name} is not a PEM certificate chain ({e})"
        ) from e
    try:
        private = serialization.load_pem_private_key(key_bytes, password=None)
    except (ValueError, TypeError) as e:
        raise SourceError.at(
            path, key_line, f"{files.key.name} is not an unencrypted PEM private key"
        ) from e
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if private.public_key().public_bytes(der, public) != chain[0].public_key().public_bytes(
        der, public
    ):
        raise SourceError.at(
            path,
            key_line,
            f"{files.key.name} is not the key of the first certificate in {files.certificate.name}",
        )
    if isinstance(private, ec.EllipticCurvePrivateKey):
        bits = {"secp256r1": 256, "secp384r1": 384, "secp521r1": 512}.get(private.curve.name)
        algorithm = f"es{bits}" if bits else None
    elif isinstance(private, rsa.RSAPrivateKey):
        algorithm = "ps256"
    elif isinstance(private, ed25519.Ed25519PrivateKey):
        algorithm = "ed25519"
    else:
        algorithm = None
    if algorithm is None:
        raise SourceError.at(
            path, key_line, f"{files.key.name}: C2PA signs with EC P-256/384/521, RSA or Ed25519"
        )
    return SigningKey(certificate=cert_bytes, key=key_bytes, algorithm=algorithm)


def credential_problems(book: Book) -> list[Problem]:
    """Errors in the signing key the author gave, raised as :class:`SourceError` (none to
    return: a book without a key is the build's to mention, :func:`no_key_note`)."""
    signing_key(book)
    return []


def no_key_note(book: Book) -> Problem:
    """What a build that makes the audio says, once, when no key signs it."""
    return Problem(path=book.source, line=None, severity="note", message=NO_KEY)
