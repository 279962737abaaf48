"""Numbers as written in a language, read into values, and said in words by num2words.

num2words spells every number (cardinals, ordinals, years, decimals); what is written here
is only what it does not do: reading "1.200" or "1,200" as the language writes numbers, and
tidying its output for a voice (its English "one thousand, two hundred" has a comma, which
an engine says as a pause; its Dutch year form "negentien honderd" has a space a Dutch
writer would not).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from num2words import CONVERTER_CLASSES, num2words

from publisher.speech.normalise.rules import Rules

GROUP_SPACES = "\u00a0\u2009\u202f"
"""Spaces that group thousands as well as the language's separator (1 200 in SI style)."""
DIGITS_ALONE = 15
"""A whole number longer than this many digits is said digit by digit (an ID, a code)."""


@dataclass(frozen=True)
class Number:
    """A number read from the text: its whole part, the digits after its decimal separator
    (``""`` if none), and whether it was written with a thousands separator."""

    whole: int
    fraction: str = ""
    grouped: bool = False
    digits: str = ""  # the whole part as written, when it has a leading zero ("06")


def whole_pattern(rules: Rules) -> str:
    """A regex (no groups) matching a whole number as ``rules``' language writes it: digits,
    or thousands grouped with its separator (or a thin or no-break space)."""
    sep = re.escape(rules.thousands)
    return rf"(?:\d{{1,3}}(?:(?:{sep}|[{GROUP_SPACES}])\d{{3}})+(?!\d)|\d+)"


def number_pattern(rules: Rules) -> str:
    """A regex (no groups) matching a number as ``rules``' language writes it: a whole
    number and, optionally, its decimal separator and more digits."""
    return rf"{whole_pattern(rules)}(?:{re.escape(rules.decimal)}\d+)?"


def read(text: str, rules: Rules) -> Number:
    """``text`` (matched by :func:`number_pattern`) as a :class:`Number`."""
    whole, _, fraction = text.partition(rules.decimal)
    plain = re.sub(rf"[{re.escape(rules.thousands)}{GROUP_SPACES}]", "", whole)
    leading = plain if len(plain) > 1 and plain.startswith("0") else ""
    return Number(int(plain), fraction, plain != whole, leading)


def _clean(words: str) -> str:
    return " ".join(words.replace(",", " ").split())


def cardinal(n: int, rules: Rules) -> str:
    """``n`` in words: in hundreds where the language says so ("twaalfhonderd"), digit by
    digit past :data:`DIGITS_ALONE` digits."""
    if n < 0:
        return f"{rules.minus} {cardinal(-n, rules)}"
    if len(str(n)) > DIGITS_ALONE:
        return digits(str(n), rules)
    if rules.hundreds and rules.hundreds[0] <= n <= rules.hundreds[1]:
        return year(n, rules)
    return _clean(num2words(n, lang=rules.num2words))


def ordinal(n: int, rules: Rules) -> str:
    """``n`` as an ordinal ("eenentwintigste", "twenty-first"); past :data:`DIGITS_ALONE`
    digits, as :func:`cardinal` says it, digit by digit (num2words raises OverflowError on
    a few hundred digits, and no reader says a 40-digit ordinal)."""
    if len(str(abs(n))) > DIGITS_ALONE:
        return digits(str(abs(n)), rules)
    return _clean(num2words(n, lang=rules.num2words, to="ordinal"))


def year(n: int, rules: Rules) -> str:
    """``n`` as a year is said ("nineteen eighty-four", "negentienhonderdvierentachtig")."""
    words = _clean(num2words(n, lang=rules.num2words, to="year"))
    return words.replace(" ", "") if rules.join_years else words


def digits(text: str, rules: Rules) -> str:
    """Each digit of ``text`` on its own ("06" → "nul zes")."""
    return " ".join(_clean(num2words(int(d), lang=rules.num2words)) for d in text)


def say(number: Number, rules: Rules, *, as_year: bool = False) -> str:
    """``number`` in words. ``as_year``: a bare four-digit number in the language's year
    range is said as a year. A leading zero is read digit by digit (a phone number)."""
    if number.digits:
        whole = digits(number.digits, rules)
    elif as_year and not number.grouped and rules.years[0] <= number.whole <= rules.years[1]:
        whole = year(number.whole, rules)
    else:
        whole = cardinal(number.whole, rules)
    if not number.fraction:
        return whole
    point = CONVERTER_CLASSES[rules.num2words].pointword
    fraction = number.fraction
    if len(fraction) <= rules.fraction_as_number and not fraction.startswith("0"):
        return f"{whole} {point} {cardinal(int(fraction), rules)}"  # "drie komma veertien"
    return f"{whole} {point} {digits(fraction, rules)}"  # "three point one four"


def is_one(number: Number) -> bool:
    """Whether a unit after ``number`` is said in the singular ("1 km", not "1,5 km")."""
    return number.whole == 1 and not number.fraction.strip("0") and not number.digits
