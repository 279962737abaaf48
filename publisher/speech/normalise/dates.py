"""Dates and clock times, said as the language says them.

Written forms read: ISO (2025-03-21), numeric in the language's order (21-03-2025 in Dutch,
03/21/2025 in English, where a first part above 12 can only be a day), a day and a month's
name either way round (21 maart 2025, March 21, 2025, 21 March 2025), a month and a year
(maart 2025); times as 14:30, and 14.30 before the language's word for the hour ("uur").
An impossible date (month 13) is left to the number rules.
"""

from __future__ import annotations

import functools
import re

from publisher.speech.normalise import spell
from publisher.speech.normalise.rules import Rules


def _name(word: str) -> str:
    """A month's name as a regex: its first letter in either case ("Maart", "maart"; "May"
    only capitalised, since English "may" is a verb)."""
    first = word[0] if word[0].isupper() else f"[{word[0]}{word[0].upper()}]"
    return first + re.escape(word[1:])


class _Patterns:
    """The date and clock-time patterns of one language (:data:`_patterns` compiles them once)."""

    def __init__(self, rules: Rules) -> None:
        d = rules.dates
        full = "|".join(_name(m) for m in sorted(d.months, key=len, reverse=True))
        short = "|".join(_name(m) for m in sorted(d.short_months, key=len, reverse=True))
        # A full stop after a short name is part of it only before a year ("21 mrt. 2025").
        month = rf"(?P<month>{full}|(?:{short})(?:\.(?=\s\d))?)"
        suffix = "|".join(re.escape(s) for s in rules.ordinal_suffixes)
        day = rf"(?P<day>[0-3]?\d)(?:{suffix})?"
        year = r"(?P<year>\d{4})"
        hour = r"(?P<hour>[01]?\d|2[0-3]|24(?=[.:]00))"  # 24:00, the end of a day
        word = rules.times_of_day.word_after
        self.iso = re.compile(r"(?<![\w.,/-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w]|[.,/-]\d)")
        self.numeric = re.compile(
            r"(?<![\w.,/-])(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?![\w]|[.,/-]\d)"
        )
        self.day_month = re.compile(rf"(?<![\w.,]){day}\.?\s{month}(?:,?\s{year})?(?!\w)")
        self.month_day = re.compile(rf"(?<![\w]){month}\s{day}(?![\w]|[.,]\d)(?:,?\s{year})?(?!\w)")
        self.month_year = re.compile(rf"(?<![\w]){month}\s{year}(?!\w)")
        self.clock = re.compile(rf"(?<![\w.,:]){hour}:(?P<minute>[0-5]\d)(?![\w:]|[.,]\d)")
        self.clock_word = (
            re.compile(
                rf"(?<![\w.,:]){hour}[.:](?P<minute>[0-5]\d)\s?{re.escape(word)}(?!\w)",
                re.IGNORECASE,
            )
            if word
            else None
        )


_patterns = functools.cache(_Patterns)
"""The patterns of a language's rules, made once."""


def _month(written: str, rules: Rules) -> int:
    """The month (1-12) a written name or abbreviation stands for."""
    key = written.rstrip(".").lower()
    names = [m.lower() for m in rules.dates.months]
    return (
        names.index(key) + 1
        if key in names
        else [m.lower() for m in rules.dates.short_months].index(key) + 1
    )


def say_date(day: int, month: int, year: int | None, rules: Rules, *, month_first: bool) -> str:
    """A date in words, in the order it was written (``month_first``: "March 21")."""
    d = rules.dates
    said_day = spell.ordinal(day, rules) if d.day == "ordinal" else spell.cardinal(day, rules)
    template = d.month_day if month_first else d.day_month
    date = template.format(day=said_day, month=d.months[month - 1])
    return d.with_year.format(date=date, year=spell.year(year, rules)) if year else date


def dates(text: str, rules: Rules) -> str:
    """Every date in ``text`` in words (module docstring)."""
    p = _patterns(rules)

    def iso(match: re.Match[str]) -> str:
        year, month, day = int(match[1]), int(match[2]), int(match[3])
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return match[0]
        return say_date(day, month, year, rules, month_first=rules.dates.numeric == "mdy")

    def numeric(match: re.Match[str]) -> str:
        first, second, year = int(match[1]), int(match[3]), int(match[4])
        day_first = rules.dates.numeric == "dmy" or first > 12
        day, month = (first, second) if day_first else (second, first)
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return match[0]
        return say_date(day, month, year, rules, month_first=not day_first)

    def named(match: re.Match[str], *, month_first: bool) -> str:
        day = int(match["day"])
        if not 1 <= day <= 31:
            return match[0]
        year = int(match["year"]) if match["year"] else None
        return say_date(day, _month(match["month"], rules), year, rules, month_first=month_first)

    def month_year(match: re.Match[str]) -> str:
        name = rules.dates.months[_month(match["month"], rules) - 1]
        return f"{name} {spell.year(int(match['year']), rules)}"

    text = p.iso.sub(iso, text)
    text = p.numeric.sub(numeric, text)
    text = p.day_month.sub(lambda m: named(m, month_first=False), text)
    text = p.month_day.sub(lambda m: named(m, month_first=True), text)
    return p.month_year.sub(month_year, text)


def say_time(hour: int, minute: int, rules: Rules) -> str:
    """A clock time in words ("veertien uur dertig", "nine oh five")."""
    t = rules.times_of_day
    h = spell.cardinal(hour, rules)
    if minute == 0:
        return (t.hour_24 if hour > 12 and t.hour_24 else t.hour).format(hour=h)
    template = t.hour_minute_under_ten if minute < 10 and t.hour_minute_under_ten else t.hour_minute
    return template.format(hour=h, minute=spell.cardinal(minute, rules))


def times(text: str, rules: Rules) -> str:
    """Every clock time in ``text`` in words."""
    p = _patterns(rules)

    def say(match: re.Match[str]) -> str:
        return say_time(int(match["hour"]), int(match["minute"]), rules)

    if p.clock_word is not None:
        text = p.clock_word.sub(say, text)
    return p.clock.sub(say, text)
