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

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from publisher.errors import BuildError
from publisher.infra.cache import cache_key
from publisher.renderers.audiobook.mp4 import FRAME as FRAME  # samples a packet, for callers
from publisher.renderers.audiobook.mp4 import Mp4Writer
from publisher.renderers.audiobook.pieces import AAC_CODER, AAC_FORMAT, Piece, PieceCache, encoder
from publisher.speech.disclosure import Synthetic


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
