"""The book's content (blocks and inline nodes) as XHTML, for every output that shows it.

The EPUB's chapters and the podcast episodes' show notes both write through
:class:`XhtmlWriter`; a :class:`Style` says what differs between outputs (how images and
in-book links resolve, whether footnote marks are kept, how plain the markup must be).
Every node type is handled in a ``match`` that ends in ``assert_never``, so a new block or
inline type fails the type check until each output has decided how to show it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import assert_never

from publisher import model as m
from publisher.errors import Problem
from publisher.i18n import Words
from publisher.text.markup import attr, esc, safe_href, unsafe_link
from publisher.text.plain import plain_text
from publisher.text.spans import Narration, spoken_text
from publisher.text.spoken import SpokenMarks
from publisher.text.spoken import sentence_id as sentence_id  # where the overlay asks for it

ImageHref = Callable[[str, str, int], str]
"""Resolves an image ``src`` of the block at ``path:line`` to the href the output uses (and
may copy the file into the output on the way)."""

FOOTNOTES_ID = "footnotes_title"
"""Id of the footnotes section's heading; the underscore keeps it apart from heading anchors,
which are slugs of ``[a-z0-9-]`` only."""


def _everything(block: m.Block) -> bool:
    return True


def heading_levels(blocks: tuple[m.Block, ...], top: int = 2) -> dict[str, int]:
    """The ``<hN>`` level of every heading in ``blocks``, by block id.

    The first heading level below the document's ``<h1>`` becomes ``top`` and every heading
    is at most one deeper than the one it falls under, so a jump in the source (``##``
    straight to ``####``) does not leave a gap that screen-reader users would take for
    missing content.
    """
    levels: dict[str, int] = {}
    open_levels: list[int] = []
    for block in m.walk(blocks):
        if isinstance(block, m.Heading):
            while open_levels and open_levels[-1] >= block.level:
                open_levels.pop()
            open_levels.append(block.level)
            levels[block.id] = min(6, top + len(open_levels) - 1)
    return levels


@dataclass(frozen=True, kw_only=True)
class Style:
    """How content becomes XHTML in one output."""

    words: Words | None = None
    """Names of prompts and examples: a prompt starts with its name as visible text; None
    writes prompts and examples as plain paragraphs with no name added."""
    asides: bool = True
    """Prompts and examples as ``aside`` elements named by their label; False writes them as
    paragraphs that start with it in bold (podcast apps drop asides and ARIA)."""
    image_href: ImageHref | None = None
    """Where images are; None shows each image by its description (alt text) instead."""
    anchors: Mapping[str, str] | None = None
    """In-book links: ``#fragment`` → href of the heading it names; None keeps their text only."""
    footnote_refs: bool = True
    """Footnote marks as links to the notes; False leaves them out (the notes are elsewhere)."""
    details: bool = True
    """Code blocks' language classes and link titles."""
    newline: str = "\n"
    """Written after each element and hard line break: one per line, or ``""`` compact."""
    keep: Callable[[m.Block], bool] = _everything
    """Which blocks inside a list or quotation are shown at all."""
    narration: Narration | None = None
    """What the narration says: each sentence said becomes a ``<span>`` with an id (see
    :func:`sentence_id`), and lists, tables, rows, figures and prompts get ids, so a
    media overlay can point at them; None writes none of these ids."""


def label_id(block: str) -> str:
    """Id of the visible label of prompt ``block`` (its aside is named by it, and the
    read-along EPUB highlights it while the narrator says the lead-in)."""
    return f"l_{block}"


def element_id(block: str, row: int | None = None) -> str:
    """Id of the element written for ``block`` (a list, table, figure or prompt), or of one
    of a table's body rows (from 1)."""
    return f"b_{block}" if row is None else f"b_{block}_{row}"


@dataclass(kw_only=True)
class XhtmlWriter(SpokenMarks):
    """Writes the content of one document; holds its state (footnote back-links, the line
    being written for messages, the sentences and words marked for a media overlay: see
    :class:`~publisher.text.spoken.SpokenMarks`)."""

    style: Style
    path: str  # the source file, for messages
    line: int = 0  # line of the block being written, for messages about inline content
    levels: Mapping[str, int] = field(default_factory=dict)  # heading block id → <hN> level
    warn: Callable[[Problem], None] = lambda problem: None
    refs: dict[int, list[str]] = field(default_factory=dict)  # footnote number → ref ids
    marked: list[str] = field(default_factory=list)  # sentence span ids written, in order
    _said: dict[str, int] = field(default_factory=dict)  # block id → sentences marked so far
    _owner: str | None = None  # the list item whose paragraphs are being written
    _in_link: bool = False  # writing a link's text: a link inside it is written as text
    # Words to mark inside the text nodes being written (start → (end, id), in the text of
    # the inline content being written) and where in that text the next node starts.
    _inside: dict[int, tuple[int, str]] = field(default_factory=dict)
    _cursor: int = 0

    # -- blocks ----------------------------------------------------------------------------

    def blocks(self, blocks: Iterable[m.Block]) -> str:
        """Each block's XHTML in order, leaving out those the style does not keep."""
        return "".join(self.block(b) for b in blocks if self.style.keep(b))

    def block(self, block: m.Block) -> str:
        """One block's XHTML."""
        self.line = block.line
        nl = self.style.newline
        match block:
            case m.Heading():
                level = self.levels.get(block.id, 2)
                inner = self.said_whole(block.id, block.children)
                return f'<h{level} id="{attr(block.anchor)}">{inner}</h{level}>{nl}'
            case m.Paragraph() | m.Prompt() | m.Example():
                return self.paragraph(block)
            case m.Quote():
                return f"<blockquote>{nl}{self.blocks(block.blocks)}</blockquote>{nl}"
            case m.ListBlock():
                start = f' start="{block.start}"' if block.ordered and block.start != 1 else ""
                tag = "ol" if block.ordered else "ul"
                return (
                    f"<{tag}{start}{self._id(block.id)}>{nl}{self.blocks(block.items)}</{tag}>{nl}"
                )
            case m.ListItem():
                return f"<li>{self.item_blocks(block)}</li>{nl}"
            case m.CodeBlock():
                language = re.sub(r"[^A-Za-z0-9_+-]", "", block.language or "")
                cls = f' class="language-{language}"' if language and self.style.details else ""
                return f"<pre><code{cls}>{esc(block.text)}</code></pre>{nl}"
            case m.ThematicBreak():
                return f"<hr/>{nl}"
            case m.Pause():
                # Heard, not seen: a marker on the page would be read out by screen readers
                # as noise, and a reader pauses where they like.
                return ""
            case m.Image():
                return self.image(block)
            case m.Table():
                return self.table(block)
            case m.Footnote():  # its number and back-links: see footnotes()
                return self.blocks(block.blocks)
            case _:
                assert_never(block)

    def item_blocks(self, item: m.ListItem) -> str:
        """A list item's blocks: the narration says its paragraphs as the item's own."""
        out = []
        for block in item.blocks:
            if not self.style.keep(block):
                continue
            outer, self._owner = self._owner, None
            if isinstance(block, m.Paragraph | m.Prompt | m.Example):
                self._owner = item.id
            out.append(self.block(block))
            self._owner = outer
        return "".join(out)

    def _id(self, block: str, row: int | None = None) -> str:
        """An ``id`` attribute for a media overlay to point at, if the style asks for one."""
        return f' id="{element_id(block, row)}"' if self.style.narration else ""

    def paragraph(self, block: m.Paragraph | m.Prompt | m.Example) -> str:
        """A paragraph; a prompt or an example is one inside an ``aside`` named in the
        style's words, or a plain paragraph starting with its label in bold without asides."""
        nl = self.style.newline
        owner = self._owner or block.id
        match block:
            case m.Paragraph():
                return f"<p>{self.spoken(owner, block.children)}</p>{nl}"
            case m.Prompt():
                return self.prompt(block, self.spoken(owner, block.children))
            case m.Example():
                return self.example(block, owner)
            case _:
                assert_never(block)

    def prompt(self, block: m.Prompt, text: str) -> str:
        """A prompt: its label (the words' name for it) as visible text, then the question.

        In an aside the label is a line of its own that names the aside
        (``aria-labelledby``), so a screen reader announces it once, as the name; the
        stylesheet draws a light bulb before it (no emoji font needed, nothing to read)."""
        nl = self.style.newline
        words = self.style.words
        if words is None:
            return f"<p>{text}</p>{nl}"
        if not self.style.asides:
            return f"<p><strong>{esc(words.prompt)}:</strong> {text}</p>{nl}"
        label = label_id(block.id)
        return (
            f'<aside class="prompt"{self._id(block.id)} role="note" aria-labelledby="{label}">{nl}'
            f'<p class="label" id="{label}">{esc(words.prompt)}</p>{nl}'
            f"<p>{text}</p>{nl}</aside>{nl}"
        )

    def example(self, block: m.Example, owner: str) -> str:
        """An example: its label (from the source, so also said) in bold, in an aside. The
        label is said with the first sentence, so it sits inside that sentence's span."""
        nl = self.style.newline
        words = self.style.words
        prefix = f"{block.label} "
        if words is None or not self.style.asides:
            lead = f"<strong>{esc(block.label)}</strong> "
            return f"<p>{self.spoken(owner, block.children, prefix, lead)}</p>{nl}"
        lead = f'<strong class="label">{esc(block.label)}</strong> '
        text = self.spoken(owner, block.children, prefix, lead)
        return (
            f'<aside class="example"{self._id(block.id)} role="note"'
            f' aria-label="{attr(words.example)}">{nl}'
            f"<p>{text}</p>{nl}</aside>{nl}"
        )

    def image(self, block: m.Image) -> str:
        """A figure, or its description as a paragraph when the style shows no images."""
        nl = self.style.newline
        if self.style.image_href is None:
            return f"<p>{esc(block.alt)}</p>{nl}"
        src = self.style.image_href(block.src, block.path, block.line)
        caption = f"<figcaption>{esc(block.title)}</figcaption>" if block.title else ""
        return f'<figure{self._id(block.id)}><img src="{attr(src)}" alt="{attr(block.alt)}"/>{caption}</figure>{nl}'

    def table(self, table: m.Table) -> str:
        """A table; alignment goes in a class because EPUB readers may drop inline styles."""
        nl = self.style.newline

        def cell(tag: str, c: m.TableCell, extra: str = "") -> str:
            cls = f' class="align-{c.align}"' if c.align in ("left", "center", "right") else ""
            return f"<{tag}{extra}{cls}>{self.inlines(c.children)}</{tag}>"

        head = "".join(cell("th", c, ' scope="col"') for c in table.header)
        rows = "".join(
            f"<tr{self._id(table.id, i)}>" + "".join(cell("td", c) for c in row) + f"</tr>{nl}"
            for i, row in enumerate(table.rows, start=1)
        )
        body = f"<tbody>{nl}{rows}</tbody>{nl}" if rows else ""
        return f"<table{self._id(table.id)}>{nl}<thead>{nl}<tr>{head}</tr>{nl}</thead>{nl}{body}</table>{nl}"

    def footnotes(self, notes: tuple[m.Footnote, ...], words: Words) -> str:
        """A chapter's footnotes, each an ``aside`` a reading system can pop up, with a
        back-link to every place that cites it (write the text that cites them first)."""
        nl = self.style.newline
        out = [
            f'<section class="footnotes" aria-labelledby="{FOOTNOTES_ID}">{nl}',
            f'<h2 id="{FOOTNOTES_ID}">{esc(words.footnotes)}</h2>{nl}',
        ]
        for note in notes:
            n = note.number
            back = "".join(
                f' <a role="doc-backlink" href="#{ref}"'
                f' aria-label="{attr(words.back_to_text)}">↩\ufe0e</a>'
                for ref in self.refs.get(n, [])
            )
            body = self.blocks(note.blocks)
            # The number and back-links go inside the note's first and last paragraph, so a
            # pop-up shows "1. text ↩" rather than three separate lines.
            number = f'<span class="footnote-number">{n}.</span> '
            if body.startswith("<p>"):
                body = "<p>" + number + body[3:]
            else:
                body = f"<p>{number}</p>{nl}{body}"
            if body.endswith(f"</p>{nl}"):
                body = body[: -len(f"</p>{nl}")] + back + f"</p>{nl}"
            elif back:
                body += f"<p>{back.strip()}</p>{nl}"
            out.append(
                f'<aside epub:type="footnote" role="doc-footnote" id="fn-{n}">{nl}{body}</aside>{nl}'
            )
        out.append(f"</section>{nl}")
        return "".join(out)

    # -- inlines ---------------------------------------------------------------------------

    def inlines(self, nodes: tuple[m.Inline, ...]) -> str:
        """Inline content as XHTML."""
        return "".join(self.inline(n) for n in nodes)

    def inline(self, node: m.Inline) -> str:
        """One inline node as XHTML."""
        match node:
            case m.Text():
                return self._text(node.text)
            case m.Emphasis():
                return f"<em>{self.inlines(node.children)}</em>"
            case m.Strong():
                return f"<strong>{self.inlines(node.children)}</strong>"
            case m.Code():
                return f"<code>{self._text(node.text)}</code>"
            case m.Span():  # another language: reading systems and screen readers switch
                lang = attr(node.lang)
                return f'<span lang="{lang}" xml:lang="{lang}">{self.inlines(node.children)}</span>'
            case m.LineBreak():
                self._cursor += len(spoken_text((node,)))
                return f"<br/>{self.style.newline}"
            case m.Link():
                return self.link(node)
            case m.InlineImage():
                self._cursor += len(node.alt)
                image_href = self.style.image_href
                if image_href is None:
                    return esc(node.alt)
                src = image_href(node.src, self.path, self.line)
                return f'<img class="inline" src="{attr(src)}" alt="{attr(node.alt)}"/>'
            case m.FootnoteRef() if not self.style.footnote_refs:
                return ""
            case m.FootnoteRef():
                refs = self.refs.setdefault(node.number, [])
                # A note cited twice needs a second, distinct id for its second back-link.
                ref_id = f"fnref-{node.number}" + (f"-{len(refs) + 1}" if refs else "")
                refs.append(ref_id)
                return (
                    f'<sup><a epub:type="noteref" role="doc-noteref" href="#fn-{node.number}"'
                    f' id="{ref_id}">{node.number}</a></sup>'
                )
            case _:
                assert_never(node)

    def link(self, node: m.Link) -> str:
        """A safe link, or just its text: an unsafe or dangling target is dropped, not kept
        as a link a reader could follow (``javascript:``, ``file:``, other books' files)."""
        href = safe_href(node.href, self.style.anchors)
        if href is None:
            # Tell the author: a link that silently stopped working is worse than an error.
            self._warn(unsafe_link(node.href))
            return self.inlines(node.children)
        if self._in_link:
            # An <a> inside an <a> is invalid XHTML (EPUBCheck RSC-005), yet Markdown makes
            # one of an autolink in a link's text: the outer link wins, the inner is text.
            return self.inlines(node.children)
        self._in_link = True
        try:
            text = self.inlines(node.children)
        finally:
            self._in_link = False
        if not plain_text(node.children).strip():
            text = esc(node.href)  # a link needs a name a screen reader can announce
        title = f' title="{attr(node.title)}"' if node.title and self.style.details else ""
        return f'<a href="{attr(href)}"{title}>{text}</a>'

    def _warn(self, message: str) -> None:
        self.warn(Problem(path=self.path, line=self.line, message=message, severity="warning"))
