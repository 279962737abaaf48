"""A readable, stable text dump of the book model, for golden files (markdown-it's fixture style)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from publisher import model as m


def dump_book(book: m.Book) -> str:
    """Chapters and their blocks, one node a line, indented by depth; config left out."""
    lines: list[str] = []
    for chapter in book.chapters:
        lines.append(
            f"Chapter #{chapter.number} slug={chapter.slug!r} lines={chapter.line}-{chapter.end_line}"
        )
        lines.append(f"  title: {_inlines(chapter.title)}")
        for block in chapter.blocks:
            _block(block, 1, lines)
        for note in chapter.footnotes:
            _block(note, 1, lines)
    return "\n".join(lines) + "\n"


def _block(block: Any, depth: int, lines: list[str]) -> None:
    pad = "  " * depth
    name = type(block).__name__
    extra = []
    for f in dataclasses.fields(block):
        if f.name in (
            "id",
            "path",
            "line",
            "end_line",
            "children",
            "blocks",
            "items",
            "header",
            "rows",
        ):
            continue
        if f.name == "voice" and getattr(block, f.name) is None:
            continue  # a voice is rare: the dumps of blocks without one stay as they were
        extra.append(f"{f.name}={getattr(block, f.name)!r}")
    where = f"{block.line}-{block.end_line}"
    lines.append(f"{pad}{name} [{where}] {block.id} {' '.join(extra)}".rstrip())
    if hasattr(block, "children"):
        lines.append(f"{pad}  {_inlines(block.children)}")
    if isinstance(block, m.Table):
        lines.append(f"{pad}  header: {' | '.join(_cell(c) for c in block.header)}")
        for row in block.rows:
            lines.append(f"{pad}  row: {' | '.join(_cell(c) for c in row)}")
    for child in getattr(block, "blocks", ()) or getattr(block, "items", ()):
        _block(child, depth + 1, lines)


def _cell(cell: m.TableCell) -> str:
    return f"{_inlines(cell.children)}@{cell.align}"


def _inlines(nodes: tuple[m.Inline, ...]) -> str:
    # A KeyError for an inline type left out below: a new one fails here instead of
    # vanishing from the dumps.
    return " ".join(_INLINE[type(node)](node) for node in nodes)


_INLINE: dict[type, Callable[[Any], str]] = {
    m.Text: lambda node: repr(node.text),
    m.Emphasis: lambda node: f"em({_inlines(node.children)})",
    m.Strong: lambda node: f"strong({_inlines(node.children)})",
    m.Link: lambda node: f"link({node.href!r}, {_inlines(node.children)})",
    m.Code: lambda node: f"code({node.text!r})",
    m.LineBreak: lambda node: "br",
    m.InlineImage: lambda node: f"img({node.src!r}, alt={node.alt!r})",
    m.Span: lambda node: f"span({node.lang!r}, {_inlines(node.children)})",
    m.FootnoteRef: lambda node: f"fnref({node.label!r}, {node.number})",
}
