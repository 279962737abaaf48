"""A pronunciation lexicon (W3C PLS 1.0) as data: read by :mod:`publisher.reader.pls`."""

from __future__ import annotations

from dataclasses import dataclass

MEDIA_TYPE = "application/pls+xml"


@dataclass(frozen=True, kw_only=True)
class Lexeme:
    """One ``<lexeme>``: the words it is for and their pronunciations in document order,
    each ``("alias", text)`` or ``(alphabet, phonemes)``."""

    graphemes: tuple[str, ...]
    pronunciations: tuple[tuple[str, str], ...]
    line: int


@dataclass(frozen=True, kw_only=True)
class PronunciationLexicon:
    """A PLS file: where it is (``name`` as the front matter gives it), its language, its
    lexemes, and its bytes as written (the EPUB carries them unchanged)."""

    name: str
    path: str
    language: str
    lexemes: tuple[Lexeme, ...]
    data: bytes

    def respellings(self, alphabet: str | None) -> dict[str, tuple[str, str]]:
        """Word → what to say instead, ``("alias", text)`` or ``(alphabet, phonemes)``, for
        an engine that reads phonemes in ``alphabet`` (None: aliases only). The first
        pronunciation the engine can use wins, as PLS prefers the first; a word with none
        it can use is left as written."""
        out: dict[str, tuple[str, str]] = {}
        for lexeme in self.lexemes:
            usable = [
                (kind, text)
                for kind, text in lexeme.pronunciations
                if kind == "alias" or kind == alphabet
            ]
            if usable:
                for grapheme in lexeme.graphemes:
                    out.setdefault(grapheme, usable[0])
        return out
