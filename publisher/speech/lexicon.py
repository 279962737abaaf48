"""A pronunciation lexicon made ready for lookup: whole words, ignoring case, longest first.

The narration respells every word a lexicon names (``narration.lexicon``, a PLS file, a
voice's own): ``WHO`` → "Wereldgezondheidsorganisatie". It used to be one regular
expression, an alternation of every word. Python's ``re`` tries the alternatives one after
another at every position, so the work grew with the text times the entries: a 4.9 MB PLS
file (within its 5 MB limit, about 40,000 words) turned a 0.3 s ``check`` of the seed into
14 s. And the alternation (and a lowered copy of the lexicon) was made again for every run of
every sentence.

Hand-written because no well-kept library does this matching (whole words by Python's own
``\\w``, ignoring case, the longest entry first, as the expression did): ``pyahocorasick``
finds every occurrence of every word, which would still have to be filtered down to the
same matches. So :class:`Lexicon` is made once per lexicon, and at each place where a word
may start it looks up only the stretches that could be an entry: those that end where a word
ends (the next character is not a word character) and have the length of an entry that
starts with that letter, longest first, each one dictionary lookup. The work is then the
text times the few word ends within the longest entry's reach, whatever the lexicon's size.

The lexicon a narration uses is the voice's, with the book's PLS file (``narration.pls``)
over it and the front matter's ``narration.lexicon`` over both (:func:`voice_lexicon`,
:func:`merged_lexicon`), compiled once for all the chapters of a book (:func:`compiled`).
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
from collections.abc import Mapping

from publisher import model as m
from publisher.engine_input import as_text, phonemes
from publisher.engines.base import PHONEME_ALPHABETS, VoiceProfile
from publisher.model.config import Config

_STARTS = re.compile(r"(?<!\w)")
"""Where an entry may start: no word character before."""
_ENDS = re.compile(r"(?!\w)")
"""Where an entry may end: no word character after (the text's end included)."""


def fold(text: str) -> str:
    """``text`` lowercased character by character, as long as it was: a character whose
    lowercase is longer ("İ") stays as it is, so that positions in the text and in its
    folded form are the same."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


class Lexicon:
    """Words (any case) → what to say instead, matched as whole words (see the module
    docstring). Made once per lexicon; compared by its content (:attr:`digest`)."""

    def __init__(self, entries: Mapping[str, str]) -> None:
        said: dict[str, str] = {}
        for word, instead in entries.items():
            if word.strip():  # a blank word matches nothing (as the expression had it)
                said[fold(word)] = instead  # entries differing in case only: the last wins
        self.said = said
        lengths: dict[str, set[int]] = {}
        for word in said:
            lengths.setdefault(word[0], set()).add(len(word))
        self.lengths = {first: frozenset(sizes) for first, sizes in lengths.items()}
        self.reach = {first: max(sizes) for first, sizes in lengths.items()}
        content = json.dumps(sorted(said.items()), ensure_ascii=False).encode()
        self.digest = hashlib.sha256(content).hexdigest()

    def __bool__(self) -> bool:
        return bool(self.said)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Lexicon) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    def respell(self, text: str) -> str:
        """``text`` with every entry's word replaced by what to say instead: at each place,
        the longest entry that is there as a whole word, then on after it."""
        if not self.said:
            return text
        folded = fold(text)
        ends = [m.start() for m in _ENDS.finditer(text)]
        out: list[str] = []
        done = 0  # text before this is in ``out``
        for match in _STARTS.finditer(text):
            start = match.start()
            if start < done or start == len(text):
                continue
            sizes = self.lengths.get(folded[start])
            if sizes is None:
                continue
            stop = self._match(folded, start, sizes, ends)
            if stop is not None:
                out.append(text[done:start])
                out.append(self.said[folded[start:stop]])
                done = stop
        out.append(text[done:])
        return "".join(out)

    def _match(self, folded: str, start: int, sizes: frozenset[int], ends: list[int]) -> int | None:
        """Where the longest entry at ``start`` ends (one of ``ends``), or None."""
        last = bisect.bisect_right(ends, start + self.reach[folded[start]]) - 1
        first = bisect.bisect_right(ends, start)
        for i in range(last, first - 1, -1):
            stop = ends[i]
            if stop - start in sizes and folded[start:stop] in self.said:
                return stop
        return None


EMPTY = Lexicon({})
"""No entries: text stays as it is."""


# --- the lexicon a narration uses -----------------------------------------------------------


def voice_lexicon(book: m.Book, voice: VoiceProfile) -> dict[str, str]:
    """The voice's lexicon with the book's PLS file (``narration.pls``) over it: its aliases,
    or its phonemes where the voice's engine reads their alphabet. The inline
    ``narration.lexicon`` goes over both (:func:`merged_lexicon`)."""
    merged = {word: as_text(said) for word, said in voice.lexicon.items()}
    if book.pronunciation is not None:
        found = book.pronunciation.respellings(PHONEME_ALPHABETS.get(voice.engine))
        # An alias is text; phonemes (checked by the reader) are what espeak-ng reads as such.
        merged.update(
            (word, as_text(said) if kind == "alias" else phonemes(said))
            for word, (kind, said) in found.items()
        )
    return merged


def merged_lexicon(config: Config, voice_lexicon: Mapping[str, str]) -> dict[str, str]:
    """The voice's lexicon with the book's entries over it (keys compared ignoring case)."""
    merged = {k.lower(): v for k, v in voice_lexicon.items()}
    merged.update({k.lower(): as_text(v) for k, v in config.narration.lexicon.items()})
    return merged


_LAST: list[tuple[Config, Mapping[str, str] | None, Lexicon]] = []
"""The lexicons last compiled, with the settings and voice lexicon they came from (held, so
that comparing by identity is sound): a book's chapters share one."""


def compiled(config: Config, voice_lexicon: Mapping[str, str] | None) -> Lexicon:
    """The merged lexicon (:func:`merged_lexicon`) made ready for lookup, once for all the
    chapters a target asks for with the same settings and voice lexicon objects: merging
    and compiling a lexicon of 60,000 words per chapter cost more than the lookup itself."""
    for known_config, known_voice, lexicon in _LAST:
        if known_config is config and known_voice is voice_lexicon:
            return lexicon
    lexicon = Lexicon(merged_lexicon(config, voice_lexicon or {}))
    _LAST[:] = [(config, voice_lexicon, lexicon), *_LAST[:3]]
    return lexicon
