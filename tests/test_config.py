"""Front matter: typed config, unknown keys and every problem reported with its line."""

from __future__ import annotations

import datetime as dt

import pytest

from publisher.errors import SourceError
from publisher.reader.config import derive_identifier, load_config

BASE = "title: T\nauthor: A\nlanguage: nl\nidentifier: urn:x\n"


def test_full_config_is_typed() -> None:
    config, warnings = load_config(
        BASE
        + "date: 2025-01-01\nnarration:\n  prompt_pause: 10\n  lexicon:\n    oxytocine: oxie-toe-sie-ne\n"
        + "podcast:\n  category: Health & Fitness\n  subcategory: Mental Health\n  start: 2025-01-06\n",
        "book.md",
    )
    assert warnings == []
    assert config.date == dt.date(2025, 1, 1)
    assert config.narration.prompt_pause == 10.0
    assert config.narration.lexicon == {"oxytocine": "oxie-toe-sie-ne"}
    assert config.podcast.subcategory == "Mental Health"
    assert config.podcast.start == dt.date(2025, 1, 6)


def test_unknown_keys_name_the_key_and_line_and_all_problems_are_collected() -> None:
    text = BASE + "titel: oops\nnarration:\n  prompt_pauze: 3\n  bitrate: fast\n"
    with pytest.raises(SourceError) as e:
        load_config(text, "book.md", first_line=2)
    lines = e.value.lines()
    assert lines[0].startswith("book.md:6: unknown key 'titel'")
    assert lines[1].startswith("book.md:8: unknown key 'narration.prompt_pauze'")
    assert lines[2] == "book.md:9: 'narration.bitrate' must be a whole number, not 'fast'"
    assert len(lines) == 3


def test_missing_required_keys() -> None:
    with pytest.raises(SourceError) as e:
        load_config("title: T\n", "book.md")
    assert [line.split(": ", 1)[1] for line in e.value.lines()] == [
        "front matter needs 'author'",
        "front matter needs 'language'",
    ]


def test_invalid_yaml_names_the_line() -> None:
    with pytest.raises(SourceError, match=r"^book.md:4: front matter is not valid YAML"):
        load_config("title: T\nauthor: [unclosed\nlanguage: nl\n", "book.md")


def test_checks_across_fields() -> None:
    text = BASE + "podcast:\n  category: Cooking\n  type: weekly\n"
    with pytest.raises(SourceError) as e:
        load_config(text, "book.md")
    lines = e.value.lines()
    assert lines[0] == "book.md:7: 'podcast.category' 'Cooking' is not an Apple Podcasts category"
    assert lines[1] == "book.md:8: 'podcast.type' must be 'serial' or 'episodic'"


def test_identifier_is_derived_stably_with_a_warning() -> None:
    config, warnings = load_config("title: T\nauthor: A\nlanguage: en\n", "book.md")
    assert config.identifier == derive_identifier("T", "A")
    assert (
        config.identifier
        == load_config("title: T\nauthor: A\nlanguage: en\n", "b.md")[0].identifier
    )
    assert config.identifier != derive_identifier("T2", "A")
    assert len(warnings) == 1 and "identifier" in warnings[0].message
    assert warnings[0].severity == "warning"


def test_language_must_be_a_tag() -> None:
    with pytest.raises(SourceError, match="BCP 47"):
        load_config("title: T\nauthor: A\nlanguage: Dutch language\n", "book.md")
