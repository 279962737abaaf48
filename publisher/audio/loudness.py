"""Loudness: bring a chapter to the book's target (integrated LUFS) under a true-peak ceiling.

Measured with pyloudnorm (ITU-R BS.1770-4, gated integrated loudness). The ceiling is held by
our own true-peak-aware gain, not by pedalboard's ``Limiter``, because:

* that limiter works on sample peaks: it does not see the peaks *between* samples that a
  decoder's reconstruction (and the MP3 encoder's filtering) produce, so −1 dBTP is not
  guaranteed by it;
* it applies make-up gain towards 0 dBFS (PITFALLS.md), which fights the loudness target
  and must be undone by a second gain stage;
* it is a stateful real-time processor; we have the whole chapter in memory, so a gain
  curve computed from the 4× oversampled signal can look ahead for free, in a few lines of
  numpy, with the same result on every machine.

The gain curve: for every sample, the gain that keeps the 4× oversampled peak around it
under the ceiling; a minimum filter followed by a moving average of the same width
(:data:`SMOOTHING` seconds) makes it smooth and never above the required gain. Speech at
−19 LUFS rarely needs it, so it touches only the few loudest syllables. Loudness is
re-measured after limiting and the gain corrected (twice at most).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

OVERSAMPLE = 4
"""True peak is measured at 4× the sample rate, as BS.1770 describes."""
CEILING_DBTP = -2.0
"""The true peak we aim under before encoding: the product promises −1 dBTP *after* MP3
encoding, which adds up to about half a dB of overshoot at these bitrates; the rest is
margin. :mod:`publisher.audio.master` checks the MP3 itself and tightens it if needed."""
SMOOTHING = 0.02
"""Seconds over which the limiter's gain changes (attack and release alike)."""

Samples = npt.NDArray[np.float64]


def to_float(pcm: bytes) -> Samples:
    """16-bit little-endian PCM as floats in [-1, 1)."""
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64) / 32768.0


def to_pcm(samples: Samples) -> bytes:
    """Floats back to 16-bit little-endian PCM (rounded, clipped)."""
    return np.clip(np.round(samples * 32768.0), -32768, 32767).astype("<i2").tobytes()


def integrated_loudness(samples: Samples, rate: int) -> float:
    """Integrated loudness in LUFS (``-inf`` for silence)."""
    import pyloudnorm  # imports scipy: about 0.65 s, so only when audio is made

    if len(samples) < rate // 2:  # shorter than one gating block and a bit: pad with silence
        samples = np.concatenate([samples, np.zeros(rate // 2 - len(samples))])
    return float(pyloudnorm.Meter(rate).integrated_loudness(samples))


def _oversampled_peaks(samples: Samples) -> Samples:
    """Per input sample, the largest magnitude of the 4× oversampled signal around it."""
    from scipy.signal import resample_poly

    up = np.abs(resample_poly(samples, OVERSAMPLE, 1))
    up = up[: len(samples) * OVERSAMPLE].reshape(len(samples), OVERSAMPLE)
    peaks: Samples = up.max(axis=1)
    return peaks


def true_peak_db(samples: Samples) -> float:
    """True peak in dBTP (4× oversampling)."""
    if len(samples) == 0:
        return -math.inf
    peak = float(_oversampled_peaks(samples).max())
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def limit(samples: Samples, rate: int, ceiling_db: float = CEILING_DBTP) -> Samples:
    """``samples`` with a smooth gain that keeps the true peak under ``ceiling_db``."""
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    ceiling = 10 ** (ceiling_db / 20)
    peaks = _oversampled_peaks(samples)
    if len(peaks) == 0 or peaks.max() <= ceiling:
        return samples
    needed = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    width = max(3, round(SMOOTHING * rate) | 1)
    gain = uniform_filter1d(minimum_filter1d(needed, width, mode="nearest"), width, mode="nearest")
    # The moving average of a minimum over the same window never exceeds the minimum at its
    # centre; rounding aside. Clamp so floating error cannot let a peak through.
    limited: Samples = samples * np.minimum(gain, needed)
    return limited


def normalise(pcm: bytes, rate: int, target_lufs: float, ceiling_db: float = CEILING_DBTP) -> bytes:
    """Mono 16-bit PCM at ``target_lufs`` integrated, true peak under ``ceiling_db``.

    Silence stays silence (its loudness is ``-inf``; nothing to scale).
    """
    samples = to_float(pcm)
    measured = integrated_loudness(samples, rate)
    if not math.isfinite(measured):
        return pcm
    out = samples
    gain_db = target_lufs - measured
    for _ in range(3):
        scaled = samples * 10 ** (gain_db / 20)
        out = limit(scaled, rate, ceiling_db)
        if out is scaled:  # not limited: a plain gain, so the loudness is the target
            break
        error = target_lufs - integrated_loudness(out, rate)
        if abs(error) < 0.05:
            break
        gain_db += error
    return to_pcm(out)
