"""What the narration is, said for machines: the IPTC digital source type of synthetic speech,
and the software that made it.

The European AI Act asks that audio a synthesizer made be marked, machine-readably, as
artificially generated. Every output that carries the narration says so with the same two
facts, made here once: the MP3s' and the M4B's tags, their C2PA content credentials, the
feed and the read-along EPUB (see :mod:`publisher.renderers.provenance`).

**Which type, per engine** (the IPTC "Digital Source Type" vocabulary):

- espeak-ng is a formant synthesizer: its speech is computed from hand-written rules and
  tables, with no model trained on recordings. That is ``algorithmicMedia`` ("created purely
  by an algorithm not based on any sampled training data").
- Piper is a neural network (VITS) trained on a person's recorded speech, and gTTS is Google's
  neural voice: ``trainedAlgorithmicMedia`` ("created using a model derived from sampled
  content"), the type the AI Act's marking is about.
- A file in which voices of both kinds speak (``narration.roles`` may mix them) is
  ``compositeWithTrainedAlgorithmicMedia``: a composite, one or more of whose elements are
  trained algorithmic media. A voice whose engine is not known is counted as trained: when
  unsure, the marking says more, not less.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from publisher.speech.casting import engines_of, narrator

if TYPE_CHECKING:
    from publisher.model import Book
    from publisher.speech.timing import TimingFile

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
"""The IPTC Digital Source Type vocabulary; each type is this followed by its name."""
TRAINED = f"{IPTC}trainedAlgorithmicMedia"
ALGORITHMIC = f"{IPTC}algorithmicMedia"
COMPOSITE_TRAINED = f"{IPTC}compositeWithTrainedAlgorithmicMedia"

SOURCE_TYPES = {"espeak": ALGORITHMIC, "piper": TRAINED, "gtts": TRAINED}
"""Each engine's digital source type (module docstring)."""
ENGINE_NAMES = {"espeak": "espeak-ng", "piper": "Piper", "gtts": "gTTS"}
"""The engines as their makers name them."""


@dataclass(frozen=True, kw_only=True)
class Synthetic:
    """How one file's speech was made: its IPTC digital source type (a URI), and the engines
    and voices that spoke it (``espeak-ng (nl-espeak, nl-espeak-f3)``), the C2PA
    ``softwareAgent``."""

    source_type: str
    agent: str

    @property
    def source_name(self) -> str:
        """The type's name in the vocabulary (``trainedAlgorithmicMedia``)."""
        return self.source_type.removeprefix(IPTC)


def synthetic(voices: Sequence[str], engines: Mapping[str, str]) -> Synthetic:
    """The :class:`Synthetic` of speech said by ``voices`` (profile names, in order of first
    use), whose engines ``engines`` gives (voice → engine; a voice it lacks is unknown)."""
    kinds = {SOURCE_TYPES.get(engines.get(v, ""), TRAINED) for v in voices} or {ALGORITHMIC}
    if len(kinds) == 1:
        (source_type,) = kinds
    else:
        source_type = COMPOSITE_TRAINED
    by_engine: dict[str, list[str]] = {}
    for voice in voices:
        engine = engines.get(voice, "")
        by_engine.setdefault(ENGINE_NAMES.get(engine, engine or "unknown engine"), []).append(voice)
    agent = "; ".join(f"{name} ({', '.join(names)})" for name, names in by_engine.items())
    return Synthetic(source_type=source_type, agent=agent or "a speech synthesizer")


def voices_of(timings: Iterable[TimingFile]) -> list[str]:
    """The voices the timing files say spoke, in order of first use."""
    names: dict[str, None] = {}
    for timing in timings:
        for u in timing.utterances:
            names.update(dict.fromkeys([u.voice, *(r.voice for r in u.runs)]))
    return list(names)


def spoken(book: Book, timings: Iterable[TimingFile]) -> tuple[str, Synthetic]:
    """Who read what the timing files time: the narrator credit (the voices, named as
    synthetic, :func:`publisher.speech.casting.narrator`) and how the speech was made."""
    voices = voices_of(timings)
    engines = engines_of(book, voices)
    return narrator(voices, engines), synthetic(voices, engines)
