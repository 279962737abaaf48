"""Each chapter's speech script made once per build, whichever targets read it.

The audio, the read-along EPUB, the website's transcripts and the build's check all need
the script of every chapter, cut exactly as the voice said it; making it is the slowest
pure-Python step of an edit rebuild (every sentence is split and cut into runs by script).
The script is a pure function of the chapter, the book's settings, the lexicon and the
cast, so it is remembered per chapter *object* (the frozen model of this build; the entry
goes when the chapter does) and handed out again while those inputs are the same.

The cast's ``speaks`` is a function, a new one for each target; it is compared by what it
answered: an entry records each language the script asked about and the voice it got, and
is reused only if the new cast answers the same. Hand-written: functools' caches need
hashable arguments, and the model's chapters are hashed by value, which is the cost saved.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from publisher.speech.lexicon import Lexicon

T = TypeVar("T")
Speaks = Callable[[str], "str | None"]


@dataclass(frozen=True)
class _Entry(Generic[T]):
    """One remembered script and what it was made from."""

    settings: object  # the book's Config, compared by identity (it is frozen)
    lexicon: Lexicon  # shared, compared by its digest: not a copy per chapter
    book_voice: str
    roles: dict[str, str]
    asked: dict[str, str | None]  # language -> the voice ``speaks`` named for it
    value: T


class ScriptMemo(Generic[T]):
    """Scripts remembered per chapter object (see the module docstring)."""

    def __init__(self) -> None:
        self._entries: dict[int, list[_Entry[T]]] = {}

    def get(
        self,
        chapter: object,
        settings: object,
        lexicon: Lexicon,
        book_voice: str,
        roles: Mapping[str, str],
        speaks: Speaks,
        make: Callable[[Speaks], T],
    ) -> T:
        """The remembered value for these inputs, else ``make(speaks)``'s (remembered).
        ``make`` must ask for voices only through the ``speaks`` it is given."""
        entries = self._entries.get(id(chapter), [])
        for e in entries:
            if (
                e.settings is settings
                and e.book_voice == book_voice
                and e.lexicon == lexicon
                and e.roles == roles
                and all(speaks(lang) == voice for lang, voice in e.asked.items())
            ):
                return e.value
        asked: dict[str, str | None] = {}

        def recording(language: str) -> str | None:
            asked[language] = speaks(language)
            return asked[language]

        value = make(recording)
        if not entries:
            self._entries[id(chapter)] = entries
            # The id may be reused once the chapter is gone: its entries go with it.
            weakref.finalize(chapter, self._entries.pop, id(chapter), None)
        entries.append(_Entry(settings, lexicon, book_voice, dict(roles), asked, value))
        return value
