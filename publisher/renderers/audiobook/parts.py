"""A chapter's AAC made of parts cut in its digital silences, each part cached on its own.

Editing one paragraph changes one MP3 segment of one chapter (see
:mod:`publisher.renderers.audio.segments`); encoding the whole chapter's AAC again cost more
than the rest of such a rebuild. So the chapter's decoded audio is cut into **parts** in its
runs of digital silence (exact zeros, which LAME's frames of silent input decode to), each
part is encoded by a fresh AAC encoder and its packets are cached under
``<cache_dir>/audiobook-parts``, keyed by the part's decoded samples. An edit encodes only
the parts whose samples changed; the chapter's packets are then the parts' joined.

**Where a part ends.** A cut lies :data:`LEAD` packets before the end of a silent run of at
least :data:`LEAST` packets, once the part has sound: where it falls depends only on the
sound before and after the run, so an edit moves no cut outside the edited part, and the
parts after it keep their samples. The cut is placed from the run's *end* because the MP3
segment before a seam may end with a shorter or longer silence after an edit; that silence
then belongs to the edited part, which is encoded again anyway.

**Joins** (:mod:`.joins`). Each part brings a priming packet and runs up to two packets
past its end; the packets a part leaves out, and the next part's priming, lie in the
silence: at least ``LEAST - LEAD`` packets before the cut and ``LEAD`` after it.

**Held as little as can be.** A part's packets go to a temporary file as they are encoded
and to the cache when it ends (``made`` keeps only their sizes); the chapter's entry is then
written from the parts' entries a block at a time. An eleven-hour chapter's AAC (300 MB)
was held two or three times over.

**One decode, or two.** The chapter is decoded a frame at a time and never held (a 13-minute
chapter would be 69 MB as float32): a part's key is known only at its end. A chapter never
seen before is encoded part by part while it is decoded (as a cold build needs every part);
a chapter seen before (its slug has a :class:`Hint`) is first decoded to find its parts'
keys, and decoded again up to its last missing part to encode only those.
"""

from __future__ import annotations

import array
import dataclasses
import hashlib
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

from publisher.errors import BuildError
from publisher.infra.cache import BlobCache, cache_key
from publisher.renderers.audiobook.joins import join, join_stored
from publisher.renderers.audiobook.mp4 import FRAME
from publisher.renderers.audiobook.pieces import (
    AAC_CODER,
    AAC_FORMAT,
    Piece,
    PieceCache,
    encoder,
    sizes_array,
)

if TYPE_CHECKING:
    import av
    from av.audio.codeccontext import AudioCodecContext

LEAD = 2
"""Packets of silence a part starts with (its priming packet and one more)."""
LEAST = 6
"""Packets of silence a run needs to be cut in: ``LEAD`` for the next part, the rest for the
packets this part may leave out (up to two) and the overlap of AAC's window."""

Samples = npt.NDArray[np.float32]
BLOCK = 1 << 15
"""Decoded samples handed to :func:`split` at a time."""
HOLD = 1 << 20
"""Samples of a part (4 MB as float32, 48 s at 22050 Hz) held while its key is not yet known,
so that a changed part found in the first decode is encoded without a second."""


class Sink(Protocol):
    """Told each part's samples in order, then that it ended."""

    def feed(self, index: int, samples: Samples) -> None:
        """Samples of part ``index``."""

    def end(self, index: int, span: Span) -> None:
        """Part ``index`` ended (``span.digest`` is known now)."""


@dataclass(kw_only=True)
class Span:
    """One part of a chapter: where it starts in the decoded chapter, its length, and the
    SHA-256 of its samples (float32, as decoded)."""

    start: int
    samples: int = 0
    digest: str = ""
    hasher: hashlib._Hash = field(default_factory=hashlib.sha256, repr=False)
    sound: bool = False


def split(chunks: Iterable[Samples], frame: int, sink: Sink | None = None) -> list[Span]:
    """The parts of the decoded audio ``chunks`` (module docstring), each given to ``sink``
    as it comes. Silence is counted, not held, until it is known which part it belongs to."""
    spans = [Span(start=0)]
    silent = 0  # silence seen but not yet given to a part

    def give(samples: Samples, sound: bool) -> None:
        span = spans[-1]
        span.hasher.update(samples.tobytes())
        span.samples += len(samples)
        span.sound |= sound
        if sink is not None:
            sink.feed(len(spans) - 1, samples)

    def zeros(run: int) -> None:
        # A block at a time: an hour of silence is 318 MB as one float32 array, hashed (and
        # copied for the hash) at once.
        for start in range(0, run, BLOCK):
            give(np.zeros(min(BLOCK, run - start), np.float32), False)

    def silence(run: int) -> None:
        if spans[-1].sound and run >= LEAST * frame:
            zeros(run - LEAD * frame)
            end(spans[-1])
            spans.append(Span(start=spans[-1].start + spans[-1].samples))
            run = LEAD * frame
        zeros(run)

    def end(span: Span) -> None:
        span.digest = span.hasher.hexdigest()
        if sink is not None:
            sink.end(len(spans) - 1, span)

    for chunk in chunks:
        loud = np.flatnonzero(chunk)
        if not len(loud):
            silent += len(chunk)
            continue
        silence(silent + int(loud[0]))
        cursor = int(loud[0])
        gaps = np.diff(loud) - 1
        for b in np.flatnonzero(gaps >= LEAST * frame):
            give(chunk[cursor : loud[b] + 1], True)
            silence(int(gaps[b]))
            cursor = int(loud[b + 1])
        give(chunk[cursor : loud[-1] + 1], True)
        silent = len(chunk) - int(loud[-1]) - 1
    zeros(silent)
    end(spans[-1])
    return spans


def _samples(frame: av.AudioFrame | None) -> Samples:
    if frame is None:  # pragma: no cover - read only when the FIFO holds samples
        return np.zeros(0, np.float32)
    samples: Samples = frame.to_ndarray()[0]
    return samples


PARTS = "audiobook-parts"
"""The cache kind of the parts' AAC packets."""


def part_key(digest: str, rate: int, bitrate: int) -> str:
    """The cache key of a part's AAC packets."""
    import av

    return cache_key("audiobook-part", AAC_FORMAT, AAC_CODER, av.__version__, rate, bitrate, digest)


class Hint:
    """Whether a chapter (by its MP3's name) was made into parts before, under
    ``<cache_dir>/audiobook-parts-seen``: then most of its parts are probably cached."""

    KIND = "audiobook-parts-seen"

    def __init__(self, cache_dir: Path, name: str) -> None:
        self.blobs = BlobCache(cache_dir, self.KIND)
        self.key = cache_key("seen", name)

    def seen(self) -> bool:
        """Whether the chapter was made into parts before."""
        return self.blobs.contains(self.key)

    def mark(self) -> None:
        """Remember that it was."""
        self.blobs.put(self.key, b"1")


class Encoders:
    """A sink that encodes the parts in ``wanted`` (all if None), each with a fresh encoder,
    its packets written to a temporary file as they come. A finished part goes to ``store``
    (with its key) when there is one, and ``made`` keeps it without packets; else ``made``
    keeps it whole (by part index)."""

    def __init__(
        self,
        make: Callable[[], AudioCodecContext],
        rate: int,
        wanted: set[int] | None = None,
        store: Callable[[str, Piece, Iterable[bytes]], None] | None = None,
    ) -> None:
        self.make = make
        self.rate = rate
        self.wanted = wanted
        self.store = store
        self.made: dict[int, Piece] = {}
        self._open: tuple[int, AudioCodecContext, array.array[int], IO[bytes], list[int]] | None
        self._open = None

    def done(self) -> bool:
        """Whether every wanted part is made (decoding further would be for nothing)."""
        return self.wanted is not None and self.wanted <= self.made.keys()

    def feed(self, index: int, samples: Samples) -> None:
        """Encode ``samples`` of part ``index`` if it is wanted."""
        if self.wanted is None or index in self.wanted:
            self._encode(index, samples)

    def end(self, index: int, span: Span) -> None:
        """Flush part ``index``'s encoder into a piece, if it is wanted."""
        if self.wanted is None or index in self.wanted:
            self._encode(index, None, span.digest)

    def _encode(self, index: int, samples: Samples | None, digest: str = "") -> None:
        import av

        if self._open is None or self._open[0] != index:
            packets = tempfile.SpooledTemporaryFile(max_size=HOLD)  # noqa: SIM115 - closed below
            self._open = (index, self.make(), sizes_array(), packets, [0])
        _, encoder, sizes, data, count = self._open
        frame = None  # flush the encoder
        if samples is not None:
            count[0] += len(samples)
            frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="fltp", layout="mono")
            frame.sample_rate = self.rate
        for packet in encoder.encode(frame):
            sizes.append(packet.size)
            data.write(memoryview(packet))
        if samples is None:
            self._open = None
            with data:
                piece = Piece(sample_rate=self.rate, samples=count[0], sizes=sizes, data=b"")
                if self.store is not None:
                    self.store(digest, piece, _blocks(data))
                else:
                    data.seek(0)
                    piece = dataclasses.replace(piece, data=data.read())
            self.made[index] = piece


def _blocks(file: IO[bytes]) -> Iterator[bytes]:
    """``file`` from its start, a megabyte at a time."""
    file.seek(0)
    while block := file.read(1 << 20):
        yield block


class Finder(Encoders):
    """A sink for the first decode of a chapter seen before: it holds each part's samples (up
    to :data:`HOLD`) until its key is known, encodes it at once if ``missing(digest)``, and
    lists in ``later`` the missing parts too long to have been held."""

    def __init__(
        self,
        make: Callable[[], AudioCodecContext],
        rate: int,
        missing: Callable[[str], bool],
        store: Callable[[str, Piece, Iterable[bytes]], None] | None = None,
    ) -> None:
        super().__init__(make, rate, set(), store)
        self.missing = missing
        self.later: set[int] = set()
        self._held: list[Samples] | None = []
        self._count = 0

    def feed(self, index: int, samples: Samples) -> None:
        """Hold ``samples`` while the part is short enough."""
        self._count += len(samples)
        if self._held is not None:
            self._held.append(samples.copy() if samples.base is not None else samples)
            if self._count > HOLD:
                self._held = None

    def end(self, index: int, span: Span) -> None:
        """Encode the part now if it is missing and held; else remember it for later."""
        held, self._held, self._count = self._held, [], 0
        if not self.missing(span.digest):
            return
        if held is None:
            self.later.add(index)
            return
        for samples in held:
            self._encode(index, samples)
        self._encode(index, None, span.digest)


def until(chunks: Iterable[Samples], stop: Callable[[], bool]) -> Iterator[Samples]:
    """``chunks`` until ``stop()`` is true."""
    for chunk in chunks:
        if stop():
            return
        yield chunk


def decode(mp3: Path) -> Iterator[Samples]:
    """``mp3`` decoded (gapless), :data:`BLOCK` samples at a time (the last block shorter),
    gathered by FFmpeg's FIFO: an MP3 frame is 576 samples (a 200 s chapter has 8,000), and
    converting each to numpy cost more than decoding."""
    import av

    with av.open(str(mp3)) as source:
        fifo = av.AudioFifo()
        for frame in source.decode(source.streams.audio[0]):
            frame.pts = None  # the FIFO checks timestamps are contiguous; they are
            fifo.write(frame)
            if fifo.samples >= BLOCK:
                yield _samples(fifo.read(BLOCK))
        if fifo.samples:
            yield _samples(fifo.read())


def encode_chapter(mp3: Path, bitrate: int, cache_dir: Path | None = None, key: str = "") -> Piece:
    """Decode ``mp3`` (gapless) and encode it as mono AAC-LC at ``bitrate`` kbps in parts cut
    in its silences (:mod:`.parts`), a frame at a time: a chapter is never held decoded (13
    minutes would be 69 MB as float32). Without ``cache_dir``, the chapter's piece, packets
    and all; with it, each part from ``cache_dir`` or encoded and stored there as it ends,
    and the chapter stored under ``key`` (its packets copied from the parts'), returned
    without its packets."""
    import av

    with av.open(str(mp3)) as probe:
        rate = probe.streams.audio[0].codec_context.sample_rate

    def make() -> AudioCodecContext:
        return encoder(rate, bitrate)

    if cache_dir is None:
        sink = Encoders(make, rate)
        spans = split(decode(mp3), FRAME, sink)
        return join([sink.made.pop(i) for i in range(len(spans))], FRAME)
    cache = PieceCache(cache_dir, PARTS)

    def store(digest: str, piece: Piece, packets: Iterable[bytes]) -> None:
        cache.put(part_key(digest, rate, bitrate), piece, packets)

    hint = Hint(cache_dir, mp3.name)
    if not hint.seen():  # most likely a cold cache: encode every part in the one decode
        sink = Encoders(make, rate, store=store)
        spans = split(decode(mp3), FRAME, sink)
    else:  # encode only the parts not in the cache; decode again for any too long to hold
        finder = Finder(
            make,
            rate,
            # Checked whole and filed rightly (read through, not held): a damaged part is
            # encoded again now, not found missing when the chapter is joined.
            lambda digest: cache.light(part_key(digest, rate, bitrate)) is None,
            store,
        )
        spans = split(decode(mp3), FRAME, finder)
        sink = Encoders(make, rate, finder.later, store)
        if finder.later:
            split(until(decode(mp3), sink.done), FRAME, sink)
        sink.made.update(finder.made)
    hint.mark()
    parts = []
    for i, span in enumerate(spans):
        part = part_key(span.digest, rate, bitrate)
        light = sink.made.pop(i, None) or cache.light(part)
        if light is None:
            raise BuildError(f"audiobook: part {part[:12]} left the cache while in use")
        parts.append((part, light))
    uses = {PARTS: [part for part, _ in parts], Hint.KIND: [hint.key]}
    return join_stored(PieceCache(cache_dir), key, cache, parts, FRAME, uses)
