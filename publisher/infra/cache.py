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
import itertools
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

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
            with path.open("rb") as f:
                header = f.read(_HEADER)
                payload = f.read()  # read straight into its own object: no copy of a copy
        except FileNotFoundError:
            return None
        if not _intact(header, payload):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            return None
        return payload

    def open(self, key: str) -> PayloadReader | None:
        """The payload under ``key`` to read a piece at a time (use it in a ``with``), checked
        as it is read: :meth:`PayloadReader.intact` says, at the end, whether it was whole.
        None when there is no entry."""
        path = self.path(key)
        try:
            f = path.open("rb")
        except FileNotFoundError:
            return None
        return PayloadReader(f, f.read(_HEADER))

    def discard(self, key: str) -> None:
        """Remove the entry under ``key`` (found damaged), if there is one."""
        with contextlib.suppress(FileNotFoundError):
            self.path(key).unlink()

    def put_with_meta(
        self, key: str, meta: Mapping[str, object], payload: bytes | Iterable[bytes | bytearray]
    ) -> None:
        """Store ``payload`` (or the concatenation of its parts, not made in memory) under
        ``key`` behind a small JSON header ``meta`` (sample rate, sizes, …), read back with
        :func:`read_meta`."""
        head = json.dumps(meta).encode()
        parts = [payload] if isinstance(payload, bytes) else payload
        self.put(key, itertools.chain([len(head).to_bytes(4, "big"), head], parts))

    def put(
        self, key: str, payload: bytes | Iterable[bytes | bytearray], *, replace: bool = True
    ) -> bool:
        """Store ``payload`` (or the concatenation of its parts, each written as it comes: a
        generator's are never all in memory) under ``key`` atomically; with ``replace=False``,
        only if ``key`` has no entry yet. Whether it was stored."""
        parts = [payload] if isinstance(payload, bytes) else payload
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(bytes(_HEADER))  # its place: the length and digest are known at the end
                digest = hashlib.sha256()
                length = 0
                for part in parts:
                    digest.update(part)
                    f.write(part)
                    length += len(part)
                f.seek(0)
                f.write(MAGIC + length.to_bytes(8, "big") + digest.digest())
            if replace:
                os.replace(temp, path)
                return True
            try:
                os.link(temp, path)  # fails if the entry exists: the first one stays
            except FileExistsError:
                return False
            except OSError:  # a filesystem without hard links: the last one stays
                os.replace(temp, path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temp)
            return True
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise


def read_meta(read: Callable[[int], bytes]) -> Any:
    """The JSON header :meth:`BlobCache.put_with_meta` wrote, read with ``read`` (a
    :class:`PayloadReader`'s, or a bytes stream's); the payload follows it.

    Raises ValueError when the header is not JSON (a damaged entry).
    """
    size = int.from_bytes(read(4), "big")
    return json.loads(read(size))


class PayloadReader:
    """An entry's payload read a piece at a time, hashed on the way (see
    :meth:`BlobCache.open`), so that a large one need not be in memory to be checked."""

    def __init__(self, f: BinaryIO, header: bytes) -> None:
        self.f = f
        self.header = header
        self.valid = len(header) == _HEADER and header.startswith(MAGIC)
        self.remaining = int.from_bytes(header[len(MAGIC) : len(MAGIC) + 8], "big")
        self.hash = hashlib.sha256()

    def read(self, size: int) -> bytes:
        """Up to ``size`` more bytes of the payload (b"" at its end)."""
        if not self.valid:
            return b""
        data = self.f.read(min(size, self.remaining))
        self.hash.update(data)
        self.remaining -= len(data)
        return data

    def intact(self) -> bool:
        """Whether the whole payload (the rest is read now) matches its header."""
        while self.read(1 << 20):
            pass
        return (
            self.valid
            and self.remaining == 0
            and not self.f.read(1)
            and self.hash.digest() == self.header[len(MAGIC) + 8 : _HEADER]
        )

    def __enter__(self) -> PayloadReader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.f.close()


def _intact(header: bytes, payload: bytes) -> bool:
    if len(header) < _HEADER or not header.startswith(MAGIC):
        return False
    length = int.from_bytes(header[len(MAGIC) : len(MAGIC) + 8], "big")
    digest = header[len(MAGIC) + 8 : _HEADER]
    return len(payload) == length and hashlib.sha256(payload).digest() == digest
