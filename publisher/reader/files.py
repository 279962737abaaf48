"""The files an author names beside the book (images, the cover, its font, a lexicon): one
rule for where they may be, so every path from the book crosses one check."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from publisher.errors import SourceError
from publisher.model import Book


def book_path(book: Book, relative: str, path: str, line: int | None, what: str) -> Path:
    """The file ``relative`` names inside the book's folder, or a :class:`SourceError` at
    ``path:line`` when it is remote, absolute, outside that folder or missing."""
    if urlsplit(relative).scheme or relative.startswith("//"):
        raise SourceError.at(
            path, line, f"{what} {relative!r} is remote; use a file beside the book"
        )
    root = Path(book.root).resolve()
    candidate = Path(relative)
    if candidate.is_absolute():
        raise SourceError.at(
            path, line, f"{what} {relative!r} is an absolute path; give it relative to the book"
        )
    # resolve() follows symlinks too, so a link pointing out of the folder is caught as well.
    resolved = (root / candidate).resolve()
    if not resolved.is_relative_to(root):
        raise SourceError.at(path, line, f"{what} {relative!r} is outside the book's folder")
    if not resolved.is_file():
        raise SourceError.at(path, line, f"{what} {relative!r} not found")
    return resolved
