"""Blocks → the Markdown that :mod:`publisher.reader.parse` reads back as the same blocks, with the
line of each note.

Hand-written rather than pandoc's Markdown writer: the notes need the line each block lands
on, and the dialect is publisher's own (a prompt is a paragraph starting with 💡, an example
one starting with the example word). Text is escaped only where CommonMark (or publisher's
``{…}``) would otherwise read markup, so the author's file stays readable, and holds no
character XML forbids (a NUL of a damaged file); ``tests/test_import_markdown.py`` checks
with generated text that every character comes back as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import assert_never

from publisher import model as m
from publisher.authoring.importer import document as d
from publisher.text.markup import xml_safe
from publisher.text.plain import plain_text

# Characters that are markup anywhere in a line: CommonMark's, and the "{" that opens
# publisher's attribute lists ({pause=5}, {voice=…}, {#id}), which in an imported text are
# text (the parser reads an escaped brace as text).
_INLINE = re.compile(r"([\\`*_\[\]<{])")
# An entity reference would be decoded: "&amp;" must stay as typed.
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# What starts a block at the beginning of a line (a heading, a quote, a list item, a break,
# a setext underline, a fence).
_LINE_START = re.compile(
    r"^(?:#{1,6}(?=\s|$)|>|[-+](?=\s|$)|(?P<num>\d{1,9})(?P<delim>[.)])(?=\s|$)|"
    r"=+\s*$|-+\s*$|~~~)"
)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, kw_only=True)
class Written:
    """Markdown lines and the notes about them: ``(line index, note)``, 0-based."""

    lines: list[str]
    notes: list[tuple[int, str]]


def write_blocks(blocks: tuple[d.Block, ...] | list[d.Block]) -> Written:
    """The blocks as Markdown, a blank line between each two."""
    lines: list[str] = []
    notes: list[tuple[int, str]] = []
    for block in blocks:
        if lines:
            lines.append("")
        done = write_block(block)
        notes.extend((len(lines) + at, note) for at, note in done.notes)
        lines.extend(done.lines)
    return Written(lines=lines, notes=notes)


def write_block(block: d.Block) -> Written:
    """One block as Markdown lines."""
    own = [(0, note) for note in block.notes]
    match block:
        case d.Heading():
            text = _line_start(inlines(block.inlines, one_line=True))
            run = len(text) - len(text.rstrip("#"))
            if run and not text[: len(text) - run].endswith("\\"):
                # else a trailing run of '#' is read as the heading's closing sequence
                text = text[: len(text) - run] + "\\" + text[len(text) - run :]
            return Written(lines=["#" * block.level + " " + text], notes=own)
        case d.Para():
            return Written(
                lines=[_line_start(line) for line in inlines(block.inlines).split("\n")], notes=own
            )
        case d.ItemList():
            return _list(block, own)
        case d.BlockQuote():
            inner = write_blocks(block.blocks)
            lines = [("> " + line).rstrip() for line in inner.lines]
            return Written(lines=lines, notes=own + inner.notes)
        case d.Preformatted():
            text = xml_safe(block.text)
            fence = "`" * max(3, _longest_run(text, "`") + 1)
            opening = fence + (block.language or "")
            return Written(lines=[opening, *text.rstrip("\n").split("\n"), fence], notes=own)
        case d.Rule():
            return Written(lines=["***"], notes=own)
        case d.Grid():
            return _table(block, own)
        case _:
            assert_never(block)


def _list(block: d.ItemList, own: list[tuple[int, str]]) -> Written:
    lines: list[str] = []
    notes = list(own)
    for n, item in enumerate(block.items, block.start):
        marker = f"{n}. " if block.ordered else "- "
        inner = write_blocks(item) if item else Written(lines=[""], notes=[])
        notes.extend((len(lines) + at, note) for at, note in inner.notes)
        for j, line in enumerate(inner.lines):
            lead = marker if j == 0 else " " * len(marker)
            lines.append((lead + line).rstrip() if line else "")
    return Written(lines=lines, notes=notes)


def _table(block: d.Grid, own: list[tuple[int, str]]) -> Written:
    def row(cells: tuple[tuple[m.Inline, ...], ...]) -> str:
        texts = [inlines(c, one_line=True).replace("|", "\\|") for c in cells]
        return "| " + " | ".join(texts) + " |"

    width = max([len(block.header), *(len(r) for r in block.rows)])
    header = block.header + ((),) * (width - len(block.header))
    rows = [row(header), "|" + "---|" * width]
    rows += [row(r + ((),) * (width - len(r))) for r in block.rows]
    return Written(lines=rows, notes=own)


def inlines(nodes: tuple[m.Inline, ...], *, one_line: bool = False) -> str:
    """Inline content as Markdown on one line; a hard break makes a new line, except where
    Markdown has no second line (``one_line``: a heading, a table cell), where it is a space
    (Word's Shift+Enter in a heading, a break in a cell)."""
    out: list[str] = []
    for node in nodes:
        match node:
            case m.Text():
                out.append(escape(_SPACE.sub(" ", xml_safe(node.text))))
            case m.Emphasis():
                out.append(_wrap("*", inlines(node.children, one_line=one_line)))
            case m.Strong():
                out.append(_wrap("**", inlines(node.children, one_line=one_line)))
            case m.Link():
                href = node.href.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")
                title = f' "{node.title}"' if node.title and '"' not in node.title else ""
                out.append(f"[{inlines(node.children, one_line=one_line)}](<{href}>{title})")
            case m.Code():
                node = m.Code(text=xml_safe(node.text))
                ticks = "`" * (_longest_run(node.text, "`") + 1)
                pad = " " if node.text.startswith("`") or node.text.endswith("`") else ""
                out.append(f"{ticks}{pad}{node.text}{pad}{ticks}")
            case m.LineBreak():
                out.append(" " if one_line else "\\\n")
            case m.InlineImage() | m.Span() | m.FootnoteRef():
                out.append(escape(plain_text((node,))))  # readers make none of these
            case _:
                assert_never(node)
    joined = "".join(out)
    return "\n".join(line.strip() for line in joined.split("\n"))


def escape(text: str) -> str:
    """Text with every character CommonMark would read as inline markup escaped."""
    return _ENTITY.sub("\\\\&", _INLINE.sub(r"\\\1", text))


def _wrap(mark: str, inner: str) -> str:
    """``inner`` emphasised; spaces at its edges go outside the marks, where CommonMark
    wants them, and empty emphasis is dropped."""
    core = inner.strip()
    if not core:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()) :]
    return f"{lead}{mark}{core}{mark}{trail}"


def _line_start(line: str) -> str:
    """``line`` with a backslash where its start would otherwise begin a block."""
    line = line.lstrip()
    found = _LINE_START.match(line)
    if found is None:
        return line
    if found.group("num") is not None:
        at = len(found.group("num"))
        return line[:at] + "\\" + line[at:]
    return "\\" + line


def _longest_run(text: str, char: str) -> int:
    runs = re.findall(f"{re.escape(char)}+", text)
    return max((len(r) for r in runs), default=0)
