"""Mastering: normalise, encode, and check the loudness of the MP3 itself.

The promise is about the file people play: −19 LUFS (the book's ``narration.loudness``)
within ±1 LU and true peak at most −1 dBTP *after decoding*. Encoding moves both: LAME
3.100 (as lameenc ships it) plays back mono about 0.45 dB quieter than its input (the same
at every rate and bitrate we use), and its filtering adds a few tenths of a dB to the true
peak. So we normalise the PCM with the encoder's gain already allowed for, encode, decode
the result (pedalboard reads MP3 itself, no ffmpeg) and measure it. If it misses the target
or peaks too high (:mod:`publisher.renderers.audio.settings` has the numbers), we correct by what we
measured and encode again (twice at most). On the seed it never has to: the check is what
makes that a promise rather than an observation.

The check decodes and measures a piece at a time (the loudness meter and the true-peak meter
both take a signal in pieces), so a long chapter is never held decoded; the PCM is
normalised piece by piece on its way into the encoder for the same reason.
"""

from __future__ import annotations

import io
import math

import numpy as np

from publisher.renderers.audio import encode, loudness, peaks
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
    meter = loudness.Meter(rate)
    peak = peaks.PeakMeter()
    try:
        from pedalboard.io import AudioFile

        with AudioFile(io.BytesIO(mp3)) as f:
            while f.tell() < f.frames:
                chunk = f.read(loudness.CHUNK)[0]
                if not len(chunk):  # pragma: no cover - a decoder that stops short
                    break
                meter.add(chunk)
                peak.add(chunk)
    except Exception:  # a decoder we only use to double-check must not fail the build
        return None
    top = peak.peak()
    return meter.integrated(), 20 * math.log10(top) if top > 0 else -math.inf


def master(
    pcm: bytes | peaks.Signal,
    rate: int,
    bitrate: int,
    target_lufs: float,
    measured: float | None = None,
) -> encode.Mp3:
    """``pcm`` (mono 16-bit at ``rate``) normalised, encoded and checked (module docstring).

    ``measured`` is the loudness to normalise from, if already known (the speech's, before
    a pause sound was added under it); the check measures the MP3 as it is, sound included.
    """
    samples = loudness.as_int16(pcm) if isinstance(pcm, bytes) else pcm
    if measured is None:
        measured = loudness.integrated_loudness(samples, rate)
    index = peaks.PeakIndex(samples)  # found once, for every attempt
    gain = ENCODER_GAIN_DB
    ceiling = CEILING_DBTP
    mp3 = None
    for _attempt in range(3):
        plan = loudness.plan(samples, rate, target_lufs - gain, ceiling - gain, measured, index)
        mp3 = encode.encode_stream(plan.chunks(samples), rate, bitrate)
        if not math.isfinite(measured):  # silence: nothing to check
            break
        result = measure(mp3.data, rate)
        if result is None or not math.isfinite(result[0]):
            break
        decoded, peak = result
        if abs(decoded - target_lufs) <= LOUDNESS_TOLERANCE and peak <= PEAK_LIMIT_DBTP:
            break
        gain += decoded - target_lufs
        if peak > PEAK_LIMIT_DBTP:
            ceiling -= peak - PEAK_LIMIT_DBTP + 0.1
    assert mp3 is not None
    return mp3
