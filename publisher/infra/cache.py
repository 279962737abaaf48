"""The one store every cache keeps its entries in: content-addressed blobs that survive
builds, each knowing the key it belongs under.

Every cache in ``.publisher/cache/`` is a *kind* of this store (``speech``, ``segments``,
``chapters``, ``gains``, ``audiobook``, ``audiobook-parts``, ``audiobook-parts-seen``,
``cover``, ``art``, ``narrated``): one folder per kind, one file per key
(``<kind>/<key[:2]>/<key>``). An entry is a header (magic; its own name, the kind and the
key; the payload's length; the SHA-256 of name and payload) and the payload. Every read
checks all of them: an entry that is not whole (emptied, cut short, a flipped bit) or that
is not the one asked for (two entries that traded places in a sync or a restore, a copy from
another book's cache) is treated as missing and removed, and its caller makes it again. A
checksum proves an entry whole; only the name stored in it proves it belongs under its key.

Writes go to a temporary file in the entry's folder and are moved into place in one step
(:meth:`publisher.infra.statedir.Folder.writing`), so a reader sees the old entry, the new
one or none, never half of one, even with several worker processes writing at once. Every
path is opened without following links (:mod:`publisher.infra.statedir`).

Reading an entry marks it used (its modification time). An entry made from others (a
chapter from its utterances and segments) lists them in its ``uses``, and the caller marks
them used with it (:func:`mark_used`), so that what a cached chapter is made of ages with
the chapter: see :mod:`publisher.infra.sweep`, which removes what no recent build used.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

from publisher.infra.statedir import TEMP_PREFIX, Folder

MAGIC = b"PUBCACHE2\n"
_DIGEST = 32
USES = "uses"
"""The key of a meta header (:meth:`BlobCache.put_with_meta`) listing the entries it was
made from: ``{kind: [key, …]}``."""

Uses = Mapping[str, Iterable[str]]


def cache_key(*parts: object) -> str:
    """SHA-256 (hex) of ``parts`` as canonical JSON: equal inputs, equal keys."""
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_rel(kind: str, key: str) -> str:
    """Where the entry ``key`` of ``kind`` lives, relative to the cache folder."""
    return f"{kind}/{key[:2]}/{key}"


def _name(kind: str, key: str) -> bytes:
    return f"{kind}/{key}".encode()


def _header(name: bytes, length: int, digest: bytes) -> bytes:
    return MAGIC + len(name).to_bytes(2, "big") + name + length.to_bytes(8, "big") + digest


class BlobCache:
    """The entries of one ``kind`` under the cache folder ``cache_dir``."""

    def __init__(self, cache_dir: Path, kind: str) -> None:
        self.cache_dir = Path(cache_dir)
        self.kind = kind
        self.folder = Folder(self.cache_dir)

    def path(self, key: str) -> Path:
        """Where the entry for ``key`` lives (for messages and tests)."""
        return self.cache_dir / entry_rel(self.kind, key)

    def contains(self, key: str) -> bool:
        """Whether there is an entry under ``key`` (marked used; not checked: a read does)."""
        return self.folder.exists(entry_rel(self.kind, key), touch=True)

    def get(self, key: str) -> bytes | None:
        """The payload stored under ``key``; None when absent, damaged or another key's
        (then removed)."""
        reader = self.open(key)
        if reader is None:
            return None
        with reader:
            payload = reader.read(reader.remaining)  # read into its own object: no copy
            if reader.intact():
                return payload
        self.discard(key)
        return None

    def open(self, key: str) -> PayloadReader | None:
        """The payload under ``key`` to read a piece at a time (use it in a ``with``), checked
        as it is read: :meth:`PayloadReader.intact` says, at the end, whether it was whole and
        this key's. None when there is no entry. Marks the entry used."""
        f = self.folder.open(entry_rel(self.kind, key), touch=True)
        return None if f is None else PayloadReader(f, _name(self.kind, key))

    def to_file(self, key: str, dest: Path) -> bool:
        """Write the payload under ``key`` to ``dest`` a megabyte at a time; whether it was
        there and whole (else ``dest`` is removed, and so is a damaged entry)."""
        reader = self.open(key)
        if reader is None:
            return False
        with reader, dest.open("wb") as out:
            while block := reader.read(1 << 20):
                out.write(block)
            if reader.intact():
                return True
        dest.unlink(missing_ok=True)
        self.discard(key)
        return False

    def put_file(self, key: str, source: Path) -> None:
        """Store the bytes of the file ``source`` under ``key``, a megabyte at a time."""
        with source.open("rb") as f:
            self.put(key, iter(lambda: f.read(1 << 20), b""))

    def keep_only(self, *keys: str) -> None:
        """Remove every entry of this kind but those under ``keys`` (and files being
        written, which another process may yet move into place)."""
        keep = {entry_rel(self.kind, key) for key in keys}
        for entry in self.folder.entries(self.kind):
            name = entry.rel.rsplit("/", 1)[-1]
            if entry.rel not in keep and not name.startswith(TEMP_PREFIX):
                self.folder.unlink(entry.rel)

    def discard(self, key: str) -> None:
        """Remove the entry under ``key`` (found damaged), if there is one."""
        self.folder.unlink(entry_rel(self.kind, key))

    def put_with_meta(
        self,
        key: str,
        meta: Mapping[str, object],
        payload: bytes | Iterable[bytes | bytearray | memoryview],
        uses: Uses | None = None,
    ) -> None:
        """Store ``payload`` (or its parts in order, never joined in memory) under ``key``
        behind a small JSON header ``meta`` (sample rate, sizes, …), read back with
        :func:`read_meta`; ``uses``: the entries it was made from (module docstring)."""
        document = dict(meta)
        if uses:
            document[USES] = {kind: sorted(set(keys)) for kind, keys in uses.items()}
        head = json.dumps(document).encode()
        parts = [payload] if isinstance(payload, bytes) else payload
        self.put(key, itertools.chain([len(head).to_bytes(4, "big"), head], parts))

    def put(
        self,
        key: str,
        payload: bytes | Iterable[bytes | bytearray | memoryview],
        *,
        replace: bool = True,
    ) -> bool:
        """Store ``payload`` (or its parts in order, which are never joined in memory: a
        generator is read once) under ``key`` in one step; with ``replace=False``, only if
        ``key`` has no entry yet. Whether it was stored."""
        name = _name(self.kind, key)
        digest = hashlib.sha256(name)
        length = 0
        with self.folder.writing(entry_rel(self.kind, key), replace=replace) as out:
            f = out.file
            f.write(_header(name, 0, bytes(_DIGEST)))  # filled in once the payload is read
            for part in [payload] if isinstance(payload, bytes) else payload:
                digest.update(part)
                length += len(part)
                f.write(part)
            f.seek(0)
            f.write(_header(name, length, digest.digest()))
        return out.stored


def mark_used(cache_dir: Path, uses: Uses) -> None:
    """Mark the entries ``uses`` lists used now (what a cached result was made from)."""
    Folder(cache_dir).touch(entry_rel(kind, key) for kind, keys in uses.items() for key in keys)


def uses_of(meta: Mapping[str, Any]) -> dict[str, list[str]]:
    """The entries a meta header says its entry was made from (empty if none, or unreadable)."""
    found = meta.get(USES)
    if not isinstance(found, dict):
        return {}
    return {
        str(kind): [str(k) for k in keys if isinstance(k, str)]
        for kind, keys in found.items()
        if isinstance(keys, list)
    }


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

    def __init__(self, f: BinaryIO, name: bytes) -> None:
        self.f = f
        start = f.read(len(MAGIC) + 2)
        size = int.from_bytes(start[len(MAGIC) :], "big")
        found = f.read(size) if start.startswith(MAGIC) and len(start) == len(MAGIC) + 2 else b""
        rest = f.read(8 + _DIGEST)
        # Another key's entry is as good as none: its payload is never handed out.
        self.valid = found == name and len(rest) == 8 + _DIGEST
        self.remaining = int.from_bytes(rest[:8], "big") if self.valid else 0
        self.expected = rest[8:]
        self.hash = hashlib.sha256(name)

    def read(self, size: int) -> bytes:
        """Up to ``size`` more bytes of the payload (b"" at its end)."""
        if not self.valid:
            return b""
        data = self.f.read(min(size, self.remaining))
        self.hash.update(data)
        self.remaining -= len(data)
        return data

    def intact(self) -> bool:
        """Whether the whole payload (the rest is read now) matches its header and key."""
        while self.read(1 << 20):
            pass
        return (
            self.valid
            and self.remaining == 0
            and not self.f.read(1)
            and self.hash.digest() == self.expected
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
