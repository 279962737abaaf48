"""A sentence cut into runs by language, so each run is said by a voice that speaks it.

Text in another script than the book's (Cyrillic, Greek, Han, kana, Hangul, Arabic, …) is
not the book voice's to say: espeak-ng's Dutch voice spells "Привет" out as "Cyrillic pe,
Cyrillic er, …". Each character's script comes from fontTools' ``unicodedata.script``
(Unicode's Scripts.txt, kept up to date by a library publisher already depends on for the
cover), not from a hand-kept table of ranges. Characters common to all scripts (spaces,
digits, punctuation) and combining marks go with the run before them.

Text the author marked (``[Привет]{lang=ru}``, a :class:`~publisher.model.Span`) is in
that language whatever its script; the speech script carries the mark through sentence
splitting as private-use characters (:func:`mark`), removed again by :func:`unmark`. A block
is cut into sentences where its text without the marks is cut (:func:`sentences`, as the
read-along EPUB cuts it), and each sentence is marked with every span it lies in: a span
that runs across sentences keeps its language in each.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from fontTools import unicodedata as ucd

from publisher.text import sentences as text_sentences
from publisher.text.spans import locate

OPEN, SEP, CLOSE = "\ue000", "\ue001", "\ue002"
_MARKS = re.compile(f"{OPEN}[^{SEP}]*{SEP}|{CLOSE}")
_MARK_CHARS = frozenset((OPEN, SEP, CLOSE))
_WORD = re.compile(r"\w")

LANGUAGE_OF_SCRIPT = {
    "Cyrl": "ru",
    "Grek": "el",
    "Hang": "ko",
    "Arab": "ar",
    "Hebr": "he",
    "Thai": "th",
    "Deva": "hi",
    "Armn": "hy",
    "Geor": "ka",
    "Beng": "bn",
    "Taml": "ta",
}
"""The language a run in a foreign script is read in when the author did not mark it."""
_CJK = frozenset({"Hani", "Hira", "Kana"})
_KANA = frozenset({"Hira", "Kana"})
_BOOK_SCRIPTS = {
    "ru": {"Cyrl"},
    "uk": {"Cyrl"},
    "bg": {"Cyrl"},
    "sr": {"Cyrl"},
    "mk": {"Cyrl"},
    "be": {"Cyrl"},
    "el": {"Grek"},
    "ja": set(_CJK),
    "zh": {"Hani"},
    "cmn": {"Hani"},
    "yue": {"Hani"},
    "ko": {"Hang", "Hani"},
    "ar": {"Arab"},
    "fa": {"Arab"},
    "ur": {"Arab"},
    "he": {"Hebr"},
    "th": {"Thai"},
    "hi": {"Deva"},
}
_NEUTRAL = frozenset({"Zyyy", "Zinh", "Zzzz"})  # common, inherited (combining), unknown


@dataclass(frozen=True, kw_only=True)
class Piece:
    """A stretch of a sentence and who should say it: ``language`` None and ``script`` None
    is the book's own voice; ``language`` set is a voice for that language; ``script`` set
    without a language is a script no language is known for."""

    text: str
    language: str | None = None
    script: str | None = None


def mark(lang: str, text: str) -> str:
    """``text`` marked as being in ``lang`` (see the module docstring)."""
    return f"{OPEN}{lang}{SEP}{text}{CLOSE}"


def unmark(text: str) -> str:
    """``text`` without the marks :func:`mark` put in."""
    return _MARKS.sub("", text)


def sentences(text: str) -> list[str]:
    """``text`` (a block's text, possibly with marks) cut into sentences where the same text
    without marks is cut (so a mark neither hides a sentence end nor makes one), each marked
    with the spans it lies in, innermost last (module docstring)."""
    if not _MARK_CHARS & set(text):
        return text_sentences(text)
    plain: list[str] = []
    inside: list[tuple[str, ...]] = []  # the languages each character of ``plain`` is in
    for char, marked in _unmarked(text):
        plain.append(char)
        inside.append(tuple(marked))
    unmarked = "".join(plain)
    pieces = text_sentences(unmarked)
    return [_remarked(unmarked, inside, start, stop) for start, stop in locate(unmarked, pieces)]


def _remarked(plain: str, inside: list[tuple[str, ...]], start: int, stop: int) -> str:
    """``plain[start:stop]`` with white space collapsed (as the splitter gives a sentence)
    and marks for the languages ``inside`` says each character is in, all closed at its end."""
    out: list[str] = []
    now: tuple[str, ...] = ()
    for k in range(start, stop):
        want = inside[k]
        if want != now:
            common = 0
            while common < min(len(now), len(want)) and now[common] == want[common]:
                common += 1
            out.append(CLOSE * (len(now) - common))
            out.extend(f"{OPEN}{lang}{SEP}" for lang in want[common:])
            now = want
        out.append(plain[k])
    out.append(CLOSE * len(now))
    return " ".join("".join(out).split())


def book_scripts(language: str) -> frozenset[str]:
    """The scripts the book's own voice reads: its language's, and Latin always (which
    language a Latin word is in cannot be told from its letters)."""
    primary = language.split("-", 1)[0].lower()
    return frozenset({"Latn"} | _BOOK_SCRIPTS.get(primary, set()))


@lru_cache(maxsize=4096)
def _script(char: str) -> str:
    """``char``'s Unicode script code, remembered: a book has a few hundred distinct
    characters and each sentence is split again by every target that reads the script."""
    return str(ucd.script(char))


_Key = tuple[str | None, str | None]  # (marked language, foreign script)
_NEUTRAL_KEY: _Key = ("", "")


def _key(char: str, marked: list[str], own: frozenset[str]) -> _Key:
    """Who says ``char``: its marked language, its foreign script, (None, None) for the book's
    voice, or :data:`_NEUTRAL_KEY` for a character of every script."""
    if marked:
        return marked[-1], None
    script = _script(char)
    if script in _NEUTRAL:
        return _NEUTRAL_KEY
    if script in own:
        return None, None
    return None, "CJK" if script in _CJK else script


def split(text: str, language: str) -> list[Piece]:
    """``text`` (a sentence, possibly with marks) cut into :class:`Piece` runs, in order.

    A piece with no letter or digit in it (a lone "." after a foreign word) joins the one
    before it (or after it, at the start).
    """
    own = book_scripts(language)
    if not _MARK_CHARS & (chars := set(text)) and all(
        _script(c) in own or _script(c) in _NEUTRAL for c in chars
    ):
        # All the book voice's (the common case): what the loop below would find, at once.
        return [Piece(text=text)] if text else []
    raw: list[tuple[str, str | None, str | None]] = []  # (text, marked language, script)
    for char, marked in _unmarked(text):
        key = _key(char, marked, own)
        if raw and (key == _NEUTRAL_KEY or key == raw[-1][1:]):
            raw[-1] = (raw[-1][0] + char, raw[-1][1], raw[-1][2])
        else:
            raw.append((char, *(key if key != _NEUTRAL_KEY else (None, None))))
    return _pieces(raw)


def _unmarked(text: str) -> Iterator[tuple[str, list[str]]]:
    """Each character of ``text`` that is not a mark, with the languages of the spans it lies
    in, innermost last (the list is the walk's own: copy it to keep it)."""
    marked: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        i += 1
        if char == OPEN:
            end = text.find(SEP, i)
            if end < 0:
                return
            marked.append(text[i:end])
            i = end + 1
        elif char == CLOSE:
            if marked:
                marked.pop()
        else:
            yield char, marked


def _pieces(raw: list[tuple[str, str | None, str | None]]) -> list[Piece]:
    """Runs merged where they belong together, with their language found."""
    merged: list[tuple[str, str | None, str | None]] = []
    for text, lang, script in raw:
        if merged and not _WORD.search(text):
            merged[-1] = (merged[-1][0] + text, *merged[-1][1:])
        elif merged and (not _WORD.search(merged[-1][0]) or merged[-1][1:] == (lang, script)):
            merged[-1] = (merged[-1][0] + text, lang, script)
        else:
            merged.append((text, lang, script))
    out: list[Piece] = []
    for text, lang, script in merged:
        if lang is not None:
            out.append(Piece(text=text, language=lang))
        elif script == "CJK":
            # espeak-ng's Japanese reads kana; Han characters alone are read as Mandarin.
            japanese = any(_script(c) in _KANA for c in text)
            out.append(Piece(text=text, language="ja" if japanese else "cmn"))
        elif script is not None:
            found = LANGUAGE_OF_SCRIPT.get(script)
            out.append(Piece(text=text, language=found, script=None if found else script))
        else:
            out.append(Piece(text=text))
    return out
