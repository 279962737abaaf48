"""Abbreviations said in full, and roman numerals in titles said as numbers.

Roman numerals are read by the ``roman`` package (which refuses "IIII" and "VV"); which
ones are numerals is decided by the word before them, from the rules file: after a counted
word ("Hoofdstuk IV", "World War II") a number, after a name ("Willem III", "Henry VIII")
a regnal ordinal. Anything else stays a word: the English pronoun "I", "Vitamin C", an
acronym. After a name only I, V and X make a numeral, and a one-letter one only where the
rules list it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping

import roman

from publisher.speech.normalise import spell
from publisher.speech.normalise.rules import Rules

_AFTER = r"(?=[\s,;:!?)\]\"'”’»]|$)"
"""What may follow an abbreviation's final full stop: a space, punctuation or the end."""


def _any(table: Mapping[str, str], after: str) -> re.Pattern[str] | None:
    if not table:
        return None
    keys = "|".join(re.escape(k) for k in sorted(table, key=lambda k: (-len(k), k)))
    return re.compile(rf"(?<![\w.])(?:{keys}){after}", re.IGNORECASE)


class _Patterns:
    """The abbreviation and roman-numeral patterns of one language (:data:`_patterns`
    compiles them once); ``None`` where the language's rules list none."""

    def __init__(self, rules: Rules) -> None:
        counted = "|".join(re.escape(w) for w in sorted(rules.roman.counted, key=len, reverse=True))
        self.abbreviations = _any(rules.abbreviations, _AFTER)
        self.titles = _any(rules.titles, _AFTER)
        self.before_number = _any(rules.before_number, r"(?=\s?\d)")
        self.counted = (
            re.compile(rf"(?<!\w)(?P<word>(?i:{counted}))(?P<space>\s+)(?P<num>[IVXLCDM]+)(?!\w)")
            if counted
            else None
        )
        self.regnal = re.compile(r"(?<!\w)(?P<name>[A-ZÀ-Þ][a-zß-ÿ]+)\s+(?P<num>[IVX]+)(?![\w'’])")


_patterns = functools.cache(_Patterns)
"""The patterns of a language's rules, made once."""


def _as_written(written: str, said: str) -> str:
    """``said`` capitalised if ``written`` was ("Bijv." → "Bijvoorbeeld")."""
    return said[:1].upper() + said[1:] if written[:1].isupper() else said


def abbreviations(text: str, rules: Rules) -> str:
    """Abbreviations in full. Before a capital the full stop stays after the words ("enz.
    Daarna" → "enzovoort. Daarna"): the splitter did not end the sentence there, so the
    voice still pauses; after a title ("dr. Jansen") a name follows, and no stop."""
    p = _patterns(rules)

    def expand(table: Mapping[str, str], *, keep_stop: bool) -> Callable[[re.Match[str]], str]:
        def say(match: re.Match[str]) -> str:
            said = _as_written(match[0], table[match[0].lower()])
            capital_next = re.match(r"\s+[A-ZÀ-Þ]", match.string[match.end() :])
            return f"{said}." if keep_stop and capital_next and not said.endswith(".") else said

        return say

    for pattern, table, keep in (
        (p.titles, rules.titles, False),
        (p.before_number, rules.before_number, False),
        (p.abbreviations, rules.abbreviations, True),
    ):
        if pattern is not None:
            text = pattern.sub(expand(table, keep_stop=keep), text)
    return text


def _value(numeral: str) -> int | None:
    try:
        return int(roman.fromRoman(numeral))
    except roman.InvalidRomanNumeralError:
        return None


def numerals(text: str, rules: Rules) -> str:
    """Roman numerals after a counted word or a name, in words (module docstring)."""
    p = _patterns(rules)

    def counted(match: re.Match[str]) -> str:
        value = _value(match["num"])
        if value is None:
            return match[0]
        return f"{match['word']}{match['space']}{spell.cardinal(value, rules)}"

    def regnal(match: re.Match[str]) -> str:
        name, numeral = match["name"], match["num"]
        value = _value(numeral)
        single = len(numeral) == 1 and numeral not in rules.roman.single_letters
        if value is None or single or name.lower() in rules.roman.counted:
            return match[0]
        return rules.roman.regnal.format(name=name, ordinal=spell.ordinal(value, rules))

    if p.counted is not None:
        text = p.counted.sub(counted, text)
    return p.regnal.sub(regnal, text)
