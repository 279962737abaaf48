"""Loudness: a chapter at the book's target (integrated LUFS) under a true-peak ceiling.

Hand-written rather than pyloudnorm, because pyloudnorm imports scipy.signal (over half a
second per worker process) and holds the whole signal; pyloudnorm is the tests' reference.

**The meter** is ITU-R BS.1770-4 (EBU R128) for one channel, in numpy alone: the K-weighting
filter, mean squares over 400 ms blocks every 100 ms, an absolute gate at −70 LUFS and a
relative one 10 LU below the loudness of the blocks that passed it. The K-weighting filters
are pyloudnorm's (RBJ biquads at the actual sample rate: a +4 dB shelf above 1.5 kHz and a
38 Hz high-pass), so it reads what pyloudnorm reads (the tests hold it to 0.05 LU), without
importing scipy.signal (over half a second per process) or looping over blocks in Python.

The two biquads are run as one four-state linear system, a block of samples at a time: within
a block the output is a convolution with the first samples of the impulse response (a small
matrix product), and what the block leaves in the filter's state is carried to the next one.
That carry is itself a linear recursion, solved the same way over groups of blocks, so the
only Python loop is one step per :data:`_SUPER` samples. The result is the IIR filter's own
(to rounding), not an approximation of it, and the chapter is fed in pieces, so memory does
not grow with its length.

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
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from publisher.renderers.audio import peaks
from publisher.renderers.audio.limiter import Limiter, Region
from publisher.renderers.audio.settings import CEILING_DBTP

CHUNK = 1 << 16
"""Samples processed at a time (a multiple of :data:`_SUPER`): about 3 s at 22050 Hz."""

Samples = npt.NDArray[np.floating[Any]]
"""Samples as floats in [-1, 1)."""
Int16 = npt.NDArray[np.int16]
"""Samples as 16-bit integers, as the engines make them and the encoder takes them."""

_ABSOLUTE_GATE = -70.0
_RELATIVE_GATE = -10.0
_OFFSET = -0.691  # BS.1770's constant, so that a 997 Hz sine at 0 dBFS reads -3.01 LUFS
_SUB = 32  # samples per block of the filter's direct convolution
_GROUP = 64  # blocks per group in the recursion over their states
_SUPER = _SUB * _GROUP
SUPER = _SUPER
"""Samples per step of the filter's recursion."""
STATE_EVERY = _SUPER
"""Samples between the filter states :meth:`Meter.states` keeps (a divisor of the filter's
step): a measurement can be resumed from any multiple of it. One state (32 bytes) per step:
a chapter of eleven hours keeps 14 MB of them (every 512 samples, as before, was 55 MB), and
a measurement resumed from one filters up to 2,047 samples more than it needs."""


def as_int16(pcm: bytes | Int16) -> Int16:
    """16-bit little-endian PCM as an int16 array (no copy)."""
    if isinstance(pcm, bytes | bytearray | memoryview):
        return np.frombuffer(pcm, dtype="<i2")
    return pcm


def _biquads(rate: int) -> list[tuple[list[float], list[float]]]:
    """The K-weighting stages as (b, a), normalised to a0 = 1: RBJ cookbook formulas with
    pyloudnorm's parameters (shelf +4 dB at 1500 Hz, Q 1/√2; high-pass 38 Hz, Q 0.5)."""
    out = []
    for gain_db, q, fc, kind in ((4.0, 1 / math.sqrt(2), 1500.0, "shelf"), (0.0, 0.5, 38.0, "hp")):
        a_ = 10 ** (gain_db / 40)
        w0 = 2 * math.pi * fc / rate
        alpha = math.sin(w0) / (2 * q)
        cos = math.cos(w0)
        if kind == "shelf":
            root = 2 * math.sqrt(a_) * alpha
            b = [
                a_ * ((a_ + 1) + (a_ - 1) * cos + root),
                -2 * a_ * ((a_ - 1) + (a_ + 1) * cos),
                a_ * ((a_ + 1) + (a_ - 1) * cos - root),
            ]
            a = [(a_ + 1) - (a_ - 1) * cos + root, 2 * ((a_ - 1) - (a_ + 1) * cos)]
            a.append((a_ + 1) - (a_ - 1) * cos - root)
        else:
            b = [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2]
            a = [1 + alpha, -2 * cos, 1 - alpha]
        out.append(([v / a[0] for v in b], [v / a[0] for v in a]))
    return out


@dataclass(frozen=True)
class _Matrices:
    """What the blocked filter multiplies by, for one sample rate (see :class:`KWeighting`)."""

    toeplitz: npt.NDArray[np.float32]  # (SUB, SUB): X @ it = the zero-state output per block
    inject: npt.NDArray[np.float32]  # (SUB, 4): X @ it = what each block adds to the state
    observe: npt.NDArray[np.float32]  # (4, SUB): state @ it = its output over a block
    within: npt.NDArray[np.float64]  # (GROUP*4, GROUP*4): injections → states inside a group
    start: npt.NDArray[np.float64]  # (4, GROUP*4): a group's first state → states inside it
    leave: npt.NDArray[np.float64]  # (GROUP*4, 4): injections → the state after the group
    carry: npt.NDArray[np.float64]  # (4, 4): the state's own decay over a group


@functools.lru_cache(maxsize=8)
def _matrices(rate: int) -> _Matrices:
    # Each biquad in transposed direct form II (scipy's lfilter) as a state-space system
    # s' = A s + B x, y = C s + D x; then the cascade as one system with four states.
    systems = []
    for num, den in _biquads(rate):
        systems.append(
            (
                np.array([[-den[1], 1.0], [-den[2], 0.0]]),
                np.array([num[1] - den[1] * num[0], num[2] - den[2] * num[0]]),
                np.array([1.0, 0.0]),
                num[0],
            )
        )
    (a1, b1, c1, d1), (a2, b2, c2, d2) = systems
    a = np.zeros((4, 4))
    a[:2, :2], a[2:, 2:], a[2:, :2] = a1, a2, np.outer(b2, c1)
    b = np.concatenate([b1, b2 * d1])
    c = np.concatenate([d2 * c1, c2])
    d = d2 * d1

    powers = [np.eye(4)]
    for _ in range(_SUB):
        powers.append(a @ powers[-1])
    response = [d] + [float(c @ powers[m - 1] @ b) for m in range(1, _SUB)]
    toeplitz = np.zeros((_SUB, _SUB))
    for j in range(_SUB):
        toeplitz[j, : j + 1] = response[j::-1]
    inject = np.stack([powers[_SUB - 1 - i] @ b for i in range(_SUB)])
    observe = np.stack([c @ powers[j] for j in range(_SUB)]).T

    step = powers[_SUB]  # one block's decay of the state
    steps = [np.eye(4)]
    for _ in range(_GROUP):
        steps.append(step @ steps[-1])
    within = np.zeros((_GROUP * 4, _GROUP * 4))  # [j*4 + r, i*4 + k] = step^(j-1-i)[r, k]
    for j in range(_GROUP):
        for i in range(j):
            within[j * 4 : j * 4 + 4, i * 4 : i * 4 + 4] = steps[j - 1 - i]
    start = np.stack(steps[:_GROUP]).transpose(2, 0, 1).reshape(4, _GROUP * 4)
    leave = np.stack([steps[_GROUP - 1 - i] for i in range(_GROUP)])
    return _Matrices(
        toeplitz=toeplitz.T.astype(np.float32),
        inject=inject.astype(np.float32),
        observe=observe.astype(np.float32),
        within=within.T,
        start=start,
        leave=leave.transpose(0, 2, 1).reshape(_GROUP * 4, 4),
        carry=steps[_GROUP],
    )


class KWeighting:
    """The K-weighting filter with its state, fed whole groups of samples at a time."""

    def __init__(self, rate: int) -> None:
        self.m = _matrices(rate)
        self.state = np.zeros(4)
        self.starts: list[npt.NDArray[np.float64]] | None = None  # set to a list to keep them

    def __call__(
        self,
        x: npt.NDArray[np.float32],
        resets: Mapping[int, npt.NDArray[np.float64]] | None = None,
    ) -> npt.NDArray[np.float32]:
        """``x`` (a multiple of :data:`SUPER` samples) filtered, continuing from the last call;
        ``resets`` sets the state at the start of some groups of :data:`SUPER` samples (by
        index in ``x``), so that separate stretches are filtered in one call."""
        m = self.m
        blocks = x.reshape(-1, _SUB)
        out: npt.NDArray[np.float32] = blocks @ m.toeplitz
        injected = (blocks @ m.inject).astype(np.float64)
        grouped = injected.reshape(-1, _GROUP * 4)
        inside = grouped @ m.within
        leaving = grouped @ m.leave
        starts = np.empty((len(grouped), 4))
        state = self.state
        for g in range(len(grouped)):  # one step per group: the only sequential part
            if resets is not None and g in resets:
                state = resets[g]
            starts[g] = state
            state = m.carry @ state + leaving[g]
        self.state = state
        states = (inside + starts @ m.start).reshape(-1, 4)
        if self.starts is not None:  # the state every STATE_EVERY samples, to resume there
            # A copy: the strided view would keep every block's state alive (a byte per sample).
            self.starts.append(states[:: STATE_EVERY // _SUB].copy())
        # The states' own output in float32, like the samples' (it is a few times cheaper
        # than in float64 and then converted); the recursion above stays in float64.
        out += states.astype(np.float32) @ m.observe
        return out.reshape(-1)


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
        whole = len(x) // _SUPER * _SUPER
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
            padded = np.zeros(-(-tail // _SUPER) * _SUPER, dtype=np.float32)
            padded[:tail] = self.pending
            self.pending = padded[:0]
            self._segments(self.filter(padded)[:tail])
        return np.concatenate([*self.energies, [self.partial]])

    def states(self) -> npt.NDArray[np.float64]:
        """The filter's state at every multiple of :data:`STATE_EVERY` samples fed (for a meter
        made with ``keep_states``), read after :meth:`segments`."""
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
