"""Front matter → one typed, frozen :class:`Config`.

Unknown keys are errors, and every problem is collected before stopping, each with the line
of the key it is about (mdBook's ``deny_unknown_fields``, MkDocs' ``load_config``). Every value
is checked before anything is built: its type, its range (numbers carry theirs in the field's
``metadata["range"]``), real dates, no control characters, URLs through
:mod:`publisher.urls`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
import unicodedata
import uuid
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import yaml

from publisher.engine_input import respelling_problem
from publisher.errors import Problem, SourceError
from publisher.i18n import is_language_tag
from publisher.model.categories import APPLE_CATEGORIES
from publisher.model.config import (
    FIRST_DATE,
    INTERVALS,
    KOBO,
    LAST_DATE,
    MP3_BITRATES,
    PAUSE_SOUNDS,
    READALONG,
    ROLES,
    Config,
    CredentialsConfig,
    NarrationConfig,
    PodcastConfig,
    SeriesConfig,
    setting_fields,
)
from publisher.reader.yamlsafe import NULL_TAG, Lines, compose, scalar_value, shown
from publisher.urls import base_url_problem, is_mailbox, is_url, url_problem

REQUIRED = ("title", "author", "language")


def derive_identifier(title: str, author: str) -> str:
    """A stable identifier for a book that has none: UUID5 of its title and author."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"publisher:{title}\n{author}"))


_INVALID = object()
# Text fields that may hold several lines; every other one has its whitespace collapsed.
_PARAGRAPHS = {"description", "accessibility_summary", "rights"}
# What each type is called in a message ("must be …").
_KIND: dict[Any, str] = {
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    str: "text",
}
_KIND[dt.date] = "a date like 2026-01-31"
_KIND[bool | str] = "true, false or a name"


def bad_character(text: str) -> str | None:
    """The first character of ``text`` that no output can carry (controls other than tab and
    newline, lone surrogates, non-characters), as ``U+XXXX``; None if there is none."""
    for c in text:
        if c in "\t\n":
            continue
        if unicodedata.category(c) in ("Cc", "Cs") or c in "\ufffe\uffff":
            return f"U+{ord(c):04X}"
    return None


class _Loader:
    """Turns a YAML mapping node into a dataclass, collecting problems with their lines."""

    def __init__(self, path: str, lines: Lines) -> None:
        self.path = path
        self.lines = lines
        self.problems: list[Problem] = []
        self.key_lines: dict[str, int] = {}  # "podcast.category" → its line, for later checks

    def error(self, node: yaml.Node, message: str) -> None:
        """Record a problem at ``node``'s line."""
        self.problems.append(Problem(path=self.path, line=self.lines.of(node), message=message))

    def fail(self, key: str, message: str) -> None:
        """Record a problem at the line of ``key`` (dotted), else of the front matter."""
        line = self.key_lines.get(key, self.key_lines.get(key.split(".")[0]))
        self.problems.append(
            Problem(path=self.path, line=line or self.lines.first_line - 1, message=message)
        )

    def build(self, cls: type[Any], node: yaml.Node, prefix: str) -> dict[str, Any]:
        """The keyword arguments of ``cls`` that the mapping ``node`` gives validly."""
        fields = {f.name: f for f in setting_fields(cls)}
        out: dict[str, Any] = {}
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{prefix.rstrip('.') or 'front matter'} must be a mapping")
            return out
        for key_node, value_node in node.value:
            key = self.key(key_node, prefix)
            if key is None:
                continue
            if key not in fields:
                known = ", ".join(sorted(fields))
                self.error(key_node, f"unknown key '{prefix}{key}' (known: {known})")
            elif key in out or f"{prefix}{key}" in self.key_lines:
                self.error(key_node, f"key '{prefix}{key}' is given twice")
            else:
                self.key_lines[f"{prefix}{key}"] = self.lines.of(key_node)
                value = self.field(cls, fields[key], value_node, f"{prefix}{key}")
                if value is not _INVALID:
                    out[key] = value
        return out

    def key(self, node: yaml.Node, prefix: str) -> str | None:
        """A mapping key as text, or None (with a problem) when it is not plain text."""
        if isinstance(node, yaml.ScalarNode) and node.tag != NULL_TAG and node.value.strip():
            bad = bad_character(node.value)
            if bad is None:
                return str(node.value)
            self.error(node, f"a key in '{prefix.rstrip('.') or 'front matter'}' holds {bad}")
            return None
        self.error(node, f"a key in '{prefix.rstrip('.') or 'front matter'}' is not plain text")
        return None

    def field(self, cls: type[Any], f: dataclasses.Field[Any], node: yaml.Node, name: str) -> Any:
        """The value of field ``f`` from ``node``, checked against its range."""
        hint = _optional(typing.get_type_hints(cls)[f.name])
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            if _is_null(node):
                self.error(node, f"'{name}' has no value; give one or remove the key")
                return _INVALID
            return hint(**self.build(hint, node, f"{name}."))
        value = self.convert(hint, node, name)
        bounds = f.metadata.get("range")
        if bounds is not None and value not in (_INVALID, None):
            low, high = bounds
            if not low <= value <= high:
                self.error(node, f"'{name}' must be between {low:g} and {high:g}, not {value:g}")
                return _INVALID
        return value

    def convert(self, hint: Any, node: yaml.Node, name: str) -> Any:
        """``node`` as a value of type ``hint`` (optional, dict, or a scalar type)."""
        hint = _optional(hint)
        if _is_null(node):
            self.error(node, f"'{name}' has no value; give one or remove the key")
            return _INVALID
        if typing.get_origin(hint) in (dict, Mapping):
            return self.mapping(typing.get_args(hint)[1], node, name)
        if not isinstance(node, yaml.ScalarNode):
            shape = "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"
            self.error(node, f"'{name}' must be {_KIND[hint]}, not {shape}")
            return _INVALID
        try:
            raw = scalar_value(node)
        except ValueError as e:
            self.error(node, f"'{name}': {e}")
            return _INVALID
        return self.scalar(hint, raw, node, name)

    def mapping(self, value_type: Any, node: yaml.Node, name: str) -> Any:
        """A ``{text: value_type}`` mapping, each entry checked."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"'{name}' must be a mapping")
            return _INVALID
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node, f"{name}.")
            if key is None:
                continue
            if key in result:
                self.error(key_node, f"key '{name}.{key}' is given twice")
                continue
            self.key_lines[f"{name}.{key}"] = self.lines.of(key_node)
            value = self.convert(value_type, value_node, f"{name}.{key}")
            if value is not _INVALID:
                result[key] = value
        return MappingProxyType(result)  # the Book is frozen: so are its mappings

    def scalar(self, hint: Any, raw: Any, node: yaml.Node, name: str) -> Any:
        """``raw`` as a ``hint``, or :data:`_INVALID` with a problem recorded."""
        value = _coerce(hint, raw)
        if value is _INVALID:
            self.error(node, f"'{name}' must be {_KIND[hint]}, not {shown(raw)}")
        elif isinstance(value, str):
            bad = bad_character(value)
            if bad is not None:
                self.error(node, f"'{name}' holds the control character {bad}; remove it")
                return _INVALID
            if not value:
                self.error(node, f"'{name}' is empty; give a value or remove the key")
                return _INVALID
            if name not in _PARAGRAPHS:
                # A title or name is one line everywhere (OPF, feed, ID3): say so here, once.
                value = " ".join(value.split())
        elif isinstance(value, dt.date) and not FIRST_DATE <= value <= LAST_DATE:
            self.error(node, f"'{name}' must be between {FIRST_DATE} and {LAST_DATE}")
            return _INVALID
        return value


def _optional(hint: Any) -> Any:
    """``hint`` without ``| None``: what a value given for it must be."""
    args = tuple(a for a in typing.get_args(hint) if a is not type(None))
    if type(None) in typing.get_args(hint):
        return args[0] if len(args) == 1 else typing.Union[args]  # noqa: UP007 (built at run time)
    return hint


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG


def _coerce(hint: Any, raw: Any) -> Any:
    """``raw`` (a YAML scalar's value) as a ``hint``, or :data:`_INVALID`."""
    if typing.get_args(hint) == (bool, str):  # a switch with a named third way (narrated_epub)
        return raw if isinstance(raw, bool) else _coerce(str, raw)
    if isinstance(raw, bool):
        return raw if hint is bool else _INVALID
    if hint is int:
        return raw if isinstance(raw, int) else _INVALID
    if hint is float:
        return float(raw) if isinstance(raw, int | float) else _INVALID
    if hint is dt.date:
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        try:
            return dt.date.fromisoformat(raw) if isinstance(raw, str) else _INVALID
        except ValueError:
            return _INVALID
    if hint is str:
        if isinstance(raw, str | int | float):
            return str(raw).strip()
        return raw.isoformat() if isinstance(raw, dt.date) else _INVALID
    if hint is bool:
        return _INVALID
    raise TypeError(f"unsupported config type {hint!r}")  # a programming error, not input


def load_config(text: str, path: str, first_line: int = 2) -> tuple[Config, list[Problem]]:
    """Read front matter ``text`` (which starts at ``first_line`` of ``path``).

    Returns the config and its warnings; raises :class:`SourceError` listing every error.
    """
    lines = Lines(text, first_line)
    node = compose(text, path, lines)
    if node is None:
        node = yaml.MappingNode(tag="tag:yaml.org,2002:map", value=[])
    loader = _Loader(path, lines)
    values = loader.build(Config, node, "")
    for key in REQUIRED:
        if not values.get(key) and key not in loader.key_lines:
            loader.problems.append(
                Problem(path=path, line=first_line - 1, message=f"front matter needs '{key}'")
            )
    _check(values, loader)
    if loader.problems:
        raise SourceError(str(loader.problems[0]), loader.problems)
    warnings: list[Problem] = []
    if not values.get("identifier"):
        values["identifier"] = derive_identifier(values["title"], values["author"])
        warnings.append(
            Problem(
                path=path,
                line=first_line - 1,
                severity="warning",
                message=(
                    f"no 'identifier' in the front matter; using {values['identifier']}. "
                    "Set it so the book keeps its identity if the title changes."
                ),
            )
        )
    return Config(**values, key_lines=MappingProxyType(dict(loader.key_lines))), warnings


def _check(values: dict[str, Any], loader: _Loader) -> None:
    """Checks of values against rules and each other, each reported at its key's line."""
    language = values.get("language")
    if language is not None and not is_language_tag(language):
        loader.fail(
            "language",
            f"'language' must be a BCP 47 tag like 'nl' or 'en-GB', not {shown(language)}",
        )
    cover = values.get("cover")
    if cover is not None and is_url(cover):
        loader.fail("cover", f"'cover' {cover!r} is remote; use an image file beside the book")
    narration: NarrationConfig | None = values.get("narration")
    if narration is not None and narration.bitrate not in MP3_BITRATES:
        loader.fail("narration.bitrate", "'narration.bitrate' must be an MP3 bitrate such as 64")
    choices = {"pause_sound": PAUSE_SOUNDS, "readalong": READALONG}
    for key, allowed in choices.items() if narration is not None else ():
        value = getattr(narration, key)
        if value not in allowed:
            loader.fail(
                f"narration.{key}",
                f"'narration.{key}' must be one of {', '.join(allowed)}, not {value!r}",
            )
    if narration is not None:
        _check_lexicon(narration, loader)
    for role in narration.roles if narration is not None else ():
        if role not in ROLES:
            loader.fail(
                f"narration.roles.{role}", f"unknown role {role!r} (known: {', '.join(ROLES)})"
            )
    _check_publication(values, loader)
    podcast: PodcastConfig | None = values.get("podcast")
    if podcast is not None:
        _check_category(podcast, loader)
        _check_podcast_choices(podcast, loader)
        _check_podcast_addresses(podcast, loader)


def _check_lexicon(narration: NarrationConfig, loader: _Loader) -> None:
    """Each ``narration.lexicon`` word and respelling bounded, as every lexicon's are
    (:mod:`publisher.engine_input`): they reach the speech engine."""
    for word, said in narration.lexicon.items():
        for text in (word, said):
            problem = respelling_problem(text)
            if problem is not None:
                key = f"narration.lexicon.{word}"
                loader.fail(key, f"'narration.lexicon' entry {shown(text)} {problem}")


def _check_publication(values: dict[str, Any], loader: _Loader) -> None:
    """The read-along EPUB's kind, the series, the accessibility certifier, the credentials."""
    narrated = values.get("narrated_epub")
    if isinstance(narrated, str) and narrated != KOBO:
        loader.fail(
            "narrated_epub", f"'narrated_epub' must be true, false or {KOBO}, not {narrated!r}"
        )
    series: SeriesConfig | None = values.get("series")
    if series is not None and series.name is None:
        loader.fail("series", "'series' needs a 'name' (and may give a 'number')")
    if values.get("accessibility_credential") and not values.get("accessibility_certified_by"):
        loader.fail(
            "accessibility_credential",
            "'accessibility_credential' needs 'accessibility_certified_by': whose credential is it?",
        )
    credentials: CredentialsConfig | None = values.get("credentials")
    if credentials is not None and (credentials.certificate is None) != (credentials.key is None):
        loader.fail("credentials", "'credentials' needs both 'certificate' and 'key' (PEM files)")


def _check_category(podcast: PodcastConfig, loader: _Loader) -> None:
    if podcast.category is not None and podcast.category not in APPLE_CATEGORIES:
        loader.fail(
            "podcast.category",
            f"'podcast.category' {podcast.category!r} is not an Apple Podcasts category",
        )
    elif podcast.subcategory is not None and (
        podcast.category is None or podcast.subcategory not in APPLE_CATEGORIES[podcast.category]
    ):
        loader.fail(
            "podcast.subcategory",
            f"'podcast.subcategory' {podcast.subcategory!r} is not in {podcast.category!r}",
        )


def _check_podcast_choices(podcast: PodcastConfig, loader: _Loader) -> None:
    if podcast.type not in ("serial", "episodic"):
        loader.fail("podcast.type", "'podcast.type' must be 'serial' or 'episodic'")
    if podcast.interval not in INTERVALS:
        loader.fail("podcast.interval", f"'podcast.interval' must be one of {', '.join(INTERVALS)}")
    if podcast.locked and not podcast.owner_email:
        loader.fail("podcast.locked", "'podcast.locked' needs 'podcast.owner_email'")


def _check_podcast_addresses(podcast: PodcastConfig, loader: _Loader) -> None:
    for key, check in (("base_url", base_url_problem), ("link", url_problem)):
        url = getattr(podcast, key)
        problem = check(url) if url is not None else None
        if problem is not None:
            loader.fail(f"podcast.{key}", f"'podcast.{key}' {shown(url)} {problem}")
    if podcast.owner_email is not None and not is_mailbox(podcast.owner_email):
        loader.fail(
            "podcast.owner_email",
            f"'podcast.owner_email' {podcast.owner_email!r} is not a mail address",
        )
