"""The words the engine said, put back on the words as written: the one place that does it.

An engine reports words in the text it was given, the *spoken* text (an utterance's
``text``); captions, the read-along EPUB and the website show the *written* text (its
``display``). The two differ wherever speech normalisation changed the words: a lexicon's
respelling ("Kobo" said as ``[[k'o:bo:]]``), a web address said as its domain, "&" said as
"en", a number said in words, a footnote marker or an emoji left out. So the words of both
(:func:`publisher.engines.words.tokens`) are aligned as sequences (difflib), on their
case-folded forms: a word said as written pairs with itself; a stretch where they differ
pairs as a whole (an address said as three words, "a@b.nl" as "a apenstaartje b.nl", is one timed word;
as many written as spoken words pair one to one, as a respelling does); a spoken word with
nothing written lengthens the written word before it; a written word that is not said (a
run no voice speaks) gets no time.

Hand-written on difflib rather than tracking offsets through every normalisation step:
a new step (a number normaliser) needs no change here, and what cannot be paired is left
untimed rather than guessed.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from publisher.engines.base import SpokenWord
from publisher.engines.words import tokens


@dataclass(frozen=True, kw_only=True)
class WrittenWord:
    """A written word (``length`` characters from ``offset`` in the written text; a stretch
    of words when several were said as one) and the samples it is heard in."""

    offset: int
    length: int
    sample_start: int
    sample_end: int


def _heard(spoken: str, said: Sequence[SpokenWord]) -> list[tuple[int, int] | None]:
    """Per word of ``spoken``: the samples of the engine's words that start in it (or in the
    space after it; before the first word counts as the first), or None if none has sound."""
    words = tokens(spoken)
    starts = [start for start, _ in words]
    out: list[tuple[int, int] | None] = [None] * len(words)
    for word in said:
        if word.sample_end <= word.sample_start or not words:
            continue
        index = max(0, _last_at_or_before(starts, word.char_start))
        found = out[index]
        out[index] = (
            (word.sample_start, word.sample_end)
            if found is None
            else (min(found[0], word.sample_start), max(found[1], word.sample_end))
        )
    return out


def _last_at_or_before(starts: list[int], position: int) -> int:
    index = -1
    for i, start in enumerate(starts):
        if start > position:
            break
        index = i
    return index


def _span(heard: Sequence[tuple[int, int] | None]) -> tuple[int, int] | None:
    found = [h for h in heard if h is not None]
    return (min(h[0] for h in found), max(h[1] for h in found)) if found else None


def written_words(display: str, spoken: str, said: Sequence[SpokenWord]) -> tuple[WrittenWord, ...]:
    """The words of ``display`` with when they are heard, from the engine's words ``said``
    of ``spoken`` (see the module docstring); in order, each after the one before."""
    written = tokens(display)
    heard = _heard(spoken, said)
    keys_written = [display[a:b].casefold() for a, b in written]
    keys_spoken = [spoken[a:b].casefold() for a, b in tokens(spoken)]
    matcher = difflib.SequenceMatcher(None, keys_written, keys_spoken, autojunk=False)
    pairs: list[tuple[tuple[int, int], tuple[int, int] | None]] = []  # (chars, samples)
    early: tuple[int, int] | None = None  # heard before any written word
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "insert":
            extra = _span(heard[j1:j2])
            before = pairs[-1][1] if pairs else None
            if extra is not None and before is not None:
                pairs[-1] = (pairs[-1][0], (before[0], max(before[1], extra[1])))
            elif extra is not None and not pairs:
                early = extra
        elif op == "equal" or (op == "replace" and i2 - i1 == j2 - j1):
            pairs += [(written[i1 + k], heard[j1 + k]) for k in range(i2 - i1)]
        elif op == "replace":
            pairs.append(((written[i1][0], written[i2 - 1][1]), _span(heard[j1:j2])))
        # "delete": written, not said: no time
    out: list[WrittenWord] = []
    for (start, end), samples in pairs:
        if samples is None:
            continue
        if early is not None:
            samples, early = (min(early[0], samples[0]), samples[1]), None
        if out and samples[0] < out[-1].sample_end:
            if samples[1] <= out[-1].sample_end:
                continue  # heard inside the word before: nothing of its own to show
            samples = (out[-1].sample_end, samples[1])
        out.append(
            WrittenWord(
                offset=start, length=end - start, sample_start=samples[0], sample_end=samples[1]
            )
        )
    return tuple(out)
