"""Words the toolkit itself puts in a book, per language (primary subtag).

The words are data, not code: ``publisher/data/words/<subtag>.toml``, one file per language,
holds a ``[book]`` table (:class:`Words`: the EPUB, the narration, the feed) and a ``[site]``
table (:class:`~publisher.renderers.site.words.SiteWords`). Adding a language is adding a
file; :func:`load_words` refuses a table that lacks a key or has one too many, and a test
loads every file. English stands in for a language that has no file. What a language tag
may look like is here too (:func:`is_language_tag`), for every reader of one.
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, ClassVar, Protocol, TypeVar

FALLBACK = "en"
"""The language whose words stand in for one that has no words file."""


@dataclass(frozen=True, kw_only=True)
class Words:
    """Labels and spoken words in one language."""

    prompt: str  # accessible name of a reflection prompt
    example: str  # accessible name of an example
    example_word: str  # how an example paragraph starts in the source
    contents: str
    landmarks: str
    cover: str
    cover_alt: str  # "{title}" and "{author}" are filled in
    start: str  # landmark label for the first chapter
    footnotes: str
    back_to_text: str
    and_word: str  # "&" is read as this
    at_word: str  # "@" of an e-mail address is read as this
    prompt_lead_in: str  # said before a prompt
    accessibility_summary: str  # what the EPUB offers, and how that was checked
    uncertified: str  # follows the summary when no one else certified the claim
    by: str
    footnote: str  # said before a footnote read aloud: "{word} 1."
    image: str  # said before an image's description in the narration
    chapter: str  # starts a made-up slug: "hoofdstuk-hugging-face"
    narration_summary: str  # added to the summary of the read-along EPUB
    synthetic_voice: str  # "{voice}" is filled in: the narrator, named as a computer voice
    # One sentence for people (show notes, episode pages): "{voices}" is filled in.
    synthetic_notice: str


class _Dataclass(Protocol):
    __dataclass_fields__: ClassVar[dict[str, Any]]


_Table = TypeVar("_Table", bound=_Dataclass)


@functools.cache
def languages() -> tuple[str, ...]:
    """The primary subtags that have a words file, sorted."""
    folder = files("publisher").joinpath("data", "words")
    return tuple(
        sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))
    )


def subtag(language: str) -> str:
    """The words file to use for a BCP 47 tag: its primary subtag if it has one, else English."""
    primary = language.split("-")[0].lower()
    return primary if primary in languages() else FALLBACK


MAX_LANGUAGE_TAG = 35
"""The longest language tag accepted: what RFC 5646 (4.4.1) asks every implementation to
hold; a tag also names a speech engine's voice."""


def is_language_tag(tag: str) -> bool:
    """Whether ``tag`` has the shape of a BCP 47 language tag (``nl``, ``en-GB``)."""
    parts = tag.split("-")
    return (
        len(tag) <= MAX_LANGUAGE_TAG
        and 2 <= len(parts[0]) <= 3
        and parts[0].isalpha()
        and all(p.isalnum() and p.isascii() and 1 <= len(p) <= 8 for p in parts)
    )


@functools.cache
def _tables(code: str) -> dict[str, Any]:
    text = files("publisher").joinpath("data", "words", f"{code}.toml").read_text("utf-8")
    return tomllib.loads(text)


def load_words(cls: type[_Table], code: str, table: str) -> _Table:
    """The ``[table]`` of ``data/words/<code>.toml`` as a ``cls``."""
    return from_table(cls, _tables(code).get(table), f"data/words/{code}.toml [{table}]")


def from_table(cls: type[_Table], raw: object, where: str) -> _Table:
    """``raw`` as a ``cls``: exactly its fields, each a text, or a list of texts for a tuple
    field. Anything else is a ``ValueError`` naming ``where``: the files ship with publisher,
    so a fault in one is a bug (the test of every language finds it), not bad input."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: missing")
    fields = dataclasses.fields(cls)
    names = {f.name for f in fields}
    if missing := [f.name for f in fields if f.name not in raw]:
        raise ValueError(f"{where}: lacks {', '.join(missing)}")
    if extra := sorted(set(raw) - names):
        raise ValueError(f"{where}: has unknown keys {', '.join(extra)}")
    values: dict[str, Any] = {}
    for field in fields:
        value = raw[field.name]
        if str(field.type).startswith("tuple"):  # annotations are strings (PEP 563)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{where}: {field.name} must be a list of texts")
            value = tuple(value)
        elif not isinstance(value, str):
            raise ValueError(f"{where}: {field.name} must be a text, not {value!r}")
        values[field.name] = value
    return cls(**values)


@functools.cache
def _words(code: str) -> Words:
    return load_words(Words, code, "book")


def words_for(language: str) -> Words:
    """The words for a BCP 47 tag, by its primary subtag; English where we have none."""
    return _words(subtag(language))
