"""The true-peak limiter: a smooth gain below 1 around the samples that would pass a ceiling.

Hand-written because pedalboard's ``Limiter`` (JUCE's) limits sample peaks, not true peaks,
and adds make-up gain; no well-kept Python library limits the true peak.

The gain: for every sample, the gain that keeps the oversampled peak around it
(:mod:`publisher.renderers.audio.peaks`) under the ceiling; a minimum filter followed by a
moving average of the same width (:data:`~publisher.renderers.audio.settings.SMOOTHING`
seconds) makes it smooth and never above the required gain. It differs from 1 only near the
samples that needed it, so it is computed only there (:class:`Region`); speech at −19 LUFS
needs it on its loudest syllables.

**Made when asked for.** The gains of a 13-minute chapter are 4 MB (float32, a stretch of
a few hundred milliseconds around each loud syllable); a chapter of eleven hours held
240 MB of them. A :class:`Limiter` keeps where each limited stretch lies (a few bytes a
stretch) and makes the gains a batch of stretches at a time when the chapter is rendered
(forwards, a piece at a time), holding one batch. Each stretch is laid out and smoothed
alone, so the gains are the same whichever batch makes them.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from publisher.renderers.audio.peaks import PeakIndex, Signal
from publisher.renderers.audio.settings import SMOOTHING

_BATCH = 1 << 16  # samples of limited stretches smoothed at a time

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, kw_only=True)
class Region:
    """A stretch ``start:stop`` of samples and the limiter's gain for each (float32, at most
    1, below 1 at both ends)."""

    start: int
    stop: int
    gains: npt.NDArray[np.float32]


class Limiter:
    """Where ``samples * gain`` needs limiting to keep its true peak under ``ceiling`` (in the
    samples' own units), with the smooth gains made when asked for (module docstring).
    ``index`` (of these samples) saves looking for their peaks again."""

    def __init__(
        self,
        samples: Signal,
        rate: int,
        gain: float,
        ceiling: float,
        index: PeakIndex | None = None,
    ) -> None:
        n = len(samples)
        threshold = ceiling / gain
        self.positions, found = (index or PeakIndex(samples)).over(threshold)
        self.needed = np.minimum(1.0, threshold / found) if len(found) else np.zeros(0)
        self.width = max(3, round(SMOOTHING * rate) | 1)
        # The gain differs from 1 only within a width of a sample that needed it. Each stretch
        # around such samples gets two widths of margin (all ones), so that the stretches can be
        # laid end to end and filtered in one go with the same result as the whole signal.
        margin = 2 * self.width
        positions = self.positions
        breaks = np.flatnonzero(np.diff(positions) > 2 * margin) + 1
        self.firsts = np.concatenate([[0], breaks]).astype(np.intp)
        self.lasts = (np.concatenate([breaks, [len(positions)]]) - 1).astype(np.intp)
        if not len(positions):
            self.firsts = self.lasts = np.zeros(0, dtype=np.intp)
        # In int64: the positions may be unsigned (peaks.PeakIndex), and the margin is taken off.
        self.lo = np.maximum(0, positions[self.firsts].astype(np.int64) - margin)
        self.hi = np.minimum(n, positions[self.lasts].astype(np.int64) + margin + 1)
        self.batches = _batches(self.hi - self.lo)
        # Each stretch has one region (its position needed less than 1): their extents, found
        # by making every batch once; the gains are let go.
        extents = [(r.start, r.stop) for b in range(len(self.batches) - 1) for r in self._make(b)]
        self.starts = np.array([a for a, _ in extents], dtype=np.int64)
        self.stops = np.array([b for _, b in extents], dtype=np.int64)
        self._kept: tuple[int, list[Region]] = (-1, [])

    def __len__(self) -> int:
        return len(self.starts)

    def extents(self) -> Iterator[tuple[int, int]]:
        """Every region's ``(start, stop)``, in order."""
        return zip(self.starts.tolist(), self.stops.tolist(), strict=True)

    def between(self, start: int, stop: int) -> Iterator[Region]:
        """The regions that overlap samples ``start:stop``, in order."""
        k = int(np.searchsorted(self.stops, start, side="right"))  # the first to end after it
        last = int(np.searchsorted(self.starts, stop))  # and the first to start at its end
        while k < last:
            batch = bisect.bisect_right(self.batches, k) - 1
            if self._kept[0] != batch:
                self._kept = (-1, [])  # the last batch's gains go before the next are made
                self._kept = (batch, self._make(batch))
            yield self._kept[1][k - self.batches[batch]]
            k += 1

    def __iter__(self) -> Iterator[Region]:
        """Every region, in order (a batch's gains made at a time)."""
        for batch in range(len(self.batches) - 1):
            yield from self._make(batch)

    def _make(self, batch: int) -> list[Region]:
        """The regions of stretches ``batches[batch]`` up to the next batch's first."""
        first_stretch, end_stretch = self.batches[batch], self.batches[batch + 1]
        part = slice(first_stretch, end_stretch)
        sizes = (self.hi - self.lo)[part]
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        needed = np.ones(int(offsets[-1]))
        inside = slice(int(self.firsts[first_stretch]), int(self.lasts[end_stretch - 1]) + 1)
        counts = (self.lasts - self.firsts + 1)[part]
        stretch = np.repeat(np.arange(end_stretch - first_stretch), counts)  # of each position
        where = self.positions[inside].astype(np.int64) - self.lo[part][stretch] + offsets[stretch]
        needed[where] = self.needed[inside]
        width = self.width
        smooth = np.minimum(_moving_average(_moving_min(needed, width), width), needed)
        regions = []
        for i in range(end_stretch - first_stretch):
            piece = smooth[offsets[i] : offsets[i + 1]]
            below = np.flatnonzero(piece < 1)
            first, last = int(below[0]), int(below[-1]) + 1
            start = int(self.lo[first_stretch + i]) + first
            gains = piece[first:last].astype(np.float32)
            regions.append(Region(start=start, stop=start + last - first, gains=gains))
        return regions


def _batches(sizes: npt.NDArray[np.int64]) -> list[int]:
    """The first stretch of each batch of stretches of about :data:`_BATCH` samples, and the
    number of stretches at the end: the filters' temporaries are a few times a batch's size."""
    starts = [0]
    total = 0
    for i, size in enumerate(sizes.tolist()):
        if total and total + size > _BATCH:
            starts.append(i)
            total = 0
        total += size
    if len(sizes):
        starts.append(len(sizes))
    return starts


def limiter_regions(
    samples: Signal,
    rate: int,
    gain: float,
    ceiling: float,
    index: PeakIndex | None = None,
) -> tuple[Region, ...]:
    """Every region of :class:`Limiter` ``(samples, rate, gain, ceiling, index)``, made now."""
    return tuple(Limiter(samples, rate, gain, ceiling, index))


def _moving_min(values: Floats, width: int) -> Floats:
    """The minimum over a centred window of odd ``width`` (edges extended), in O(n):
    van Herk/Gil-Werman, prefix and suffix minima within blocks of ``width``."""
    n = len(values)
    padded = np.pad(values, width // 2, mode="edge")
    blocks = -(-len(padded) // width)
    grid = np.full(blocks * width, np.inf)
    grid[: len(padded)] = padded
    grid2 = grid.reshape(blocks, width)
    prefix = np.minimum.accumulate(grid2, axis=1).reshape(-1)
    suffix = np.minimum.accumulate(grid2[:, ::-1], axis=1)[:, ::-1].reshape(-1)
    out: Floats = np.minimum(suffix[:n], prefix[width - 1 : width - 1 + n])
    return out


def _moving_average(values: Floats, width: int) -> Floats:
    """The mean over a centred window of odd ``width`` (edges extended)."""
    n = len(values)
    sums = np.concatenate([[0.0], np.cumsum(np.pad(values, width // 2, mode="edge"))])
    out: Floats = (sums[width : width + n] - sums[:n]) / width
    return out
