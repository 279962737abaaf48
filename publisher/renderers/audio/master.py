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

**The gain lies on a fixed grid** of :data:`~publisher.renderers.audio.settings.GAIN_STEP_DB`
steps (:class:`Gain`), found from this build's audio alone: the gain that would bring the
chapter (its speech measured, the limiter's loss derived) to the target, rounded to the
nearest step. So the chapter's bytes are a function of its source, never of an earlier
build (issue #20: the gain kept from the last build made the outputs depend on history).
An edited paragraph moves the chapter's loudness by hundredths of a LU: the gain usually
rounds to the same step, and then only the edited segment's samples change, so only it is
encoded again. The price is accuracy: a chapter lands within half a step of the target
(a quarter of a LU), plus the encoder's few hundredths, where the promise allows one.

The check decodes and measures a piece at a time (the loudness meter and the true-peak meter
both take a signal in pieces), so a long chapter is never held decoded; the PCM is
normalised piece by piece on its way into the encoder for the same reason.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from publisher.renderers.audio import encode, loudness, pauses, peaks, remeasure, segments
from publisher.renderers.audio.limiter import Limiter
from publisher.renderers.audio.settings import (
    CEILING_DBTP,
    CEILING_STEP_DB,
    ENCODER_GAIN_DB,
    GAIN_STEP_DB,
    GRID_TOLERANCE,
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


Source = Callable[[float], peaks.Signal]
"""The chapter's samples with the pause sound set for a mastering gain of so many dB (see
:func:`publisher.renderers.audio.pauses.with_sound`)."""


@dataclass(frozen=True, kw_only=True)
class Gain:
    """How a chapter is mastered: a gain of ``step`` grid steps (:data:`GAIN_STEP_DB` each)
    and the limiter's ceiling ``ceiling_db`` (in the encoder's input, before its own gain)."""

    step: int
    ceiling_db: float

    @property
    def db(self) -> float:
        """The gain in dB."""
        return self.step * GAIN_STEP_DB

    @property
    def linear(self) -> float:
        """The gain as a factor."""
        return float(10 ** (self.db / 20))


UNITY = Gain(step=0, ceiling_db=CEILING_DBTP - ENCODER_GAIN_DB)
"""The gain of a chapter with nothing to measure (silence): none."""


def grid_step(gain_db: float) -> int:
    """The grid step nearest to ``gain_db`` (halves upwards, whatever the platform)."""
    return math.floor(gain_db / GAIN_STEP_DB + 0.5)


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

    def stream(self) -> Iterator[bytes]:
        """The MP3 a block at a time: its Info frame (from a first read of the frames, for
        their CRC), then the frames, read again from their file. A long chapter's frames are
        megabytes (an eleven-hour one's 300), never all in memory; read it once what made
        them is gone."""
        frames, encoded = self.encoded.frames, self.encoded
        yield encode.info_for_blocks(frames.blocks(), encoded.samples, encoded.count)
        yield from frames.blocks()


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
    return master_segments(lambda _db: samples, rate, bitrate, target_lufs, measured, [], cache).mp3


def master_segments(
    source: Source,
    rate: int,
    bitrate: int,
    target_lufs: float,
    measured: float,
    cuts: Sequence[int],
    cache: segments.SegmentCache,
    speech: remeasure.Measured | None = None,
) -> Mastered:
    """The chapter ``source`` brought from ``measured`` (its speech's loudness) to
    ``target_lufs`` with a gain on the grid (module docstring), encoded in segments cut at
    ``cuts`` and checked. ``speech``, the measurement ``measured`` came from, saves
    measuring each trial gain of the search."""

    def encode_plan(signal: peaks.Signal, plan: loudness.Plan) -> segments.Encoded:
        return segments.encode_chapter(signal, plan, cuts, rate, bitrate, cache)

    if not math.isfinite(measured):  # silence: nothing to scale, nothing to check
        return _mastered(encode_plan(source(UNITY.db), loudness.UNITY), rate, UNITY)
    found = search(source, rate, target_lufs, measured, speech)
    gain = found.gain
    result = None
    for _attempt in range(3):
        signal, index = found.sounded_for(gain, source)
        ceiling = 10 ** (gain.ceiling_db / 20) * 32768
        limiter = Limiter(signal, rate, gain.linear, ceiling, index)
        result = encode_plan(signal, loudness.Plan(gain=gain.linear, regions=limiter))
        del limiter
        # The speech alone is held to the target: the pause sound's share of the whole
        # file's loudness (minutes of room tone pass BS.1770's gates) is taken out.
        decoded = result.loudness() - _sound_share(signal, gain, speech)
        better = _corrected(gain, target_lufs, decoded, result.peak)
        if better is None:
            break
        gain = better
    assert result is not None
    return _mastered(result, rate, gain)


@dataclass(kw_only=True)
class Search:
    """What the search for a chapter's gain found: the ``gain`` on the grid, the ``exact_db``
    it was rounded from, and the chapter it was found on (with the pause sound set for
    ``sounded`` steps) with its peaks, to be used again while the gain stays on that step."""

    gain: Gain
    exact_db: float
    signal: peaks.Signal
    index: peaks.PeakIndex
    sounded: int

    def sounded_for(self, gain: Gain, source: Source) -> tuple[peaks.Signal, peaks.PeakIndex]:
        """The chapter with the pause sound set for ``gain``, and its peaks."""
        if gain.step != self.sounded:  # the pause sound follows the gain, and so do the peaks
            self.signal, self.sounded = source(gain.db), gain.step
            self.index = peaks.PeakIndex(self.signal)
        return self.signal, self.index


def search(
    source: Source,
    rate: int,
    target_lufs: float,
    measured: float,
    speech: remeasure.Measured | None = None,
) -> Search:
    """The grid gain that brings the chapter ``source``, its speech measured at ``measured``
    LUFS (finite), nearest to ``target_lufs`` once encoded: the exact gain the limiter's loss
    calls for (:func:`publisher.renderers.audio.loudness.plan`), rounded to the grid. A first
    step from the speech alone sets the pause sound's level for the search."""
    first = grid_step(target_lufs - ENCODER_GAIN_DB - measured)
    signal = source(first * GAIN_STEP_DB)
    index = peaks.PeakIndex(signal)
    # Planned on the speech alone (the pauses silent): the pause sound, far under the
    # ceiling, is never limited, and its minutes must not count as the chapter's loudness.
    alone = signal.base if isinstance(signal, pauses.WithSound) else signal
    exact = loudness.plan(
        alone,
        rate,
        target_lufs - ENCODER_GAIN_DB,
        CEILING_DBTP - ENCODER_GAIN_DB,
        measured,
        index if alone is signal else peaks.PeakIndex(alone),
        _derived(alone, speech),
    ).gain
    exact_db = 20 * math.log10(exact)
    gain = Gain(step=grid_step(exact_db), ceiling_db=UNITY.ceiling_db)
    return Search(gain=gain, exact_db=exact_db, signal=signal, index=index, sounded=first)


def _corrected(gain: Gain, target_lufs: float, decoded: float, peak: float) -> Gain | None:
    """The gain to encode with again when the MP3 made with ``gain`` measured ``decoded``
    LUFS and ``peak`` dBTP, still on the grid; None if it is good enough (or unmeasurable).
    A deterministic function of what was measured, so the retry is as repeatable as the rest."""
    if not math.isfinite(decoded):
        return None
    off = abs(decoded - target_lufs) > GRID_TOLERANCE
    high = peak > PEAK_LIMIT_DBTP
    if not (off or high):
        return None
    step = gain.step + (grid_step(target_lufs - decoded) if off else 0)
    ceiling = gain.ceiling_db
    if high:
        ceiling -= CEILING_STEP_DB * math.ceil((peak - PEAK_LIMIT_DBTP) / CEILING_STEP_DB)
    return Gain(step=step, ceiling_db=ceiling)


def _sound_share(signal: peaks.Signal, gain: Gain, speech: remeasure.Measured | None) -> float:
    """How much louder (LU) the pause sound makes ``signal``, mastered with ``gain``, than
    its speech alone: 0 without a pause sound (or without the speech's measurement)."""
    if speech is None or not isinstance(signal, pauses.WithSound):
        return 0.0
    plan = loudness.Plan(gain=gain.linear)  # the limiter aside: it barely moves a difference
    whole = remeasure.loudness_of(speech, plan, signal, signal.regions)
    return whole - remeasure.loudness_of(speech, plan, signal.base)


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


def _mastered(result: segments.Encoded, rate: int, gain: Gain) -> Mastered:
    return Mastered(encoded=result, gain=gain, rate=rate)
