"""The one sentence splitter: narration, captions and the gTTS engine all cut text here.

Hand-written rather than taken from a library (pySBD, NLTK's punkt) because those bring
models or large rule sets per language for what here is one conservative rule: a sentence
ends at ``. ! ? …`` (and closing quotes) before a space and a capital, digit or opening quote,
but not after a single letter ("J. Smith") or a known abbreviation ("bijv. De Vries"): any
language's, from the speech rules files (:mod:`publisher.text.abbreviations`).
"""

from __future__ import annotations

import re

from publisher.text.abbreviations import every_abbreviation

HARD_BREAK = "\u2028"
"""Stands for a hard line break in text to be split: it ends a sentence, unlike a soft one."""

_SENTENCE_END = re.compile(r"(?<=[.!?…])([\"'”’»)\]]*)\s+(?=[\"'“‘«(\[]?[A-ZÀ-Þ0-9])")
_CLOSING = "\"'”’»)]"


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
        if (len(last_word) == 1 and last_word.isalpha()) or last_word in every_abbreviation():
            continue
        if last_word in every_abbreviation(before_number=True) and text[match.end()].isdigit():
            continue  # "no. 5", "pp. 12"
        out.append(text[start:end])
        start = match.end()
    out.append(text[start:])
    return [s for s in out if s.strip()]
