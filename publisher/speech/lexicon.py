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
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
from collections.abc import Mapping

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
