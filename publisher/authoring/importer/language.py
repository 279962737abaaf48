"""The language a text is written in, as the book's ``language`` (a BCP 47 primary subtag).

py3langid (a maintained fork of langid.py): a naive Bayes model of 97 languages shipped in
its 4.5 MB wheel, offline and quick (about half a second for the seed, most of it loading
the model), and reliable on a paragraph or more. A rule of our own (counting common words)
would know only the languages someone wrote lists for.
"""

from __future__ import annotations

import functools
from typing import Any

FALLBACK = "en"
"""The language of a text too short to tell (fewer than :data:`MIN_LETTERS` letters)."""
MIN_LETTERS = 40


@functools.cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str, float]:
    """``(language, confidence 0..1)`` of ``text``; :data:`FALLBACK` and 0 when it is too
    short to tell."""
    if sum(c.isalpha() for c in text) < MIN_LETTERS:
        return FALLBACK, 0.0
    language, probability = _identifier().classify(text)
    return str(language), float(probability)
