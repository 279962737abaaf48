"""A content-addressed store of blobs that survives builds and detects damage.

Each entry is one file named after its key: a fixed header (magic, payload length, SHA-256
of the payload) and the payload. Writes go to a temporary file in the same folder and are
moved into place with :func:`os.replace`, so a reader sees the old entry, the new one or
none, never half of one, even with several worker processes writing at once. An entry whose
header does not match its payload (a crash mid-write on a file system without atomic
rename, a truncated copy, a flipped bit) is treated as missing and removed, so the caller
makes it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path

MAGIC = b"PUBCACHE1\n"
_HEADER = len(MAGIC) + 8 + 32


def cache_key(*parts: object) -> str:
    """SHA-256 (hex) of ``parts`` as canonical JSON: equal inputs, equal keys."""
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class BlobCache:
    """Blobs under ``folder``, one file per key (``<key[:2]>/<key><suffix>``)."""

    def __init__(self, folder: Path, suffix: str = "") -> None:
        self.folder = folder
        self.suffix = suffix

    def path(self, key: str) -> Path:
        """Where the entry for ``key`` lives."""
        return self.folder / key[:2] / f"{key}{self.suffix}"

    def get(self, key: str) -> bytes | None:
        """The payload stored under ``key``; None when absent or damaged (then removed)."""
        path = self.path(key)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        payload = _unwrap(raw)
        if payload is None:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        return payload

    def put(self, key: str, payload: bytes) -> None:
        """Store ``payload`` under ``key`` atomically."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_wrap(payload))
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise


def _wrap(payload: bytes) -> bytes:
    return MAGIC + len(payload).to_bytes(8, "big") + hashlib.sha256(payload).digest() + payload


def _unwrap(raw: bytes) -> bytes | None:
    if len(raw) < _HEADER or not raw.startswith(MAGIC):
        return None
    length = int.from_bytes(raw[len(MAGIC) : len(MAGIC) + 8], "big")
    digest = raw[len(MAGIC) + 8 : _HEADER]
    payload = raw[_HEADER:]
    if len(payload) != length or hashlib.sha256(payload).digest() != digest:
        return None
    return payload
