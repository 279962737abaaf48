"""Numbers and abbreviations said as a reader of the language says them, for every engine.

espeak-ng, gTTS and Piper each read "€ 12,50", "1.200", "21-03-2025" or "bijv." their own
way (espeak-ng's Dutch says "1.200" as "een punt tweehonderd"; Piper's phonemizer and Google
disagree with it and with each other), so the speech script gives them words instead. Only
what the engine is given changes: the captions, the read-along EPUB and the website's
transcript show the text as written (an utterance's ``display``).

:func:`normalise` is called by :func:`publisher.speech.speakable.speakable` for each run of a
sentence in that run's language (a ``[…]{lang=en}`` span in a Dutch book gets the English
rules), after the lexicon: an author's entry sees the text as written and wins ("112":
"één één twee"), and a respelling that holds digits or an abbreviation is then said by the
rules of its run's language. Phonemes a lexicon put in (``[[…]]``, espeak-ng's mnemonics,
which hold digits) are left alone.

The rules are data, one file per language (``publisher/data/speech/<subtag>.toml``, typed
in :mod:`.rules`); num2words spells the numbers. In order, so that a later rule never sees
what an earlier one said: abbreviations (:mod:`.words`), ranges (:mod:`.ranges`, before
their ends are said), dates and clock times (:mod:`.dates`), amounts, ordinals, units and
percentages, dotted numbers, every number left (:mod:`.numbers`), roman numerals in titles
(:mod:`.words`). A language without
a rules file is given as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from publisher.speech.normalise import dates, numbers, ranges, words
from publisher.speech.normalise.rules import Rules, rules_for

_PHONEMES = re.compile(r"(\[\[.*?\]\])", re.DOTALL)

_STEPS: tuple[Callable[[str, Rules], str], ...] = (
    words.abbreviations,
    ranges.ranges,
    dates.dates,
    dates.times,
    numbers.money,
    numbers.ordinals,
    numbers.units,
    numbers.dotted,
    numbers.numbers,
    words.numerals,
)


def normalise(text: str, language: str) -> str:
    """``text`` with its numbers, dates, times, amounts, units and abbreviations in words,
    as said in ``language`` (a BCP 47 tag); unchanged for a language without rules."""
    rules = rules_for(language)
    if rules is None:
        return text
    pieces = _PHONEMES.split(text)
    for i in range(0, len(pieces), 2):  # the odd pieces are phonemes
        for step in _STEPS:
            pieces[i] = step(pieces[i], rules)
    return "".join(pieces)
