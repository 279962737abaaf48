"""Mastering: normalise, encode (a segment at a time), and check the loudness of the MP3 itself.

The promise is about the file people play: −19 LUFS (the book's ``narration.loudness``)
within ±1 LU and true peak at most −1 dBTP *after decoding*. Encoding moves both: LAME
3.100 (as lameenc ships it) plays back mono about 0.45 dB quieter than its input (the same
at every rate and bitrate we use), and its filtering adds a few tenths of a dB to the true
peak. So we normalise the PCM with the encoder's gain already allowed for, encode, decode
the result (pedalboard reads MP3 itself, no ffmpeg) and measure it. If it misses the target
or peaks too high (:mod:`publisher.renderers.audio.settings` has the numbers), we correct by what we
measured and encode again (twice at most). On the seed it never has to: the check is what
makes that a promise rather than an observation.

The chapter is encoded in segments cut in its silent pauses, each cached with what its
decoded audio measured (:mod:`publisher.renderers.audio.segments`): the check gates the
loudness blocks of every segment, and decodes only the segments just encoded.

**The gain is kept** from the chapter's last build (:class:`Gain`, passed as ``kept``) while
the chapter, measured again, would land within :data:`KEEP_TOLERANCE` of the target with it:
an edited paragraph then changes the samples of its own segment only, and the others come
from the cache. Otherwise, or if the MP3 then misses the ±1 LU promise's inner
:data:`KEPT_LIMIT`, the gain is set afresh (every segment is encoded again).

The check decodes and measures a piece at a time (the loudness meter and the true-peak meter
both take a signal in pieces), so a long chapter is never held decoded; the PCM is
normalised piece by piece on its way into the encoder for the same reason.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from publisher.renderers.audio import encode, loudness, pauses, peaks, remeasure, segments
from publisher.renderers.audio.chapter import Gain
from publisher.renderers.audio.settings import (
    CEILING_DBTP,
    ENCODER_GAIN_DB,
    LOUDNESS_TOLERANCE,
    PEAK_LIMIT_DBTP,
)


def decode(mp3: bytes) -> loudness.Samples | None:
    """The MP3's samples as floats (pedalboard's decoder), or None if it cannot read it."""
    try:
        from pedalboard.io import AudioFile

        with AudioFile(io.BytesIO(mp3)) as f:
            data = f.read(f.frames)
    except Exception:  # a decoder we only use to double-check must not fail the build
        return None
    samples: loudness.Samples = np.asarray(data[0], dtype=np.float64)
    return samples


def measure(mp3: bytes, rate: int) -> tuple[float, float] | None:
    """Integrated loudness (LUFS) and true peak (dBTP) of the decoded MP3, decoded and
    measured a piece at a time; None if pedalboard cannot read it."""
    try:
        meter, peak = segments.decoded(mp3, rate)
    except Exception:  # a decoder we only use to double-check must not fail the build
        return None
    top = peak.peak()
    return meter.integrated(), 20 * math.log10(top) if top > 0 else -math.inf


KEEP_TOLERANCE = 0.5
"""LU by which a chapter measured again may miss the target with its last gain, and keep it."""
KEPT_LIMIT = 0.8
"""LU by which the decoded MP3 made with a kept gain may miss the target (the promise: 1)."""


@dataclass(frozen=True, kw_only=True)
class Mastered:
    """A mastered chapter: its segments (at ``rate``) and the gain used."""

    encoded: segments.Encoded
    gain: Gain
    rate: int

    @property
    def mp3(self) -> encode.Mp3:
        """The MP3 (Info frame first), made on each call: a copy of the frames."""
        return encode.with_info(self.encoded.frames.read(), self.rate, self.encoded.samples)

    def parts(self) -> tuple[bytes, bytearray]:
        """The MP3 as its Info frame and the frames after it, not joined: a long chapter's
        frames are megabytes, and a second copy of them was a worker's peak. The frames are
        read back from their file here: call it once what made them is gone."""
        frames = self.encoded.frames.read()
        info, _count, _padding = encode.info_for(frames, self.encoded.samples)
        return info, frames


def master(
    pcm: bytes | peaks.Signal,
    rate: int,
    bitrate: int,
    target_lufs: float,
    measured: float | None = None,
) -> encode.Mp3:
    """``pcm`` (mono 16-bit at ``rate``) normalised, encoded in one segment and checked
    (module docstring), with no cache."""
    samples = loudness.as_int16(pcm) if isinstance(pcm, bytes) else pcm
    if measured is None:
        measured = loudness.integrated_loudness(samples, rate)
    cache = segments.SegmentCache(None)
    return master_segments(
        lambda _lufs: samples, rate, bitrate, target_lufs, measured, [], cache
    ).mp3


def master_segments(
    source: Callable[[float], peaks.Signal],
    rate: int,
    bitrate: int,
    target_lufs: float,
    measured: float,
    cuts: Sequence[int],
    cache: segments.SegmentCache,
    kept: Gain | None = None,
    speech: remeasure.Measured | None = None,
) -> Mastered:
    """The chapter ``source(speech LUFS the pause sound is set for)`` normalised from
    ``measured`` (its speech's loudness), encoded in segments cut at ``cuts`` and checked;
    with the gain ``kept`` from the last build if it still holds (module docstring).
    ``speech``, the measurement ``measured`` came from, saves measuring each trial gain."""
    if kept is not None and not (
        math.isfinite(measured) and abs(kept.predicts(measured) - target_lufs) <= KEEP_TOLERANCE
    ):
        kept = None
    if kept is not None:
        signal = source(kept.sound_lufs)
        index = peaks.PeakIndex(signal)
        ceiling = 10 ** (kept.ceiling_db / 20) * 32768
        regions = peaks.limiter_regions(signal, rate, kept.gain, ceiling, index)
        plan = loudness.Plan(gain=kept.gain, regions=regions)
        result = segments.encode_chapter(signal, plan, cuts, rate, bitrate, cache)
        decoded = result.loudness()
        if abs(decoded - target_lufs) <= KEPT_LIMIT and result.peak <= PEAK_LIMIT_DBTP:
            return _mastered(result, rate, kept)
    signal = source(measured)

    def encode_plan(plan: loudness.Plan) -> segments.Encoded:
        return segments.encode_chapter(signal, plan, cuts, rate, bitrate, cache)

    return _fresh(signal, rate, target_lufs, measured, encode_plan, _derived(signal, speech))


def _derived(
    signal: peaks.Signal, speech: remeasure.Measured | None
) -> Callable[[loudness.Plan], float] | None:
    """The loudness of ``signal`` with a plan, derived from ``speech`` when ``signal`` is
    those samples, with or without a pause sound (which changes only its pauses)."""
    if speech is None:
        return None
    if signal is speech.samples:
        changed: tuple[tuple[int, int], ...] = ()
    elif isinstance(signal, pauses.WithSound) and signal.base is speech.samples:
        changed = signal.regions
    else:
        return None
    return lambda plan: remeasure.loudness_of(speech, plan, signal, changed)


def _fresh(
    signal: peaks.Signal,
    rate: int,
    target_lufs: float,
    measured: float,
    encode_plan: Callable[[loudness.Plan], segments.Encoded],
    loudness_of: Callable[[loudness.Plan], float] | None = None,
) -> Mastered:
    """Master with a gain found afresh, corrected by what the MP3 measured (twice at most);
    ``encode_plan`` encodes ``signal`` with a plan."""
    index = peaks.PeakIndex(signal)  # found once, for every attempt
    gain = ENCODER_GAIN_DB
    ceiling = CEILING_DBTP
    result = None
    for _attempt in range(3):
        plan = loudness.plan(
            signal, rate, target_lufs - gain, ceiling - gain, measured, index, loudness_of
        )
        used = Gain(gain=plan.gain, ceiling_db=ceiling - gain, sound_lufs=measured)
        result = encode_plan(plan)
        if not math.isfinite(measured):  # silence: nothing to check
            break
        decoded, peak = result.loudness(), result.peak
        if not math.isfinite(decoded):
            break
        if abs(decoded - target_lufs) <= LOUDNESS_TOLERANCE and peak <= PEAK_LIMIT_DBTP:
            break
        gain += decoded - target_lufs
        if peak > PEAK_LIMIT_DBTP:
            ceiling -= peak - PEAK_LIMIT_DBTP + 0.1
    assert result is not None
    return _mastered(result, rate, used)


def _mastered(result: segments.Encoded, rate: int, gain: Gain) -> Mastered:
    return Mastered(encoded=result, gain=gain, rate=rate)
