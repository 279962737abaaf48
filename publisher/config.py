"""Front matter → one typed, frozen :class:`Config`.

Unknown keys are errors, and every problem is collected before stopping, each with the line
of the key it is about (mdBook's ``deny_unknown_fields``, MkDocs' ``load_config``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from publisher.errors import Problem, SourceError

# Apple Podcasts categories (the list Apple publishes for podcasters), top level → subcategories.
APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": (
        "Careers",
        "Entrepreneurship",
        "Investing",
        "Management",
        "Marketing",
        "Non-Profit",
    ),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health",
        "Fitness",
        "Medicine",
        "Mental Health",
        "Nutrition",
        "Sexuality",
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga",
        "Automotive",
        "Aviation",
        "Crafts",
        "Games",
        "Hobbies",
        "Home & Garden",
        "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News",
        "Daily News",
        "Entertainment News",
        "News Commentary",
        "Politics",
        "Sports News",
        "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism",
        "Christianity",
        "Hinduism",
        "Islam",
        "Judaism",
        "Religion",
        "Spirituality",
    ),
    "Science": (
        "Astronomy",
        "Chemistry",
        "Earth Sciences",
        "Life Sciences",
        "Mathematics",
        "Natural Sciences",
        "Nature",
        "Physics",
        "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary",
        "Personal Journals",
        "Philosophy",
        "Places & Travel",
        "Relationships",
    ),
    "Sports": (
        "Baseball",
        "Basketball",
        "Cricket",
        "Fantasy Sports",
        "Football",
        "Golf",
        "Hockey",
        "Rugby",
        "Running",
        "Soccer",
        "Swimming",
        "Tennis",
        "Volleyball",
        "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}

INTERVALS = {"daily": 1, "weekly": 7, "biweekly": 14, "monthly": 30}


@dataclass(frozen=True, kw_only=True)
class NarrationConfig:
    """``narration:`` in the front matter. Pauses are in seconds."""

    voice: str | None = None
    prompt_pause: float = 8.0
    paragraph_pause: float = 0.7
    heading_pause: float = 1.2
    list_item_pause: float = 0.4
    chapter_start_pause: float = 0.5
    chapter_end_pause: float = 2.0
    prompt_lead_in: bool = True
    lexicon: dict[str, str] = field(default_factory=dict)
    bitrate: int = 64
    loudness: float = -19.0


@dataclass(frozen=True, kw_only=True)
class PodcastConfig:
    """``podcast:`` in the front matter."""

    base_url: str | None = None
    # Set it to keep the podcast's identity when the feed moves (default: from the feed URL).
    guid: str | None = None
    link: str | None = None
    category: str | None = None
    subcategory: str | None = None
    explicit: bool = False
    type: str = "serial"
    owner_name: str | None = None
    owner_email: str | None = None
    locked: bool = False
    start: dt.date | None = None
    interval: str = "weekly"
    dates: dict[str, dt.date] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Config:
    """Everything the front matter says about the book."""

    title: str
    author: str
    language: str
    subtitle: str | None = None
    description: str | None = None
    identifier: str
    publisher: str | None = None
    date: dt.date | None = None
    rights: str | None = None
    cover: str | None = None
    accessibility_summary: str | None = None
    chapter_level: int | None = None
    example_word: str | None = None
    narrated_epub: bool = True  # the read-along EPUB, built with the audio
    narration: NarrationConfig = field(default_factory=NarrationConfig)
    podcast: PodcastConfig = field(default_factory=PodcastConfig)


REQUIRED = ("title", "author", "language")


def derive_identifier(title: str, author: str) -> str:
    """A stable identifier for a book that has none: UUID5 of its title and author."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"publisher:{title}\n{author}"))


class _Loader:
    """Turns a YAML mapping node into a dataclass, collecting problems with their lines."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def error(self, node: yaml.Node, message: str) -> None:
        self.problems.append(
            Problem(path=self.path, line=node.start_mark.line + 1, message=message)
        )

    def value(self, node: yaml.Node) -> Any:
        return yaml.SafeLoader(yaml.serialize(node)).get_single_data() if node else None

    def build(self, cls: type[Any], node: yaml.Node, prefix: str) -> dict[str, Any]:
        hints = typing.get_type_hints(cls)
        names = {f.name for f in dataclasses.fields(cls)}
        out: dict[str, Any] = {}
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{prefix.rstrip('.') or 'front matter'} must be a mapping")
            return out
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key not in names:
                known = ", ".join(sorted(names))
                self.error(key_node, f"unknown key '{prefix}{key}' (known: {known})")
                continue
            if key in out:
                self.error(key_node, f"key '{prefix}{key}' is given twice")
                continue
            hint = hints[key]
            if isinstance(hint, type) and dataclasses.is_dataclass(hint):
                sub = self.build(hint, value_node, f"{prefix}{key}.")
                out[key] = hint(**sub)
                continue
            converted = self.convert(hint, value_node, f"{prefix}{key}")
            if converted is not _INVALID:
                out[key] = converted
        return out

    def convert(self, hint: Any, node: yaml.Node, name: str) -> Any:
        raw = self.value(node)
        args = typing.get_args(hint)
        optional = type(None) in args
        if optional:
            if raw is None:
                return None
            hint = next(a for a in args if a is not type(None))
        origin = typing.get_origin(hint)
        if origin is dict:
            if not isinstance(raw, Mapping):
                self.error(node, f"'{name}' must be a mapping")
                return _INVALID
            value_type = typing.get_args(hint)[1]
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                value = self.convert(value_type, value_node, f"{name}.{key_node.value}")
                if value is not _INVALID:
                    result[str(key_node.value)] = value
            return result
        return self.scalar(hint, raw, node, name)

    def scalar(self, hint: Any, raw: Any, node: yaml.Node, name: str) -> Any:
        if hint is bool:
            if isinstance(raw, bool):
                return raw
            self.error(node, f"'{name}' must be true or false, not {raw!r}")
        elif hint is int:
            if isinstance(raw, int) and not isinstance(raw, bool):
                return raw
            self.error(node, f"'{name}' must be a whole number, not {raw!r}")
        elif hint is float:
            if isinstance(raw, int | float) and not isinstance(raw, bool):
                return float(raw)
            self.error(node, f"'{name}' must be a number, not {raw!r}")
        elif hint is dt.date:
            if isinstance(raw, dt.datetime):
                return raw.date()
            if isinstance(raw, dt.date):
                return raw
            if isinstance(raw, str):
                try:
                    return dt.date.fromisoformat(raw)
                except ValueError:
                    pass
            self.error(node, f"'{name}' must be a date like 2026-01-31, not {raw!r}")
        elif hint is str:
            if isinstance(raw, str | int | float) and not isinstance(raw, bool):
                return str(raw).strip()
            if isinstance(raw, dt.date):
                return raw.isoformat()
            self.error(node, f"'{name}' must be text, not {raw!r}")
        else:  # pragma: no cover - a type this loader does not know is a programming error
            raise TypeError(f"unsupported config type {hint!r}")
        return _INVALID


_INVALID = object()


def _line_of(node: yaml.MappingNode, key: str) -> int | None:
    for key_node, _ in node.value:
        if key_node.value == key:
            return int(key_node.start_mark.line) + 1
    return None


def load_config(text: str, path: str, first_line: int = 2) -> tuple[Config, list[Problem]]:
    """Read front matter ``text`` (which starts at ``first_line`` of ``path``).

    Returns the config and its warnings; raises :class:`SourceError` listing every error.
    """
    loader = _Loader(path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        problem = getattr(e, "problem", None) or str(e)
        raise SourceError.at(path, line, f"front matter is not valid YAML: {problem}") from e
    if node is None:
        node = yaml.MappingNode(tag="tag:yaml.org,2002:map", value=[])

    # Shift every mark so lines are lines of the Markdown file, not of the YAML block.
    def shift(n: yaml.Node) -> None:
        n.start_mark.line += first_line - 1
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                shift(k)
                shift(v)
        elif isinstance(n, yaml.SequenceNode):
            for v in n.value:
                shift(v)

    if node.start_mark is not None:
        shift(node)
    values = loader.build(Config, node, "")
    warnings: list[Problem] = []
    for key in REQUIRED:
        if not values.get(key):
            loader.problems.append(
                Problem(path=path, line=first_line - 1, message=f"front matter needs '{key}'")
            )
    _check(values, node, loader)
    if loader.problems:
        raise SourceError(str(loader.problems[0]), loader.problems)
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
    return Config(**values), warnings


def _check(values: dict[str, Any], node: yaml.Node, loader: _Loader) -> None:
    """Checks across fields, each reported at its key's line."""
    if not isinstance(node, yaml.MappingNode):
        return

    def fail(key: str, sub: str | None, message: str) -> None:
        line = _line_of(node, key)
        if sub is not None:
            for k, v in node.value:
                if k.value == key and isinstance(v, yaml.MappingNode):
                    line = _line_of(v, sub) or line
        loader.problems.append(Problem(path=loader.path, line=line, message=message))

    level = values.get("chapter_level")
    if level is not None and not 1 <= level <= 6:
        fail("chapter_level", None, "'chapter_level' must be between 1 and 6")
    language = values.get("language")
    if language is not None and not _is_language_tag(language):
        fail(
            "language",
            None,
            f"'language' must be a BCP 47 tag like 'nl' or 'en-GB', not {language!r}",
        )
    narration: NarrationConfig | None = values.get("narration")
    if narration is not None:
        for f in dataclasses.fields(NarrationConfig):
            if f.name.endswith("_pause") and getattr(narration, f.name) < 0:
                fail("narration", f.name, f"'narration.{f.name}' must not be negative")
        if narration.bitrate not in (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192):
            fail("narration", "bitrate", "'narration.bitrate' must be an MP3 bitrate such as 64")
    podcast: PodcastConfig | None = values.get("podcast")
    if podcast is not None:
        if podcast.category is not None and podcast.category not in APPLE_CATEGORIES:
            fail(
                "podcast",
                "category",
                f"'podcast.category' {podcast.category!r} is not an Apple Podcasts category",
            )
        elif podcast.subcategory is not None and (
            podcast.category is None
            or podcast.subcategory not in APPLE_CATEGORIES[podcast.category]
        ):
            fail(
                "podcast",
                "subcategory",
                f"'podcast.subcategory' {podcast.subcategory!r} is not in {podcast.category!r}",
            )
        if podcast.type not in ("serial", "episodic"):
            fail("podcast", "type", "'podcast.type' must be 'serial' or 'episodic'")
        if podcast.interval not in INTERVALS:
            fail("podcast", "interval", f"'podcast.interval' must be one of {', '.join(INTERVALS)}")
        if podcast.base_url is not None and not podcast.base_url.startswith(
            ("http://", "https://")
        ):
            fail("podcast", "base_url", "'podcast.base_url' must start with http:// or https://")
        if podcast.locked and not podcast.owner_email:
            fail("podcast", "locked", "'podcast.locked' needs 'podcast.owner_email'")


def _is_language_tag(tag: str) -> bool:
    parts = tag.split("-")
    return (
        2 <= len(parts[0]) <= 3
        and parts[0].isalpha()
        and all(p.isalnum() and 1 <= len(p) <= 8 for p in parts)
    )
