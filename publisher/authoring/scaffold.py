"""``publisher init``: a new book that builds as it is."""

from __future__ import annotations

import uuid
from importlib.resources import files
from pathlib import Path

from publisher.errors import SourceError

STARTERS = {"en": "My Book", "nl": "Mijn Boek"}
"""Per language (BCP 47 primary subtag): a starter book in ``data/starters/<lang>.md`` (a
``str.format`` template taking ``title`` and ``uuid``) and its default title."""


def create_book(directory: Path, title: str | None = None, language: str = "en") -> Path:
    """Write ``DIR/source/book.md`` (a starter book in ``language``, one of
    :data:`STARTERS`) and ``DIR/.gitignore``; never overwrite anything.

    The ``.gitignore`` keeps out the outputs (``build/``) and what builds keep for the next
    one (``.publisher/`` beside the source: the cache, the record of the last build).
    """
    if language not in STARTERS:
        known = ", ".join(sorted(STARTERS))
        raise SourceError.at(str(directory), None, f"no starter book in {language!r} ({known})")
    default_title = STARTERS[language]
    template = files("publisher").joinpath("data", "starters", f"{language}.md").read_text("utf-8")
    source = directory / "source"
    book = source / "book.md"
    if source.exists() and any(source.iterdir()):
        raise SourceError.at(str(source), None, "already holds a book; choose an empty folder")
    source.mkdir(parents=True, exist_ok=True)
    text = template.format(title=title or default_title, uuid=uuid.uuid4())
    book.write_text(text, encoding="utf-8")
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("build/\n.publisher/\n", encoding="utf-8")
    return book
