"""``check`` compares a book with the last build's feed to catch a renamed chapter. The build
folder it reads (``--out``, default ``build`` where the command runs) may hold another book's
build: checking a new book (``publisher init`` elsewhere) where the seed was built warned
that its chapter "replaces 'Veelgestelde vragen over Vasthouden' of the last build"."""

from __future__ import annotations

from pathlib import Path

from publisher.checks.problems import check_book
from tests.test_feed import FRONT, build, make_book

OTHER = FRONT.replace(
    "0f7c1f5e-4a43-4d0e-9a53-1f8a3c2b7d11", "5a1d6c0e-6b1e-4c59-8e35-2d9b8f0a4c77"
)


def test_another_books_feed_says_nothing_about_renamed_chapters(tmp_path: Path) -> None:
    build(tmp_path, FRONT + "\n# Een Begin\n\nx?\n\n# Het Einde\n\ny?\n")
    previous = tmp_path / "build" / "feed.xml"
    other = make_book(OTHER + "\n# Iets Anders\n\nz?\n")
    assert check_book(other, previous) == []
    # The same book with a chapter renamed is still told so.
    same = make_book(FRONT + "\n# Een Nieuw Begin\n\nx?\n\n# Het Einde\n\ny?\n")
    [renamed] = check_book(same, previous)
    assert "replaces 'Een Begin' of the last build" in renamed.message
