"""Marks that say, inside each audio file, that its voice is synthetic: the IPTC digital
source type in its tags, and a signed C2PA content credential.

**In the tags** (:func:`id3_frames`, :func:`mp4_atoms`, :func:`append_xmp`): the type's URI
(:mod:`publisher.speech.disclosure`) as XMP's ``Iptc4xmpExt:DigitalSourceType``, the
property IPTC defines for it and the one tools read (ExifTool shows it as
``XMP-iptcExt:DigitalSourceType``; Adobe's XMP toolkit and C2PA tools read XMP). An MP3
carries the XMP packet in an ID3 ``PRIV`` frame owned by ``XMP`` and an M4B in a top-level
``uuid`` box, as Adobe's XMP specification (part 3) places them. Because tag editors and
players show neither, the same URI is also a text tag: an ID3 ``TXXX`` frame and an iTunes
freeform atom, both named ``DigitalSourceType``.

**The content credential** (:class:`Sealer`): a C2PA manifest, signed with the author's key
(:mod:`publisher.reader.credentials`) by ``c2pa-python``, embedded in the file (an ID3
``GEOB`` frame in an MP3, a ``uuid`` box in an MP4). Its one ``c2pa.actions.v2`` assertion
says ``c2pa.created``, with the digital source type and the engines and voices as the
``softwareAgent``; the library adds the hash that binds it to the file's bytes.

Signing is not reproducible: the manifest's identifier is a random UUID and an ECDSA
signature is randomised. So a signed file is kept in the cache (``<cache>/sealed``) under a
key made of the unsigned file's SHA-256, the manifest, the certificate and key, and the
library's version: a rebuild that makes the same unsigned file publishes the same signed
bytes, and an edit signs again only the files it changed (a chapter MP3 is never encoded
again to be signed: signing reads the finished file and inserts the manifest).
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
from pathlib import Path
from typing import Any, cast

from publisher import __version__
from publisher.errors import BuildError
from publisher.infra.cache import BlobCache, cache_key
from publisher.reader.credentials import SigningKey
from publisher.speech.disclosure import Synthetic
from publisher.text import attr

FIELD = "DigitalSourceType"
"""The name of the text tag (ID3 ``TXXX``, MP4 freeform) that holds the type's URI."""
XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")
"""The ``uuid`` box type that holds XMP in an MP4 file (Adobe XMP specification, part 3)."""
IPTC_EXT = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
"""The namespace of ``Iptc4xmpExt:DigitalSourceType``."""
SEAL_FORMAT = 1
"""Bump to sign every file again (a change in what the manifest says)."""


def xmp_packet(made: Synthetic) -> bytes:
    """An XMP packet that says ``made``'s digital source type."""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description rdf:about="" xmlns:Iptc4xmpExt="{IPTC_EXT}">'
        f"<Iptc4xmpExt:DigitalSourceType>{attr(made.source_type)}</Iptc4xmpExt:DigitalSourceType>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>\n"
        '<?xpacket end="r"?>'
    ).encode()


def id3_frames(made: Synthetic) -> list[Any]:
    """The ID3v2.4 frames that mark an MP3 (module docstring)."""
    import mutagen.id3

    id3: Any = mutagen.id3  # untyped frame classes
    return [
        id3.TXXX(encoding=id3.Encoding.UTF8, desc=FIELD, text=[made.source_type]),
        id3.PRIV(owner="XMP", data=xmp_packet(made)),
    ]


def mp4_atoms(made: Synthetic) -> dict[str, Any]:
    """The iTunes freeform atom that marks an MP4 (the XMP goes in with :func:`append_xmp`)."""
    import mutagen.mp4

    mp4: Any = mutagen.mp4
    return {f"----:com.apple.iTunes:{FIELD}": [mp4.MP4FreeForm(made.source_type.encode())]}


def append_xmp(path: Path, made: Synthetic) -> None:
    """Append the XMP ``uuid`` box to the MP4 at ``path`` (a top-level box after ``moov``:
    no offset in the file changes). Call it after the tags are written."""
    body = XMP_UUID + xmp_packet(made)
    with path.open("ab") as f:
        f.write((8 + len(body)).to_bytes(4, "big") + b"uuid" + body)


def manifest(title: str, media_type: str, made: Synthetic) -> dict[str, Any]:
    """The C2PA manifest definition for one file (module docstring)."""
    return {
        "claim_generator_info": [{"name": "publisher", "version": __version__}],
        "title": title,
        "format": media_type,
        "assertions": [
            {
                "label": "c2pa.actions.v2",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": made.source_type,
                            "softwareAgent": {"name": made.agent},
                        }
                    ]
                },
            }
        ],
    }


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class Sealer:
    """Signs audio files with ``key``, keeping each signed file in ``cache_dir`` (module
    docstring). One per target: the library's signer is not shared between threads."""

    def __init__(self, key: SigningKey, cache_dir: Path) -> None:
        import c2pa

        self.key = key
        self.blobs = BlobCache(cache_dir, "sealed")
        info = c2pa.C2paSignerInfo(
            getattr(c2pa.C2paSigningAlg, key.algorithm.upper()), key.certificate, key.key, None
        )
        try:
            self.signer = c2pa.Signer.from_info(info)
        except c2pa.C2paError as e:
            raise BuildError(f"content credentials: the signing key was refused: {e}") from e
        identity = hashlib.sha256(key.certificate + b"\0" + key.key).hexdigest()
        self.identity = f"{c2pa.__version__}/{c2pa.sdk_version()}/{identity}"

    def seal(self, path: Path, media_type: str, made: Synthetic) -> None:
        """Sign the file at ``path`` (``media_type``: ``audio/mpeg`` or ``audio/mp4``) in
        place, or put the signed file kept for the same bytes there."""
        import c2pa

        definition = manifest(path.name, media_type, made)
        key = cache_key(
            "sealed", SEAL_FORMAT, self.identity, json.dumps(definition), _file_digest(path)
        )
        if self._restore(key, path):
            return
        signing = path.with_name(f".{path.name}.signing")
        try:
            with path.open("rb") as source, signing.open("w+b") as dest:
                c2pa.Builder(definition).sign(self.signer, media_type, source, dest)
        except c2pa.C2paError as e:
            signing.unlink(missing_ok=True)
            raise BuildError(f"content credentials: cannot sign {path.name}: {e}") from e
        os.replace(signing, path)
        with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as signed:
            # The signed file, not copied into memory: the map is read as the entry is written.
            self.blobs.put(key, [cast(bytes, signed)])

    def _restore(self, key: str, path: Path) -> bool:
        """Put the signed file kept under ``key`` at ``path``; False (and ``path`` as it was)
        if there is none, or it is damaged."""
        reader = self.blobs.open(key)
        if reader is None:
            return False
        restoring = path.with_name(f".{path.name}.restoring")
        with reader, restoring.open("wb") as out:
            while block := reader.read(1 << 20):
                out.write(block)
            whole = reader.intact()
        if not whole:
            restoring.unlink()
            self.blobs.discard(key)
            return False
        os.replace(restoring, path)
        return True
