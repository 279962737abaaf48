"""Who says each part of a sentence, and how it is spelt for them.

Each utterance of the speech script (:mod:`publisher.speech.script`) has one voice (a voice
profile's name): the block's own (``{voice=name}``), else its kind's (``narration.roles``),
else the book's. A sentence with text in another script (or a span marked ``{lang=…}``) is
said in runs (:mod:`publisher.speech.runs`), each by a voice for its language; a run no
voice speaks is left out with a warning naming the line, never spelled out letter by letter.
Each run is made speakable (:mod:`publisher.speech.speakable`) by the rules of its own
language, with that language's words for "&" and "@"; the lexicon applies only to text in
the book's language (not in a span marked as another language, nor in another script: the
lexicon says how to say words of the book's language).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from publisher.errors import Problem
from publisher.i18n import languages, words_for
from publisher.speech import runs
from publisher.speech.items import Run
from publisher.speech.lexicon import EMPTY, Lexicon
from publisher.speech.runs import Piece
from publisher.speech.speakable import speakable, with_full_stop

ROLE_OF_KIND = {
    "title": "heading",
    "heading": "heading",
    "prompt": "prompt",
    "lead-in": "prompt",
    "example": "example",
    "quote": "quote",
    "footnote": "footnote",
}
"""The ``narration.roles`` entry that gives an utterance of each kind its voice."""


@dataclass(frozen=True, kw_only=True)
class Cast:
    """Who speaks: the book's voice, a voice per role, and a voice per language.

    ``speaks(language)`` is the name of a voice for that language, or None if there is
    none; the audio target fills it from the voice profiles and the engine's voices.
    """

    book: str
    roles: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    speaks: Callable[[str], str | None] = lambda _language: None


def primary_language(tag: str) -> str:
    """A BCP 47 tag's primary language subtag, lowercased ("nl-BE" → "nl")."""
    return tag.split("-", 1)[0].lower()


class Voicing:
    """The voices of one chapter's sentences in ``language`` (the book's), read from
    ``path``; :attr:`warnings` collects the runs no voice speaks."""

    def __init__(self, language: str, lexicon: Lexicon, cast: Cast, path: str) -> None:
        self.language = language
        self.primary = primary_language(language)
        self.words = words_for(language)
        self.lexicon = lexicon
        self.cast = cast
        self.path = path
        self.warnings: list[Problem] = []

    def voice(self, kind: str, asked: str | None) -> str:
        """The voice of an utterance of ``kind`` whose block ``asked`` for a voice or not."""
        role = ROLE_OF_KIND.get(kind)
        return asked or (self.cast.roles.get(role) if role else None) or self.cast.book

    def runs(self, sentence: str, voice: str, line: int) -> list[Run]:
        """``sentence`` (of source ``line``, said by ``voice``) as spoken runs, each with its
        voice (module docstring)."""
        out: list[Run] = []
        for piece in runs.split(sentence, self.language):
            language = piece.language or self.language
            # A span's own "and" and "at" where its language has words, else the book's.
            known = language.split("-", 1)[0].lower() in languages()
            words = words_for(language) if known else self.words
            own = piece.script is None and (
                piece.language is None or primary_language(piece.language) == self.primary
            )  # the book's language: its lexicon's (module docstring)
            lexicon = self.lexicon if own else EMPTY
            text = speakable(piece.text, words, lexicon, language=language, final=False)
            if not text:
                continue
            who = voice if piece.language is None and piece.script is None else None
            if piece.language is not None:
                who = self.cast.speaks(piece.language)
            if who is None:
                self._unspoken(text, piece, line)
                continue
            if out and out[-1].voice == who:
                out[-1] = Run(text=f"{out[-1].text} {text}", voice=who)
            else:
                out.append(Run(text=text, voice=who))
        if out:
            out[-1] = Run(text=with_full_stop(out[-1].text), voice=out[-1].voice)
        return out

    def _unspoken(self, text: str, piece: Piece, line: int) -> None:
        """Warn that no voice speaks ``text``, which the narration leaves out."""
        what = f"language {piece.language!r}" if piece.language else "script"
        name = piece.script or piece.language
        self.warnings.append(
            Problem(
                path=self.path,
                line=line,
                severity="warning",
                message=f"no voice speaks {text!r} ({what} {name}); the narration leaves it out",
            )
        )
