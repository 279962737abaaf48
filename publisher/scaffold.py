"""``publisher init``: a new book that builds as it is."""

from __future__ import annotations

import uuid
from pathlib import Path

from publisher.errors import SourceError

TEMPLATE = """\
---
title: {title}
author: Your Name
language: en
description: What this book is about, in a sentence or two.
identifier: "urn:uuid:{uuid}"
narration:
  prompt_pause: 8
podcast:
  category: Education
  type: serial
---

# {title}

## The First Chapter

Write your chapter here. *Emphasis*, **strong** text, [links](https://example.org)
and lists work as in any Markdown.

Example: An example paragraph starts with "Example:" and is marked as one.

💡 What would you like your reader to think about here?
"""


def create_book(directory: Path, title: str = "My Book") -> Path:
    """Write ``DIR/source/book.md`` and ``DIR/.gitignore``; never overwrite anything.

    The ``.gitignore`` keeps out the outputs (``build/``) and what builds keep for the next
    one (``.publisher/`` beside the source: the cache, the record of the last build).
    """
    source = directory / "source"
    book = source / "book.md"
    if source.exists() and any(source.iterdir()):
        raise SourceError.at(str(source), None, "already holds a book; choose an empty folder")
    source.mkdir(parents=True, exist_ok=True)
    book.write_text(TEMPLATE.format(title=title, uuid=uuid.uuid4()), encoding="utf-8")
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("build/\n.publisher/\n", encoding="utf-8")
    return book
