"""What a word is, and where each word an engine said lies in its samples.

A word (:func:`tokens`) is a stretch of text between spaces without the punctuation around
it ("wereld," is "wereld"), or a phoneme block (``[[k'o:bo:]]``, a lexicon's respelling for
espeak-ng and Piper), and has a letter, a digit or a sign that is said ("&", "@", "%").
The engines, the timing file and the read-along all cut text into words here.

espeak-ng reports the sample at which each word starts (its word events), not where its
sound ends: the span up to the next word holds the pause after a comma too. A word's time
is its sound, so each span is trimmed to the samples that are not (near) silence, the
utterance's own: within :data:`SILENCE_DB` of its loudest sample.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

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
        if any(c.isalnum() or c in _SAID_SIGNS for c in text[start:end]):
            out.append((start, end))
    return out


def from_starts(starts: Sequence[tuple[int, int, int]], data: bytes) -> tuple[SpokenWord, ...]:
    """Words from ``(char_start, char_end, sample)`` (in the order said) over the 16-bit
    samples ``data``: each runs to the next word's start (the last to the end), trimmed to
    its sound; a word with no sound at all keeps an empty span at its start."""
    samples = np.abs(np.frombuffer(data, dtype="<i2").astype(np.int32))
    total = len(samples)
    peak = int(samples.max()) if total else 0
    threshold = max(FLOOR, round(peak * 10 ** (SILENCE_DB / 20)))
    loud = samples > threshold
    out = []
    for i, (char_start, char_end, sample) in enumerate(starts):
        begin = min(max(0, sample), total)
        end = min(max(begin, starts[i + 1][2]), total) if i + 1 < len(starts) else total
        sounding = np.flatnonzero(loud[begin:end])
        if len(sounding):
            begin, end = begin + int(sounding[0]), begin + int(sounding[-1]) + 1
        else:
            end = begin
        out.append(
            SpokenWord(char_start=char_start, char_end=char_end, sample_start=begin, sample_end=end)
        )
    return tuple(out)
