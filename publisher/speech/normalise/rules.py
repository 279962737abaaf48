"""One language's speech rules, typed: ``publisher/data/speech/<subtag>.toml`` read once.

What each table and key means is said on the fields below. Every key is required unless a
default is given here; an unknown key is an error, so a typo in a rules file fails a test
(``tests/test_normalise.py`` loads every file) instead of silently reading digits.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from publisher.text.abbreviations import speech_languages, speech_rules_file


@dataclass(frozen=True, kw_only=True)
class Money:
    """``[money]``: how an amount is said. Templates fill in ``{whole}``, ``{cents}`` (the
    numbers in words), ``{unit}`` and ``{cent}`` (one or many, after the number)."""

    amount: str  # "€ 12": "{whole} {unit}"
    amount_and_cents: str  # "€ 12,50"
    cents_only: str  # "€ 0,50"
    scale: str  # "€ 2 miljoen": {number} {scale} {units}
    scales: tuple[str, ...]  # the words that may follow an amount ("miljoen")
    currencies: Mapping[str, tuple[str, str, str, str]]  # sign: one, many, one cent, many


@dataclass(frozen=True, kw_only=True)
class Dates:
    """``[dates]``: how a date is said. ``{day}`` is a cardinal or an ordinal (``day``),
    ``{month}`` the month's name, ``{date}`` the day and month said, ``{year}`` the year."""

    months: tuple[str, ...]  # twelve names, as written in a text
    short_months: tuple[str, ...]  # twelve abbreviations (a full stop after one is allowed)
    numeric: str  # "dmy" or "mdy": the order of 21-03-2025 (mdy reads 21/03 as a day first)
    day: str  # "cardinal" or "ordinal"
    day_month: str  # "21 maart"
    month_day: str  # "March 21"
    with_year: str  # a date with its year


@dataclass(frozen=True, kw_only=True)
class Times:
    """``[times]``: how a clock time (14:30) is said; ``{hour}`` and ``{minute}`` in words."""

    hour: str  # on the hour (14:00)
    hour_minute: str  # 14:30
    hour_minute_under_ten: str | None = None  # 9:05, when it differs ("nine oh five")
    hour_24: str | None = None  # on the hour after 12, when it differs ("fourteen hundred")
    word_after: str | None = None  # a word that makes "14.30" a time ("14.30 uur")


@dataclass(frozen=True, kw_only=True)
class Roman:
    """``[roman]``: roman numerals in titles."""

    counted: frozenset[str]  # after these words a numeral is a number ("Hoofdstuk IV")
    regnal: str  # after a name: "{name} de {ordinal}" ("Willem III")
    single_letters: frozenset[str]  # one-letter numerals that may follow a name


@dataclass(frozen=True, kw_only=True, eq=False)
class Rules:
    """Everything the normaliser needs for one language. Compared and hashed by identity:
    :func:`rules_for` makes one per language, and the steps key their compiled patterns on
    it."""

    num2words: str  # the language code num2words spells numbers in
    decimal: str  # the decimal separator as the language writes it
    thousands: str  # the thousands separator
    point: str  # said between the parts of a dotted number (3.5.1)
    minus: str
    about: str  # said for "±"
    range: str  # said between the ends of a range (10-12)
    times: str  # said for the "x" of "3x"
    years: tuple[int, int]  # a bare four-digit number in this range is said as a year
    hundreds: tuple[int, int] | None  # said in hundreds even with a separator ("1.200")
    join_years: bool  # write num2words' year form as one word (Dutch compounds)
    fraction_as_number: int  # decimals of up to this many digits are said as a number
    ordinal_suffixes: tuple[str, ...]  # "1e", "2de"; "1st", "3rd"
    money: Money
    dates: Dates
    times_of_day: Times
    units: Mapping[str, tuple[str, str]]  # after a number: one, many
    roman: Roman
    abbreviations: Mapping[str, str]  # lower case, with their full stops
    titles: Mapping[str, str]  # abbreviations a name follows ("dr.")
    before_number: Mapping[str, str]  # abbreviations only before a number ("no.")


def _keys(raw: Any, where: str, required: set[str], optional: Iterable[str] = frozenset()) -> None:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: must be a table")
    if missing := required - set(raw):
        raise ValueError(f"{where}: lacks {', '.join(sorted(missing))}")
    if unknown := set(raw) - required - set(optional):
        raise ValueError(f"{where}: unknown {', '.join(sorted(unknown))}")


def _words(raw: Any, where: str, size: int) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict) or not all(
        isinstance(v, list) and len(v) == size and all(isinstance(w, str) for w in v)
        for v in raw.values()
    ):
        raise ValueError(f"{where}: each value must be a list of {size} words")
    return {k: tuple(v) for k, v in raw.items()}


def _text(raw: Any, where: str) -> Mapping[str, str]:
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise ValueError(f"{where}: each value must be text")
    return MappingProxyType({k.lower(): v for k, v in raw.items()})


def _money(raw: Any, where: str) -> Money:
    _keys(raw, where, {"amount", "amount_and_cents", "cents_only", "scale", "scales", "currencies"})
    currencies = _words(raw["currencies"], f"{where}.currencies", 4)
    return Money(
        amount=raw["amount"],
        amount_and_cents=raw["amount_and_cents"],
        cents_only=raw["cents_only"],
        scale=raw["scale"],
        scales=tuple(raw["scales"]),
        currencies=MappingProxyType({k: (v[0], v[1], v[2], v[3]) for k, v in currencies.items()}),
    )


def _dates(raw: Any, where: str) -> Dates:
    names = {"months", "short_months", "numeric", "day", "day_month", "month_day", "with_year"}
    _keys(raw, where, names)
    if len(raw["months"]) != 12 or len(raw["short_months"]) != 12:
        raise ValueError(f"{where}: months and short_months must name twelve months")
    if raw["numeric"] not in ("dmy", "mdy") or raw["day"] not in ("cardinal", "ordinal"):
        raise ValueError(f"{where}: numeric is dmy or mdy, day cardinal or ordinal")
    return Dates(
        months=tuple(raw["months"]),
        short_months=tuple(raw["short_months"]),
        numeric=raw["numeric"],
        day=raw["day"],
        day_month=raw["day_month"],
        month_day=raw["month_day"],
        with_year=raw["with_year"],
    )


def _roman(raw: Any, where: str) -> Roman:
    _keys(raw, where, {"counted", "regnal", "single_letters"})
    return Roman(
        counted=frozenset(w.lower() for w in raw["counted"]),
        regnal=raw["regnal"],
        single_letters=frozenset(raw["single_letters"]),
    )


_NUMBERS = {
    "num2words",
    "decimal",
    "thousands",
    "point",
    "minus",
    "about",
    "range",
    "times",
    "years",
    "ordinal_suffixes",
}
_TABLES = {"numbers", "money", "dates", "times", "units", "roman", "abbreviations", "titles"}


def load_rules(code: str) -> Rules:
    """``data/speech/<code>.toml`` as :class:`Rules`; ValueError naming the key if it is
    not as this module says."""
    raw = speech_rules_file(code)
    where = f"data/speech/{code}.toml"
    _keys(raw, where, _TABLES, {"abbreviations_before_number"})
    numbers = raw["numbers"]
    _keys(numbers, f"{where} [numbers]", _NUMBERS, {"hundreds", "join_years", "fraction_as_number"})
    times = raw["times"]
    _keys(times, f"{where} [times]", {"hour", "hour_minute"}, set(Times.__dataclass_fields__))
    hundreds = numbers.get("hundreds")
    return Rules(
        **{k: numbers[k] for k in _NUMBERS - {"years", "ordinal_suffixes"}},
        years=(numbers["years"][0], numbers["years"][1]),
        hundreds=(hundreds[0], hundreds[1]) if hundreds else None,
        join_years=bool(numbers.get("join_years", False)),
        fraction_as_number=int(numbers.get("fraction_as_number", 0)),
        ordinal_suffixes=tuple(numbers["ordinal_suffixes"]),
        money=_money(raw["money"], f"{where} [money]"),
        dates=_dates(raw["dates"], f"{where} [dates]"),
        times_of_day=Times(**times),
        units=MappingProxyType(
            {k: (v[0], v[1]) for k, v in _words(raw["units"], f"{where} [units]", 2).items()}
        ),
        roman=_roman(raw["roman"], f"{where} [roman]"),
        abbreviations=_text(raw["abbreviations"], f"{where} [abbreviations]"),
        titles=_text(raw["titles"], f"{where} [titles]"),
        before_number=_text(raw.get("abbreviations_before_number", {}), where),
    )


@functools.cache
def rules_for(language: str) -> Rules | None:
    """The rules for a BCP 47 tag (by its primary subtag), or None: a language without a
    rules file is read as written."""
    primary = language.split("-", 1)[0].lower()
    return load_rules(primary) if primary in speech_languages() else None
