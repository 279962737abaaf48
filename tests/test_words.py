"""The words publisher puts in a book and on the website: data files, one per language."""

from __future__ import annotations

import dataclasses

import pytest

from publisher.i18n import Words, from_table, languages, load_words, words_for
from publisher.renderers.site.words import SiteWords, long_date, site_words


@pytest.mark.parametrize("code", languages())
@pytest.mark.parametrize(("cls", "table"), [(Words, "book"), (SiteWords, "site")])
def test_every_language_has_every_word(code: str, cls: type, table: str) -> None:
    # load_words refuses a table with a key missing or one too many, or a value not text.
    words = load_words(cls, code, table)
    assert all(getattr(words, f.name) for f in dataclasses.fields(cls))


@pytest.mark.parametrize("code", languages())
def test_every_language_names_twelve_months(code: str) -> None:
    assert len(site_words(code).months) == 12


def test_the_shipped_languages() -> None:
    assert {"nl", "en"} <= set(languages())
    assert words_for("nl").contents == "Inhoudsopgave"
    assert site_words("nl").skip == "Naar de inhoud"


def test_a_region_subtag_uses_its_language_and_an_unknown_one_english() -> None:
    assert words_for("nl-BE") == words_for("nl") != words_for("en")
    assert words_for("fr") == words_for("en")
    assert site_words("NL") == site_words("nl")
    assert site_words("x-klingon") == site_words("en")


def test_site_words_fill_in_dates() -> None:
    import datetime as dt

    assert long_date(dt.date(2025, 1, 6), site_words("nl")) == "6 januari 2025"
    assert long_date(dt.date(2025, 1, 6), site_words("en-GB")) == "6 January 2025"


def _book_table() -> dict[str, object]:
    return dataclasses.asdict(words_for("en"))


def test_a_missing_word_is_named() -> None:
    table = _book_table()
    del table["footnote"]
    with pytest.raises(ValueError, match=r"fr\.toml \[book\]: lacks footnote"):
        from_table(Words, table, "data/words/fr.toml [book]")


def test_an_unknown_word_is_named() -> None:
    table = {**_book_table(), "footnotes_title": "Notes"}
    with pytest.raises(ValueError, match="unknown keys footnotes_title"):
        from_table(Words, table, "fr.toml [book]")


def test_a_word_that_is_not_text_is_refused() -> None:
    with pytest.raises(ValueError, match="by must be a text"):
        from_table(Words, {**_book_table(), "by": 3}, "fr.toml [book]")
    site = {**dataclasses.asdict(site_words("en")), "months": "January"}
    with pytest.raises(ValueError, match="months must be a list of texts"):
        from_table(SiteWords, site, "fr.toml [site]")


def test_a_missing_table_is_named() -> None:
    with pytest.raises(ValueError, match=r"fr\.toml \[site\]: missing"):
        from_table(SiteWords, None, "fr.toml [site]")
