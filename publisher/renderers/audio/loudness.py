"""Loudness: a chapter at the book's target (integrated LUFS) under a true-peak ceiling.

Hand-written rather than pyloudnorm, because pyloudnorm imports scipy.signal (over half a
second per worker process) and holds the whole signal; pyloudnorm is the tests' reference.

**The meter** is ITU-R BS.1770-4 (EBU R128) for one channel, in numpy alone: the K-weighting
filter (:mod:`publisher.renderers.audio.kweighting`, pyloudnorm's filters run as one linear
system a block of samples at a time), mean squares over 400 ms blocks every 100 ms, an
absolute gate at −70 LUFS and a relative one 10 LU below the loudness of the blocks that
passed it. It reads what pyloudnorm reads (the tests hold it to 0.05 LU), and the chapter is
fed in pieces, so memory does not grow with its length.

**The ceiling** is held by :class:`publisher.renderers.audio.limiter.Limiter`: a smooth gain below
1 only around the few samples whose 4× oversampled peak, after the loudness gain, would pass
it. Limiting lowers the loudness a little, so it is measured again and the gain corrected
(twice at most). The result is a :class:`Plan` (a gain and the limited stretches), applied to
the int16 samples a piece at a time as they go to the encoder.
"""

from __future__ import annotations

import bisect
import functools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from publisher.renderers.audio import peaks
from publisher.renderers.audio.kweighting import SUPER, KWeighting
from publisher.renderers.audio.limiter import Limiter, Region
from publisher.renderers.audio.settings import CEILING_DBTP

CHUNK = 1 << 16
"""Samples processed at a time (a multiple of the filter's step,
:data:`~publisher.renderers.audio.kweighting.SUPER`): about 3 s at 22050 Hz."""

Samples = npt.NDArray[np.floating[Any]]
"""Samples as floats in [-1, 1)."""
Int16 = npt.NDArray[np.int16]
"""Samples as 16-bit integers, as the engines make them and the encoder takes them."""

_ABSOLUTE_GATE = -70.0
_RELATIVE_GATE = -10.0
_OFFSET = -0.691  # BS.1770's constant, so that a 997 Hz sine at 0 dBFS reads -3.01 LUFS


def as_int16(pcm: bytes | Int16) -> Int16:
    """16-bit little-endian PCM as an int16 array (no copy)."""
    if isinstance(pcm, bytes | bytearray | memoryview):
        return np.frombuffer(pcm, dtype="<i2")
    return pcm


class Meter:
    """Integrated loudness of a mono signal fed in pieces (BS.1770-4, see the module doc).

    Feed it with :meth:`add`, then read :meth:`integrated` once, at the end.
    """

    def __init__(self, rate: int, *, keep_states: bool = False) -> None:
        self.rate = rate
        self.filter = KWeighting(rate)
        if keep_states:
            self.filter.starts = []
        self.samples = 0  # fed so far
        self.filtered = 0  # of which filtered (the rest waits in ``pending``)
        self.pending = np.zeros(0, dtype=np.float32)
        self.energies: list[npt.NDArray[np.float64]] = []  # sums of squares per 100 ms
        self.partial = 0.0  # the sum of the 100 ms segment still open
        self.next_boundary = 1  # index of the next 100 ms boundary

    def add(self, samples: Samples | Int16) -> None:
        """Feed the next samples (int16, or floats in [-1, 1))."""
        if samples.dtype == np.int16:
            x = samples.astype(np.float32) * np.float32(1 / 32768)
        else:
            x = samples.astype(np.float32, copy=False)
        self.samples += len(x)
        if len(self.pending):
            x = np.concatenate([self.pending, x])
        whole = len(x) // SUPER * SUPER
        self.pending = x[whole:].copy()
        if whole:
            self._segments(self.filter(x[:whole]))

    def _segments(self, y: npt.NDArray[np.float32]) -> None:
        # Sum the squares between the 100 ms boundaries (k * rate // 10) in this piece.
        first, end = self.filtered, self.filtered + len(y)
        offsets = []
        while (boundary := self.next_boundary * self.rate // 10) < end:
            offsets.append(boundary - first)
            self.next_boundary += 1
        squares = np.square(y, dtype=np.float64)
        if offsets and offsets[0] == 0:  # the open segment ended with the previous piece
            self.energies.append(np.array([self.partial]))
            self.partial = 0.0
            offsets.pop(0)
        if offsets:
            sums = np.add.reduceat(squares, [0, *offsets])
            sums[0] += self.partial
            self.energies.append(sums[:-1])
            self.partial = float(sums[-1])
        else:
            self.partial += float(squares.sum())
        self.filtered = end

    def integrated(self) -> float:
        """The integrated loudness of everything fed, in LUFS (``-inf`` for silence)."""
        return gated(self.blocks())

    def blocks(self) -> npt.NDArray[np.float64]:
        """The mean square of every 400 ms block (100 ms apart) of everything fed, K-weighted:
        what :func:`gated` makes the integrated loudness of. Read once, at the end."""
        return blocks_of(self.segments(), self.samples, self.rate)

    def segments(self) -> npt.NDArray[np.float64]:
        """The K-weighted sum of squares of every 100 ms of everything fed (the last one
        shorter). Read once, at the end."""
        if len(self.pending):  # the last samples, with silence after them to fill a group
            tail = len(self.pending)
            padded = np.zeros(-(-tail // SUPER) * SUPER, dtype=np.float32)
            padded[:tail] = self.pending
            self.pending = padded[:0]
            self._segments(self.filter(padded)[:tail])
        return np.concatenate([*self.energies, [self.partial]])

    def states(self) -> npt.NDArray[np.float64]:
        """The filter's state at every multiple of
        :data:`~publisher.renderers.audio.kweighting.STATE_EVERY` samples fed (for a meter made
        with ``keep_states``), read after :meth:`segments`."""
        return np.concatenate(self.filter.starts or [np.zeros((0, 4))])


def blocks_of(
    segments: npt.NDArray[np.float64], samples: int, rate: int
) -> npt.NDArray[np.float64]:
    """The mean squares of the 400 ms blocks of ``samples`` samples whose 100 ms segments'
    sums of squares are ``segments`` (see :meth:`Meter.blocks`)."""
    # Shorter than a block and a bit: measured as if padded with silence to 0.5 s, and
    # as many 400 ms blocks as pyloudnorm counts: round((T - 0.4) / 0.1) + 1.
    length = max(samples, rate // 2)
    blocks = round((length / rate - 0.4) / (0.4 * 0.25)) + 1
    if len(segments) < blocks + 3:
        segments = np.concatenate([segments, np.zeros(blocks + 3 - len(segments))])
    z = segments[:blocks] + segments[1 : blocks + 1] + segments[2 : blocks + 2]
    result: npt.NDArray[np.float64] = (z + segments[3 : blocks + 3]) / (0.4 * rate)
    return result


def gated(z: npt.NDArray[np.float64]) -> float:
    """The integrated loudness (LUFS, ``-inf`` for silence) of 400 ms blocks whose mean
    squares are ``z``: BS.1770's absolute and relative gates, then their mean."""
    with np.errstate(divide="ignore"):
        block_loudness = _OFFSET + 10 * np.log10(z)
    passed = z[block_loudness >= _ABSOLUTE_GATE]
    if not len(passed):
        return -math.inf
    relative = _OFFSET + 10 * math.log10(float(np.mean(passed))) + _RELATIVE_GATE
    kept = z[(block_loudness > relative) & (block_loudness > _ABSOLUTE_GATE)]
    if not len(kept):  # pragma: no cover - the loudest block always passes
        return -math.inf
    return _OFFSET + 10 * math.log10(float(np.mean(kept)))


def integrated_loudness(samples: peaks.Signal, rate: int) -> float:
    """Integrated loudness in LUFS (``-inf`` for silence) of int16 or float samples."""
    meter = Meter(rate)
    for start in range(0, len(samples), CHUNK):
        meter.add(peaks.read(samples, start, start + CHUNK))
    return meter.integrated()


@dataclass(frozen=True, kw_only=True)
class Plan:
    """How to turn a chapter's samples into what is encoded: times ``gain``, and within each
    limited stretch (``regions``: made now, or by a limiter as they are rendered) also times
    its own gains (at most 1)."""

    gain: float
    regions: tuple[Region, ...] | Limiter = ()

    @functools.cached_property
    def _stops(self) -> list[int]:
        return [r.stop for r in self.regions]

    def stretches(self) -> Iterator[tuple[int, int]]:
        """Where each limited stretch starts and stops, in order."""
        if isinstance(self.regions, Limiter):
            return self.regions.extents()
        return ((r.start, r.stop) for r in self.regions)

    def _between(self, start: int, stop: int) -> Iterator[Region]:
        if isinstance(self.regions, Limiter):
            yield from self.regions.between(start, stop)
            return
        for region in self.regions[bisect.bisect_right(self._stops, start) :]:
            if region.start >= stop:
                break
            yield region

    def render(self, samples: peaks.Signal, start: int = 0, stop: int | None = None) -> Int16:
        """Samples ``start:stop`` with the plan applied, rounded and clipped to int16."""
        stop = len(samples) if stop is None else min(stop, len(samples))
        out = peaks.read(samples, start, stop).astype(np.float32) * np.float32(self.gain)
        for region in self._between(start, stop):
            lo, hi = max(start, region.start), min(stop, region.stop)
            out[lo - start : hi - start] *= region.gains[lo - region.start : hi - region.start]
        result: Int16 = np.clip(np.rint(out), -32768, 32767).astype(np.int16)
        return result

    def chunks(self, samples: peaks.Signal) -> Iterator[Int16]:
        """The rendered samples, :data:`CHUNK` at a time."""
        for start in range(0, len(samples), CHUNK):
            yield self.render(samples, start, start + CHUNK)


UNITY = Plan(gain=1.0)
"""Leave the samples as they are."""


def plan(
    samples: peaks.Signal,
    rate: int,
    target_lufs: float,
    ceiling_db: float = CEILING_DBTP,
    measured: float | None = None,
    index: peaks.PeakIndex | None = None,
    loudness_of: Callable[[Plan], float] | None = None,
) -> Plan:
    """How to bring ``samples`` to ``target_lufs`` integrated with the true peak under
    ``ceiling_db``; ``measured`` is their loudness and ``index`` their peaks, if known;
    ``loudness_of`` gives the loudness of the samples with a plan applied (by default,
    measured again over the whole; :mod:`publisher.renderers.audio.remeasure` is quicker).

    Silence stays silence (its loudness is ``-inf``; nothing to scale).
    """
    if measured is None:
        measured = integrated_loudness(samples, rate)
    if not math.isfinite(measured):
        return UNITY
    ceiling = 10 ** (ceiling_db / 20) * 32768  # in int16 units, like the samples
    gain_db = target_lufs - measured
    index = index or peaks.PeakIndex(samples)
    result = UNITY
    for attempt in range(3):
        gain = 10 ** (gain_db / 20)
        result = UNITY  # the last attempt's gains (megabytes) go before the next are found
        result = Plan(gain=gain, regions=Limiter(samples, rate, gain, ceiling, index))
        if not len(result.regions):  # a plain gain, so the loudness is the target
            break
        if attempt == 2:  # the last correction is taken as it is (master checks the MP3)
            break
        if loudness_of is None:
            meter = Meter(rate)
            for chunk in result.chunks(samples):
                meter.add(chunk)
            error = target_lufs - meter.integrated()
        else:
            error = target_lufs - loudness_of(result)
        if abs(error) < 0.05:
            break
        gain_db += error
    return result
