"""A chapter's AAC as the audiobook keeps it: its packets (:class:`Piece`), the encoder that
makes them and its settings, and their cache. Below everything else in this package: the
M4B (:mod:`.m4b`), the chapter's parts (:mod:`.parts`) and their joins (:mod:`.joins`) all
hold pieces.
"""

from __future__ import annotations

import array
import contextlib
import itertools
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from publisher.errors import BuildError
from publisher.infra.cache import BlobCache, Uses, mark_used, read_meta, uses_of

if TYPE_CHECKING:  # PyAV is imported where it is used: the build loads it only for this target
    from av.audio.codeccontext import AudioCodecContext


AAC_FORMAT = 3
"""Bump when pieces are made or stored differently in a way :func:`piece_key` does not
capture (3: the packet sizes stored as 32-bit numbers, not JSON)."""
AAC_CODER = "fast"
"""FFmpeg's AAC coder. ``fast`` encoded a 44 s chapter in 0.6 s, the default ``twoloop`` in
1.6 s (one core of a shared machine); at 64 kbps, generous for mono speech, the seed's M4B
made with ``fast`` still measures −19.0 LUFS and −1.9 dBTP."""


@dataclass(frozen=True, kw_only=True)
class Piece:
    """One chapter encoded on its own: its AAC packets and the length of its signal."""

    sample_rate: int
    samples: int  # of the decoded MP3, without AAC priming or padding
    sizes: Sequence[int]  # bytes of each packet, in order (an array of 32-bit numbers: an
    # 11-hour chapter has 850,000 packets, 3.4 MB so, 30 MB as a tuple of Python ints)
    data: bytes  # the packets, back to back


def encoder(rate: int, bitrate: int) -> AudioCodecContext:
    """A fresh mono AAC-LC encoder at ``rate`` Hz and ``bitrate`` kbps."""
    from av.audio.codeccontext import AudioCodecContext

    encoder = AudioCodecContext.create("aac", "w")
    encoder.sample_rate = rate
    encoder.layout = "mono"
    encoder.format = "fltp"
    encoder.bit_rate = bitrate * 1000
    encoder.options = {"aac_coder": AAC_CODER}
    encoder.open()
    return encoder


class PieceCache:
    """Chapters' AAC packets, the cache kind ``audiobook`` (their parts' another ``kind``)."""

    def __init__(self, cache_dir: Path, kind: str = "audiobook") -> None:
        self.cache_dir = cache_dir
        self.blobs = BlobCache(cache_dir, kind)

    def put(
        self,
        key: str,
        piece: Piece,
        data: Iterable[bytes] | None = None,
        uses: Uses | None = None,
    ) -> None:
        """Store ``piece`` under ``key``, its packets from ``data`` (blocks, read as they are
        written: a long chapter's are never all in memory) or else its own; ``uses``: the
        entries it was made from."""
        meta = {"sample_rate": piece.sample_rate, "samples": piece.samples}
        meta["packets"] = len(piece.sizes)
        blocks = [piece.data] if data is None else data
        self.blobs.put_with_meta(key, meta, itertools.chain([_packed(piece.sizes)], blocks), uses)

    def light(self, key: str) -> Piece | None:
        """The piece under ``key`` without its packets (``data`` empty), checked whole by
        reading it a megabyte at a time; None (and the entry removed) when absent or damaged.
        The parts it was made of are marked used with it."""
        reader = self.blobs.open(key)
        if reader is None:
            return None
        with reader:
            uses: dict[str, list[str]] = {}
            piece = _light(reader.read, uses)
            if reader.intact() and piece is not None:
                mark_used(self.cache_dir, uses)
                return piece
        self.blobs.discard(key)
        return None

    @contextlib.contextmanager
    def reading(self, key: str, light: Piece) -> Iterator[Callable[[int], bytes]]:
        """The packets of the piece :meth:`light` described, to read a block at a time (a
        chapter's 6 MB are never all in memory while the book is muxed); BuildError if the
        entry changed or was damaged since."""
        reader = self.blobs.open(key)
        if reader is None:
            raise BuildError(f"audiobook: piece {key[:12]} left the cache while in use")
        with reader:
            if _light(reader.read) != light:
                raise BuildError(f"audiobook: piece {key[:12]} changed while in use")
            try:
                yield reader.read
            except EOFError as e:  # cut short since: it ended before its packets did
                raise BuildError(f"audiobook: piece {key[:12]} was damaged while in use") from e
            if not reader.intact():
                raise BuildError(f"audiobook: piece {key[:12]} was damaged while in use")


def _light(read: Callable[[int], bytes], uses: dict[str, list[str]] | None = None) -> Piece | None:
    """A cached piece's header as a piece without packets; None if it is not one. ``uses``
    is given the entries it lists as made from."""
    try:
        meta = read_meta(read)
        if uses is not None:
            uses.update(uses_of(meta))
        count = int(meta["packets"])
        raw = read(4 * count) if count >= 0 else b""
        if len(raw) != 4 * count:
            return None
        sizes = sizes_array()
        sizes.frombytes(raw)
        if sys.byteorder == "big":  # stored little-endian
            sizes.byteswap()
        return Piece(
            sample_rate=int(meta["sample_rate"]),
            samples=int(meta["samples"]),
            sizes=sizes,
            data=b"",
        )
    except (ValueError, KeyError, TypeError):
        return None


def sizes_array(values: Iterable[int] = ()) -> array.array[int]:
    """Packet sizes as unsigned 32-bit numbers (4 bytes each, not a Python int each)."""
    sizes = array.array("I", values)
    if sizes.itemsize != 4:  # pragma: no cover - 'I' is 32 bits on every platform we run
        sizes = array.array("L", sizes)
    return sizes


def _packed(sizes: Sequence[int]) -> bytes:
    """``sizes`` as 32-bit little-endian numbers, as :func:`_light` reads them."""
    packed = sizes if isinstance(sizes, array.array) else sizes_array(sizes)
    if sys.byteorder == "big":  # pragma: no cover - the machines we run on are little-endian
        packed = sizes_array(packed)
        packed.byteswap()
    return packed.tobytes()
