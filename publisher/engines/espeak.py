"""espeak-ng, embedded through ctypes: the offline voice that works everywhere it installs.

The library comes from the ``espeakng-loader`` wheel, so no system package is needed. Every
synthesis runs on a freshly loaded private copy of it, so that the same text and settings
give the same samples whatever was said before, in whichever process
(:mod:`publisher.engines.espeak_library` says why and how).

Words. Every :class:`Pcm` says where its words are, from espeak-ng's word events
(:mod:`publisher.engines.espeak_events`; :func:`publisher.engines.words.place` finds where
each one's sound ends). A number can give several events for one written word ("1.250,50");
they are kept, and joined into the word they fall in when the words are mapped back to the
text (:mod:`publisher.speech.words`).
"""

from __future__ import annotations

from publisher.engine_input import engine_text
from publisher.engines import espeak_library as library
from publisher.engines.base import Pcm, Synthesizer, VoiceProfile
from publisher.engines.espeak_events import spoken_words
from publisher.errors import EngineError

DEFAULT_RATE = 175
"""espeak-ng's normal speed, in words per minute; used when a profile sets no rate."""
DEFAULT_PITCH = 50
"""espeak-ng's normal pitch (0-100); used when a profile sets no pitch."""
MIN_RATE, MAX_RATE = 80, 450  # espeak-ng clamps anything outside this range

SEED = 1
"""The seed of espeak-ng's noise generator and of the C library's ``rand()`` at the start of
every synthesis: breath and Klatt voices sound the same on every run."""


def check_voice(voice: str) -> str | None:
    """Why ``voice`` cannot speak on this machine, or ``None`` if it can."""
    try:
        library.identifier(voice)
    except EngineError as e:
        return str(e)
    return None


def espeak_version() -> str:
    """The espeak-ng version of the embedded library, e.g. ``"1.52.0"``."""
    return library.version()


class EspeakSynthesizer(Synthesizer):
    """A :class:`~publisher.engines.base.Synthesizer` for espeak-ng: offline and fast.

    ``profile.voice`` is an espeak-ng voice name ("nl", "en", "en-us", "nl+f2");
    ``profile.rate`` is words per minute (80-450, default 175) and ``profile.pitch`` 0-100
    (default 50). The same text gives the same samples whatever was said before, in this
    process or another. Instances hold no library state, so they can be pickled to worker
    processes.
    """

    name = "espeak"
    reports_words = True  # its word events (module docstring)
    # History-free (a fresh library copy per synthesis): the worker pool may reuse processes.
    stateless = True

    def __init__(self, profile: VoiceProfile) -> None:
        self.profile = profile
        self.rate = DEFAULT_RATE if profile.rate is None else round(profile.rate)
        self.pitch = DEFAULT_PITCH if profile.pitch is None else round(profile.pitch)

    def check(self) -> str | None:
        """Why this profile cannot speak here (library or voice missing), or ``None``."""
        return check_voice(self.profile.voice)

    @property
    def sample_rate(self) -> int:
        """The rate of the samples espeak-ng makes (22050 Hz)."""
        return library.sample_rate()

    def identity(self) -> str:
        """Engine, espeak-ng version, voice, rate, pitch and seed: what changes the sound.

        ``seed`` also sets apart audio made before every synthesis started from a fresh
        library, which could depend on what was said before it.
        """
        return (
            f"espeak-ng {espeak_version()} voice={self.profile.voice} "
            f"rate={self.rate} pitch={self.pitch} seed={SEED}"
        )

    def synthesize(self, text: str) -> Pcm:
        """Speak ``text``; the samples are returned as espeak-ng made them, silence included,
        with where each word is (module docstring)."""
        if not text.strip():
            # Nothing to say: no need to load, or wait for, the library.
            rate = library.known_sample_rate()
            return Pcm(data=b"", sample_rate=rate, words=())
        sent = engine_text(text, reads_phonemes=True)
        data, events, sample_rate = library.speak(
            self.profile.voice, sent.encode("utf-8"), rate=self.rate, pitch=self.pitch, seed=SEED
        )
        words = spoken_words(events, text, sent, data, sample_rate)
        return Pcm(data=data, sample_rate=sample_rate, words=words)
