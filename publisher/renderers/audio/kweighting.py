"""The K-weighting filter of ITU-R BS.1770-4, for the loudness meter
(:mod:`publisher.renderers.audio.loudness`), in numpy alone.

The filters are pyloudnorm's (RBJ biquads at the actual sample rate: a +4 dB shelf above
1.5 kHz and a 38 Hz high-pass), so the meter reads what pyloudnorm reads, without importing
scipy.signal (over half a second per process) or looping over blocks in Python.

The two biquads are run as one four-state linear system, a block of samples at a time: within
a block the output is a convolution with the first samples of the impulse response (a small
matrix product), and what the block leaves in the filter's state is carried to the next one.
That carry is itself a linear recursion, solved the same way over groups of blocks, so the
only Python loop is one step per :data:`SUPER` samples. The result is the IIR filter's own
(to rounding), not an approximation of it, and the chapter is fed in pieces, so memory does
not grow with its length.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

_SUB = 32  # samples per block of the filter's direct convolution
_GROUP = 64  # blocks per group in the recursion over their states
SUPER = _SUB * _GROUP
"""Samples per step of the filter's recursion."""
STATE_EVERY = SUPER
"""Samples between the filter states :class:`KWeighting` keeps when asked (and
:meth:`~publisher.renderers.audio.loudness.Meter.states` gives): a divisor of the filter's
step, so a measurement can be resumed from any multiple of it. One state (32 bytes) per step:
a chapter of eleven hours keeps 14 MB of them (every 512 samples, as before, was 55 MB), and
a measurement resumed from one filters up to 2,047 samples more than it needs."""


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
