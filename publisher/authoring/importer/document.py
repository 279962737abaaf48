"""The one intermediate form every imported text is read into, whatever its file format.

A reader (:mod:`.plaintext`, :mod:`.pandoc`) turns a file into a :class:`Document`: a flat
list of blocks with inline content in the book model's own inline types, so the writer needs
no second inline vocabulary. The structure finder (:mod:`.structure`) then decides what the
blocks are (a heading, a prompt, a list) with one set of rules for every format, and attaches
a note to each block whose meaning it guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from publisher import model as m


@dataclass(frozen=True, kw_only=True)
class Node:
    """What every block carries: the notes about it for the author (``book.md:LINE: note:``)."""

    notes: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Para(Node):
    """A paragraph; in plain text, one line."""

    inlines: tuple[m.Inline, ...]


@dataclass(frozen=True, kw_only=True)
class Heading(Node):
    """A heading. ``level`` 1 is the book's title; 2 a chapter (the writer's levels)."""

    level: int
    inlines: tuple[m.Inline, ...]


@dataclass(frozen=True, kw_only=True)
class ItemList(Node):
    """A bulleted or numbered list; each item is a tuple of blocks."""

    ordered: bool
    start: int = 1
    items: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True, kw_only=True)
class BlockQuote(Node):
    """A quotation set apart from the text."""

    blocks: tuple[Block, ...]


@dataclass(frozen=True, kw_only=True)
class Preformatted(Node):
    """Text kept exactly as it was (code, verse laid out by spaces), after the language of
    the code where the file named one (a Markdown fence's ``python``, an HTML ``class``): in
    the order the writer puts them down, the fence's name first."""

    language: str | None = None
    text: str


@dataclass(frozen=True, kw_only=True)
class Rule(Node):
    """A scene break."""


@dataclass(frozen=True, kw_only=True)
class Grid(Node):
    """A table: one header row (possibly empty cells) and the rows."""

    header: tuple[tuple[m.Inline, ...], ...]
    rows: tuple[tuple[tuple[m.Inline, ...], ...], ...]


Block = Union[Para, Heading, ItemList, BlockQuote, Preformatted, Rule, Grid]  # noqa: UP007


@dataclass(frozen=True, kw_only=True)
class Document:
    """A text as a reader found it: its blocks and what its file said about itself (a
    word processor's title and author fields, an HTML page's ``<title>``, a Markdown file's
    front matter), if anything.

    ``settings`` holds the front-matter values the file gave that a book has too
    (``description``, ``date``, ``language``), as written; ``unused`` the names of the
    other keys of a Markdown file's own front matter, which the import leaves out."""

    blocks: tuple[Block, ...]
    title: str | None = None
    subtitle: str | None = None
    author: str | None = None
    settings: tuple[tuple[str, str], ...] = ()
    unused: tuple[str, ...] = ()


def notes_in(blocks: tuple[Block, ...] | list[Block]) -> tuple[str, ...]:
    """Every note on ``blocks`` and on the blocks inside them, in order."""
    out: list[str] = []
    for block in blocks:
        out += block.notes
        match block:
            case BlockQuote():
                out += notes_in(block.blocks)
            case ItemList():
                for item in block.items:
                    out += notes_in(item)
    return tuple(out)


def flattened(blocks: tuple[Block, ...] | list[Block]) -> tuple[m.Inline, ...]:
    """The inline content of ``blocks`` run together on one line, a space between blocks,
    for a place that holds no blocks (a table cell, a footnote put in the text): links and
    emphasis kept, lists, quotes and tables inside read out in order."""
    out: list[m.Inline] = []

    def add(inlines: tuple[m.Inline, ...]) -> None:
        if inlines:
            out.extend(([m.Text(text=" ")] if out else []) + list(inlines))

    for block in blocks:
        match block:
            case Para() | Heading():
                add(block.inlines)
            case Preformatted():
                add((m.Text(text=block.text),))
            case BlockQuote():
                add(flattened(block.blocks))
            case ItemList():
                for item in block.items:
                    add(flattened(item))
            case Grid():
                for row in (block.header, *block.rows):
                    for cell in row:
                        add(cell)
            case Rule():
                pass
    return tuple(out)
