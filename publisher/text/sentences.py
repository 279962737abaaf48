"""The one sentence splitter: narration, captions and the gTTS engine all cut text here.

Hand-written rather than taken from a library (pySBD, NLTK's punkt) because those bring
models or large rule sets per language for what here is one conservative rule: a sentence
ends at ``. ! ? …`` (and closing quotes) before a space and a capital, digit or opening quote,
but not after a single letter ("J. Smith") or a known abbreviation ("bijv. De Vries").
"""

from __future__ import annotations

import re

HARD_BREAK = "\u2028"
"""Stands for a hard line break in text to be split: it ends a sentence, unlike a soft one."""

_SENTENCE_END = re.compile(r"(?<=[.!?…])([\"'”’»)\]]*)\s+(?=[\"'“‘«(\[]?[A-ZÀ-Þ0-9])")
_CLOSING = "\"'”’»)]"
_ABBREVIATIONS = frozenset(
    [
        "bijv",
        "bv",
        "dhr",
        "mevr",
        "mw",
        "dr",
        "drs",
        "ir",
        "prof",
        "nr",
        "o.a",
        "d.w.z",
        "enz",
        "etc",
        "e.g",
        "i.e",
        "vs",
        "st",
        "mr",
        "mrs",
        "ms",
        "blz",
    ]
)


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences, conservatively, each on one line; a :data:`HARD_BREAK`
    also ends one."""
    out: list[str] = []
    for line in text.split(HARD_BREAK):
        out.extend(_line_sentences(" ".join(line.split())))
    return out


def _line_sentences(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end(1)
        before = text[start:end].rstrip(_CLOSING)
        last_word = before.rsplit(" ", 1)[-1].rstrip(".!?…").lower()
        if (len(last_word) == 1 and last_word.isalpha()) or last_word in _ABBREVIATIONS:
            continue
        out.append(text[start:end])
        start = match.end()
    out.append(text[start:])
    return [s for s in out if s.strip()]
