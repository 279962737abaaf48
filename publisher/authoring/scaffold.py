"""``publisher init``: a new book that builds as it is; and the book folder every new book
(``init``, ``import``) is written into."""

from __future__ import annotations

import uuid
from importlib.resources import files
from pathlib import Path

from publisher.errors import SourceError
from publisher.infra.clock import build_now

STARTERS = {"en": "My Book", "nl": "Mijn Boek"}
"""Per language (BCP 47 primary subtag): a starter book in ``data/starters/<lang>.md`` (a
``str.format`` template taking ``title``, ``uuid`` and ``date``) and its default title."""
BOOK = "book.md"
"""The new book's file name, in ``DIR/source/``."""
# Keeps out the outputs (``build/``) and what builds keep for the next one (``.publisher/``
# beside the source: the cache, the record of the last build).
GITIGNORE = "build/\n.publisher/\n"


def create_book(directory: Path, title: str | None = None, language: str = "en") -> Path:
    """Write ``DIR/source/book.md`` (a starter book in ``language``, one of
    :data:`STARTERS`) and ``DIR/.gitignore``; never overwrite anything."""
    if language not in STARTERS:
        known = ", ".join(sorted(STARTERS))
        raise SourceError.at(str(directory), None, f"no starter book in {language!r} ({known})")
    default_title = STARTERS[language]
    template = files("publisher").joinpath("data", "starters", f"{language}.md").read_text("utf-8")
    check_new_book(directory)
    # Dated today (the build's clock: SOURCE_DATE_EPOCH if set): the feed dates the episodes
    # from it, and a book without a date is dated 1 January 2000, 26 years old in a player.
    today = build_now().date().isoformat()
    text = template.format(title=title or default_title, uuid=uuid.uuid4(), date=today)
    return write_new_book(directory, text)


def check_new_book(directory: Path) -> Path:
    """``DIR/source/book.md``, where a new book will go; an error if ``DIR`` is a file or
    ``DIR/source/`` holds anything (a book is never overwritten)."""
    source = directory / "source"
    try:
        if directory.exists() and not directory.is_dir():
            raise SourceError.at(str(directory), None, "is a file; choose a folder for the book")
        if source.exists() and (not source.is_dir() or any(source.iterdir())):
            raise SourceError.at(str(source), None, "already holds a book; choose an empty folder")
    except OSError as e:
        raise SourceError.at(str(source), None, f"cannot read: {e.strerror or e}") from e
    return source / BOOK


def write_new_book(directory: Path, text: str) -> Path:
    """Write ``text`` as ``DIR/source/book.md`` (which must not exist) and, unless there is
    one, ``DIR/.gitignore``; returns the book's path."""
    book = check_new_book(directory)
    created = False
    try:
        book.parent.mkdir(parents=True, exist_ok=True)
        with book.open("x", encoding="utf-8") as f:  # "x": another process's book stays
            created = True
            f.write(text)
        ignore = directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text(GITIGNORE, encoding="utf-8")
    except OSError as e:
        if created:  # a half-written book would stop the next try as "already holds a book"
            book.unlink(missing_ok=True)
        raise SourceError.at(str(book), None, f"cannot write: {e.strerror or e}") from e
    return book
