"""A readable, stable text dump of the book model, for golden files (markdown-it's fixture style)."""

from __future__ import annotations

import dataclasses
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
    out = []
    for node in nodes:
        if isinstance(node, m.Text):
            out.append(repr(node.text))
        elif isinstance(node, m.Emphasis):
            out.append(f"em({_inlines(node.children)})")
        elif isinstance(node, m.Strong):
            out.append(f"strong({_inlines(node.children)})")
        elif isinstance(node, m.Link):
            out.append(f"link({node.href!r}, {_inlines(node.children)})")
        elif isinstance(node, m.Code):
            out.append(f"code({node.text!r})")
        elif isinstance(node, m.LineBreak):
            out.append("br")
        elif isinstance(node, m.InlineImage):
            out.append(f"img({node.src!r}, alt={node.alt!r})")
        elif isinstance(node, m.Span):
            out.append(f"span({node.lang!r}, {_inlines(node.children)})")
        elif isinstance(node, m.FootnoteRef):
            out.append(f"fnref({node.label!r}, {node.number})")
    return " ".join(out)
