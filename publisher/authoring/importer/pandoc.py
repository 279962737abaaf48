"""Word (``.docx``), OpenDocument (``.odt``), HTML and Markdown → :class:`~.document.Document`
through pandoc's JSON syntax tree.

Why pandoc, through ``pypandoc-binary``: one converter reads all four formats into one tree,
so the mapping below is written once; its readers are the most complete there are (Word's
styles, lists, footnotes and quotes; LibreOffice's; HTML5), and the wheel ships the pandoc
binary itself, so ``pip install`` is the whole setup on Linux, macOS and Windows. mammoth
reads ``.docx`` alone, odfpy only gives the raw ODF tree. pypandoc is used for the path of
its binary only: pandoc is run here with a timeout and ``--sandbox`` (a document cannot make
it read other files or fetch anything), and its error becomes one line for the author.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

from publisher import model as m
from publisher.authoring.importer.document import (
    Block,
    BlockQuote,
    Document,
    Grid,
    Heading,
    ItemList,
    Para,
    Preformatted,
    Rule,
    flattened,
    notes_in,
)
from publisher.authoring.importer.webpage import main_content
from publisher.errors import BuildError, SourceError
from publisher.reader.source import MAX_SOURCE_BYTES, read_source
from publisher.text.plain import plain_text

FORMATS = {".md": "markdown-smart", ".docx": "docx", ".odt": "odt", ".html": "html", ".htm": "html"}
"""File suffix → pandoc's reader. Markdown without ``smart``: straight quotes and ``--``
stay as the author typed them."""
# A book converts in well under a second; a minute means pandoc is stuck on a hostile file.
TIMEOUT = 60.0
_QUOTES = {"DoubleQuote": ("“", "”"), "SingleQuote": ("‘", "’")}
# The metadata a book has too, by the reader's name for it: what the file says is kept (a
# Markdown file's front matter; a web page's <meta name="description"> and <html lang>).
# A word processor's other fields (its dates are the file's, not the book's) are not read.
_SETTINGS = {
    "markdown": {
        "description": "description",
        "date": "date",
        "language": "language",
        "lang": "language",
    },
    "html": {"description": "description", "lang": "language"},
}
_OWN = ("title", "subtitle", "author")

Json = Any  # pandoc's JSON tree: nested lists and dicts, as its API documents them


def read_with_pandoc(path: Path) -> Document:
    """The document at ``path`` (its suffix one of :data:`FORMATS`)."""
    reader = FORMATS[path.suffix.lower()]
    if reader.startswith(("markdown", "html")):
        text = read_source(path)  # UTF-8 checked here, with the line of a bad byte
        if reader == "html":
            text = main_content(text)
        tree = _pandoc(["-f", reader], text.encode("utf-8"), path)
    else:
        tree = _pandoc(["-f", reader], _binary(path), path)
    return _Converter().document(tree, reader.split("-")[0])


def _binary(path: Path) -> bytes:
    try:
        if not path.is_file():
            raise SourceError.at(str(path), None, "is not a regular file")
        if path.stat().st_size > MAX_SOURCE_BYTES:
            raise SourceError.at(str(path), None, "is too large to be an article or a book")
        return path.read_bytes()
    except OSError as e:
        raise SourceError.at(str(path), None, f"cannot read: {e.strerror or e}") from e


def _pandoc_path() -> str:
    try:
        import pypandoc

        return str(pypandoc.get_pandoc_path())
    except (ImportError, OSError) as e:
        raise BuildError(
            "reading this file needs pandoc: pip install pypandoc-binary "
            "(or install pandoc on the PATH)"
        ) from e


def _pandoc(args: list[str], data: bytes, path: Path) -> Json:
    command = [_pandoc_path(), "--sandbox", *args, "-t", "json"]
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as e:
        raise SourceError.at(str(path), None, "pandoc did not finish reading it") from e
    except OSError as e:
        raise BuildError(f"cannot run pandoc: {e}") from e
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no reason given"]
        kind = path.suffix.lower().lstrip(".")
        raise SourceError.at(str(path), None, f"is not a readable .{kind} file: {lines[-1]}")
    return json.loads(done.stdout)


class _Converter:
    """pandoc's blocks and inlines → the document's; footnotes numbered as they come."""

    def __init__(self) -> None:
        self.notes: list[str] = []  # about the block being converted

    def document(self, tree: Json, reader: str) -> Document:
        """The document pandoc's ``reader`` (``markdown``, ``docx``, …) read as ``tree``."""
        meta = tree.get("meta", {})
        known = _SETTINGS.get(reader, {})
        settings: dict[str, str] = {}
        for key, setting in known.items():
            value = _meta_text(meta.get(key))
            if value is not None:
                settings.setdefault(setting, value)
        # Only a Markdown file's front matter is the author's own: a web page's other
        # <meta> tags (viewport, generator) are the site's.
        own = reader == "markdown"
        unused = tuple(k for k in meta if own and k not in _OWN and k not in known)
        return Document(
            blocks=tuple(self.blocks(tree["blocks"])),
            title=_meta_text(meta.get("title")),
            subtitle=_meta_text(meta.get("subtitle")),
            author=_meta_text(meta.get("author")),
            settings=tuple(settings.items()),
            unused=unused,
        )

    def blocks(self, blocks: list[Json]) -> list[Block]:
        out: list[Block] = []
        for block in blocks:
            out.extend(self.block(block))
        return out

    def _noted(self, block: Block) -> Block:
        """``block`` with the notes its inlines raised."""
        notes, self.notes = tuple(self.notes), []
        if not notes:
            return block
        from dataclasses import replace

        return replace(block, notes=block.notes + notes)

    def block(self, block: Json) -> list[Block]:  # noqa: C901 - one case per pandoc block
        kind, c = block["t"], block.get("c")
        match kind:
            case "Para" | "Plain":
                return [self._noted(Para(inlines=self.inlines(c)))] if c else []
            case "LineBlock":
                lines = [self.inlines(line) for line in c]
                joined: list[m.Inline] = []
                for i, line in enumerate(lines):
                    joined.extend(([m.LineBreak()] if i else []) + list(line))
                return [self._noted(Para(inlines=tuple(joined)))]
            case "Header":
                return [self._noted(Heading(level=c[0], inlines=self.inlines(c[2])))]
            case "CodeBlock":
                return [Preformatted(text=c[1], language=_code_language(c[0][1]))]
            case "BlockQuote":
                return [BlockQuote(blocks=tuple(self.blocks(c)))]
            case "BulletList":
                return [ItemList(ordered=False, items=tuple(tuple(self.blocks(i)) for i in c))]
            case "OrderedList":
                items = tuple(tuple(self.blocks(i)) for i in c[1])
                return [ItemList(ordered=True, start=c[0][0], items=items)]
            case "DefinitionList":
                out: list[Block] = []
                for term, definitions in c:
                    out.append(self._noted(Para(inlines=(m.Strong(children=self.inlines(term)),))))
                    for definition in definitions:
                        out.extend(self.blocks(definition))
                return out
            case "HorizontalRule":
                return [Rule()]
            case "Table":
                return [self._noted(self.table(c))]
            case "Figure":
                return self.blocks(c[2])
            case "Div":
                return self.blocks(c[1])
        return []  # RawBlock: markup of another format, never passed through

    def table(self, c: Json) -> Grid:
        """A table's header and body rows; a cell's blocks become one line of text."""
        head_rows = [self.row(r) for r in c[3][1]]
        body_rows = [self.row(r) for body in c[4] for r in body[2] + body[3]]
        body_rows += [self.row(r) for r in c[5][1]]
        if head_rows:
            header, rows = head_rows[0], head_rows[1:] + body_rows
        else:
            width = max((len(r) for r in body_rows), default=0)
            header, rows = tuple(() for _ in range(width)), body_rows
        return Grid(header=header, rows=tuple(rows))

    def row(self, row: Json) -> tuple[tuple[m.Inline, ...], ...]:
        """A row's cells, each one line: what a cell holds (paragraphs, a list, a table
        inside it) read out in order, its notes given to the table."""
        return tuple(self._inside(cell[4]) for cell in row[1])

    def _inside(self, blocks: list[Json]) -> tuple[m.Inline, ...]:
        """Blocks inside an inline place (a table cell, a footnote) as one line; their notes
        go to the block that holds the place."""
        inner = self.blocks(blocks)
        self.notes.extend(notes_in(inner))
        return flattened(inner)

    def inlines(self, inlines: list[Json]) -> tuple[m.Inline, ...]:
        out: list[m.Inline] = []
        for inline in inlines:
            out.extend(self.inline(inline))
        return _merge_text(out)

    def inline(self, inline: Json) -> list[m.Inline]:
        kind, c = inline["t"], inline.get("c")
        match kind:
            case "Str":
                return [m.Text(text=c)]
            case "Space" | "SoftBreak":
                return [m.Text(text=" ")]
            case "LineBreak":
                return [m.LineBreak()]
            case "Emph":
                return [m.Emphasis(children=self.inlines(c))]
            case "Strong":
                return [m.Strong(children=self.inlines(c))]
            case "Underline" | "Strikeout" | "Superscript" | "Subscript" | "SmallCaps":
                return list(self.inlines(c))
            case "Quoted":
                opening, closing = _QUOTES[c[0]["t"]]
                return [m.Text(text=opening), *self.inlines(c[1]), m.Text(text=closing)]
            case "Cite":
                return list(self.inlines(c[1]))
            case "Code":
                return [m.Code(text=c[1])]
            case "Math":
                return [m.Text(text=c[1])]
            case "Link":
                return self.link(c)
            case "Image":
                alt = plain_text(self.inlines(c[1])).strip()
                self.notes.append(f"an image was left out here ({alt or c[2][0]}); add it by hand")
                return []
            case "Note":
                inner = self._inside(c)  # first: its own notes come before this one
                self.notes.append("a footnote was put in the text in [brackets]; check it")
                return [m.Text(text=" ["), *inner, m.Text(text="]")]
            case "Span":
                return list(self.inlines(c[1]))
        return []  # RawInline: markup of another format, never passed through

    def link(self, c: Json) -> list[m.Inline]:
        children, (href, title) = self.inlines(c[1]), c[2]
        if not href.strip() or href.strip() == "#":
            self.notes.append(
                f"the link '{plain_text(children).strip()}' lost its address; "
                "write it as [text](https://…)"
            )
            return list(children)
        return [m.Link(href=href, title=title or None, children=children)]


def _merge_text(inlines: list[m.Inline]) -> tuple[m.Inline, ...]:
    out: list[m.Inline] = []
    for inline in inlines:
        if isinstance(inline, m.Text) and out and isinstance(out[-1], m.Text):
            out[-1] = m.Text(text=out[-1].text + inline.text)
        else:
            out.append(inline)
    return tuple(out)


def _meta_text(value: Json) -> str | None:
    """A metadata field as one line of text (the first of a list, as of several authors)."""
    if not value:
        return None
    match value["t"]:
        case "MetaString":
            text = str(value["c"])
        case "MetaInlines":
            text = plain_text(_Converter().inlines(value["c"]))
        case "MetaBlocks":
            text = " ".join(
                plain_text(b.inlines)
                for b in _Converter().blocks(value["c"])
                if isinstance(b, Para)
            )
        case "MetaList":  # several authors: all of them, as one line
            names = [name for item in value["c"] if (name := _meta_text(item))]
            return ", ".join(names) or None
        case _:
            return None
    text = " ".join(text.split())
    return text or None


_CODE_LANGUAGE = re.compile(r"[A-Za-z][\w+#.-]{0,30}", re.ASCII)
"""A code language as a Markdown fence may name it (``python``, ``c++``, ``objective-c``)."""


def _code_language(classes: list[str]) -> str | None:
    """The language among a code block's classes: the first that reads as one, past the
    class pandoc gives every highlighted block (``sourceCode``) and HTML's ``language-``."""
    for name in classes:
        name = name.removeprefix("language-")
        if name != "sourceCode" and _CODE_LANGUAGE.fullmatch(name):
            return name
    return None
