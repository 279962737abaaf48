"""``publisher import``: a new book from an existing text (``.txt``, ``.md``, ``.docx``,
``.odt``, ``.html``), ready to build.

Every format is read into one :class:`~.document.Document` (:mod:`.plaintext`,
:mod:`.pandoc`); one set of rules finds the structure in it (:mod:`.structure`); the book is
written as Markdown (:mod:`.markdown`) after a front matter (:mod:`.frontmatter`), read back
by the parser before it is saved, and saved where ``init`` saves a new book
(:mod:`publisher.authoring.scaffold`). What the rules guessed is reported as notes at the lines of
the new ``book.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from publisher.authoring.importer.document import Document, flattened
from publisher.authoring.importer.frontmatter import front_matter, one_line
from publisher.authoring.importer.language import detect_language
from publisher.authoring.importer.markdown import write_blocks
from publisher.authoring.importer.pandoc import read_with_pandoc
from publisher.authoring.importer.plaintext import read_plain
from publisher.authoring.importer.structure import Found, find_structure
from publisher.authoring.scaffold import check_new_book, write_new_book
from publisher.errors import BuildError, Problem, SourceError
from publisher.i18n import is_language_tag, words_for
from publisher.infra.clock import build_now
from publisher.model.config import FIRST_DATE, LAST_DATE
from publisher.reader.parse import Parsed, parse_text
from publisher.text.plain import plain_text

SUFFIXES = (".txt", ".md", ".docx", ".odt", ".html", ".htm")
"""The files ``publisher import`` reads, by suffix."""
UNKNOWN_AUTHOR = "Unknown"
"""The author of a text that names none (the front matter needs one); a note says so."""
# Below this the detector's guess is reported as a note: it read too little to be sure.
SURE_LANGUAGE = 0.9


@dataclass(frozen=True, kw_only=True)
class Imported:
    """A new book: where it was written, how many chapters it has, and the notes."""

    book: Path
    chapters: int
    notes: tuple[Problem, ...]


def import_book(source: Path, directory: Path) -> Imported:
    """Write the text in ``source`` as a new book in ``directory`` (``source/book.md`` and
    the ``.gitignore`` that ``init`` writes); nothing is written when anything fails, and
    a book already there is never touched."""
    read = _reader(source)
    target = check_new_book(directory)  # before reading: a refusal costs nothing
    doc = read(source)
    words = plain_text(flattened(doc.blocks))
    if not words.strip():
        # An empty document, or one of images only: a book of a title alone is no import.
        raise SourceError.at(str(source), None, "holds no text to import")
    settings, unused = _settings(doc)
    language, confidence = (
        (str(settings["language"]), 1.0) if "language" in settings else detect_language(words)
    )
    fallback = " ".join(source.stem.replace("_", " ").replace("-", " ").split()) or "Book"
    found = find_structure(doc, words_for(language).example_word, fallback)
    header, header_notes = _header(found, settings | {"language": language}, confidence, unused)
    body = write_blocks(found.blocks)
    text = "\n".join([*header, "", *body.lines]) + "\n"
    notes = header_notes + [(len(header) + 1 + at, note) for at, note in body.notes]
    parsed = _read_back(text, target)
    book = write_new_book(directory, text)
    problems = tuple(
        Problem(path=str(book), line=line + 1, message=note, severity="note")
        for line, note in sorted(notes, key=lambda n: n[0])
    )
    return Imported(book=book, chapters=len(parsed.book.chapters), notes=problems)


def _settings(doc: Document) -> tuple[dict[str, str | dt.date], tuple[str, ...]]:
    """The settings the file gave that a book has too, checked as the config checks them,
    and the names of the file's front-matter keys left out (with those it gave that a book
    cannot take: a ``date`` that is no date)."""
    kept: dict[str, str | dt.date] = {}
    unused = list(doc.unused)
    for key, value in doc.settings:
        checked: str | dt.date | None = one_line(value) or None
        if key == "language" and not is_language_tag(value):
            checked = None
        elif key == "date":
            try:
                checked = dt.date.fromisoformat(value.strip())
            except ValueError:
                checked = None
            if checked is not None and not FIRST_DATE <= checked <= LAST_DATE:
                checked = None
        if checked is None:
            unused.append(key)
        else:
            kept[key] = checked
    return kept, tuple(unused)


def _reader(source: Path) -> Callable[[Path], Document]:
    suffix = source.suffix.lower()
    if suffix not in SUFFIXES:
        known = ", ".join(SUFFIXES[:-1])
        what = f"'{suffix}' files" if suffix else "a file without a suffix"
        raise SourceError.at(str(source), None, f"cannot import {what} (known: {known})")
    if suffix == ".txt":
        return read_plain
    return read_with_pandoc


def _header(
    found: Found,
    settings: dict[str, str | dt.date],
    confidence: float,
    unused: tuple[str, ...],
) -> tuple[list[str], list[tuple[int, str]]]:
    """The front matter's lines and the notes about them (0-based line, note)."""
    author = found.author or UNKNOWN_AUTHOR
    values = {
        "date": build_now().date(),
        **settings,
        "title": found.title,
        "subtitle": found.subtitle,
        "author": author,
    }
    lines = front_matter(values)
    notes: list[tuple[int, str]] = []

    def note(key: str, message: str) -> None:
        line = next(i for i, text in enumerate(lines) if text.startswith(f"{key}:"))
        notes.append((line, message))

    if "date" not in settings:
        note("date", "today's date: the feed dates the episodes from it; write the book's own")
    if found.author is None:
        note("author", "no author found in the text; write the author's name here")
    elif found.author_note:
        note("author", found.author_note)
    if found.subtitle is not None and found.title_notes:
        note("subtitle", "took the title's part after ': ' as the subtitle")
    if confidence < SURE_LANGUAGE:
        language = settings["language"]
        note("language", f"the text's language could not be told for sure; '{language}' is a guess")
    if unused:
        note(
            "title",
            f"the file's front matter also set {', '.join(unused)}: left out; copy what "
            "applies to a book (README, 'The source format')",
        )
    return lines, notes


def _read_back(text: str, path: Path) -> Parsed:
    """The new book as the parser reads it; a book it cannot read is this code's fault."""
    try:
        return parse_text(text, str(path), root=str(path.parent))
    except SourceError as e:
        raise BuildError(
            f"publisher import made a book it cannot read back ({e}); please report this"
        ) from e
