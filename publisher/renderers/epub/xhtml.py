"""The book model → the EPUB's documents: chapters, cover, title page, nav (and the NCX).

The chapters' content is written by :mod:`publisher.text`, the one writer of the book's
content for every output; this module adds what only an EPUB has around it. Every piece of
text goes through :func:`publisher.text.esc`, so raw HTML in the source (which the parser
keeps as text) reaches the reader as visible text, never as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from publisher import model as m
from publisher.errors import Problem
from publisher.i18n import Words
from publisher.model.config import Config
from publisher.text import ImageHref, Style, XhtmlWriter, attr, esc, heading_levels
from publisher.text.spans import Narration

# Id the toolkit adds to a chapter's title. Heading anchors are slugs ([a-z0-9-] only), so an
# underscore keeps it from ever colliding with an anchor the author's headings produce.
TITLE_ID = "chapter_title"


def page(
    *,
    lang: str,
    title: str,
    css: str,
    body: str,
    body_attrs: str = "",
    lexicon: tuple[str, str] | None = None,
) -> str:
    """A complete XHTML content document with the language on ``<html>`` (both attributes, so
    XML and HTML processors alike find it); ``lexicon`` is ``(href, language)`` of a PLS
    file to link (EPUB 3 Text-to-Speech: a reading system's voice uses it)."""
    pronunciation = (
        f'<link rel="pronunciation" type="application/pls+xml"'
        f' hreflang="{attr(lexicon[1])}" href="{attr(lexicon[0])}"/>\n'
        if lexicon
        else ""
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        "<!DOCTYPE html>\n"
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"'
        f' lang="{attr(lang)}" xml:lang="{attr(lang)}">\n'
        "<head>\n"
        '<meta charset="utf-8"/>\n'
        f"<title>{esc(title)}</title>\n"
        f'<link rel="stylesheet" type="text/css" href="{attr(css)}"/>\n'
        f"{pronunciation}"
        "</head>\n"
        f"<body{body_attrs}>\n{body}</body>\n"
        "</html>\n"
    )


@dataclass(kw_only=True)
class ChapterWriter:
    """Writes one chapter's document: its content through :class:`XhtmlWriter` in the
    EPUB's style (images and in-book links resolved, footnotes with back-links)."""

    chapter: m.Chapter
    words: Words
    lang: str
    css: str
    image_href: ImageHref
    anchors: dict[str, str]  # "#fragment" → href of the heading it names, across the book
    warn: Callable[[Problem], None] = lambda problem: None
    narration: Narration | None = None  # mark each sentence said (the read-along EPUB)
    lexicon: tuple[str, str] | None = None  # (href, language) of the book's PLS file
    marked: list[str] = field(default_factory=list)  # the sentence ids document() wrote

    def document(self) -> str:
        """The chapter as a complete XHTML document."""
        chapter = self.chapter
        text = self.writer()
        body = [
            f'<section epub:type="chapter" role="doc-chapter" aria-labelledby="{TITLE_ID}">\n',
            f'<h1 id="{TITLE_ID}">{text.said_whole(chapter.slug, chapter.title)}</h1>\n',
            text.blocks(chapter.blocks),
        ]
        if chapter.footnotes:
            body.append(text.footnotes(chapter.footnotes, self.words))
        body.append("</section>\n")
        self.marked = text.marked
        return page(
            lang=self.lang,
            title=chapter.title_text,
            css=self.css,
            body="".join(body),
            lexicon=self.lexicon,
        )

    def writer(self) -> XhtmlWriter:
        """A fresh writer of this chapter's content in the EPUB's style."""
        style = Style(
            words=self.words,
            image_href=self.image_href,
            anchors=self.anchors,
            narration=self.narration,
        )
        return XhtmlWriter(
            style=style,
            path=self.chapter.path,
            line=self.chapter.line,
            levels=heading_levels(self.chapter.blocks),
            warn=self.warn,
        )


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
