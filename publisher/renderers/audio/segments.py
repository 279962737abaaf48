"""A chapter encoded a segment at a time, cut in its silent pauses, and the cache of segments.

Editing one paragraph changes a few seconds of a chapter; encoding the other minutes again,
and decoding them to check their loudness, was most of the cost of such a rebuild. So a
chapter is cut in the middle of its silent pauses between blocks (:func:`cuts`: after a
paragraph, a heading, a list item), each segment is encoded by
a fresh encoder, and its frames are kept in the cache under ``<cache_dir>/segments``, keyed
by the very samples given to the encoder (after the loudness gain and the limiter) and the
encoder's settings. A rebuild encodes only the segments whose samples changed, and puts the
chapter together from the frames.

**Why the seams cannot be heard.** A cut lies in digital silence, far from any speech
(:data:`MARGIN_SECONDS` at least on each side once the encoder's own delay and padding are
counted). A fresh encoder's first frame takes no bits from a reservoir, so no frame borrows
across a seam. Each segment brings its encoder delay (576 samples) and end padding, which
decode as silence inside that pause: the seam adds no sound, only moves what follows by a few
milliseconds. To keep the pause its length, each segment but the last leaves out the end of
its silence so that its frames hold exactly a whole number of frames' worth of its own length
(:func:`encoded_length`): the pause at a seam is shorter by less than one frame (26 ms at
22050 Hz).

**The timing comes from the frames.** Segment ``k`` starts, for a gapless decoder, at the
sum of the earlier segments' frames times the samples per frame (:attr:`Encoded.offsets`);
:meth:`Encoded.position` moves a position in the chapter's samples there, and the one
Info/LAME header in front states the whole stream's delay (the first segment's) and padding
(the last's), so the decoded length, the header's and the timing file's agree.

**The check.** Each segment is decoded and measured once, when it is encoded: its 400 ms
loudness blocks and its true peak are kept with its frames. The chapter's loudness is then
gated over every segment's blocks (BS.1770 gates blocks; a block that would straddle a seam
lies in silence, under the gates), and a cached segment is not decoded again.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import math
import tempfile
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO, cast

import numpy as np
import numpy.typing as npt

from publisher.infra.cache import BlobCache, cache_key, read_meta
from publisher.renderers.audio import encode, loudness, peaks
from publisher.renderers.audio.settings import ENCODER_GAIN_DB, ENCODER_VERSION, QUALITY
from publisher.speech.items import Item, Pause

SEGMENT_FORMAT = 1
"""Bump to invalidate every cached segment (a change in what is stored with the frames)."""
MARGIN_SECONDS = 0.05
"""Digital silence kept on each side of a seam beyond the encoder's delay and padding."""
_NOT_CUT = ("chapter-start", "chapter-end", "sentence")
"""Pauses never cut in: at the chapter's ends there is nothing to separate, and a segment
is at least a paragraph (fewer seams; an edit to a sentence encodes its paragraph again)."""

Floats = npt.NDArray[np.float64]


def frame_samples(rate: int) -> int:
    """Samples per MPEG Layer III frame at ``rate``: 1152 for MPEG-1's rates, else 576."""
    return 1152 if rate >= 32000 else 576


def encoded_length(samples: int, frame: int) -> int:
    """How many of a segment's ``samples`` to encode so that its frames (LAME 3.100 makes
    ``ceil((n + 1152) / frame)`` of them for ``n`` samples) decode to ``samples`` rounded
    down to a whole frame: the rest, silence, is left out."""
    return max(0, samples // frame * frame - 2 * encode.ENCODER_DELAY)


def cuts(
    items: Sequence[Item],
    spans: Sequence[tuple[int, int]],
    sounding: Sequence[tuple[int, int]],
    rate: int,
) -> list[int]:
    """Where to cut a chapter: the middle of every pause between blocks (not between
    sentences, nor at the chapter's ends: :data:`_NOT_CUT`) that is digital silence (not one
    of ``sounding``, which hold a pause sound) and long enough that the silence left out
    (:func:`encoded_length`: under ``2 * 576`` samples and a frame) and :data:`MARGIN_SECONDS`
    on both sides fit in it."""
    margin = round(MARGIN_SECONDS * rate)
    need = 2 * encode.ENCODER_DELAY + frame_samples(rate) + margin
    loud = set(sounding)
    out = []
    for item, (start, end) in zip(items, spans, strict=True):
        if not isinstance(item, Pause) or item.kind in _NOT_CUT or (start, end) in loud:
            continue
        half = (end - start) // 2
        if half >= need and end - start - half >= margin:
            out.append(start + half)
    return out


HOLD_BYTES = 4 << 20
"""Encoder input (16-bit samples) of a segment held while its key is worked out. A longer
segment (over a minute and a half at 22050 Hz: a long paragraph, or a pause's sound minutes
long, where nothing is silent to cut in) is rendered twice instead: for its key, and, if the
cache lacks it, for the encoder. Its frames go to a temporary file, not memory."""

Render = Callable[[], Iterator[bytes]]
"""Gives a segment's encoder input (16-bit little-endian) in parts, afresh on each call."""


@dataclass(frozen=True, kw_only=True)
class Piece:
    """One encoded segment (its frames written where it was asked to put them): how many
    frames, the samples given to the encoder, and what its decoded audio measured (400 ms
    loudness blocks, true peak in dBTP)."""

    count: int
    samples: int
    blocks: Floats
    peak: float


class SegmentCache:
    """Encoded segments under ``<cache_dir>/segments``; ``encoded`` counts those this
    process encoded (a cache miss), which the chapter reports to the renderer."""

    def __init__(self, cache_dir: Path | None) -> None:
        self.blobs = None if cache_dir is None else BlobCache(cache_dir, "segments")
        self.encoded = 0
        self.used: set[str] = set()  # the keys read or stored: what the chapter is made of

    @staticmethod
    def key(digest: str, rate: int, bitrate: int) -> str:
        """The key of the segment whose encoder input has the SHA-256 ``digest`` (hex)."""
        version = ENCODER_VERSION.decode()
        return cache_key("segment", SEGMENT_FORMAT, version, QUALITY, rate, bitrate, digest)

    def piece(self, render: Render, rate: int, bitrate: int, into: Frames) -> Piece:
        """The segment whose encoder input ``render()`` gives, its frames appended to
        ``into``: from the cache, else encoded, checked (decoded and measured) and stored.
        At most :data:`HOLD_BYTES` of its input and a block of its frames are held."""
        digest = hashlib.sha256()
        held: list[bytes] | None = []
        size = 0
        for part in render():
            digest.update(part)
            size += len(part)
            if held is not None:
                held.append(part)
                if size > HOLD_BYTES:
                    held = None  # rendered again if it must be encoded
        key = self.key(digest.hexdigest(), rate, bitrate)
        self.used.add(key)
        cached = self._copy(key, into)
        if cached is not None:
            return cached

        def again() -> Iterator[bytes]:
            return iter(held) if held is not None else render()

        with tempfile.SpooledTemporaryFile(max_size=HOLD_BYTES) as frames:
            samples = encode.encode_to(again(), rate, bitrate, frames.write)
            count = encode.count_frames(_blocks(frames))
            frames.seek(0)
            blocks, peak = measure(frames, again, rate)
            piece = Piece(count=count, samples=samples, blocks=blocks, peak=peak)
            self.encoded += 1
            if self.blobs is not None:
                meta = {
                    "count": count,
                    "samples": samples,
                    "peak": peak if math.isfinite(peak) else None,
                    "blocks": blocks.tolist(),
                }
                self.blobs.put_with_meta(key, meta, _blocks(frames))
            for block in _blocks(frames):
                into.append(block)
        return piece

    def _copy(self, key: str, into: Frames) -> Piece | None:
        """The cached segment under ``key``, its frames copied to ``into`` a block at a time;
        None (nothing added, the entry removed if damaged) when it is not there whole."""
        reader = None if self.blobs is None else self.blobs.open(key)
        if reader is None:
            return None
        mark = into.size
        with reader:
            try:
                meta = read_meta(reader.read)
                peak = meta["peak"]
                piece: Piece | None = Piece(
                    count=int(meta["count"]),
                    samples=int(meta["samples"]),
                    blocks=np.array(meta["blocks"], dtype=np.float64),
                    peak=-math.inf if peak is None else float(peak),
                )
            except (ValueError, KeyError, TypeError):
                piece = None
            while piece is not None and (block := reader.read(1 << 20)):
                into.append(block)
            if piece is not None and reader.intact():
                return piece
        into.truncate(mark)
        assert self.blobs is not None
        self.blobs.discard(key)
        return None


def _blocks(file: IO[bytes]) -> Iterator[bytes]:
    """``file`` from its start, a megabyte at a time."""
    file.seek(0)
    while block := file.read(1 << 20):
        yield block


def decoded(mp3: bytes | IO[bytes], rate: int) -> tuple[loudness.Meter, peaks.PeakMeter]:
    """A loudness meter and a true-peak meter fed ``mp3`` (bytes, or a file at its start)
    decoded by pedalboard, a piece at a time; pedalboard's exception if it cannot read it."""
    from pedalboard.io import AudioFile

    meter = loudness.Meter(rate)
    peak = peaks.PeakMeter()
    with AudioFile(io.BytesIO(mp3) if isinstance(mp3, bytes) else cast(BinaryIO, mp3)) as f:
        while f.tell() < f.frames:
            chunk = f.read(loudness.CHUNK)[0]
            if not len(chunk):  # pragma: no cover - a decoder that stops short
                break
            meter.add(chunk)
            peak.add(chunk)
    return meter, peak


def measure(frames: bytes | IO[bytes], pcm: Render, rate: int) -> tuple[Floats, float]:
    """The loudness blocks and true peak (dBTP) of ``frames`` decoded (pedalboard); if
    pedalboard cannot read them, of ``pcm()`` (their input) with the encoder's known gain, so
    that a decoder we only use to double-check never fails the build."""
    try:
        meter, peak = decoded(frames, rate)
    except Exception:  # pragma: no cover - pedalboard reads what lameenc writes
        meter, peak = loudness.Meter(rate), peaks.PeakMeter()
        for part in pcm():
            samples = np.frombuffer(part, dtype="<i2")
            meter.add(samples)
            peak.add(samples)
        top = peak.peak() * 10 ** (ENCODER_GAIN_DB / 20)
        return meter.blocks() * 10 ** (ENCODER_GAIN_DB / 10), _db(top)
    return meter.blocks(), _db(peak.peak())


def _db(peak: float) -> float:
    return 20 * math.log10(peak) if peak > 0 else -math.inf


class Frames:
    """A chapter's MP3 frames, segment after segment, kept in an unnamed temporary file while
    the chapter is encoded: a long chapter's are megabytes, which were held beside everything
    the encoding needs (the limiter's gains, the held utterances) at a worker's peak. They
    are read back (:meth:`read`) once those are gone."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - open as long as the chapter
        self.size = 0
        weakref.finalize(self, self.file.close)  # closed with the chapter, however it ends

    def append(self, data: bytes) -> None:
        """Add ``data`` after the frames so far."""
        self.file.write(data)
        self.size += len(data)

    def truncate(self, size: int) -> None:
        """Forget every frame after the first ``size`` bytes (a segment that failed midway)."""
        self.file.truncate(size)
        self.file.seek(size)
        self.size = size

    def blocks(self) -> Iterator[bytes]:
        """Every frame so far, in order, a megabyte at a time."""
        yield from _blocks(self.file)
        self.file.seek(0, 2)

    def read(self) -> bytearray:
        """Every frame so far, in order."""
        self.file.seek(0)
        data = bytearray(self.size)
        if self.file.readinto(data) != self.size:  # pragma: no cover - our own file
            raise OSError("the chapter's encoded frames could not be read back")
        self.file.seek(0, 2)
        return data


@dataclass(frozen=True, kw_only=True)
class Encoded:
    """A chapter's segments put together: the bare frames, where each segment starts in the
    chapter's samples (``starts``) and in the decoded stream (``offsets``), the gapless
    length, and how many segments were encoded (not found in the cache)."""

    frames: Frames
    count: int  # frames in all
    starts: tuple[int, ...]
    offsets: tuple[int, ...]
    samples: int
    encoded: int
    blocks: Floats = field(repr=False)
    peak: float

    def position(self, sample: int) -> int:
        """Where ``sample`` of the chapter lies in the decoded stream (a position in the left-
        out silence at a segment's end goes to the next segment's start)."""
        k = max(0, bisect.bisect_right(self.starts, sample) - 1)
        moved = sample - self.starts[k] + self.offsets[k]
        end = self.offsets[k + 1] if k + 1 < len(self.offsets) else self.samples
        return min(moved, end)

    def loudness(self) -> float:
        """The integrated loudness of the decoded stream (LUFS), from the segments' blocks."""
        return loudness.gated(self.blocks)


def encode_chapter(
    source: peaks.Signal,
    plan: loudness.Plan,
    at: Sequence[int],
    rate: int,
    bitrate: int,
    cache: SegmentCache,
) -> Encoded:
    """``source`` with ``plan`` applied, cut at ``at`` (see :func:`cuts`), each segment
    from ``cache`` or encoded (module docstring)."""
    frame = frame_samples(rate)
    bounds = [0, *at, len(source)]
    frames = Frames()
    starts: list[int] = []
    offsets: list[int] = []
    blocks: list[Floats] = []
    peak = -math.inf
    before = cache.encoded
    offset = 0
    last = 0
    for k in range(len(bounds) - 1):
        start, stop = bounds[k], bounds[k + 1]
        final = k == len(bounds) - 2
        keep = stop - start if final else encoded_length(stop - start, frame)

        def render(start: int = start, stop: int = start + keep) -> Iterator[bytes]:
            # 16-bit only, a piece at a time: no float copy of a long segment is held
            for begin in range(start, stop, loudness.CHUNK):
                rendered = plan.render(source, begin, min(begin + loudness.CHUNK, stop))
                yield rendered.astype("<i2", copy=False).tobytes()

        piece = cache.piece(render, rate, bitrate, frames)
        starts.append(start)
        offsets.append(offset)
        blocks.append(piece.blocks)
        peak = max(peak, piece.peak)
        last = offset + piece.samples
        offset += piece.count * frame
    return Encoded(
        frames=frames,
        count=offset // frame,
        starts=tuple(starts),
        offsets=tuple(offsets),
        samples=last,
        encoded=cache.encoded - before,
        blocks=np.concatenate(blocks),
        peak=peak,
    )
