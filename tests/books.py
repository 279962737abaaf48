"""Copies of the repository's books to build in a temporary folder.

A build keeps its cache and the record of the last build in ``.publisher/`` beside the
source, so tests never build the repository's own ``source/`` or ``tests/fixtures/`` in
place: they copy the Markdown, the files beside it (its images) and ``voices/`` first.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).parents[1]
SEED = ROOT / "source" / "de-geneeskracht-van-knuffelen.md"
EVERY_BLOCK = ROOT / "tests" / "fixtures" / "every-block.md"


def copy_book(source: Path, dest: Path) -> Path:
    """Copy ``source`` and the files beside it into ``dest/source/``, and the ``voices/``
    folder beside its folder, if there is one, into ``dest/voices/`` (where a build looks for
    voice profiles); the copied source. The copy builds as the original would."""
    folder = dest / "source"
    folder.mkdir(parents=True)
    for path in source.parent.iterdir():
        if path.is_file() and not path.name.startswith("."):
            shutil.copy2(path, folder / path.name)
    voices = source.parent.parent / "voices"
    if voices.is_dir():
        shutil.copytree(voices, dest / "voices")
    return folder / source.name


def write_book(dest: Path, text: str) -> Path:
    """``text`` written as ``dest/book/book.md``, a book alone in its folder; its path."""
    folder = dest / "book"
    folder.mkdir()
    path = folder / "book.md"
    path.write_text(text)
    return path
