"""What a word is, and where each word an engine said lies in its samples.

A word (:func:`tokens`) is a stretch of text between spaces without the punctuation around
it ("wereld," is "wereld"), or a phoneme block (``[[k'o:bo:]]``, a lexicon's respelling for
espeak-ng and Piper), and has a letter, a digit or a sign that is said ("&", "@", "%", "€").
The engines, the timing file and the read-along all cut text into words here.

espeak-ng reports the sample at which each word starts (its word events), not where its
sound ends: the span up to the next word holds the pause after a comma too; Piper, how long
each phoneme lasts, in frames of 256 samples. A word's time is its sound (:func:`place`), so
each span is trimmed to the samples that are not (near) silence, the utterance's own: within
:data:`SILENCE_DB` of its loudest sample.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from publisher.engines.base import SpokenWord

SILENCE_DB = -40.0
"""Quieter than this, relative to the utterance's peak, is silence between words."""
FLOOR = 16
"""Samples at most this loud are silence whatever the peak (dither, rounding)."""

_CHUNK = re.compile(r"\[\[.*?\]\]|\S+")
_SAID_SIGNS = frozenset("&@%#§")  # punctuation by Unicode's categories, but said


def _edge(char: str) -> bool:
    """Whether ``char`` is punctuation to strip from a word's ends."""
    return char not in _SAID_SIGNS and unicodedata.category(char)[0] == "P"


def back_in(text: str, sent: str) -> list[int]:
    """For each position in ``sent`` (and its end), the position in ``text`` it came from:
    ``sent`` is ``text`` as it was let through to the engine
    (:func:`publisher.engine_input.engine_text`), which puts a space between two brackets
    and turns a control character into a space. An engine's words are in ``sent``; the
    utterance's words are in ``text``."""
    out: list[int] = []
    j = 0
    for i, char in enumerate(sent):
        out.append(j)
        if j < len(text) and (
            text[j] == char or (char == " " and (i + 1 >= len(sent) or sent[i + 1] != text[j]))
        ):
            j += 1  # the same character, or one turned into a space; else a space put in
    out.append(j)
    return out


def moved_back(words: Sequence[SpokenWord], text: str, sent: str) -> tuple[SpokenWord, ...]:
    """``words`` (in ``sent``) with their characters in ``text`` (see :func:`back_in`)."""
    if text == sent:
        return tuple(words)
    where = back_in(text, sent)
    return tuple(
        SpokenWord(
            char_start=where[w.char_start],
            char_end=where[w.char_end],
            sample_start=w.sample_start,
            sample_end=w.sample_end,
        )
        for w in words
    )


def _currency(char: str) -> bool:
    """Whether ``char`` is a currency sign ("€ 3" is said "drie euro")."""
    return unicodedata.category(char) == "Sc"


def tokens(text: str) -> list[tuple[int, int]]:
    """The words of ``text`` as ``(start, end)`` character offsets, in order (see above)."""
    out = []
    for match in _CHUNK.finditer(text):
        start, end = match.span()
        if not match.group().startswith("[["):
            while start < end and _edge(text[start]):
                start += 1
            while end > start and _edge(text[end - 1]):
                end -= 1
        if any(c.isalnum() or c in _SAID_SIGNS or _currency(c) for c in text[start:end]):
            out.append((start, end))
    return out


SETTLE_SECONDS = 0.06
"""How far back a word's start may move to the quietest point before where the engine put
it (the sound of a phoneme runs into the next one's: a boundary is late rather than early)."""
AHEAD_SECONDS = 0.02
"""How far ahead it may move: a short word ("it") is over in a tenth of a second."""
WINDOW_SECONDS = 0.01
"""The stretch over which that quiet is measured: about a period of a low voice."""


def place(
    said: Sequence[tuple[int, int, int, int | None]], data: bytes, rate: int
) -> tuple[SpokenWord, ...]:
    """Words from ``(char_start, char_end, start, end)`` (in the order said; ``end`` None
    where the engine gives only starts) over the 16-bit samples ``data`` at ``rate``: each
    starts at the quietest point near where the engine put it (:func:`settle`: between two
    words said without a pause, the engine's boundary lies in the sound of the phoneme it
    ends or begins; the dip between them is where a listener hears the word begin), ends
    where the engine says or else where the next word starts (the last at the end), and is
    trimmed to its sound; a word with no sound at all keeps an empty span at its start."""
    samples = np.frombuffer(data, dtype="<i2").astype(np.int64)
    total = len(samples)
    loudness = np.abs(samples)
    peak = int(loudness.max()) if total else 0
    threshold = max(FLOOR, round(peak * 10 ** (SILENCE_DB / 20)))
    loud = loudness > threshold
    settled = settle([min(max(0, word[2]), total) for word in said], data, rate)
    out = []
    for i, (char_start, char_end, _, stated) in enumerate(said):
        begin = settled[i]
        end = settled[i + 1] if i + 1 < len(said) else total
        end = max(begin, end if stated is None else min(end, stated))
        sounding = np.flatnonzero(loud[begin:end])
        if len(sounding):
            begin, end = begin + int(sounding[0]), begin + int(sounding[-1]) + 1
        else:
            end = begin
        out.append(
            SpokenWord(char_start=char_start, char_end=char_end, sample_start=begin, sample_end=end)
        )
    return tuple(out)


def settle(starts: list[int], data: bytes, rate: int) -> list[int]:
    """Each of ``starts`` (samples of ``data``, in order) moved to the middle of the
    quietest :data:`WINDOW_SECONDS` from :data:`SETTLE_SECONDS` before it to
    :data:`AHEAD_SECONDS` after it, after the word before's start and before the next's."""
    samples: npt.NDArray[np.int64] = np.frombuffer(data, dtype="<i2").astype(np.int64)
    if not len(samples):
        return starts
    half = max(1, round(WINDOW_SECONDS * rate / 2))
    reach, ahead = round(SETTLE_SECONDS * rate), round(AHEAD_SECONDS * rate)
    energy = np.concatenate(([0], np.cumsum(samples * samples)))
    out: list[int] = []
    for i, start in enumerate(starts):
        lo = max(start - reach, out[-1] + 1 if out else 0, half)
        following = starts[i + 1] - 1 if i + 1 < len(starts) else start + ahead
        hi = min(start + ahead, following, len(samples) - half)
        if lo > hi:
            out.append(start)
            continue
        centres = np.arange(lo, hi + 1)
        around = energy[centres + half] - energy[centres - half]
        out.append(int(centres[int(np.argmin(around))]))
    return out
