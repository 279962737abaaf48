"""What counts as the same word when the heard text is compared with the written one.

One place for it, used on both sides: case, punctuation and accents are not heard, so they
are dropped (``"Oxytocine,"`` and ``"oxytocine"`` are one word; ``"één"`` is ``"een"``:
no voice makes the accent audible); a number's group separators are dropped (``"1.200"``
and ``"1200"``), since the recognizer writes numbers as it likes. Each written word keeps
where it stands in its sentence, so the report can mark it in the text as written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)+")


@dataclass(frozen=True, kw_only=True)
class Token:
    """One word of a text: its normal form, and where it is written (character offsets)."""

    norm: str
    start: int
    end: int


def normal(word: str) -> str:
    """``word`` as it is compared: lower case, no accents, no number separators."""
    if _NUMBER.fullmatch(word):
        word = word.replace(".", "").replace(",", "")
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.replace("’", "'")


def tokens(text: str) -> list[Token]:
    """The words of ``text`` in order (numbers with their separators are one word)."""
    found = []
    for match in re.finditer(rf"{_NUMBER.pattern}|{_WORD.pattern}", text):
        norm = normal(match.group(0))
        found.append(Token(norm=norm, start=match.start(), end=match.end()))
    return found


def words(text: str) -> list[str]:
    """Just the normal forms of the words of ``text``."""
    return [t.norm for t in tokens(text)]
