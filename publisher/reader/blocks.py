"""markdown-it's syntax tree of one chapter → the model's blocks and inline nodes, each block
with its place in the source (an id, the path, its first and last line).

:class:`BlockReader` is the half of the parser that reads what is inside a chapter; the other
half (:mod:`publisher.reader.parse`) splits the book into chapters and footnotes.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypedDict

from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from publisher import model as m
from publisher.errors import Problem, SourceError
from publisher.i18n import is_language_tag, words_for
from publisher.model.config import MAX_PAUSE, Config
from publisher.model.slugs import slugify
from publisher.reader.block_voice import block_voice
from publisher.reader.heading_ids import RESERVED_ID, heading_id
from publisher.reader.trailing_attrs import META
from publisher.text.plain import plain_text

PROMPT_GLYPH = "💡"
_PROMPT_START = re.compile(r"^💡\ufe0f?(?:\{(?P<attrs>[^}]*)\})?[ \t]*")
_PROMPT_GLYPH = re.compile(r"^💡\ufe0f?[ \t]*")
_PAUSE_ATTR = re.compile(r"^\s*pause\s*=\s*(?P<value>\d+(?:\.\d+)?)\s*$")
# A paragraph that is only ``{pause=N}`` (or a mistyped attempt at one, which is an error).
_PAUSE_BLOCK = re.compile(r"^\{(?P<attrs>\s*pause\b[^}]*)\}$")


class Where(TypedDict):
    """The location fields every block has."""

    id: str
    path: str
    line: int
    end_line: int


@dataclass(kw_only=True)
class ChapterState:
    slug: str
    line: int = 0  # of the block being read, for messages about its inline content
    next_id: int = 0
    anchors: set[str] = field(default_factory=set)
    # The last suffix tried per anchor: thousands of equal headings stay linear, not quadratic.
    anchor_suffix: dict[str, int] = field(default_factory=dict)
    footnote_numbers: dict[int, int] = field(default_factory=dict)  # markdown-it id → number

    def block_id(self) -> str:
        self.next_id += 1
        return f"{self.slug}-{self.next_id}"


class BlockReader:
    """Reads blocks and inlines of one book's body (``offset`` lines after the file's start)."""

    def __init__(self, *, config: Config, path: str, offset: int) -> None:
        self.config = config
        self.path = path
        self.offset = offset
        self.warnings: list[Problem] = []
        self.example_word = config.example_word or words_for(config.language).example_word

    # -- blocks ------------------------------------------------------------------------------

    def _tree(self, tokens: Sequence[Token]) -> list[SyntaxTreeNode]:
        """The top-level nodes of a token list, nested (markdown-it's own tree).

        The footnote plugin can emit an unbalanced list for odd input (a footnote definition
        inside a quote inside a footnote definition): that is the author's line to fix, not a
        traceback.
        """
        try:
            return SyntaxTreeNode(tokens).children
        except ValueError as e:
            line = next((self._line(t) for t in tokens if t.map), self.offset + 1)
            raise SourceError.at(
                self.path, line, "markup here nests in a way the parser cannot follow"
            ) from e

    def _line(self, tok: Token | SyntaxTreeNode) -> int:
        return (tok.map[0] if tok.map else 0) + self.offset + 1

    def _end_line(self, tok: Token | SyntaxTreeNode) -> int:
        return (tok.map[1] if tok.map else 1) + self.offset

    def _where(self, node: SyntaxTreeNode, state: ChapterState) -> Where:
        state.line = self._line(node)
        return {
            "id": state.block_id(),
            "path": self.path,
            "line": self._line(node),
            "end_line": max(self._line(node), self._end_line(node)),
        }

    def _blocks(self, nodes: Sequence[SyntaxTreeNode], state: ChapterState) -> list[m.Block]:
        blocks: list[m.Block] = []
        for node in nodes:
            if node.type in ("fence", "code_block"):
                language = node.info.strip().split()[0] if node.info.strip() else None
                blocks.append(
                    m.CodeBlock(**self._where(node, state), text=node.content, language=language)
                )
            elif node.type == "hr":
                blocks.append(m.ThematicBreak(**self._where(node, state)))
            elif node.is_nested:
                block = self._container(node, state)
                if block is not None:
                    blocks.append(block)
        return blocks

    def _container(self, node: SyntaxTreeNode, state: ChapterState) -> m.Block | None:
        where = self._where(node, state)  # every container takes an id, in document order
        match node.type:
            case "heading":
                children = self.heading_inlines(node.children[0].children, node, state)
                given = self._id(node, chapter=False)
                if given is not None and given in state.anchors:
                    raise SourceError.at(
                        self.path, where["line"], f"heading id {{#{given}}} is already used"
                    )
                anchor = given or slugify(plain_text(children)) or "section"
                base, n = anchor, state.anchor_suffix.get(anchor, 1)
                anchor = base if n == 1 else f"{base}-{n}"
                while anchor in state.anchors or RESERVED_ID.match(anchor):
                    n += 1
                    anchor = f"{base}-{n}"
                state.anchors.add(anchor)
                state.anchor_suffix[base] = n
                return m.Heading(**where, level=int(node.tag[1]), anchor=anchor, children=children)
            case "paragraph":
                block = self._paragraph(node.children[0], where, state)
                found = node.meta.get(META)
                if found and isinstance(block, m.Paragraph | m.Prompt | m.Example):
                    voice = block_voice(found, self.path, where["line"])
                    block = dataclasses.replace(block, voice=voice)
                return block
            case "blockquote":
                return m.Quote(**where, blocks=tuple(self._blocks(node.children, state)))
            case "bullet_list" | "ordered_list":
                blocks = self._blocks(node.children, state)
                items = tuple(b for b in blocks if isinstance(b, m.ListItem))
                ordered = node.type == "ordered_list"
                start = int(node.attrs.get("start", 1)) if ordered else 1
                return m.ListBlock(**where, ordered=ordered, start=start, items=items)
            case "list_item":
                return m.ListItem(**where, blocks=tuple(self._blocks(node.children, state)))
            case "table":
                return self._table(node, where, state)
        return None

    def _paragraph(self, inline: SyntaxTreeNode, where: Where, state: ChapterState) -> m.Block:
        children = inline.children
        visible = [c for c in children if not (c.type == "text" and not c.content.strip())]
        if len(visible) == 1 and visible[0].type == "image":
            img = visible[0]
            alt = plain_text(self._inlines(img.children, state))
            return m.Image(
                **where,
                src=str(img.attrs.get("src", "")),
                alt=alt,
                title=_opt(img.attrs.get("title")),
            )
        first = children[0].token if children and children[0].type == "text" else None
        # The attribute lists are read from the source, where "\{pause=5}" is text the
        # author escaped (an imported text's braces are written so); the text token has
        # the backslash resolved already.
        source = inline.content
        if first is not None and len(children) == 1:
            block_pause = _PAUSE_BLOCK.match(source.strip())
            if block_pause is not None:
                seconds = self._pause(block_pause.group("attrs"), where["line"], "pause")
                assert seconds is not None
                return m.Pause(**where, seconds=seconds)
        if first is not None and first.content.startswith(PROMPT_GLYPH):
            written = _PROMPT_START.match(source)
            attrs = written.group("attrs") if written is not None else None
            match = (_PROMPT_START if attrs is not None else _PROMPT_GLYPH).match(first.content)
            assert match is not None
            pause = self._pause(attrs, where["line"], "prompt")
            first.content = first.content[match.end() :]
            return m.Prompt(**where, children=self._inlines(children, state), pause=pause)
        if first is not None:
            word = self.example_word
            if first.content[: len(word)].lower() == word.lower():
                label = first.content[: len(word)]
                first.content = first.content[len(word) :].lstrip()
                return m.Example(**where, label=label, children=self._inlines(children, state))
        return m.Paragraph(**where, children=self._inlines(children, state))

    def _pause(self, attrs: str | None, line: int, what: str) -> float | None:
        """The seconds of a ``{pause=N}`` (after a 💡, or a paragraph of its own), checked."""
        if attrs is None:
            return None
        match = _PAUSE_ATTR.match(attrs)
        if match is None:
            raise SourceError.at(
                self.path,
                line,
                f"{what} attributes {{{attrs}}} not understood; write {{pause=10}} (seconds)",
            )
        pause = float(match.group("value"))
        if pause > MAX_PAUSE:
            raise SourceError.at(
                self.path,
                line,
                f"pause={match.group('value')} is longer than {MAX_PAUSE:g} seconds",
            )
        return pause

    def _table(self, table: SyntaxTreeNode, where: Where, state: ChapterState) -> m.Table:
        rows: list[tuple[m.TableCell, ...]] = []
        header: tuple[m.TableCell, ...] = ()
        for section in table.children:  # thead, then tbody if the table has rows
            for row in section.children:
                cells = tuple(self._cell(cell, state) for cell in row.children)
                if section.type == "thead":
                    header = cells
                else:
                    rows.append(cells)
        return m.Table(**where, header=header, rows=tuple(rows))

    def _cell(self, cell: SyntaxTreeNode, state: ChapterState) -> m.TableCell:
        style = str(cell.attrs.get("style", ""))
        align = style.split(":", 1)[1] if style.startswith("text-align:") else None
        inline = cell.children[0].children if cell.children else []
        return m.TableCell(children=self._inlines(inline, state), align=align)

    # -- inlines -----------------------------------------------------------------------------

    def _inlines(
        self, nodes: Sequence[SyntaxTreeNode], state: ChapterState
    ) -> tuple[m.Inline, ...]:
        out: list[m.Inline] = []
        for node in nodes:
            match node.type:
                case "em":
                    out.append(m.Emphasis(children=self._inlines(node.children, state)))
                case "strong":
                    out.append(m.Strong(children=self._inlines(node.children, state)))
                case "link":
                    children = self._inlines(node.children, state)
                    href, title = str(node.attrs.get("href", "")), _opt(node.attrs.get("title"))
                    out.append(m.Link(href=href, title=title, children=children))
                case "text":
                    _append_text(out, node.content)
                case "softbreak":
                    _append_text(out, "\n")
                case "hardbreak":
                    out.append(m.LineBreak())
                case "code_inline":
                    out.append(m.Code(text=node.content))
                case "image":
                    alt = plain_text(self._inlines(node.children, state))
                    src, title = str(node.attrs.get("src", "")), _opt(node.attrs.get("title"))
                    out.append(m.InlineImage(src=src, alt=alt, title=title))
                case "footnote_ref":
                    fid = int(node.meta["id"])
                    number = state.footnote_numbers.setdefault(fid, len(state.footnote_numbers) + 1)
                    out.append(m.FootnoteRef(label=str(node.meta.get("label", fid)), number=number))
                case "span" if "insecure_attrs" in node.meta:
                    raise SourceError.at(
                        self.path, state.line, "span attributes not understood; write {lang=ru}"
                    )
                case "span" if "lang" in node.attrs:
                    lang = str(node.attrs["lang"])
                    if not is_language_tag(lang):
                        raise SourceError.at(
                            self.path,
                            state.line,
                            f"{{lang={lang}}} is not a language tag like 'ru' or 'el'",
                        )
                    children = self._inlines(node.children, state)
                    out.append(m.Span(lang=lang, children=children))
                case _ if node.is_nested:  # markup publisher has no node for: its content
                    out.extend(self._inlines(node.children, state))
        return tuple(out)

    def heading_inlines(
        self,
        children: Sequence[SyntaxTreeNode],
        heading: Token | SyntaxTreeNode,
        state: ChapterState,
    ) -> tuple[m.Inline, ...]:
        """The inline content of a heading (a chapter's title or a section's), which must
        have text: an empty one (``##`` alone, ``## {#id}``, ``## ![](x.png)``) would be an
        empty ``<title>`` and table-of-contents entry, which EPUBCheck refuses, and a
        heading a screen reader announces as nothing."""
        state.line = self._line(heading)  # a chapter's title is read before its blocks
        inlines = self._inlines(children, state)
        if not plain_text(inlines).strip():
            raise SourceError.at(
                self.path,
                self._line(heading),
                "heading has no text: write its title (an {#id} alone is no title)",
            )
        return inlines

    def _id(self, tok: Token | SyntaxTreeNode, *, chapter: bool) -> str | None:
        """The ``{#id}`` the author gave the heading ``tok``, checked."""
        found = tok.meta.get(META)
        return heading_id(found, self.path, self._line(tok), chapter=chapter) if found else None

    @staticmethod
    def _heading_text(tok: Token) -> str:
        return "".join(
            c.content for c in (tok.children or []) if c.type in ("text", "code_inline")
        ).strip()


def _append_text(out: list[m.Inline], text: str) -> None:
    if out and isinstance(out[-1], m.Text):
        out[-1] = m.Text(text=out[-1].text + text)
    else:
        out.append(m.Text(text=text))


def _opt(value: object) -> str | None:
    return str(value) if value else None
