"""Markdown with YAML front matter → :class:`~publisher.model.Book`, once.

CommonMark (markdown-it-py) plus tables and footnotes. Raw HTML is off: it stays text and is
escaped by every renderer, so no markup or script of the source reaches a reader.
"""

from __future__ import annotations

import dataclasses
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.footnote import footnote_plugin

from publisher import model as m
from publisher.errors import Problem, SourceError
from publisher.i18n import words_for
from publisher.model.config import MAX_PAUSE, Config
from publisher.model.slugs import chapter_slugs, slugify
from publisher.reader.block_voice import block_voice
from publisher.reader.config import is_language_tag, load_config
from publisher.reader.heading_ids import RESERVED_ID, heading_id
from publisher.reader.trailing_attrs import META, WARNINGS, attribute_lists_plugin
from publisher.text.plain import plain_text

PROMPT_GLYPH = "💡"
_PROMPT_START = re.compile(r"^💡\ufe0f?(?:\{(?P<attrs>[^}]*)\})?[ \t]*")
_PAUSE_ATTR = re.compile(r"^\s*pause\s*=\s*(?P<value>\d+(?:\.\d+)?)\s*$")
# A paragraph that is only ``{pause=N}`` (or a mistyped attempt at one, which is an error).
_PAUSE_BLOCK = re.compile(r"^\{(?P<attrs>\s*pause\b[^}]*)\}$")
# Emphasis, links and images inside each other: real prose needs a handful of levels; every
# stage after the parse walks them recursively, so a bound keeps a hostile file from crashing
# it with a RecursionError.
MAX_INLINE_DEPTH = 50
# A book is text: 20 MB is several times the longest novel, and a bound keeps a mistaken
# SOURCE (a video, a disk image) from filling memory.
MAX_SOURCE_BYTES = 20 * 1024 * 1024


def markdown() -> MarkdownIt:
    """The one Markdown dialect publisher reads."""
    return (
        MarkdownIt("commonmark", {"html": False, "xhtml_out": True})
        .enable("table")
        .use(footnote_plugin)
        # ``[Привет]{lang=ru}`` only: no attributes after code, links or images, where
        # ordinary braces in the text would silently vanish.
        .use(attrs_plugin, spans=True, after=(), allowed=("lang",))
        .use(attribute_lists_plugin)
    )


@dataclass(frozen=True, kw_only=True)
class Parsed:
    """A parsed book and the warnings found on the way."""

    book: m.Book
    warnings: tuple[Problem, ...] = ()


def split_front_matter(text: str, path: str) -> tuple[str, str, int]:
    """``(yaml, body, body_offset)``: the front matter between ``---`` lines and the rest.

    ``body_offset`` is how many lines come before the body, to turn body lines into file lines.
    Lines end at ``\n`` only (after :func:`normalise_newlines`), as markdown-it counts them:
    ``str.splitlines`` would also break at form feeds and U+2028 and shift every later line.
    """
    lines = text.split("\n")
    lines = [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    if not lines or lines[0].strip() != "---":
        raise SourceError.at(
            path, 1, "the book must start with YAML front matter between '---' lines"
        )
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "".join(lines[1:i]), "".join(lines[i + 1 :]), i + 1
    raise SourceError.at(path, 1, "the front matter that starts here has no closing '---' line")


def read_source(path: Path) -> str:
    """The file's text, newlines normalised; bad encoding is an error, never silently dropped.

    Only a regular file of at most :data:`MAX_SOURCE_BYTES` is read: a FIFO or a device would
    block or never end.
    """
    try:
        info = path.stat()  # before opening: opening a FIFO for reading blocks
        if not stat.S_ISREG(info.st_mode):
            raise SourceError.at(str(path), None, "is not a regular file")
        if info.st_size > MAX_SOURCE_BYTES:
            limit = MAX_SOURCE_BYTES // (1024 * 1024)
            raise SourceError.at(str(path), None, f"is larger than {limit} MB; is it the book?")
        data = path.read_bytes()
    except OSError as e:
        raise SourceError.at(str(path), None, f"cannot read: {e.strerror or e}") from e
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise SourceError.at(
            str(path), line, f"is not valid UTF-8 (byte 0x{data[e.start]:02X}); save it as UTF-8"
        ) from e
    return normalise_newlines(text)


def normalise_newlines(text: str) -> str:
    """``text`` with CRLF and lone CR turned into LF, as markdown-it reads them."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_file(path: Path) -> Parsed:
    """Parse the Markdown book at ``path``."""
    return parse_text(read_source(path), str(path), root=str(path.parent))


def parse_text(text: str, path: str, root: str = ".") -> Parsed:
    """Parse a whole book given as text; ``path`` is used in messages and block locations."""
    front, body, offset = split_front_matter(normalise_newlines(text), path)
    config, warnings = load_config(front, path, first_line=2)
    parser = _Parser(config=config, path=path, offset=offset)
    env: dict[str, list[tuple[int, str]]] = {}
    tokens = markdown().parse(body, env)
    warnings += [
        Problem(path=path, line=line + offset + 1, severity="warning", message=message)
        for line, message in env.get(WARNINGS, [])
    ]
    _check_depth(tokens, path, offset)
    chapters = parser.chapters(tokens)
    lexicon = None
    if config.narration.pls is not None:
        from publisher.reader import pls  # lxml only for a book that has a lexicon file

        line = config.line_of("narration.pls") or 1
        lexicon, found = pls.load(Path(root), config.narration.pls, path, line)
        warnings += found
    book = m.Book(
        config=config, chapters=tuple(chapters), source=path, root=root, pronunciation=lexicon
    )
    return Parsed(book=book, warnings=tuple(warnings + parser.warnings))


def _check_depth(tokens: Sequence[Token], path: str, offset: int) -> None:
    """Refuse inline markup nested deeper than :data:`MAX_INLINE_DEPTH`, at its line."""
    for tok in tokens:
        if tok.type == "inline" and tok.children:
            depth = max(child.level for child in tok.children)
            if depth > MAX_INLINE_DEPTH:
                line = (tok.map[0] if tok.map else 0) + offset + 1
                raise SourceError.at(
                    path,
                    line,
                    f"emphasis, links and images nest {depth} levels deep here; "
                    f"at most {MAX_INLINE_DEPTH} are allowed",
                )


class _Where(TypedDict):
    """The location fields every block has."""

    id: str
    path: str
    line: int
    end_line: int


@dataclass(kw_only=True)
class _ChapterState:
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


class _Parser:
    def __init__(self, *, config: Config, path: str, offset: int) -> None:
        self.config = config
        self.path = path
        self.offset = offset
        self.warnings: list[Problem] = []
        self.example_word = config.example_word or words_for(config.language).example_word
        self.footnote_tokens: dict[int, list[Token]] = {}
        self.footnote_labels: dict[int, str] = {}

    # -- splitting into chapters -----------------------------------------------------------

    def chapters(self, tokens: list[Token]) -> list[m.Chapter]:
        tokens = self._take_footnotes(tokens)
        level = self.config.chapter_level or self._default_level(tokens)
        groups: list[tuple[Token | None, Token | None, list[Token]]] = [(None, None, [])]
        title_heading: Token | None = None
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.type == "heading_open" and tok.level == 0:
                hlevel = int(tok.tag[1])
                if hlevel < level and title_heading is None and not any(g[2] for g in groups):
                    title_heading = tokens[i + 1]  # the book's title: not a chapter of its own
                    i += 3
                    continue
                if hlevel <= level:
                    groups.append((tok, tokens[i + 1], []))
                    i += 3
                    continue
            groups[-1][2].append(tok)
            i += 1
        opening = groups.pop(0)
        if opening[2]:
            groups.insert(0, (None, title_heading, opening[2]))
        titles = [
            self._heading_text(g[1]) if g[1] is not None else self.config.title for g in groups
        ]
        fixed = [self._id(g[0], chapter=True) if g[0] is not None else None for g in groups]
        seen: dict[str, int] = {}
        for (open_tok, _, _), given in zip(groups, fixed, strict=True):
            if given is not None and open_tok is not None:
                if given in seen:
                    raise SourceError.at(
                        self.path,
                        self._line(open_tok),
                        f"heading id {{#{given}}} is already used on line {seen[given]}",
                    )
                seen[given] = self._line(open_tok)
        word = words_for(self.config.language).chapter
        slugs = [s.slug for s in chapter_slugs(titles, word, fixed)]
        chapters = []
        for number, ((open_tok, inline_tok, body), slug) in enumerate(
            zip(groups, slugs, strict=True), 1
        ):
            state = _ChapterState(slug=slug)
            title = (
                self._inlines(self._tree(inline_tok.children or []), state)
                if inline_tok
                else (m.Text(text=self.config.title),)
            )
            blocks = self._blocks(self._tree(body), state)
            footnotes = self._footnotes(state)
            start = open_tok if open_tok is not None else (body[0] if body else None)
            line = self._line(start) if start is not None else 1
            end_line = max((b.end_line for b in blocks), default=line)
            chapters.append(
                m.Chapter(
                    slug=slug,
                    title=title,
                    number=number,
                    path=self.path,
                    line=line,
                    end_line=end_line,
                    blocks=tuple(blocks),
                    footnotes=tuple(footnotes),
                    title_text=plain_text(title).strip(),
                )
            )
        if not chapters:
            raise SourceError.at(self.path, self.offset + 1, "the book has no text")
        return chapters

    def _default_level(self, tokens: list[Token]) -> int:
        """The level below a single leading title (H1), else the highest level used."""
        levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open" and t.level == 0]
        if not levels:
            return 1
        top = min(levels)
        if levels[0] == top and levels.count(top) == 1 and len(levels) > 1:
            return min(lv for lv in levels[1:])
        return top

    def _take_footnotes(self, tokens: list[Token]) -> list[Token]:
        """Remove the footnote block markdown-it appends; remember each definition's tokens."""
        out: list[Token] = []
        current: int | None = None
        inside = False
        for tok in tokens:
            if tok.type == "footnote_block_open":
                inside = True
            elif tok.type == "footnote_block_close":
                inside = False
            elif tok.type == "footnote_open":
                current = int(tok.meta["id"])
                self.footnote_tokens[current] = []
                self.footnote_labels[current] = str(tok.meta.get("label", current))
            elif tok.type == "footnote_close":
                current = None
            elif inside and current is not None:
                if tok.type == "footnote_anchor":
                    continue
                if tok.type == "inline" and tok.children:
                    tok.children = [c for c in tok.children if c.type != "footnote_anchor"]
                self.footnote_tokens[current].append(tok)
            elif not inside:
                out.append(tok)
        return out

    def _footnotes(self, state: _ChapterState) -> list[m.Footnote]:
        out: list[m.Footnote] = []
        done: set[int] = set()
        # A footnote may refer to another; keep numbering until no new ones appear.
        while True:
            pending = [(fid, n) for fid, n in state.footnote_numbers.items() if fid not in done]
            if not pending:
                break
            for fid, number in sorted(pending, key=lambda p: p[1]):
                done.add(fid)
                note_id = state.block_id()
                toks = self.footnote_tokens.get(fid, [])
                blocks = self._blocks(self._tree(toks), state)
                line = blocks[0].line if blocks else 1
                out.append(
                    m.Footnote(
                        id=note_id,
                        path=self.path,
                        line=line,
                        end_line=max((b.end_line for b in blocks), default=line),
                        label=self.footnote_labels.get(fid, str(fid)),
                        number=number,
                        blocks=tuple(blocks),
                    )
                )
        return sorted(out, key=lambda f: f.number)

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

    def _where(self, node: SyntaxTreeNode, state: _ChapterState) -> _Where:
        state.line = self._line(node)
        return {
            "id": state.block_id(),
            "path": self.path,
            "line": self._line(node),
            "end_line": max(self._line(node), self._end_line(node)),
        }

    def _blocks(self, nodes: Sequence[SyntaxTreeNode], state: _ChapterState) -> list[m.Block]:
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

    def _container(self, node: SyntaxTreeNode, state: _ChapterState) -> m.Block | None:
        where = self._where(node, state)  # every container takes an id, in document order
        match node.type:
            case "heading":
                children = self._inlines(node.children[0].children, state)
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

    def _paragraph(self, inline: SyntaxTreeNode, where: _Where, state: _ChapterState) -> m.Block:
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
        if first is not None and len(children) == 1:
            block_pause = _PAUSE_BLOCK.match(first.content.strip())
            if block_pause is not None:
                seconds = self._pause(block_pause.group("attrs"), where["line"], "pause")
                assert seconds is not None
                return m.Pause(**where, seconds=seconds)
        if first is not None and first.content.startswith(PROMPT_GLYPH):
            match = _PROMPT_START.match(first.content)
            assert match is not None
            pause = self._pause(match.group("attrs"), where["line"], "prompt")
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

    def _table(self, table: SyntaxTreeNode, where: _Where, state: _ChapterState) -> m.Table:
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

    def _cell(self, cell: SyntaxTreeNode, state: _ChapterState) -> m.TableCell:
        style = str(cell.attrs.get("style", ""))
        align = style.split(":", 1)[1] if style.startswith("text-align:") else None
        inline = cell.children[0].children if cell.children else []
        return m.TableCell(children=self._inlines(inline, state), align=align)

    # -- inlines -----------------------------------------------------------------------------

    def _inlines(
        self, nodes: Sequence[SyntaxTreeNode], state: _ChapterState
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
