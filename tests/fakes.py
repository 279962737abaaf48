"""A fake speech engine: fast, deterministic, and it counts what it is asked to say; and the
reference meters the audio tests measure with.

Its PCM is a tone whose pitch and noise depend on the text, with a length proportional to the
text (60 ms per character), so tests can tell utterances apart and predict durations without
a real engine. Module-level counters only see calls made in this process (``jobs=1``).

The tests do not measure the product with its own meters: loudness is pyloudnorm's (the
well-kept BS.1770 reference) and the true peak is the maximum of scipy's 4× ``resample_poly``
over the whole signal, the straightforward computation the product's shortcuts must equal.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt

from publisher.engines.base import Pcm, SpokenWord, Synthesizer, VoiceProfile
from publisher.engines.words import tokens
from publisher.errors import EngineError
from publisher.pipeline.registry import REGISTRY, Entry, Registry
from publisher.renderers.audio.peaks import PeakMeter
from publisher.renderers.audio.renderer import AudioRenderer

RATE = 22050
MS_PER_CHAR = 60

calls: Counter[str] = Counter()
"""Text → how many times it was synthesised in this process."""


def reset() -> None:
    """Forget the counted calls."""
    calls.clear()


def expected_samples(text: str, rate: int = RATE) -> int:
    """How many samples the fake makes for ``text``."""
    return len(text) * MS_PER_CHAR * rate // 1000


def fake_pcm(text: str, rate: int = RATE) -> Pcm:
    """The fake's deterministic rendering of ``text``: a tone with a little noise."""
    digest = hashlib.sha256(text.encode()).digest()
    n = expected_samples(text, rate)
    t = np.arange(n) / rate
    frequency = 150 + digest[0] * 2  # 150-660 Hz, like a voice
    noise = np.random.default_rng(int.from_bytes(digest[:8], "big")).standard_normal(n)
    # A syllable-like envelope (4 Hz) so the loudness meter sees speech, not a steady tone.
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t) ** 2
    signal = (0.5 * np.sin(2 * np.pi * frequency * t) + 0.05 * noise) * envelope
    data = np.clip(np.round(signal * 16000), -32768, 32767).astype("<i2").tobytes()
    return Pcm(data=data, sample_rate=rate)


class FakeSynthesizer(Synthesizer):
    """A :class:`~publisher.engines.base.Synthesizer` that needs nothing installed. It says
    where each word is (where its characters are in the tone) unless ``words`` is False,
    as gTTS does not."""

    name = "fake"
    stateless = True  # same text, same samples, whatever was said before

    def __init__(
        self,
        profile: VoiceProfile,
        *,
        rate: int = RATE,
        fail_on: str | None = None,
        words: bool = True,
    ):
        self.profile = profile
        self.rate = rate
        self.fail_on = fail_on
        self.reports_words = words  # type: ignore[misc]

    @property
    def gain(self) -> float:
        """A profile's ``pitch`` scales the fake's amplitude (50 = as made): a test can have a
        voice that is quieter than another, as real engines' voices are."""
        return 1.0 if self.profile.pitch is None else self.profile.pitch / 50

    def identity(self) -> str:
        """What changes the sound: the voice, the rate and the gain (and what it reports)."""
        gain = "" if self.profile.pitch is None else f" gain={self.gain:g}"
        words = "" if self.reports_words else " words=no"
        return f"fake voice={self.profile.voice} rate={self.rate}{gain}{words}"

    def synthesize(self, text: str) -> Pcm:
        """A tone for ``text``; raises EngineError when ``text`` contains ``fail_on``."""
        calls[text] += 1
        if self.fail_on is not None and self.fail_on in text:
            raise EngineError("fake: service unreachable after 3 tries")
        pcm = fake_pcm(text, self.rate)
        words = fake_words(text, self.rate) if self.reports_words else None
        data = pcm.data
        if self.profile.pitch is not None:
            scaled = np.frombuffer(pcm.data, dtype="<i2") * self.gain
            data = np.clip(np.round(scaled), -32768, 32767).astype("<i2").tobytes()
        return Pcm(data=data, sample_rate=pcm.sample_rate, words=words)


def fake_words(text: str, rate: int = RATE) -> tuple[SpokenWord, ...]:
    """Where the fake says each word of ``text``: where its characters are in the tone."""
    return tuple(
        SpokenWord(
            char_start=a,
            char_end=b,
            sample_start=expected_samples(text[:a], rate),
            sample_end=expected_samples(text[:b], rate),
        )
        for a, b in tokens(text)
    )


class FakeFactory:
    """A picklable synthesizer factory for ``AudioRenderer(synthesizer_factory=...)``."""

    def __init__(self, *, rate: int = RATE, fail_on: str | None = None, words: bool = True) -> None:
        self.rate = rate
        self.fail_on = fail_on
        self.words = words

    def __call__(self, profile: VoiceProfile) -> FakeSynthesizer:
        """A fake engine for ``profile``."""
        return FakeSynthesizer(profile, rate=self.rate, fail_on=self.fail_on, words=self.words)


FAKE_VOICE = VoiceProfile(name="fake-nl", engine="espeak", voice="nl", language="nl")
"""A profile for the fake (its engine is never looked at)."""


def reference_loudness(samples: npt.NDArray[Any], rate: int) -> float:
    """Integrated loudness (LUFS) by pyloudnorm, of int16 or float samples."""
    import pyloudnorm

    x = np.asarray(samples, dtype=np.float64)
    if np.asarray(samples).dtype == np.int16:
        x = x / 32768
    if len(x) < rate // 2:  # pyloudnorm wants a block and a bit: pad with silence
        x = np.concatenate([x, np.zeros(rate // 2 - len(x))])
    return float(pyloudnorm.Meter(rate).integrated_loudness(x))


def reference_peaks(samples: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    """Per input sample, the largest magnitude of scipy's 4× oversampled signal after it."""
    from scipy.signal import resample_poly

    x = np.asarray(samples, dtype=np.float64)
    up = np.abs(resample_poly(x, 4, 1))
    peaks: npt.NDArray[np.float64] = up[: len(x) * 4].reshape(len(x), 4).max(axis=1)
    return peaks


def reference_true_peak_db(samples: npt.NDArray[Any]) -> float:
    """True peak (dBTP) of float samples: scipy's 4× oversampling of the whole signal."""
    return _db(float(reference_peaks(samples).max(initial=0.0)))


def true_peak_db(samples: npt.NDArray[Any]) -> float:
    """True peak (dBTP) of int16 or float samples as the build measures it: the audio's
    :class:`~publisher.renderers.audio.peaks.PeakMeter` fed them at once."""
    meter = PeakMeter()
    meter.add(samples)
    return _db(meter.peak())


def _db(peak: float) -> float:
    """A linear peak in dB (``-inf`` for silence)."""
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def registry() -> Registry:
    """Every target, the audio spoken by the fake engine (fast; it counts what it is asked to
    say when the chapters are made in this process, ``jobs=1``)."""
    return {**REGISTRY, "audio": Entry(partial(AudioRenderer, synthesizer_factory=FakeFactory()))}
