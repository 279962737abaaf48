"""The book model: frozen data, built once by :mod:`publisher.reader.parse`, read by every target.

``Book → Chapter → Block``, with inline content as a small tree. Every block records where
it came from (``path``, ``line``, ``end_line``: 1-based, inclusive), so any later stage can
report ``book.md:42: …``. Deeper headings stay in their chapter's block list as
:class:`Heading` blocks; :meth:`Chapter.sections` groups them for a table of contents.
Transforms build new objects with :func:`dataclasses.replace`; nothing here mutates.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from publisher.model.slugs import slugify

if TYPE_CHECKING:
    from publisher.model.config import Config
    from publisher.model.lexicon import PronunciationLexicon


# --- inline content -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Text:
    """Plain text."""

    text: str


@dataclass(frozen=True, kw_only=True)
class Emphasis:
    """Emphasised text (``*x*``)."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, kw_only=True)
class Strong:
    """Strongly emphasised text (``**x**``)."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, kw_only=True)
class Link:
    """A hyperlink; its target is shown in the EPUB and never read aloud."""

    href: str
    title: str | None = None
    children: tuple[Inline, ...]


@dataclass(frozen=True, kw_only=True)
class Code:
    """Inline code."""

    text: str


@dataclass(frozen=True, kw_only=True)
class LineBreak:
    """A hard line break."""


@dataclass(frozen=True, kw_only=True)
class InlineImage:
    """An image inside running text (an image alone in a paragraph is an :class:`Image`)."""

    src: str
    alt: str
    title: str | None = None


@dataclass(frozen=True, kw_only=True)
class Span:
    """Text the author marked as another language (``[Привет]{lang=ru}``): the EPUB gives it
    ``lang``/``xml:lang``, the narration a voice for that language."""

    lang: str  # a BCP 47 tag
    children: tuple[Inline, ...]


@dataclass(frozen=True, kw_only=True)
class FootnoteRef:
    """A reference to a footnote; ``number`` is its 1-based place in the chapter."""

    label: str
    number: int


Inline = Union[  # noqa: UP007
    Text, Emphasis, Strong, Link, Code, LineBreak, InlineImage, Span, FootnoteRef
]


# --- blocks ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Node:
    """Where a block came from. ``id`` is unique in the book and stable across rebuilds of
    the same source (it is the chapter slug and the block's place in its chapter)."""

    id: str
    path: str
    line: int
    end_line: int


@dataclass(frozen=True, kw_only=True)
class Heading(Node):
    """A heading inside a chapter (the chapter's own title is :attr:`Chapter.title`)."""

    level: int
    anchor: str  # unique within the chapter's document
    children: tuple[Inline, ...]


@dataclass(frozen=True, kw_only=True)
class Paragraph(Node):
    """An ordinary paragraph. ``voice`` is the voice profile a trailing ``{voice=name}``
    asked for (``None``: the book's, or its role's)."""

    children: tuple[Inline, ...]
    voice: str | None = None


@dataclass(frozen=True, kw_only=True)
class Prompt(Node):
    """A reflection prompt: a paragraph that began with 💡 (the glyph is not kept).

    ``pause`` is the seconds of silence after it in the narration, when ``💡{pause=N}`` set
    it; ``None`` means the book's default.
    """

    children: tuple[Inline, ...]
    pause: float | None = None
    voice: str | None = None  # as for a Paragraph


@dataclass(frozen=True, kw_only=True)
class Example(Node):
    """An example: a paragraph that began with the language's example word ("Voorbeeld:").

    ``label`` is that word as the author wrote it; ``children`` is the rest.
    """

    label: str
    children: tuple[Inline, ...]
    voice: str | None = None  # as for a Paragraph


@dataclass(frozen=True, kw_only=True)
class Quote(Node):
    """A block quotation."""

    blocks: tuple[Block, ...]


@dataclass(frozen=True, kw_only=True)
class ListItem(Node):
    """One item of a list."""

    blocks: tuple[Block, ...]


@dataclass(frozen=True, kw_only=True)
class ListBlock(Node):
    """A bulleted or numbered list."""

    ordered: bool
    start: int = 1
    items: tuple[ListItem, ...]


@dataclass(frozen=True, kw_only=True)
class CodeBlock(Node):
    """Preformatted code."""

    text: str
    language: str | None = None


@dataclass(frozen=True, kw_only=True)
class ThematicBreak(Node):
    """A scene break (``---``)."""


@dataclass(frozen=True, kw_only=True)
class Pause(Node):
    """A pause the author asked for anywhere: a paragraph holding only ``{pause=N}``.

    Heard, not seen: the narration holds ``seconds`` of pause there (with the book's pause
    sound); the EPUB and the website's text show nothing, the website's transcript says
    "pause, N s".
    """

    seconds: float


@dataclass(frozen=True, kw_only=True)
class Image(Node):
    """An image standing alone in its paragraph; ``src`` is relative to the source file."""

    src: str
    alt: str
    title: str | None = None


@dataclass(frozen=True, kw_only=True)
class TableCell:
    """One cell; ``align`` is "left", "center", "right" or None."""

    children: tuple[Inline, ...]
    align: str | None = None


@dataclass(frozen=True, kw_only=True)
class Table(Node):
    """A table with one header row."""

    header: tuple[TableCell, ...]
    rows: tuple[tuple[TableCell, ...], ...]


@dataclass(frozen=True, kw_only=True)
class Footnote(Node):
    """A footnote's text; ``number`` matches its :class:`FootnoteRef`."""

    label: str
    number: int
    blocks: tuple[Block, ...]


Block = Union[  # noqa: UP007
    Heading,
    Paragraph,
    Prompt,
    Example,
    Quote,
    ListBlock,
    ListItem,
    CodeBlock,
    ThematicBreak,
    Pause,
    Image,
    Table,
    Footnote,
]


def walk(blocks: tuple[Block, ...]) -> Iterator[Block]:
    """Every block in reading order, containers before their contents."""
    for block in blocks:
        yield block
        if isinstance(block, Quote | ListItem | Footnote):
            yield from walk(block.blocks)
        elif isinstance(block, ListBlock):
            yield from walk(block.items)


# --- chapters and the book ------------------------------------------------------------------


def blocks_of(chapter: Chapter) -> Iterator[Block]:
    """Every block of ``chapter``, its footnotes' included, in reading order."""
    return walk((*chapter.blocks, *chapter.footnotes))


def inlines_of(block: Block) -> Iterator[Inline]:
    """Every inline of ``block`` itself (not of the blocks inside it), nested ones too."""
    if isinstance(block, Table):
        cells = (*block.header, *(c for row in block.rows for c in row))
        return _nested([i for c in cells for i in c.children])
    return _nested(list(getattr(block, "children", ())))


def placed_inlines(chapter: Chapter) -> Iterator[tuple[Chapter | Block, Inline]]:
    """Every inline of ``chapter``, nested ones too, with where it was written: the chapter
    for its title's (a title can hold an image or a link), else its block."""
    for node in _nested(list(chapter.title)):
        yield chapter, node
    for block in blocks_of(chapter):
        for node in inlines_of(block):
            yield block, node


def _nested(stack: list[Inline]) -> Iterator[Inline]:
    stack.reverse()
    while stack:  # by hand: no recursion, however deep the emphasis nests
        node = stack.pop()
        yield node
        stack.extend(reversed(getattr(node, "children", ())))


@dataclass(frozen=True, kw_only=True)
class Section:
    """A heading inside a chapter with its subsections, for tables of contents."""

    heading: Heading
    children: tuple[Section, ...]


@dataclass(frozen=True, kw_only=True)
class Chapter:
    """One chapter: one XHTML document, one MP3, one podcast episode.

    ``slug`` is unique in the book and derived from the title alone, so it survives edits
    of the text and chapters inserted before it.
    """

    slug: str
    title: tuple[Inline, ...]
    number: int  # 1-based reading order
    path: str
    line: int
    end_line: int
    blocks: tuple[Block, ...]
    footnotes: tuple[Footnote, ...] = ()
    # The title as plain text (:func:`publisher.text.plain_text`), made by the reader: the
    # model is data, and the one plain-text walker lives in the text module, above it.
    title_text: str

    def sections(self) -> tuple[Section, ...]:
        """The chapter's headings nested by level."""
        headings = [b for b in self.blocks if isinstance(b, Heading)]

        def build(i: int, level: int) -> tuple[list[Section], int]:
            out: list[Section] = []
            while i < len(headings) and headings[i].level >= level:
                heading = headings[i]
                children, i = build(i + 1, heading.level + 1)
                out.append(Section(heading=heading, children=tuple(children)))
            return out, i

        top = min((h.level for h in headings), default=0)
        return tuple(build(0, top)[0])


@dataclass(frozen=True, kw_only=True)
class Book:
    """The whole book: its configuration (from the front matter) and its chapters."""

    config: Config
    chapters: tuple[Chapter, ...]
    source: str  # path of the Markdown file
    root: str  # folder that relative image and cover paths are resolved against
    pronunciation: PronunciationLexicon | None = None  # narration.pls, read

    @property
    def slug(self) -> str:
        """The book's file name stem (``build/epub/<slug>.epub``)."""
        return slugify(self.config.title) or "book"
