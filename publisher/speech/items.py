"""What a chapter's script is made of: the data a chapter's audio is made from.

Apart from :mod:`publisher.speech.script`, which makes them from the book, so that the audio
workers, which are sent a :class:`ChapterScript` (pickled) for each chapter, can read it
without importing the book model, its configuration, YAML and fontTools (about 6 MB per
worker process, in a build whose every process counts in its memory).
"""

from __future__ import annotations

from dataclasses import dataclass

from publisher.errors import Problem


@dataclass(frozen=True, kw_only=True)
class Run:
    """Part of an utterance said by one voice (a foreign word inside a Dutch sentence).

    The timing file stores these as they are (:mod:`publisher.speech.timing`), so the field order
    is the order of the keys it writes."""

    voice: str
    text: str


@dataclass(frozen=True, kw_only=True)
class Utterance:
    """One thing said: a sentence of one block, or a whole heading.

    ``voice`` says it; when several voices share the sentence, ``runs`` says which says what
    (in order; their texts joined by spaces are ``text``), else it is empty.
    """

    text: str  # what the engine is given
    display: str  # the same words as written, for captions
    block: str  # Node.id of its block; the chapter slug for the title
    kind: str  # one of script.UTTERANCE_KINDS
    line: int  # source line, for messages
    voice: str  # the voice profile's name
    runs: tuple[Run, ...] = ()

    @property
    def parts(self) -> tuple[Run, ...]:
        """What each voice says, in order (one run when one voice says it all)."""
        return self.runs or (Run(text=self.text, voice=self.voice),)


@dataclass(frozen=True, kw_only=True)
class Pause:
    """Silence of ``seconds`` after block ``after``."""

    seconds: float
    after: str
    kind: str  # one of script.PAUSE_KINDS, or "sentence"


Item = Utterance | Pause


@dataclass(frozen=True, kw_only=True)
class ChapterScript:
    """What is said in one chapter, in order."""

    slug: str
    number: int
    title: str
    path: str
    line: int
    items: tuple[Item, ...]
    warnings: tuple[Problem, ...] = ()  # text no voice could say

    @property
    def voices(self) -> tuple[str, ...]:
        """Every voice that speaks in the chapter, in order of first use."""
        names = (r.voice for u in self.utterances for r in u.parts)
        return tuple(dict.fromkeys(names))

    @property
    def utterances(self) -> tuple[Utterance, ...]:
        """Just the utterances."""
        return tuple(i for i in self.items if isinstance(i, Utterance))
