"""A dash between two numbers said as a range: "10-12" → "10 tot 12", and between two clock
times ("12:30-14:00") and two amounts ("€10-€20", "€10-20", "$10-20").

This step runs before the dates, times and amounts are said, so that each end is then said
by its own rule: run after them, it saw "twaalf uur dertig-veertien uur" and "tien
euro-twintig euro", and the dash went to the engine between the words. Days before a month
("21-23 maart") are numbers here, and the month's rule says the second. The ends stay as
written (digits), for the rules after this one (a unit may follow: "10-12 km").
"""

from __future__ import annotations

import functools
import re

from publisher.speech.normalise.numbers import amount_pattern, currencies_before, read_amount
from publisher.speech.normalise.rules import Rules

_DASH = r"\s?[-–]\s?"
_TIME = r"(?:[01]?\d|2[0-3]):[0-5]\d|24:00"
# Not a range: an end that is part of a longer number, word, date or time ("1-3-2025",
# "12:10-12:20" read as "10-12", "COVID-19").
_BEFORE = r"(?<![\w.,:\-–/])"
_AFTER = r"(?![\w:]|[.,]\d|[-–/]\d)"


class _Patterns:
    """The range patterns of one language (:data:`_patterns` compiles them once)."""

    def __init__(self, rules: Rules) -> None:
        amount = amount_pattern(rules)
        self.times = re.compile(rf"{_BEFORE}({_TIME}){_DASH}({_TIME}){_AFTER}")
        self.amounts = re.compile(
            rf"(?<![\w])(?P<cur>{currencies_before(rules)})(?P<space>\s?)(?P<low>{amount})"
            rf"{_DASH}(?:(?P=cur)\s?)?(?P<high>{amount}){_AFTER}"
        )
        self.numbers = re.compile(rf"{_BEFORE}([1-9]\d{{0,3}}|0){_DASH}([1-9]\d{{0,3}}){_AFTER}")


_patterns = functools.cache(_Patterns)
"""The patterns of a language's rules, made once."""


def ranges(text: str, rules: Rules) -> str:
    """Every range in ``text`` with the language's word for it between its ends (module
    docstring). Two numbers or amounts are a range only when the first is the smaller (a
    score "3-2" is not); two times always are (a night shift runs "22:00-06:00")."""
    p = _patterns(rules)

    def times(match: re.Match[str]) -> str:
        return f"{match[1]} {rules.range} {match[2]}"

    def amounts(match: re.Match[str]) -> str:
        if _value(match["low"], rules) >= _value(match["high"], rules):
            return match[0]
        cur, space = match["cur"], match["space"]
        return f"{cur}{space}{match['low']} {rules.range} {cur}{space}{match['high']}"

    def numbers(match: re.Match[str]) -> str:
        low, high = int(match[1]), int(match[2])
        return f"{match[1]} {rules.range} {match[2]}" if low < high else match[0]

    text = p.times.sub(times, text)
    text = p.amounts.sub(amounts, text)
    return p.numbers.sub(numbers, text)


def _value(raw: str, rules: Rules) -> float:
    number, cents = read_amount(raw, rules)
    fraction = float(f"0.{number.fraction}") if number.fraction else 0.0
    return number.whole + fraction + cents / 100
