"""Slugs: readable, ASCII, unique, and independent of position."""

from __future__ import annotations

from publisher.model.slugs import slugify, unique_slugs


def test_slugify_folds_accents_and_punctuation() -> None:
    assert slugify("Hoe Je Meer Knuffelmomenten Creëert") == "hoe-je-meer-knuffelmomenten-creeert"
    assert slugify("Één & Twee: één!") == "een-twee-een"
    assert slugify("Ontdek meer...") == "ontdek-meer"
    assert slugify("💡") == ""


def test_long_titles_are_cut_at_a_word() -> None:
    slug = slugify("woord " * 30)
    assert len(slug) <= 60 and not slug.endswith("-") and slug.endswith("woord")


def test_duplicates_get_numbers_and_titles_without_letters_a_slug_of_their_own() -> None:
    assert unique_slugs(["Intro", "Intro", "!!", "Intro"]) == [
        "intro",
        "intro-2",
        "chapter-exclamation-mark-exclamation-mark",
        "intro-3",
    ]
