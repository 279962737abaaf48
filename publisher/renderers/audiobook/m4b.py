"""The whole book as one M4B: AAC-LC in an MP4 container with chapter marks. PyAV (FFmpeg)
decodes the MP3s and encodes the AAC; :mod:`.mp4` writes the container.

**Where the sound comes from.** Each chapter's finished MP3 (the audio target's output,
mastered to the book's loudness and true peak) is decoded by PyAV, which honours the LAME
header's delay and padding, so the samples are exactly those the timing files count. Nothing
is synthesised or mastered again: the MP3 decodes at the book's loudness, and AAC at the same
bitrate keeps it. Decoding costs about 0.1 s per 45 s chapter; the mastered PCM itself is not
kept anywhere (the chapter cache holds the MP3), and keeping it would cost 2.6 MB a minute.

**Incremental.** Each chapter is encoded to AAC on its own and its packets are cached
(``<cache>/audiobook``, keyed by the MP3's audio bytes and the encoder settings). The book is
then only a copy of cached packets into the MP4, and each chapter is copied as soon as its
packets are ready. A chapter's AAC is itself made of parts cut in its digital silences, each cached
(:mod:`.parts`), so an edit in one paragraph re-encodes about that paragraph alone. This works
because every chapter and every part starts and ends in silence: the joins fall there, where
an AAC frame made without its neighbour decodes the same as one made with it.

**Sample-exact joins.** AAC codes 1024 samples a packet and the encoder puts one packet of
priming in front of each chapter (the MP4 edit list hides the book's first one). A chapter's
packets therefore run up to two packets past its end; we keep as many of them as bring the
book's position nearest to the sum of the chapter lengths so far, so each chapter mark is
within half a packet (23 ms at 22050 Hz) of where the timing files put that chapter, and the
error never accumulates. The packets left out hold the chapter's closing pause.

**Sections.** MP4 chapter lists (QuickTime chapter track, Nero ``chpl``) are flat. The marks
are one per book chapter: flattening the sections in too would make a player count "chapter
5 of 18" where the book has 11. The sections stay in each chapter MP3's nested CHAP/CTOC
frames and in the timing files.
"""

from __future__ import annotations

import array
import contextlib
import hashlib
import itertools
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from publisher.errors import BuildError
from publisher.infra.cache import BlobCache, Uses, cache_key, mark_used, read_meta, uses_of
from publisher.renderers.audiobook.mp4 import FRAME as FRAME  # samples a packet, for callers
from publisher.speech.disclosure import Synthetic

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
class ChapterSource:
    """One chapter as the audiobook needs it: its title and its finished MP3."""

    title: str
    mp3: Path


@dataclass(frozen=True, kw_only=True)
class BookTags:
    """What the M4B's tags say (mutagen's MP4 atoms, see :mod:`.tags`)."""

    title: str
    author: str
    album: str
    narrator: str
    year: int | None
    description: str | None
    identifier: str
    language: str
    cover: bytes | None
    synthetic: Synthetic | None = None  # how the speech was made: its digital source type
    series: tuple[str, float | None] | None = None  # the series' name and the book's number


@dataclass(frozen=True, kw_only=True)
class Piece:
    """One chapter encoded on its own: its AAC packets and the length of its signal."""

    sample_rate: int
    samples: int  # of the decoded MP3, without AAC priming or padding
    sizes: Sequence[int]  # bytes of each packet, in order (an array of 32-bit numbers: an
    # 11-hour chapter has 850,000 packets, 3.4 MB so, 30 MB as a tuple of Python ints)
    data: bytes  # the packets, back to back


@dataclass(frozen=True, kw_only=True)
class Mark:
    """A chapter mark of the finished M4B, in samples of its audio."""

    title: str
    start: int
    end: int


def audio_digest(mp3: Path) -> str:
    """SHA-256 of the MP3 without its ID3v2 tag: a new title or cover is not new audio.
    Read a megabyte at a time: 50 chapters' MP3s pass through here before anything else."""
    digest = hashlib.sha256()
    with mp3.open("rb") as f:
        head = f.read(10)
        start = 0
        if head[:3] == b"ID3" and len(head) >= 10:
            size = 0
            for byte in head[6:10]:  # a syncsafe integer: 7 bits a byte
                size = (size << 7) | (byte & 0x7F)
            start = 10 + size + (10 if head[5] & 0x10 else 0)  # the footer flag
        f.seek(start)
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def piece_key(digest: str, bitrate: int) -> str:
    """The cache key of a chapter's AAC packets."""
    import av

    return cache_key("audiobook-piece", AAC_FORMAT, AAC_CODER, av.__version__, bitrate, digest)


def encode_piece(mp3: Path, bitrate: int, cache_dir: Path | None = None, key: str = "") -> Piece:
    """Decode ``mp3`` (gapless) and encode it as mono AAC-LC at ``bitrate`` kbps in parts cut
    in its silences, each part from ``cache_dir`` or encoded (and stored) there, the chapter
    stored there under ``key`` and returned without its packets (without ``cache_dir``, with
    them): see :func:`publisher.renderers.audiobook.parts.encode_chapter`."""
    from publisher.renderers.audiobook import parts  # numpy: not in the build's main process

    return parts.encode_chapter(mp3, bitrate, cache_dir, key)


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


def ensure_piece(mp3: Path, bitrate: int, cache_dir: Path) -> tuple[str, Piece]:
    """Encode ``mp3``'s piece into the cache unless it is there; its cache key and the piece
    without its packets (as :meth:`PieceCache.light` gives it)."""
    cache = PieceCache(cache_dir)
    key = piece_key(audio_digest(mp3), bitrate)
    light = cache.light(key)
    if light is None:
        light = encode_piece(mp3, bitrate, cache_dir, key)
    return key, light


class Layout:
    """How many packets of each piece to keep, and the chapter marks (module docstring),
    worked out a chapter at a time as the pieces come."""

    def __init__(self) -> None:
        self.position = 0  # where the next chapter's signal starts in the M4B, in samples
        self.target = 0  # where it starts in the chapter MP3s laid end to end

    def step(self, title: str, piece: Piece, last: bool) -> tuple[int, Mark]:
        """How many of ``piece``'s packets to keep, and its chapter's mark."""
        self.target += piece.samples
        # The next chapter's priming packet ends this one; the book's last has none after it.
        wanted = round((self.target - self.position) / FRAME) + (1 if last else 0)
        count = max(1, min(len(piece.sizes), wanted))
        end = self.position + count * FRAME - (FRAME if last else 0)
        mark = Mark(title=title, start=self.position, end=end)
        self.position = end
        return count, mark


def mux(
    dest: Path,
    chapters: Iterable[tuple[str, str, Piece]],
    count: int,
    *,
    bitrate: int,
    cache_dir: Path,
) -> list[Mark]:
    """Write the M4B's audio and chapter marks (no tags) to ``dest`` from the ``count``
    chapters' titles, piece keys and pieces without packets, in reading order; return the
    marks. Each chapter is muxed as soon as ``chapters`` gives it: in a rebuild the chapters
    before an edited one are muxed while that one is still being made."""
    from publisher.renderers.audiobook.mp4 import Mp4Writer

    marks: list[Mark] = []
    steps = Layout()
    cache = PieceCache(cache_dir)
    with dest.open("wb") as f:
        writer: Mp4Writer | None = None
        for n, (title, key, light) in enumerate(chapters):
            if writer is None:
                rate = light.sample_rate
                # The first packet is the encoder's priming: the MP4's edit list hides it.
                config = encoder(rate, bitrate).extradata
                if not config:
                    raise BuildError("audiobook: FFmpeg's AAC encoder gave no configuration")
                writer = Mp4Writer(f, rate, config)
            elif light.sample_rate != rate:
                raise BuildError(
                    f"audiobook: the chapters have different sample rates {[rate, light.sample_rate]}"
                )
            keep, mark = steps.step(title, light, n == count - 1)
            marks.append(mark)
            with cache.reading(key, light) as read:
                writer.write(read, light.sizes[:keep])
        if writer is None:
            raise BuildError("audiobook: the book has no chapters")
        writer.finish([(mark.title, mark.start) for mark in marks])
    return marks
