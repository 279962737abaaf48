"""The book model → the EPUB's documents: chapters, cover, title page, nav (and the NCX).

Every piece of the author's text goes through :func:`esc`, so raw HTML in the source (which
the parser keeps as text) reaches the reader as visible text, never as markup. Links are kept
only when they are safe: http(s)/mailto, or a ``#fragment`` that names a heading of the book.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from publisher import model as m
from publisher.config import Config
from publisher.errors import Problem
from publisher.i18n import Words

# Code points XML 1.0 forbids (C0 controls but tab/newline/return, surrogates, U+FFFE/U+FFFF):
# one of them would make the document ill-formed, so they are dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
SAFE_SCHEMES = ("http", "https", "mailto")

# Ids the toolkit adds. Heading anchors are slugs ([a-z0-9-] only), so an underscore keeps
# these from ever colliding with an anchor the author's headings produce.
TITLE_ID = "chapter_title"
FOOTNOTES_ID = "footnotes_title"

# Resolves an image ``src`` of the block at ``path:line`` to its href inside the EPUB, relative
# to the chapter document (and copies the file into the book on the way).
ImageHref = Callable[[str, str, int], str]


def esc(text: str) -> str:
    """``text`` as XHTML character data."""
    return _NOT_XML.sub("", text).translate(_ESCAPES)


def attr(text: str) -> str:
    """``text`` as a double-quoted XHTML attribute value."""
    return _NOT_XML.sub("", text).translate(_ATTR_ESCAPES)


def page(*, lang: str, title: str, css: str, body: str, body_attrs: str = "") -> str:
    """A complete XHTML content document with the language on ``<html>`` (both attributes, so
    XML and HTML processors alike find it)."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        "<!DOCTYPE html>\n"
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"'
        f' lang="{attr(lang)}" xml:lang="{attr(lang)}">\n'
        "<head>\n"
        '<meta charset="utf-8"/>\n'
        f"<title>{esc(title)}</title>\n"
        f'<link rel="stylesheet" type="text/css" href="{attr(css)}"/>\n'
        "</head>\n"
        f"<body{body_attrs}>\n{body}</body>\n"
        "</html>\n"
    )


def heading_levels(blocks: tuple[m.Block, ...], top: int = 2) -> dict[str, int]:
    """The ``<hN>`` level of every heading in ``blocks``, by block id.

    The first heading level below the chapter's ``<h1>`` becomes ``top`` and every heading is at
    most one deeper than the one it falls under, so a jump in the source (``##`` straight to
    ``####``) does not leave a gap that screen-reader users would take for missing content.
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


@dataclass(kw_only=True)
class ChapterWriter:
    """Writes one chapter's document; holds the per-document state (footnote back-links)."""

    chapter: m.Chapter
    words: Words
    lang: str
    css: str
    image_href: ImageHref
    anchors: dict[str, str]  # "#fragment" → href of the heading it names, across the book
    warn: Callable[[Problem], None] = lambda problem: None
    _levels: dict[str, int] = field(default_factory=dict)
    _line: int = 0  # line of the block being written, for messages about inline images
    _refs: dict[int, list[str]] = field(default_factory=dict)  # footnote number → ref ids

    def document(self) -> str:
        """The chapter as a complete XHTML document."""
        chapter = self.chapter
        self._levels = heading_levels(chapter.blocks)
        body = [
            f'<section epub:type="chapter" role="doc-chapter" aria-labelledby="{TITLE_ID}">\n',
            f'<h1 id="{TITLE_ID}">{self.inlines(chapter.title)}</h1>\n',
            self.blocks(chapter.blocks),
        ]
        if chapter.footnotes:
            body.append(self.footnotes(chapter.footnotes))
        body.append("</section>\n")
        return page(lang=self.lang, title=chapter.title_text, css=self.css, body="".join(body))

    # -- blocks ----------------------------------------------------------------------------

    def blocks(self, blocks: Iterable[m.Block]) -> str:
        """Each block's XHTML, one element per line."""
        return "".join(self.block(b) for b in blocks)

    def block(self, block: m.Block) -> str:
        """One block's XHTML."""
        self._line = block.line
        if isinstance(block, m.Heading):
            level = self._levels.get(block.id, 2)
            return (
                f'<h{level} id="{attr(block.anchor)}">{self.inlines(block.children)}</h{level}>\n'
            )
        if isinstance(block, m.Paragraph):
            return f"<p>{self.inlines(block.children)}</p>\n"
        if isinstance(block, m.Prompt):
            # The glyph is drawn for sighted readers only: the aside's name already says what
            # it is, and "light bulb" read aloud before every prompt is noise.
            return (
                f'<aside class="prompt" role="note" aria-label="{attr(self.words.prompt)}">\n'
                f'<p><span class="glyph" aria-hidden="true">💡</span> '
                f"{self.inlines(block.children)}</p>\n</aside>\n"
            )
        if isinstance(block, m.Example):
            return (
                f'<aside class="example" role="note" aria-label="{attr(self.words.example)}">\n'
                f'<p><strong class="label">{esc(block.label)}</strong> '
                f"{self.inlines(block.children)}</p>\n</aside>\n"
            )
        if isinstance(block, m.Quote):
            return f"<blockquote>\n{self.blocks(block.blocks)}</blockquote>\n"
        if isinstance(block, m.ListBlock):
            return self.list_block(block)
        if isinstance(block, m.ListItem):
            return f"<li>{self.blocks(block.blocks)}</li>\n"
        if isinstance(block, m.CodeBlock):
            language = re.sub(r"[^A-Za-z0-9_+-]", "", block.language or "")
            cls = f' class="language-{language}"' if language else ""
            return f"<pre><code{cls}>{esc(block.text)}</code></pre>\n"
        if isinstance(block, m.ThematicBreak):
            return "<hr/>\n"
        if isinstance(block, m.Image):
            if not block.alt.strip():
                # The book claims "textual" suffices; an image without words breaks that claim.
                self._warn(f"image {block.src!r} has no alt text; describe it in ![…](…)")
            src = self.image_href(block.src, block.path, block.line)
            caption = f"<figcaption>{esc(block.title)}</figcaption>" if block.title else ""
            return f'<figure><img src="{attr(src)}" alt="{attr(block.alt)}"/>{caption}</figure>\n'
        if isinstance(block, m.Table):
            return self.table(block)
        if isinstance(block, m.Footnote):  # only reached through self.footnotes
            return self.blocks(block.blocks)
        raise TypeError(f"no XHTML for {type(block).__name__}")  # pragma: no cover

    def list_block(self, block: m.ListBlock) -> str:
        """A bulleted or numbered list."""
        if not block.ordered:
            return f"<ul>\n{self.blocks(block.items)}</ul>\n"
        start = f' start="{block.start}"' if block.start != 1 else ""
        return f"<ol{start}>\n{self.blocks(block.items)}</ol>\n"

    def table(self, table: m.Table) -> str:
        """A table; alignment goes in a class because EPUB readers may drop inline styles."""

        def cell(tag: str, c: m.TableCell, extra: str = "") -> str:
            cls = f' class="align-{c.align}"' if c.align in ("left", "center", "right") else ""
            return f"<{tag}{extra}{cls}>{self.inlines(c.children)}</{tag}>"

        head = "".join(cell("th", c, ' scope="col"') for c in table.header)
        rows = "".join(
            "<tr>" + "".join(cell("td", c) for c in row) + "</tr>\n" for row in table.rows
        )
        body = f"<tbody>\n{rows}</tbody>\n" if rows else ""
        return f"<table>\n<thead>\n<tr>{head}</tr>\n</thead>\n{body}</table>\n"

    def footnotes(self, notes: tuple[m.Footnote, ...]) -> str:
        """The chapter's footnotes, each an ``aside`` a reading system can pop up."""
        out = [
            f'<section class="footnotes" aria-labelledby="{FOOTNOTES_ID}">\n',
            f'<h2 id="{FOOTNOTES_ID}">{esc(self.words.footnotes)}</h2>\n',
        ]
        for note in notes:
            n = note.number
            back = "".join(
                f' <a role="doc-backlink" href="#{ref}"'
                f' aria-label="{attr(self.words.back_to_text)}">↩\ufe0e</a>'
                for ref in self._refs.get(n, [])
            )
            body = self.blocks(note.blocks)
            # The number and back-links go inside the note's first and last paragraph, so a
            # pop-up shows "1. text ↩" rather than three separate lines.
            number = f'<span class="footnote-number">{n}.</span> '
            if body.startswith("<p>"):
                body = "<p>" + number + body[3:]
            else:
                body = f"<p>{number}</p>\n{body}"
            if body.endswith("</p>\n"):
                body = body[: -len("</p>\n")] + back + "</p>\n"
            elif back:
                body += f"<p>{back.strip()}</p>\n"
            out.append(
                f'<aside epub:type="footnote" role="doc-footnote" id="fn-{n}">\n{body}</aside>\n'
            )
        out.append("</section>\n")
        return "".join(out)

    def _warn(self, message: str) -> None:
        line = self._line or self.chapter.line
        self.warn(Problem(path=self.chapter.path, line=line, message=message, severity="warning"))

    # -- inlines ---------------------------------------------------------------------------

    def inlines(self, nodes: tuple[m.Inline, ...]) -> str:
        """Inline content as XHTML."""
        return "".join(self.inline(n) for n in nodes)

    def inline(self, node: m.Inline) -> str:
        """One inline node as XHTML."""
        if isinstance(node, m.Text):
            return esc(node.text)
        if isinstance(node, m.Emphasis):
            return f"<em>{self.inlines(node.children)}</em>"
        if isinstance(node, m.Strong):
            return f"<strong>{self.inlines(node.children)}</strong>"
        if isinstance(node, m.Code):
            return f"<code>{esc(node.text)}</code>"
        if isinstance(node, m.LineBreak):
            return "<br/>\n"
        if isinstance(node, m.Link):
            return self.link(node)
        if isinstance(node, m.InlineImage):
            src = self.image_href(node.src, self.chapter.path, self._line or self.chapter.line)
            return f'<img class="inline" src="{attr(src)}" alt="{attr(node.alt)}"/>'
        if isinstance(node, m.FootnoteRef):
            refs = self._refs.setdefault(node.number, [])
            # A note cited twice needs a second, distinct id for its second back-link.
            ref_id = f"fnref-{node.number}" + (f"-{len(refs) + 1}" if refs else "")
            refs.append(ref_id)
            return (
                f'<sup><a epub:type="noteref" role="doc-noteref" href="#fn-{node.number}"'
                f' id="{ref_id}">{node.number}</a></sup>'
            )
        raise TypeError(f"no XHTML for {type(node).__name__}")  # pragma: no cover

    def link(self, node: m.Link) -> str:
        """A safe link, or just its text: an unsafe or dangling target is dropped, not kept
        as a link a reader could follow (``javascript:``, ``file:``, other books' files)."""
        text = self.inlines(node.children)
        href = safe_href(node.href, self.anchors)
        if href is None:
            # Tell the author: a link that silently stopped working is worse than an error.
            self._warn(
                f"link {node.href!r} is not a web, mail or in-book link; "
                "the EPUB keeps its text only"
            )
            return text
        if not m.plain_text(node.children).strip():
            text = esc(node.href)  # a link needs a name a screen reader can announce
        title = f' title="{attr(node.title)}"' if node.title else ""
        return f'<a href="{attr(href)}"{title}>{text}</a>'


def safe_href(href: str, anchors: dict[str, str]) -> str | None:
    """The href to write for a link to ``href``, or None when it must not be a link."""
    if href.startswith("#"):
        return anchors.get(href)
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        return None
    return href if scheme in SAFE_SCHEMES else None


# -- front matter documents -------------------------------------------------------------------


def cover_document(
    *, lang: str, words: Words, title: str, author: str, image: str, css: str
) -> str:
    """The cover page: the cover image with a real description (ebooklib's own hard-codes
    ``lang="en"`` and an empty ``alt``)."""
    alt = words.cover_alt.format(title=title, author=author)
    body = (
        '<section class="cover" epub:type="cover">\n'
        f'<img role="doc-cover" src="{attr(image)}" alt="{attr(alt)}"/>\n'
        "</section>\n"
    )
    return page(lang=lang, title=words.cover, css=css, body=body)


def title_document(*, lang: str, title: str, lines: tuple[str, ...], css: str) -> str:
    """The title page: the title as text (on the cover it is only in an image), then
    ``lines`` (subtitle, author, publisher, rights) as paragraphs."""
    body = [
        '<section class="titlepage" epub:type="titlepage" aria-labelledby="book_title">\n',
        f'<h1 id="book_title">{esc(title)}</h1>\n',
    ]
    body += [f"<p>{esc(line)}</p>\n" for line in lines]
    body.append("</section>\n")
    return page(lang=lang, title=title, css=css, body="".join(body))


@dataclass(frozen=True, kw_only=True)
class NavEntry:
    """One line of the table of contents, with the entries under it."""

    label: str
    href: str
    children: tuple[NavEntry, ...] = ()


def nav_document(
    *,
    lang: str,
    words: Words,
    entries: tuple[NavEntry, ...],
    landmarks: tuple[tuple[str, str, str], ...],  # (epub:type, href, label)
    css: str,
) -> str:
    """The EPUB navigation document: the nested table of contents and the landmarks."""

    def items(entries: tuple[NavEntry, ...]) -> str:
        out = []
        for e in entries:
            sub = f"\n<ol>\n{items(e.children)}</ol>\n" if e.children else ""
            out.append(f'<li><a href="{attr(e.href)}">{esc(e.label)}</a>{sub}</li>\n')
        return "".join(out)

    marks = "".join(
        f'<li><a epub:type="{attr(kind)}" href="{attr(href)}">{esc(label)}</a></li>\n'
        for kind, href, label in landmarks
    )
    body = (
        '<nav epub:type="toc" role="doc-toc" id="toc" aria-labelledby="toc_title">\n'
        f'<h1 id="toc_title">{esc(words.contents)}</h1>\n'
        f"<ol>\n{items(entries)}</ol>\n"
        "</nav>\n"
        # Hidden: reading systems use landmarks for their own menus; in the page they would
        # only repeat the contents.
        '<nav epub:type="landmarks" id="landmarks" aria-labelledby="landmarks_title"'
        ' hidden="hidden">\n'
        f'<h2 id="landmarks_title">{esc(words.landmarks)}</h2>\n'
        f"<ol>\n{marks}</ol>\n"
        "</nav>\n"
    )
    return page(lang=lang, title=words.contents, css=css, body=body)


def ncx_document(config: Config, entries: tuple[NavEntry, ...]) -> str:
    """The EPUB 2 table of contents (NCX), for older readers; the same tree as the nav."""
    order = 0

    def depth(items: tuple[NavEntry, ...]) -> int:
        return max((1 + depth(e.children) for e in items), default=0)

    def points(items: tuple[NavEntry, ...], indent: str) -> str:
        nonlocal order
        out = []
        for e in items:
            order += 1
            out.append(
                f'{indent}<navPoint id="np-{order}" playOrder="{order}">'
                f"<navLabel><text>{esc(e.label)}</text></navLabel>"
                f'<content src="{attr(e.href)}"/>\n'
                f"{points(e.children, indent + '  ')}{indent}</navPoint>\n"
            )
        return "".join(out)

    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"'
        f' xml:lang="{attr(config.language)}">\n'
        "<head>\n"
        f'<meta name="dtb:uid" content="{attr(config.identifier)}"/>\n'
        f'<meta name="dtb:depth" content="{depth(entries)}"/>\n'
        '<meta name="dtb:totalPageCount" content="0"/>\n'
        '<meta name="dtb:maxPageNumber" content="0"/>\n'
        "</head>\n"
        f"<docTitle><text>{esc(config.title)}</text></docTitle>\n"
        f"<docAuthor><text>{esc(config.author)}</text></docAuthor>\n"
        f"<navMap>\n{points(entries, '  ')}</navMap>\n"
        "</ncx>\n"
    )
