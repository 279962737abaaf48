"""Numbers in the odd places real texts put them: a range between two times or amounts, a
minus before or after a currency sign, the end of a day (24:00), ordinals with thousands
separators, and ordinals too long for num2words (which was a traceback from ``check`` and
``build``). Each class is checked with generated input, both languages."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from publisher.speech.normalise import normalise

DIGIT = re.compile(r"\d")
LANGUAGES = st.sampled_from(["nl", "en"])
RANGE = {"nl": "tot", "en": "to"}
MINUS = {"nl": "min", "en": "minus"}
TIMES = st.builds(lambda h, m: f"{h}:{m:02d}", st.integers(0, 23), st.integers(0, 59))


def _said(text: str, language: str) -> str:
    said = normalise(text, language)
    assert not DIGIT.search(said), (text, said)
    return said


@given(TIMES, TIMES, LANGUAGES)
def test_a_range_of_times_is_said_as_its_ends_with_the_range_word(
    start: str, end: str, lang: str
) -> None:
    # "12:30-14:00" was "twaalf uur dertig-veertien uur": the dash went to the engine.
    ends = f"{_said(start, lang)} {RANGE[lang]} {_said(end, lang)}"
    for dash in ("-", "–", " - "):
        assert _said(f"Open {start}{dash}{end}.", lang) == f"Open {ends}."


@given(st.integers(0, 9999), st.integers(1, 9999), st.sampled_from(["€", "$", "EUR"]), LANGUAGES)
def test_a_range_of_amounts_says_the_currency_at_both_ends(
    low: int, more: int, sign: str, lang: str
) -> None:
    # "€10-€20" was "tien euro-twintig euro", "€10-20" "tien euro-twintig".
    high = low + more
    ends = f"{_said(f'{sign}{low}', lang)} {RANGE[lang]} {_said(f'{sign}{high}', lang)}"
    for written in (f"{sign}{low}-{sign}{high}", f"{sign}{low}-{high}", f"{sign} {low} - {high}"):
        assert _said(f"It costs {written}.", lang) == f"It costs {ends}.", written


@given(st.integers(1, 10**6), st.sampled_from(["€", "$", "£"]), LANGUAGES)
def test_a_minus_before_or_after_the_sign_is_said(amount: int, sign: str, lang: str) -> None:
    # "€-5" was "€min vijf" (the sign left to the engine), "-€5" "-vijf euro".
    negative = f"{MINUS[lang]} {_said(f'{sign}{amount}', lang)}"
    for written in (
        f"{sign}-{amount}",
        f"-{sign}{amount}",
        f"{sign} -{amount}",
        f"−{sign}{amount}",
    ):
        assert _said(f"Saldo: {written}.", lang) == f"Saldo: {negative}.", written


@given(st.integers(16, 3000), st.sampled_from([("nl", "e"), ("en", "th")]))
def test_an_ordinal_of_any_length_is_said_without_a_crash(
    digits: int, case: tuple[str, str]
) -> None:
    # num2words raised OverflowError on a few hundred digits: a traceback from check and build.
    lang, suffix = case
    said = _said(f"De {'9' * digits}{suffix} keer.", lang)
    assert said.count("ne") >= digits  # "negen", "nine": each digit said


@pytest.mark.parametrize(
    ("lang", "written", "said"),
    [
        ("nl", "Open tot 24:00.", "Open tot vierentwintig uur."),
        ("nl", "Open tot 24.00 uur.", "Open tot vierentwintig uur."),
        ("en", "Open until 24:00.", "Open until twenty-four hundred."),
        ("en", "The 100,000th visitor.", "The one hundred thousandth visitor."),
        ("nl", "De 1.000ste bezoeker.", "De duizendste bezoeker."),
        ("nl", "Van 21-23 maart.", "Van eenentwintig tot drieëntwintig maart."),
        ("nl", "Op 1-3-2025.", "Op één maart tweeduizendvijfentwintig."),  # a date, no range
        ("nl", "Het werd 3-2.", "Het werd drie-twee."),  # a score, no range
        ("nl", "Van 22:00-06:00.", "Van tweeëntwintig uur tot zes uur."),
        ("nl", "Kost €20-€10?", "Kost twintig euro-tien euro?"),  # not a range: as written
    ],
)
def test_odd_places(lang: str, written: str, said: str) -> None:
    assert normalise(written, lang) == said
