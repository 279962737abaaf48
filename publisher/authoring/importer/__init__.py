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

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from publisher.authoring.importer.document import Block, BlockQuote, Document, ItemList, Para
from publisher.authoring.importer.frontmatter import front_matter
from publisher.authoring.importer.language import detect_language
from publisher.authoring.importer.markdown import write_blocks
from publisher.authoring.importer.structure import Found, find_structure
from publisher.authoring.scaffold import check_new_book, write_new_book
from publisher.errors import BuildError, Problem, SourceError
from publisher.i18n import words_for
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
    language, confidence = detect_language("\n".join(_texts(doc.blocks)))
    fallback = " ".join(source.stem.replace("_", " ").replace("-", " ").split()) or "Book"
    found = find_structure(doc, words_for(language).example_word, fallback)
    header, header_notes = _header(found, language, confidence)
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


def _reader(source: Path) -> Callable[[Path], Document]:
    suffix = source.suffix.lower()
    if suffix not in SUFFIXES:
        known = ", ".join(SUFFIXES[:-1])
        what = f"'{suffix}' files" if suffix else "a file without a suffix"
        raise SourceError.at(str(source), None, f"cannot import {what} (known: {known})")
    if suffix == ".txt":
        from publisher.authoring.importer.plaintext import read_plain

        return read_plain
    from publisher.authoring.importer.pandoc import read_with_pandoc

    return read_with_pandoc


def _header(
    found: Found, language: str, confidence: float
) -> tuple[list[str], list[tuple[int, str]]]:
    """The front matter's lines and the notes about them (0-based line, note)."""
    author = found.author or UNKNOWN_AUTHOR
    values = {
        "title": found.title,
        "subtitle": found.subtitle,
        "author": author,
        "language": language,
    }
    lines = front_matter(values)
    notes: list[tuple[int, str]] = []

    def note(key: str, message: str) -> None:
        line = next(i for i, text in enumerate(lines) if text.startswith(f"{key}:"))
        notes.append((line, message))

    if found.author is None:
        note("author", "no author found in the text; write the author's name here")
    elif found.author_note:
        note("author", found.author_note)
    if found.subtitle is not None and found.title_notes:
        note("subtitle", "took the title's part after ': ' as the subtitle")
    if confidence < SURE_LANGUAGE:
        note("language", f"the text's language could not be told for sure; '{language}' is a guess")
    return lines, notes


def _read_back(text: str, path: Path) -> Parsed:
    """The new book as the parser reads it; a book it cannot read is this code's fault."""
    try:
        return parse_text(text, str(path), root=str(path.parent))
    except SourceError as e:
        raise BuildError(
            f"publisher import made a book it cannot read back ({e}); please report this"
        ) from e


def _texts(blocks: tuple[Block, ...]) -> list[str]:
    """The plain text of every paragraph and heading, for telling the language."""
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Para):
            out.append(plain_text(block.inlines))
        elif isinstance(block, BlockQuote):
            out += _texts(block.blocks)
        elif isinstance(block, ItemList):
            for item in block.items:
                out += _texts(item)
        elif hasattr(block, "inlines"):
            out.append(plain_text(block.inlines))
    return out
