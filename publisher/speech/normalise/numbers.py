"""Amounts, ranges, ordinals, units and plain numbers, said in words.

Each function takes the text and the language's :class:`~publisher.speech.normalise.rules.Rules`
and returns the text with what it knows in words; :func:`publisher.speech.normalise.normalise`
calls them in order, so a later one never sees what an earlier one has said.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from publisher.speech.normalise import spell
from publisher.speech.normalise.rules import Rules

_SIGN = r"(?P<sign>(?<![\w.,)\]])(?:±\s?|[-−]))?"
"""A minus or "±" before a number, unless it joins two words or numbers ("COVID-19")."""


def alternatives(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, longest first (so "km/u" wins over "km")."""
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


def amount_pattern(rules: Rules) -> str:
    """A regex (no groups) matching an amount's number: cents after either separator
    ("$3.50" in a Dutch text too), or a decimal fraction in the language's way."""
    whole, decimal = spell.whole_pattern(rules), re.escape(rules.decimal)
    return rf"{whole}(?:[.,]\d{{2}}(?!\d)|{decimal}\d+)?"


def currencies_before(rules: Rules) -> str:
    """A regex (no groups) matching a currency written before its amount: a sign or an
    upper-case code ("€ 12", "EUR 12"; not "euro 12")."""
    return alternatives(c for c in rules.money.currencies if not c.islower())


class _Patterns:
    """The amount, ordinal, unit and number patterns of one language (:data:`_patterns`
    compiles them once)."""

    def __init__(self, rules: Rules) -> None:
        number = spell.number_pattern(rules)
        money = rf"(?P<num>{amount_pattern(rules)})"
        scales = alternatives(rules.money.scales)
        # A minus before the sign or between the sign and the number ("-€5", "€-5", "€ -5").
        after_sign = r"(?P<sign_after>[-−]\s?)?"
        self.money_before = re.compile(
            rf"{_SIGN}(?<![\w])(?P<cur>{currencies_before(rules)})\s?{after_sign}{money}(?!\d)"
            rf"(?P<dash>[.,][-–—])?(?:\s(?P<scale>{scales})(?!\w))?"
        )
        self.money_after = re.compile(
            rf"{_SIGN}(?<![\w.,]){money}(?:\s(?P<scale>{scales}))?\s?"
            rf"(?P<cur>{alternatives(rules.money.currencies)})(?!\w)"
        )
        self.ordinal = re.compile(
            rf"(?<![\w.,])(?P<num>{spell.whole_pattern(rules)})"
            rf"(?P<suffix>{alternatives(rules.ordinal_suffixes)})(?!\w)"
        )
        self.unit = re.compile(
            rf"{_SIGN}(?<![\w.,])(?P<num>{number})\s?(?P<unit>{alternatives(rules.units)})(?!\w)"
        )
        self.dotted = re.compile(r"(?<![\w.,])\d+(?:\.\d+)+(?![\w]|[.,]\d)")
        self.number = re.compile(rf"{_SIGN}(?P<num>{number})(?!\d)")
        self.language_number = re.compile(number)


_patterns = functools.cache(_Patterns)
"""The patterns of a language's rules, made once."""


def _number(match: re.Match[str], rules: Rules, *, as_year: bool = False) -> str:
    """The signed number in ``match`` (groups ``sign`` and ``num``) in words."""
    said = spell.say(spell.read(match["num"], rules), rules, as_year=as_year)
    sign = (match.groupdict().get("sign") or "").strip()
    if sign == "±":
        return f"{rules.about} {said}"
    return f"{rules.minus} {said}" if sign else said


def money(text: str, rules: Rules) -> str:
    """Amounts with a currency sign or code: "€ 12,50" → "twaalf euro vijftig"; a minus
    before the sign or the number is said ("€-5", "-€5": "min vijf euro")."""
    patterns = _patterns(rules)

    def say(match: re.Match[str]) -> str:
        said = _amount(match)
        sign = (match["sign"] or "").strip() or (match.groupdict().get("sign_after") or "")
        if sign.strip() == "±":
            return f"{rules.about} {said}"
        return f"{rules.minus} {said}" if sign.strip() else said

    def _amount(match: re.Match[str]) -> str:
        one, many, cent, cents = rules.money.currencies[_currency(match["cur"], rules)]
        raw, scale = match["num"], match["scale"]
        if scale:
            number = spell.say(read_amount(raw, rules)[0], rules)
            return rules.money.scale.format(number=number, scale=scale, units=many)
        whole, hundredths = read_amount(raw, rules)
        unit = one if spell.is_one(whole) else many
        said = spell.say(whole, rules)
        if not hundredths:
            return rules.money.amount.format(whole=said, unit=unit)
        cents_said = spell.cardinal(hundredths, rules)
        cent_word = cent if hundredths == 1 else cents
        if whole.whole == 0 and not whole.fraction:
            return rules.money.cents_only.format(cents=cents_said, cent=cent_word)
        template = rules.money.amount_and_cents
        return template.format(whole=said, unit=unit, cents=cents_said, cent=cent_word)

    text = patterns.money_before.sub(say, text)
    return patterns.money_after.sub(say, text)


def _currency(written: str, rules: Rules) -> str:
    """The key of ``rules.money.currencies`` that ``written`` is (codes in any case)."""
    if written in rules.money.currencies:
        return written
    return next(k for k in rules.money.currencies if k.lower() == written.lower())


def read_amount(raw: str, rules: Rules) -> tuple[spell.Number, int]:
    """An amount as its number and its cents: two digits after either separator are cents
    ("3.50" and "3,50"), more are a decimal fraction ("1,5 miljoen")."""
    cents = re.search(r"[.,](\d{2})$", raw)
    if cents and not re.fullmatch(rf"\d{{1,3}}(?:{re.escape(rules.thousands)}\d{{3}})+", raw):
        return spell.read(raw[: cents.start()], rules), int(cents[1])
    return spell.read(raw, rules), 0


def ordinals(text: str, rules: Rules) -> str:
    """ "1e", "2de", "3rd" → "eerste", "tweede", "third"."""

    def say(match: re.Match[str]) -> str:
        number = spell.read(match["num"], rules)  # "100,000th" in English, "1.000ste"
        return spell.ordinal(number.whole, rules)

    return _patterns(rules).ordinal.sub(say, text)


def units(text: str, rules: Rules) -> str:
    """A number and a unit or percent sign: "3 km" → "drie kilometer", "15%" → "vijftien
    procent"; one or many as the number says."""

    def say(match: re.Match[str]) -> str:
        one, many = rules.units[match["unit"]]
        number = spell.read(match["num"], rules)
        return f"{_number(match, rules)} {one if spell.is_one(number) else many}"

    return _patterns(rules).unit.sub(say, text)


def dotted(text: str, rules: Rules) -> str:
    """Numbers with dots that are not the language's way of writing one number ("3.5.1", a
    section "3.5" in Dutch): each part, with the word for the point between them."""
    patterns = _patterns(rules)

    def say(match: re.Match[str]) -> str:
        if patterns.language_number.fullmatch(match[0]):
            return match[0]  # "1.200" in Dutch, "3.5" in English: a number, said later
        parts = (spell.say(spell.read(p, rules), rules) for p in match[0].split("."))
        return f" {rules.point} ".join(parts)

    return patterns.dotted.sub(say, text)


def numbers(text: str, rules: Rules) -> str:
    """Every number left, in words: a bare four-digit number in the year range as a year, a
    number with a leading zero digit by digit; set apart from letters it is written against
    ("MP3" → "MP drie")."""

    def say(match: re.Match[str]) -> str:
        said = _number(match, rules, as_year=True)
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        return f"{' ' if before.isalpha() else ''}{said}{' ' if after.isalpha() else ''}"

    return _patterns(rules).number.sub(say, text)
