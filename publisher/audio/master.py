"""Mastering: normalise, encode, and check the loudness of the MP3 itself.

The promise is about the file people play: −19 LUFS (the book's ``narration.loudness``)
within ±1 LU and true peak at most −1 dBTP *after decoding*. Encoding moves both: LAME
3.100 (as lameenc ships it) plays back mono about 0.45 dB quieter than its input
(:data:`ENCODER_GAIN_DB`, the same at every rate and bitrate we use), and its filtering adds
a few tenths of a dB to the true peak. So we normalise the PCM with the encoder's gain
already allowed for, encode, decode the result (pedalboard reads MP3 itself, no ffmpeg) and
measure it. If it misses by more than :data:`LOUDNESS_TOLERANCE` or peaks above
:data:`PEAK_LIMIT_DBTP`, we correct by what we measured and encode again (twice at most).
"""

from __future__ import annotations

import io
import math

import numpy as np

from publisher.audio import encode, loudness

ENCODER_GAIN_DB = -0.446
"""How much louder the decoded MP3 is than the PCM given to LAME (measured: a 440 Hz tone
at 22050, 24000 and 44100 Hz, 64 and 128 kbps, all −0.446 dB)."""
LOUDNESS_TOLERANCE = 0.2
"""LU the decoded MP3 may miss the target by before it is encoded again."""
PEAK_LIMIT_DBTP = -1.2
"""The true peak of the decoded MP3 above which it is encoded again with a lower ceiling
(the promise is −1 dBTP; 0.2 dB spare for other decoders' rounding)."""


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


def master(pcm: bytes, rate: int, bitrate: int, target_lufs: float) -> encode.Mp3:
    """``pcm`` (mono 16-bit at ``rate``) normalised, encoded and checked (module docstring)."""
    gain = ENCODER_GAIN_DB
    ceiling = loudness.CEILING_DBTP
    mp3 = None
    for _attempt in range(3):
        ready = loudness.normalise(pcm, rate, target_lufs - gain, ceiling - gain)
        mp3 = encode.encode(ready, rate, bitrate)
        decoded = decode(mp3.data)
        if decoded is None:
            break
        measured = loudness.integrated_loudness(decoded, rate)
        peak = loudness.true_peak_db(decoded)
        if not math.isfinite(measured):
            break
        loud_ok = abs(measured - target_lufs) <= LOUDNESS_TOLERANCE
        if loud_ok and peak <= PEAK_LIMIT_DBTP:
            break
        gain += measured - target_lufs
        if peak > PEAK_LIMIT_DBTP:
            ceiling -= peak - PEAK_LIMIT_DBTP + 0.1
    assert mp3 is not None
    return mp3
