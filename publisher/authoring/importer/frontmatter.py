"""The front matter of an imported book: what the text told (title, subtitle, author,
language) and a new identifier, then every other setting commented out at its default.

The commented settings are read from :class:`~publisher.reader.config.Config` itself, so the list
cannot fall behind the settings a build reads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import uuid
from collections.abc import Mapping
from typing import Any

import yaml

from publisher.model.config import Config, setting_fields
from publisher.reader.config import bad_character

# Text that YAML reads back as the same text without quotes: a letter first, then words.
_PLAIN = re.compile(r"[^\W\d_][\w .,'’-]*")

FILLED = ("title", "subtitle", "author", "language", "identifier", "description", "date")
"""The keys an import writes; every other key of :class:`Config` is written commented."""


def front_matter(values: Mapping[str, str | dt.date | None]) -> list[str]:
    """The front matter's lines, ``---`` to ``---``: each of :data:`FILLED` that ``values``
    has (an identifier is made when it has none), then the rest commented."""
    given = dict(values)
    given.setdefault("identifier", f"urn:uuid:{uuid.uuid4()}")
    lines = ["---"]
    lines += [f"{key}: {_scalar(given[key])}" for key in FILLED if given.get(key)]
    lines += [
        "# Every other setting, at its default. Remove the '# ' to change one; the README's",
        '# "The source format" says what each does.',
    ]
    lines += _commented(Config, skip=set(FILLED), indent="")
    lines.append("---")
    return lines


def one_line(text: str) -> str:
    """``text`` as a front-matter value can hold it: one line, without the characters the
    config refuses (a NUL from a damaged file, a control character pasted into a
    document's title field)."""
    return " ".join("".join(c for c in text if bad_character(c) is None).split())


def _commented(cls: type[Any], skip: set[str], indent: str) -> list[str]:
    lines = []
    for field in setting_fields(cls):
        if field.name in skip:
            continue
        default = _default(field)
        if dataclasses.is_dataclass(default):
            lines.append(f"# {indent}{field.name}:")
            lines += _commented(type(default), set(), indent + "  ")
        else:
            lines.append(f"# {indent}{field.name}: {_scalar(default)}".rstrip())
    return lines


def _default(field: dataclasses.Field[Any]) -> Any:
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return None


def _scalar(value: object) -> str:
    """``value`` as YAML on one line: text plain where YAML reads it back as written,
    else in double quotes (JSON's are valid YAML)."""
    match value:
        case None:
            return ""
        case bool():
            return "true" if value else "false"
        case float():
            return f"{value:g}"
        case int() | dt.date():
            return str(value)
        case Mapping():
            return "{}" if not value else json.dumps(dict(value), ensure_ascii=False)
        case _:
            text = one_line(str(value))
            if _PLAIN.fullmatch(text) and yaml.safe_load(text) == text:
                return text
            return json.dumps(text, ensure_ascii=False)
