"""Abbreviations per language, and the speech rules file they are kept in.

``publisher/data/speech/<subtag>.toml`` says how the narration reads numbers and
abbreviations in one language (:mod:`publisher.speech.normalise` reads the whole file). Its
abbreviation tables are also what the sentence splitter must know, for captions and the
EPUB as much as for the voice: "bijv. De Vries" is one sentence. The splitter does not know
a text's language, so it takes every language's abbreviations at once; one list, kept in
the data, so a new abbreviation is never said in full but cut as a sentence's end.
"""

from __future__ import annotations

import functools
import tomllib
from importlib.resources import files
from typing import Any

ABBREVIATION_TABLES = ("abbreviations", "titles")
"""The tables of a speech rules file that map an abbreviation to what is said for it."""
BEFORE_NUMBER_TABLE = "abbreviations_before_number"
"""The table of abbreviations that are one only before a number ("no. 5", not "I said no.")."""


@functools.cache
def speech_languages() -> tuple[str, ...]:
    """The primary subtags that have a speech rules file, sorted."""
    folder = files("publisher").joinpath("data", "speech")
    names = (p.name for p in folder.iterdir() if p.name.endswith(".toml"))
    return tuple(sorted(n.removesuffix(".toml") for n in names))


@functools.cache
def speech_rules_file(code: str) -> dict[str, Any]:
    """The parsed ``data/speech/<code>.toml`` (``code`` one of :func:`speech_languages`)."""
    text = files("publisher").joinpath("data", "speech", f"{code}.toml").read_text("utf-8")
    return tomllib.loads(text)


@functools.cache
def every_abbreviation(*, before_number: bool = False) -> frozenset[str]:
    """Every language's abbreviations, lower case, without their final full stop
    (``"bijv"``, ``"d.w.z"``): after one of these the splitter ends no sentence. With
    ``before_number``, the ones that are abbreviations only before a number (``"no"``)."""
    tables = (BEFORE_NUMBER_TABLE,) if before_number else ABBREVIATION_TABLES
    found: set[str] = set()
    for code in speech_languages():
        rules = speech_rules_file(code)
        for name in tables:
            found.update(key.lower().rstrip(".") for key in rules.get(name, {}))
    return frozenset(found)
