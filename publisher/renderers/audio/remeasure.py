"""The loudness of a chapter after its mastering plan, without measuring the whole again.

Finding the gain measures the chapter with each trial plan (:func:`publisher.renderers.audio
.loudness.plan`): a gain, and a limiter that lowers a few short stretches further. Each such
measurement was a pass over the whole chapter, as long as measuring the speech itself.

But the K-weighting filter is linear and time-invariant. Wherever the plan is the plain gain
``g``, the filtered chapter is ``g`` times the filtered speech, so each 100 ms segment's sum
of squares is ``g²`` times the speech's, which the first measurement already has
(:class:`Measured`). Only the segments in and just after a limited stretch differ: those
are measured again, by running the filter over the rendered samples from the state the
speech measurement had there (kept every :data:`~publisher.renderers.audio.kweighting.STATE_EVERY`
samples) times ``g``. The filter's response to the difference dies away within
:data:`TAIL_SECONDS` (its slowest pole, the 38 Hz high-pass's, decays by e in 4 ms), so
nothing outside those segments changes beyond the last bits of rounding.

Not bit for bit the full pass: that one also measures the rounding of the gained samples to
integers (about 100 dB below the speech) and rounds differently in float32. Both change the
loudness by under 10⁻⁶ LU; the decoded MP3 is still measured in full
(:mod:`publisher.renderers.audio.master`).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from publisher.renderers.audio import kweighting, loudness, peaks

TAIL_SECONDS = 0.05
"""How long after a changed stretch its effect on the filtered signal is still measured."""

_BATCH = 1 << 17
"""Samples (about 6 s at 22050 Hz) over which windows are read and measured together: the
filter's temporaries are several times this many bytes (at 4x, a worker peaked 8 MB higher,
and was no quicker)."""

Floats = npt.NDArray[np.float64]
Window = tuple[int, int, int]
"""Where to start the filter, and the first and last 100 ms segments to measure again."""


@dataclass(frozen=True, kw_only=True)
class Measured:
    """A signal's loudness measurement, kept to derive others from: the signal, its 100 ms
    segments' K-weighted sums of squares, and the filter's state every ``STATE_EVERY`` samples."""

    samples: peaks.Signal
    rate: int
    segments: Floats
    states: Floats

    @property
    def lufs(self) -> float:
        """The integrated loudness (LUFS, ``-inf`` for silence)."""
        blocks = loudness.blocks_of(self.segments, len(self.samples), self.rate)
        return loudness.gated(blocks)


def measure(samples: peaks.Signal, rate: int) -> Measured:
    """Measure ``samples`` (int16 or floats) once, keeping what :func:`loudness_of` needs."""
    meter = loudness.Meter(rate, keep_states=True)
    for start in range(0, len(samples), loudness.CHUNK):
        meter.add(peaks.read(samples, start, start + loudness.CHUNK))
    segments = meter.segments()
    return Measured(samples=samples, rate=rate, segments=segments, states=meter.states())


def loudness_of(
    measured: Measured,
    plan: loudness.Plan,
    signal: peaks.Signal | None = None,
    changed: Sequence[tuple[int, int]] = (),
) -> float:
    """The integrated loudness (LUFS) of ``signal`` (by default the measured samples) with
    ``plan`` applied, where ``signal`` differs from the measured samples only within the
    stretches ``changed`` (module docstring)."""
    signal = measured.samples if signal is None else signal
    rate, n = measured.rate, len(measured.samples)
    segments = measured.segments * plan.gain**2
    stretches = heapq.merge(plan.stretches(), sorted(changed))  # both in order, not listed
    batch: list[Window] = []
    for window in _windows(stretches, n, rate):
        if _stop(window, n, rate) - window[0] > _BATCH:  # a pause's sound, minutes long
            _measure_long(measured, signal, plan, window, segments)
            continue
        if batch and _stop(window, n, rate) - batch[0][0] > _BATCH:
            _measure(measured, signal, plan, batch, segments)
            batch = []
        batch.append(window)
    if batch:
        _measure(measured, signal, plan, batch, segments)
    return loudness.gated(loudness.blocks_of(segments, n, rate))


def _start(segment: int, rate: int) -> int:
    return segment * rate // 10


def _segment_of(sample: int, rate: int) -> int:
    """The 100 ms segment holding ``sample`` (segment ``k`` starts at ``k * rate // 10``)."""
    k = sample * 10 // rate
    while _start(k + 1, rate) <= sample:
        k += 1
    while _start(k, rate) > sample:
        k -= 1
    return k


def _windows(stretches: Iterable[tuple[int, int]], n: int, rate: int) -> Iterator[Window]:
    """For the sorted ``stretches`` (with their tails), merged where they meet: where to
    start the filter (a multiple of ``STATE_EVERY``), and the first and last segments to measure."""
    tail = round(TAIL_SECONDS * rate)
    last_segment = _segment_of(max(0, n - 1), rate)
    current: list[int] | None = None  # begin, first, last
    for lo, hi in stretches:
        first = _segment_of(max(0, min(lo, n - 1)), rate)
        last = min(last_segment, _segment_of(max(0, min(hi + tail, n - 1)), rate))
        begin = _start(first, rate) // kweighting.STATE_EVERY * kweighting.STATE_EVERY
        if current is not None and begin <= _start(current[2] + 1, rate):
            current[2] = max(current[2], last)
            continue
        if current is not None:
            yield current[0], current[1], current[2]
        current = [begin, first, last]
    if current is not None:
        yield current[0], current[1], current[2]


def _stop(window: Window, n: int, rate: int) -> int:
    return min(n, _start(window[2] + 1, rate))


def _padded(window: Window, n: int, rate: int) -> int:
    """The window's length rounded up to whole steps of the filter."""
    return -(-(_stop(window, n, rate) - window[0]) // kweighting.SUPER) * kweighting.SUPER


def _measure(
    measured: Measured,
    signal: peaks.Signal,
    plan: loudness.Plan,
    windows: list[Window],
    segments: Floats,
) -> None:
    """Put the sums of the segments of ``windows`` of ``signal`` rendered with ``plan`` into
    ``segments``: the stretch they span rendered in one go, the windows laid end to end,
    each from a whole step of the filter and from the state the measurement had there, and
    filtered in one call."""
    rate, n = measured.rate, len(measured.samples)
    span = windows[0][0]
    rendered = plan.render(signal, span, _stop(windows[-1], n, rate))
    lengths = [_padded(w, n, rate) for w in windows]
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    x = np.zeros(int(offsets[-1]) + 1, dtype=np.float32)  # one more: a sum's end for the last
    resets = {}
    edges: list[int] = []  # every segment's start, then the window's end
    for window, offset in zip(windows, offsets.tolist(), strict=False):
        begin, first, last = window
        stop = _stop(window, n, rate)
        x[offset : offset + stop - begin] = rendered[begin - span : stop - span]
        resets[offset // kweighting.SUPER] = (
            measured.states[begin // kweighting.STATE_EVERY] * plan.gain
        )
        edges.extend(offset + _start(k, rate) - begin for k in range(first, last + 1))
        edges.append(offset + stop - begin)
    x *= np.float32(1 / 32768)
    filtered = kweighting.KWeighting(rate)(x[:-1], resets)
    squares = np.square(filtered, dtype=np.float64)
    sums = np.add.reduceat(np.append(squares, 0.0), edges)
    at = 0
    for _begin, first, last in windows:
        segments[first : last + 1] = sums[at : at + last - first + 1]
        at += last - first + 2  # and the sum from the window's end to the next: padding


def _measure_long(
    measured: Measured,
    signal: peaks.Signal,
    plan: loudness.Plan,
    window: Window,
    segments: Floats,
) -> None:
    """What :func:`_measure` puts in ``segments`` for one ``window`` too long to render at
    once (ten minutes of a pause's sound would be hundreds of megabytes of temporaries):
    rendered and filtered :data:`_BATCH` samples at a time, the filter carrying its state
    from one piece to the next, each piece's squares added to the segments it covers."""
    rate, n = measured.rate, len(measured.samples)
    begin, first, last = window
    stop = _stop(window, n, rate)
    weighting = kweighting.KWeighting(rate)
    weighting.state = measured.states[begin // kweighting.STATE_EVERY] * plan.gain
    segments[first : last + 1] = 0.0
    for lo in range(begin, stop, _BATCH):  # _BATCH is whole steps of the filter
        hi = min(stop, lo + _BATCH)
        x = np.zeros(-(-(hi - lo) // kweighting.SUPER) * kweighting.SUPER, dtype=np.float32)
        x[: hi - lo] = plan.render(signal, lo, hi)
        x *= np.float32(1 / 32768)
        squares = np.square(weighting(x)[: hi - lo], dtype=np.float64)
        k = max(first, _segment_of(lo, rate))
        while k <= last and _start(k, rate) < hi:
            a, b = max(lo, _start(k, rate)), min(hi, _start(k + 1, rate))
            segments[k] += float(squares[a - lo : b - lo].sum())
            k += 1
