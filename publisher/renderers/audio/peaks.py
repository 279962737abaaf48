"""True peak (4× oversampled, as BS.1770-4 annex 2 describes), computed only where a peak can
be.

Hand-written because pedalboard's ``Limiter`` (JUCE's) limits sample peaks, not true peaks,
and adds make-up gain; no well-kept Python library limits the true peak.

The oversampling is scipy's ``resample_poly(x, 4, 1)`` (an 81-tap Kaiser-windowed sinc, β 5),
written out as its four phases: each interpolated sample is a weighted sum of the 21 input
samples around it. So it can never exceed the largest of those samples times the largest sum
of absolute weights of a phase, :data:`BOUND` (about 2.24, 7 dB). Speech spends most of its
time more than 7 dB below its loudest syllables, so a cheap pass over 16-sample blocks
(their largest sample and their neighbours') leaves the few blocks where the true peak could
reach what we are looking for (the ceiling, or the largest peak found so far), and only
those are oversampled, as small matrix products. The answer is exactly what oversampling
everything would give (the tests check it against scipy); the work is a small fraction.

The limiter that holds a ceiling with these peaks is :mod:`publisher.renderers.audio.limiter`.
"""

from __future__ import annotations

import functools
import math
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

OVERSAMPLE = 4
"""True peak is measured at 4× the sample rate, as BS.1770 describes."""
CHUNK = 1 << 16
"""Samples looked at a time, so memory does not grow with the chapter."""

_HALF = 10  # input samples on each side of an interpolated one (resample_poly: 10 per phase)
_BLOCK = 16  # samples per block of the cheap bound; at least _HALF
_TAPS = 2 * _HALF * OVERSAMPLE + 1
_BATCH = 1 << 16  # samples of limited stretches smoothed at a time

Floats = npt.NDArray[np.float64]


class Source(Protocol):
    """Samples read a stretch at a time (a chapter laid out from cached utterances, see
    :class:`publisher.renderers.audio.pcm.ChapterPcm`): int16, clipped to its length."""

    def __len__(self) -> int: ...

    def read(self, start: int, stop: int) -> npt.NDArray[np.int16]:
        """Samples ``start:stop``."""
        ...


Signal = npt.NDArray[Any] | Source
"""An array, or a :class:`Source`: what the meters and the limiter read from."""


def read(signal: Signal, start: int, stop: int) -> npt.NDArray[Any]:
    """Samples ``start:stop`` of ``signal`` (clipped to it)."""
    if isinstance(signal, np.ndarray):
        return signal[max(0, start) : stop]
    return signal.read(start, stop)


@functools.cache
def _interpolator() -> tuple[Floats, float]:
    """The 4× interpolator for a block of :data:`_BLOCK` samples, and :data:`BOUND`.

    The matrix takes the block and :data:`_HALF` samples on each side to the block's
    oversampled values: column ``4 * i + p`` is phase ``p`` after sample ``i``.
    """
    # scipy.signal.firwin(81, 1/4, window=("kaiser", 5.0)) times 4, as resample_poly makes it.
    m = np.arange(_TAPS) - (_TAPS - 1) / 2
    h = np.sinc(m / OVERSAMPLE) / OVERSAMPLE * np.kaiser(_TAPS, 5.0)
    h = h / h.sum() * OVERSAMPLE
    # Output 4n + p = sum over k of phases[k, p] * x[n - HALF + k].
    phases = np.zeros((2 * _HALF + 1, OVERSAMPLE))
    for k in range(2 * _HALF + 1):
        for p in range(OVERSAMPLE):
            tap = OVERSAMPLE * (_HALF - k) + _HALF * OVERSAMPLE + p
            if tap < _TAPS:
                phases[k, p] = h[tap]
    matrix = np.zeros((_BLOCK + 2 * _HALF, _BLOCK * OVERSAMPLE))
    for i in range(_BLOCK):
        matrix[i : i + 2 * _HALF + 1, i * OVERSAMPLE : (i + 1) * OVERSAMPLE] = phases
    return matrix, float(np.abs(phases).sum(axis=0).max())


BOUND = _interpolator()[1]
"""No oversampled value exceeds this times the largest input sample it is made from."""


def _segment(x: Signal, start: int, stop: int, scale: float) -> Floats:
    """``x[start:stop]`` times ``scale`` with a block of context before and enough after
    (zeros beyond the signal) for :func:`_bounds` and :func:`_exact`."""
    blocks = -(-(stop - start) // _BLOCK)
    seg = np.zeros((blocks + 2) * _BLOCK)
    lo, hi = max(0, start - _BLOCK), min(len(x), start + (blocks + 1) * _BLOCK)
    seg[lo - (start - _BLOCK) : hi - (start - _BLOCK)] = read(x, lo, hi)
    if scale != 1:
        seg *= scale
    return seg


def _bounds(seg: Floats) -> Floats:
    """Per inner block of ``seg``, a bound on its oversampled values: the largest sample of
    the block and its two neighbours (which hold its interpolator's inputs) times BOUND."""
    peak = np.abs(seg)
    while len(peak) > len(seg) // _BLOCK:  # pairwise: five times faster than max(axis=1)
        peak = np.maximum(peak[0::2], peak[1::2])
    near = np.maximum(np.maximum(peak[:-2], peak[1:-1]), peak[2:])
    bounds: Floats = near * BOUND
    return bounds


def _exact(seg: Floats, blocks: npt.NDArray[np.intp]) -> Floats:
    """The oversampled peak of every sample of the given inner blocks of ``seg``:
    ``(len(blocks), _BLOCK)``, the largest magnitude of the four phases after each sample."""
    matrix = _interpolator()[0]
    first = (blocks + 1) * _BLOCK - _HALF
    windows = seg[first[:, None] + np.arange(_BLOCK + 2 * _HALF)]
    up = np.abs(windows @ matrix)
    # The four phases' maximum pairwise: numpy's max over a last axis of 4 is several times
    # slower than two elementwise maxima of strided views.
    peaks: Floats = np.maximum(
        np.maximum(up[:, 0::OVERSAMPLE], up[:, 1::OVERSAMPLE]),
        np.maximum(up[:, 2::OVERSAMPLE], up[:, 3::OVERSAMPLE]),
    )
    return peaks


def _over(seg: Floats, count: int, threshold: float) -> tuple[npt.NDArray[np.intp], Floats]:
    """Positions among the first ``count`` inner samples of ``seg`` whose oversampled peak
    exceeds ``threshold``, and those peaks."""
    blocks = np.flatnonzero(_bounds(seg) > threshold)
    if not len(blocks):
        return np.zeros(0, dtype=np.intp), np.zeros(0)
    peaks = _exact(seg, blocks)
    hit_block, hit_sample = np.nonzero(peaks > threshold)
    positions = blocks[hit_block] * _BLOCK + hit_sample
    keep = positions < count
    return positions[keep], peaks[hit_block, hit_sample][keep]


def _scale(x: npt.NDArray[Any]) -> float:
    return 1 / 32768 if x.dtype == np.int16 else 1.0


class PeakMeter:
    """The true peak of a signal fed in pieces (the decoded MP3, a chunk at a time)."""

    def __init__(self) -> None:
        self.best = 0.0
        self.context = np.zeros(_BLOCK)  # silence before the signal
        self.held = np.zeros(0)  # samples waiting for what follows them

    def add(self, samples: npt.NDArray[Any]) -> None:
        """Feed the next samples (int16, or floats in [-1, 1))."""
        scale = _scale(samples)
        for start in range(0, len(samples), CHUNK):
            piece = np.asarray(samples[start : start + CHUNK], dtype=np.float64) * scale
            data = np.concatenate([self.context, self.held, piece])
            # Everything but the last block waits for the samples after it.
            count = len(data) - 2 * _BLOCK
            if count <= 0:
                self.held = data[_BLOCK:]
                continue
            self._look(data, count)
            self.context = data[count : count + _BLOCK]
            self.held = data[count + _BLOCK :]

    def _look(self, data: Floats, count: int) -> None:
        blocks = -(-count // _BLOCK)
        seg = np.zeros((blocks + 2) * _BLOCK)
        seg[: min(len(seg), len(data))] = data[: len(seg)]
        bounds = _bounds(seg)
        top = int(np.argmax(bounds))
        if bounds[top] <= self.best:
            return
        # The block that may peak highest first: its peak is a floor for the others.
        first = _exact(seg, np.array([top]))[0][: max(0, min(_BLOCK, count - top * _BLOCK))]
        self.best = max(self.best, float(first.max(initial=0.0)))
        candidates = np.flatnonzero(bounds > self.best)  # the bounds once, not again in _over
        if len(candidates):
            found = _exact(seg, candidates)
            inside = candidates[:, None] * _BLOCK + np.arange(_BLOCK) < count
            self.best = max(self.best, float(found[inside].max(initial=0.0)))

    def peak(self) -> float:
        """The true peak of everything fed (linear)."""
        if len(self.held):
            data = np.concatenate([self.context, self.held, np.zeros(_BLOCK)])
            self._look(data, len(self.held))
            self.context, self.held = data[-2 * _BLOCK : -_BLOCK], np.zeros(0)
        return self.best


class PeakIndex:
    """The samples of a signal whose oversampled peak exceeds a floor, and those peaks: found
    in one pass and then asked for with rising thresholds (the loudness loop raises the gain a
    little at a time; a retry lowers the ceiling a little).

    Asked below its floor, it looks again with a floor :data:`_MARGIN` lower still.
    """

    _MARGIN = 10 ** (-2 / 20)

    def __init__(self, samples: Signal) -> None:
        self.samples = samples
        self.floor = math.inf
        self.positions = np.zeros(0, dtype=np.intp)
        self.peaks = np.zeros(0)

    def over(self, threshold: float) -> tuple[npt.NDArray[np.intp], Floats]:
        """Positions whose oversampled peak exceeds ``threshold`` (in the samples' units), in
        order, and those peaks."""
        if threshold < self.floor:
            self.floor = threshold * self._MARGIN
            self.positions, self.peaks = self._find(self.floor)
        keep = self.peaks > threshold
        return self.positions[keep], self.peaks[keep]

    def _find(self, floor: float) -> tuple[npt.NDArray[np.intp], Floats]:
        x = self.samples
        n = len(x)
        found: list[tuple[npt.NDArray[np.intp], Floats]] = []
        for start in range(0, n, CHUNK):
            stop = min(n, start + CHUNK)
            positions, peaks = _over(_segment(x, start, stop, 1.0), stop - start, floor)
            if len(positions):
                found.append((positions + start, peaks))
        if not found:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        # Four bytes a position while they fit (27 hours at 44.1 kHz): an eleven-hour
        # chapter's loud samples are millions, the limiter keeps a copy of them.
        kind = np.uint32 if n < 1 << 32 else np.intp
        positions = np.concatenate([p.astype(kind) for p, _ in found])
        return positions, np.concatenate([v for _, v in found])
