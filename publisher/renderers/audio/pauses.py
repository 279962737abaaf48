"""What a meant pause sounds like: digital silence, room tone, or a soft chime at each end.

Podcast apps' "trim silence" (Overcast's Smart Speed, Pocket Casts' Trim Silence) cut
digital silence, and with it the reflection pause the author asked for. A pause that holds a
low room tone is not silence to them: ffmpeg's ``silenceremove`` at −50 dB, their stand-in,
keeps it whole (tests/test_pause_sound.py measures each sound).

Which pauses sound: those the author means, a prompt's reflection pause and a ``{pause=N}``
block (:data:`SOUNDING_KINDS`). The short structural gaps (sentence, list item, paragraph,
heading, chapter start and end: under 2 s by default) stay silent. They are the rhythm of
speech, a trimmer shortening them is what its user asked for, and a noise floor switching on
and off at every paragraph would be heard as hiss coming and going.

The sounds are made here from code, deterministically (a fixed seed), so builds stay
byte-identical and nothing is shipped or downloaded. Their level is set for the *mastered*
chapter: :func:`with_sound` is given the mastering gain and scales the sound so that, after
that gain (and the encoder's), the room tone sits at
:data:`~publisher.renderers.audio.settings.ROOM_DBFS` RMS. The loudness gate leaves such quiet
blocks out, so the chapter's integrated loudness stays the speech's.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from publisher.renderers.audio import peaks
from publisher.renderers.audio.settings import (
    CHIME_DBFS,
    CHIME_SECONDS,
    ENCODER_GAIN_DB,
    PAUSE_FADE_SECONDS,
    PAUSE_SOUND_SEED,
    ROOM_DBFS,
)
from publisher.speech.items import Item, Pause

SOUNDING_KINDS = ("prompt", "pause")
"""The kinds of :class:`~publisher.speech.script.Pause` that get the sound (module docstring)."""
_LOOP = 1 << 18  # samples of room tone before it repeats: 12 s at 22050 Hz, too long to hear
_ROOM_BAND = (80.0, 3000.0)  # Hz: the hum and air of a quiet room, no hiss

Floats = npt.NDArray[np.float64]


def sounding(items: Sequence[Item], spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The ``(start, end)`` samples of the pauses in ``items`` that get the sound."""
    return [
        span
        for item, span in zip(items, spans, strict=True)
        if isinstance(item, Pause) and item.kind in SOUNDING_KINDS and span[1] > span[0]
    ]


@functools.lru_cache(maxsize=4)
def room_loop(rate: int) -> Floats:
    """:data:`_LOOP` samples of room tone at RMS 1.0: seeded Gaussian noise shaped in the
    frequency domain to pink (−3 dB an octave) inside :data:`_ROOM_BAND`, with gentle slopes
    outside it. Shaped with one FFT over the whole loop, so it repeats without a seam."""
    rng = np.random.default_rng(PAUSE_SOUND_SEED)
    spectrum = np.fft.rfft(rng.standard_normal(_LOOP))
    freqs = np.fft.rfftfreq(_LOOP, 1 / rate)
    low, high = _ROOM_BAND
    f = np.maximum(freqs, 1.0)
    shape = 1 / np.sqrt(f)  # pink
    shape *= 1 / np.sqrt(1 + (low / f) ** 4)  # 12 dB an octave below the band
    shape *= 1 / np.sqrt(1 + (f / high) ** 4)  # and above it
    shape[0] = 0.0  # no DC
    loop: Floats = np.fft.irfft(spectrum * shape, n=_LOOP)
    return loop / math.sqrt(float(np.mean(loop**2)))


def _fade(n: int, rate: int, offset: int, length: int) -> Floats:
    """Gains for samples ``offset:offset+n`` of a pause ``length`` long: a raised-cosine
    fade in and out of :data:`PAUSE_FADE_SECONDS` (shorter in a short pause), 1 between.

    Worked out only where a fade lies: a long pause is read in stretches of seconds, and
    the whole stretch's positions, edges and cosines were five temporaries of its length
    (10 MB at the peak of a worker's memory)."""
    fade = max(1, min(round(PAUSE_FADE_SECONDS * rate), length // 4))
    gains = np.ones(n)
    for lo, hi in ((0, fade), (length - fade, length)):  # where the nearer edge is < fade
        lo, hi = max(lo, offset), min(hi, offset + n)
        if hi > lo:
            pos = np.arange(lo, hi, dtype=np.float64)
            edge = np.minimum(pos, length - 1 - pos)
            gains[lo - offset : hi - offset] = 0.5 - 0.5 * np.cos(
                np.pi * np.clip(edge, 0, fade) / fade
            )
    return gains


@functools.lru_cache(maxsize=4)
def chime(rate: int, seconds: float) -> Floats:
    """A soft bell, ``seconds`` long, peak 1.0: a 660 Hz tone with a quieter fifth above,
    a 10 ms attack and an exponential decay (no click at either end)."""
    n = max(1, round(seconds * rate))
    t = np.arange(n) / rate
    tone = np.sin(2 * np.pi * 660.0 * t) + 0.35 * np.sin(2 * np.pi * 990.0 * t)
    envelope = np.exp(-t / (seconds / 5)) * np.minimum(1.0, t / 0.01)
    envelope *= 0.5 + 0.5 * np.cos(np.pi * np.clip((t - 0.8 * seconds) / (0.2 * seconds), 0, 1))
    out: Floats = tone * envelope
    return out / float(np.max(np.abs(out)))


def _room(start: int, stop: int, region: tuple[int, int], rate: int) -> Floats:
    """Room tone (RMS 1.0) for samples ``start:stop`` of the pause ``region``, faded."""
    loop = room_loop(rate)
    out = np.empty(stop - start)
    done, at = 0, start % _LOOP  # the chapter's own position: pauses differ
    while done < len(out):  # the loop laid end to end, a slice at a time (no index array)
        take = min(len(out) - done, _LOOP - at)
        out[done : done + take] = loop[at : at + take]
        done, at = done + take, 0
    out *= _fade(stop - start, rate, start - region[0], region[1] - region[0])
    return out


def _chimes(start: int, stop: int, region: tuple[int, int], rate: int) -> Floats:
    """The chime at the pause's start and its end (peak 1.0), for samples ``start:stop``."""
    length = region[1] - region[0]
    bell = chime(rate, min(CHIME_SECONDS, length / rate / 2))
    out = np.zeros(stop - start)
    for at in (region[0], region[1] - len(bell)):
        lo, hi = max(start, at), min(stop, at + len(bell))
        if hi > lo:
            out[lo - start : hi - start] += bell[lo - at : hi - at]
    return out


@dataclass(frozen=True, kw_only=True)
class WithSound:
    """A chapter's samples with the pause sound added under the pauses in ``regions``
    (a :class:`~publisher.renderers.audio.peaks.Source`, read a stretch at a time)."""

    base: peaks.Signal
    regions: tuple[tuple[int, int], ...]
    sound: str
    rate: int
    scale: float  # int16 units of the sound's reference level (RMS 1 room, peak 1 chime)

    def __len__(self) -> int:
        return len(self.base)

    def read(self, start: int, stop: int) -> npt.NDArray[np.int16]:
        """Samples ``start:stop``: the chapter's, plus the sound where a pause lies."""
        start, stop = max(0, start), min(len(self), stop)
        base = peaks.read(self.base, start, stop)
        out: Floats | None = None
        for region in self.regions:
            lo, hi = max(start, region[0]), min(stop, region[1])
            if hi <= lo:
                continue
            if out is None:
                out = base.astype(np.float64)
            make = _room if self.sound == "room" else _chimes
            sound = make(lo, hi, region, self.rate)
            sound *= self.scale  # in place: a stretch is seconds long, its copies megabytes
            out[lo - start : hi - start] += sound
        if out is None:
            return base.astype(np.int16, copy=False)
        np.clip(np.rint(out, out=out), -32768, 32767, out=out)
        result: npt.NDArray[np.int16] = out.astype(np.int16)
        return result


def with_sound(
    samples: peaks.Signal,
    regions: Sequence[tuple[int, int]],
    sound: str,
    rate: int,
    gain_db: float,
) -> peaks.Signal:
    """``samples`` with ``sound`` under the pauses ``regions``, at the level that lands on
    :data:`ROOM_DBFS` (room) or :data:`CHIME_DBFS` (chime peak) in the MP3 once mastering
    raises the samples by ``gain_db`` (and the encoder by its own gain); ``samples`` as they
    are for silence."""
    if sound == "silence" or not regions:
        return samples
    if sound not in ("room", "chime"):  # config.PAUSE_SOUNDS, not imported: workers need not
        raise ValueError(f"unknown pause sound {sound!r}")  # config checks it: a bug here
    level = (ROOM_DBFS if sound == "room" else CHIME_DBFS) - gain_db - ENCODER_GAIN_DB
    return WithSound(
        base=samples,
        regions=tuple(regions),
        sound=sound,
        rate=rate,
        scale=32768 * 10 ** (level / 20),
    )
