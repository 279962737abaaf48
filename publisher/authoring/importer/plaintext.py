"""Plain text (``.txt``) → :class:`~.document.Document`: one paragraph per line, or per
block of lines where blank lines separate wrapped paragraphs.

Hand-written: plain text has no markup to convert, only lines to group, and the question
which line is a heading belongs to the structure finder, which asks it of every format.
"""

from __future__ import annotations

import re
from pathlib import Path

from publisher import model as m
from publisher.authoring.importer.document import Document, Para
from publisher.reader.source import read_source

_BLANK = re.compile(r"\n[ \t]*\n")


def read_plain(path: Path) -> Document:
    """The paragraphs of the UTF-8 text file at ``path`` (bad encoding is an error)."""
    return Document(
        blocks=tuple(Para(inlines=(m.Text(text=p),)) for p in paragraphs(read_source(path)))
    )


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs, each on one line, white space collapsed.

    Text copied from a web page or a word processor has one paragraph per line, often with
    no blank line between. Text wrapped by hand (an e-mail, a Gutenberg file) has blank
    lines between paragraphs of several lines: when most blocks have more than one line, a
    block is a paragraph, else a line is.
    """
    text = text.replace("\t", " ")
    blocks = [b for b in _BLANK.split(text) if b.strip()]
    wrapped = sum(1 for b in blocks if len(b.strip().splitlines()) > 1)
    if len(blocks) > 1 and wrapped * 2 > len(blocks):
        return [" ".join(b.split()) for b in blocks]
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]
