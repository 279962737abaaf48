"""The one interface every speech engine implements, and the voice profile that selects one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Protocol, runtime_checkable

SAMPLE_WIDTH = 2  # bytes: every engine returns signed 16-bit little-endian mono PCM


@dataclass(frozen=True, kw_only=True)
class SpokenWord:
    """A word as the engine said it: characters ``char_start:char_end`` of the text it was
    given, heard in samples ``sample_start:sample_end`` of what it returned."""

    char_start: int
    char_end: int
    sample_start: int
    sample_end: int


@dataclass(frozen=True, kw_only=True)
class Pcm:
    """Mono, signed 16-bit little-endian samples and their rate; ``words``, in order, where
    the engine knows where each word is (``None``: it does not say)."""

    data: bytes
    sample_rate: int
    words: tuple[SpokenWord, ...] | None = None

    @property
    def samples(self) -> int:
        """How many samples there are."""
        return len(self.data) // SAMPLE_WIDTH

    @property
    def duration_ms(self) -> int:
        """Length in whole milliseconds."""
        return len(self.data) // SAMPLE_WIDTH * 1000 // self.sample_rate


@dataclass(frozen=True, kw_only=True)
class VoiceProfile:
    """A voice from ``voices/<name>.toml``: which engine, which voice, how it speaks.

    ``rate`` is words per minute for espeak-ng and a length scale factor elsewhere
    (1.0 = the engine's normal speed); ``pitch`` is 0-100 (espeak-ng only).
    ``model`` is a path (relative to the profile's folder) or ``package:NAME`` for an
    installed package that ships a Piper model.
    """

    name: str
    engine: str  # "espeak", "gtts" or "piper"
    voice: str
    language: str
    rate: float | None = None
    pitch: float | None = None
    model: str | None = None
    lexicon: dict[str, str] = field(default_factory=dict)
    path: str | None = None  # the TOML file it came from, for messages
    description: str | None = None


PHONEME_ALPHABETS = {"espeak": "x-espeak"}
"""Engine → the phoneme alphabet it reads in its input (a PLS ``<phoneme>``'s alphabet);
the others take words only, and get a lexicon's aliases."""


@runtime_checkable
class Synthesizer(Protocol):
    """A speech engine: text in the profile's language to PCM.

    Implementations raise :class:`publisher.errors.EngineError` with a clear message when
    they cannot run (missing library, model, network).
    """

    name: str

    reports_words: ClassVar[bool] = False
    """Whether every :class:`Pcm` it returns says where its words are (``Pcm.words``): then a
    cached utterance without them was made before words were kept, and is made again.
    Engines that may know them (a Piper voice patched with alignments) leave it False and
    fill ``words`` when they can. Implementations subclass this protocol to inherit it."""

    stateless: ClassVar[bool] = False
    """Whether what it says does not depend on what it said before (the same text always
    gives the same samples): then its chapters can be made in the build's own process
    (:mod:`publisher.renderers.audio.pool`). Piper's noise runs on, so it is False there."""

    def check(self) -> str | None:
        """Why it cannot run on this machine (a library or model missing), or None: asked
        before a build starts, so a missing voice is one line, not a failure mid-book."""
        return None

    def identity(self) -> str:
        """Everything that changes the sound: engine, its version, voice and settings.

        Part of the audio cache key, so a new engine version or setting re-synthesises.
        """
        ...

    def synthesize(self, text: str) -> Pcm:
        """Speak ``text`` (already normalised for speech) and return the samples."""
        ...
