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

DUTCH = """\
---
title: {title}
author: Jouw Naam
language: nl
description: Waar dit boek over gaat, in een zin of twee.
identifier: "urn:uuid:{uuid}"
narration:
  prompt_pause: 8
podcast:
  category: Education
  type: serial
---

# {title}

## Het Eerste Hoofdstuk

Schrijf hier je hoofdstuk. *Nadruk*, **vette** tekst, [links](https://example.org)
en lijsten werken zoals in elke Markdown.

Voorbeeld: Een alinea die met "Voorbeeld:" begint, wordt als voorbeeld gemarkeerd.

💡 Waar wil je dat je lezer hier over nadenkt?
"""

STARTERS = {"en": (TEMPLATE, "My Book"), "nl": (DUTCH, "Mijn Boek")}
"""Per language (BCP 47 primary subtag): the starter book and its default title."""


def create_book(directory: Path, title: str | None = None, language: str = "en") -> Path:
    """Write ``DIR/source/book.md`` (a starter book in ``language``, one of
    :data:`STARTERS`) and ``DIR/.gitignore``; never overwrite anything.

    The ``.gitignore`` keeps out the outputs (``build/``) and what builds keep for the next
    one (``.publisher/`` beside the source: the cache, the record of the last build).
    """
    if language not in STARTERS:
        known = ", ".join(sorted(STARTERS))
        raise SourceError.at(str(directory), None, f"no starter book in {language!r} ({known})")
    template, default_title = STARTERS[language]
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
