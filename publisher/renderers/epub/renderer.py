"""The EPUB target: an accessible EPUB 3 (``build/epub/<slug>.epub``), packaged with ebooklib.

ebooklib writes the package (OPF, manifest, spine) and the zip. Every content document (the
chapters, the cover page, the title page, the navigation document and the NCX) is written
here (see :mod:`publisher.renderers.epub.xhtml`), because ebooklib's own cover and nav hard-code
English and re-parse chapter markup. Two builds of the same source are byte-identical: the
modification date comes from the front matter, never the clock, and so do the zip entry times
(:mod:`publisher.renderers.epub.container`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from ebooklib import epub

from publisher import model as m
from publisher import outputs
from publisher.errors import Problem
from publisher.i18n import Words, words_for
from publisher.model.config import Config
from publisher.model.lexicon import MEDIA_TYPE
from publisher.model.slugs import slugify
from publisher.reader.images import book_image, image_file
from publisher.renderers.base import RenderContext, RenderResult, Target
from publisher.renderers.cover.draw import PORTRAIT
from publisher.renderers.cover.renderer import cached_cover
from publisher.renderers.epub.container import write_package
from publisher.renderers.epub.metadata import book_metadata
from publisher.renderers.epub.xhtml import (
    ChapterWriter,
    NavEntry,
    cover_document,
    nav_document,
    ncx_document,
    title_document,
)
from publisher.text.markup import safe_href, unsafe_link
from publisher.text.plain import plain_text
from publisher.text.spans import Narration

XHTML = "application/xhtml+xml"
PLS_FILE = "pronunciation.pls"
"""Where the book's PLS lexicon (``narration.pls``) goes in the package, whatever its name."""
STYLE = "style/epub.css"
"""Where the stylesheet goes in the package."""
COVER_IMAGE = "images/cover.jpg"
"""Where the cover goes in the package."""


class EpubRenderer(Target):
    """Writes ``epub/<book slug>.epub``, with a portrait cover drawn for it."""

    name = "epub"
    requires: tuple[str, ...] = ()
    owns = (outputs.EPUBS,)
    leaves = (outputs.NARRATED_EPUBS,)  # the read-along EPUB's own target writes those

    def problems(self, book: m.Book) -> list[Problem]:
        """A warning for each link the EPUB keeps as text only (``javascript:``, a local
        file, a ``#fragment`` that names no heading)."""
        anchors = book_anchors(book.chapters)
        return [
            Problem(
                path=where.path, line=where.line, severity="warning", message=unsafe_link(n.href)
            )
            for chapter in book.chapters
            for where, n in m.placed_inlines(chapter)
            if isinstance(n, m.Link) and safe_href(n.href, anchors) is None
        ]

    def render(self, ctx: RenderContext) -> RenderResult:
        """Build the EPUB from ``ctx.book``, with the cover drawn in portrait for it."""
        name = outputs.epub(ctx.book.slug)
        cover = cached_cover(ctx.book, PORTRAIT, ctx.cache_dir, ctx.warn)
        write_epub(ctx.book, cover, ctx.root / name, warn=ctx.warn)
        return RenderResult(files=(name,), warnings=ctx.warnings())


def write_epub(
    book: m.Book,
    cover_jpeg: bytes,
    dest: Path,
    warn: Callable[[Problem], None] = lambda problem: None,
) -> None:
    """Package ``book`` with the given cover as an EPUB 3 at ``dest``; ``warn`` hears about
    what the author may want to fix (links the EPUB cannot keep)."""
    write_package(book, make_package(book, cover_jpeg, warn), dest)


@dataclass(kw_only=True)
class _Images:
    """The book's images, copied into the EPUB once each under a safe, stable name."""

    book: m.Book
    warn: Callable[[Problem], None]
    items: list[epub.EpubItem] = field(default_factory=list)
    _names: dict[Path, str] = field(default_factory=dict)

    def href(self, src: str, path: str, line: int) -> str:
        """The href (from a chapter in ``text/``) of the image ``src`` of ``path:line``."""
        file = image_file(self.book, src, path, line)
        if file not in self._names:
            # By its bytes, not its name: the media type and suffix the content really has.
            _, image = book_image(self.book, src, path, line, self.warn)
            base = slugify(file.stem) or "image"
            name, n = f"images/{base}{image.suffix}", 1
            while name in self._names.values() or name == COVER_IMAGE:
                n += 1
                name = f"images/{base}-{n}{image.suffix}"
            self._names[file] = name
            uid = f"img-{len(self.items) + 1}"
            self.items.append(
                epub.EpubItem(
                    uid=uid, file_name=name, media_type=image.media_type, content=image.data
                )
            )
        return "../" + self._names[file]


def make_package(
    book: m.Book,
    cover_jpeg: bytes,
    warn: Callable[[Problem], None],
    narration: Mapping[str, Narration] | None = None,
    marked: dict[str, list[str]] | None = None,
) -> epub.EpubBook:
    """The EPUB's package before it is written; with ``narration`` (chapter slug → what is
    said), each sentence said is marked for a media overlay, and ``marked`` receives, per
    chapter, the ids of the sentences marked (see :mod:`publisher.renderers.epub.narrated`)."""
    config = book.config
    words = words_for(config.language)
    package = epub.EpubBook()
    # Drop ebooklib's generator line: it names the ebooklib version, so the OPF (and its golden
    # file) would change with every upgrade for no reader's benefit.
    package.metadata = {}
    package.set_identifier(config.identifier)
    package.title = config.title
    package.language = config.language

    images = _Images(book=book, warn=warn)
    chapters = _chapters(book, words, images, warn, narration, marked)
    cover_page, cover_image = _cover(config, words, cover_jpeg)
    title_page = _title_page(config)
    nav, ncx = _navigation(book, words)
    css = files("publisher").joinpath("data", "epub.css").read_bytes()
    style = epub.EpubItem(uid="style", file_name=STYLE, media_type="text/css", content=css)
    for item in (cover_page, title_page, nav, *chapters, ncx, style, cover_image, *images.items):
        package.add_item(item)
    if book.pronunciation is not None:
        package.add_item(
            epub.EpubItem(
                uid="pls",
                file_name=PLS_FILE,
                media_type=MEDIA_TYPE,
                content=book.pronunciation.data,
            )
        )
    package.spine = [cover_page, title_page, nav, *chapters]
    # After the chapters: only writing them tells whether the book has images.
    book_metadata(package, book, images=bool(images.items))
    return package


def _chapters(
    book: m.Book,
    words: Words,
    images: _Images,
    warn: Callable[[Problem], None],
    narration: Mapping[str, Narration] | None,
    marked: dict[str, list[str]] | None,
) -> list[epub.EpubItem]:
    """Each chapter's document, in reading order, its images added to ``images`` (the
    arguments as :func:`make_package` has them)."""
    anchors = book_anchors(book.chapters)
    lexicon = book.pronunciation
    chapters = []
    for chapter in book.chapters:
        writer = ChapterWriter(
            chapter=chapter,
            words=words,
            lang=book.config.language,
            css=f"../{STYLE}",
            image_href=images.href,
            anchors=anchors,
            warn=warn,
            narration=(narration or {}).get(chapter.slug),
            lexicon=(f"../{PLS_FILE}", lexicon.language) if lexicon is not None else None,
        )
        chapters.append(_doc(f"ch-{chapter.slug}", f"text/{chapter.slug}.xhtml", writer.document()))
        if marked is not None:
            marked[chapter.slug] = writer.marked
    return chapters


def _cover(config: Config, words: Words, jpeg: bytes) -> tuple[epub.EpubItem, epub.EpubItem]:
    """The cover page and the cover image it shows."""
    image = epub.EpubItem(
        uid="cover-img", file_name=COVER_IMAGE, media_type="image/jpeg", content=jpeg
    )
    image.properties = ["cover-image"]
    page = _doc(
        "cover",
        "cover.xhtml",
        cover_document(
            lang=config.language,
            words=words,
            title=config.title,
            author=config.author,
            image=COVER_IMAGE,
            css=STYLE,
        ),
    )
    return page, image


def _title_page(config: Config) -> epub.EpubItem:
    """The title page: title, subtitle, author, publisher (unless the author) and rights."""
    lines = tuple(
        line
        for line in (
            config.subtitle,
            config.author,
            config.publisher if config.publisher != config.author else None,
            config.rights,
        )
        if line
    )
    return _doc(
        "titlepage",
        "titlepage.xhtml",
        title_document(lang=config.language, title=config.title, lines=lines, css=STYLE),
    )


def _navigation(book: m.Book, words: Words) -> tuple[epub.EpubItem, epub.EpubItem]:
    """The navigation document (contents and landmarks) and the NCX for EPUB 2 readers."""
    entries = _toc(book.chapters)
    first = f"text/{book.chapters[0].slug}.xhtml"
    nav = _doc(
        "nav",
        "nav.xhtml",
        nav_document(
            lang=book.config.language,
            words=words,
            entries=entries,
            landmarks=(
                ("cover", "cover.xhtml", words.cover),
                ("toc", "nav.xhtml#toc", words.contents),
                ("bodymatter", first, words.start),
            ),
            css=STYLE,
        ),
    )
    nav.properties = ["nav"]
    ncx = epub.EpubItem(
        uid="ncx",
        file_name="toc.ncx",
        media_type="application/x-dtbncx+xml",
        content=ncx_document(book.config, entries).encode("utf-8"),
    )
    return nav, ncx


def _doc(uid: str, name: str, text: str) -> epub.EpubItem:
    return epub.EpubItem(uid=uid, file_name=name, media_type=XHTML, content=text.encode("utf-8"))


def book_anchors(chapters: tuple[m.Chapter, ...]) -> dict[str, str]:
    """``#fragment`` → href (from ``text/``) for every chapter and heading of the book, so
    the author's in-book links work across chapter documents."""
    anchors: dict[str, str] = {}
    for chapter in chapters:
        doc = f"{chapter.slug}.xhtml"
        anchors.setdefault(f"#{chapter.slug}", doc)
        for block in m.walk(chapter.blocks):
            if isinstance(block, m.Heading):
                anchors.setdefault(f"#{block.anchor}", f"{doc}#{block.anchor}")
    return anchors


def _toc(chapters: tuple[m.Chapter, ...]) -> tuple[NavEntry, ...]:
    def sections(doc: str, items: tuple[m.Section, ...]) -> tuple[NavEntry, ...]:
        return tuple(
            NavEntry(
                # A nav link without text is invalid EPUB: fall back to the anchor.
                label=plain_text(s.heading.children).strip() or s.heading.anchor,
                href=f"{doc}#{s.heading.anchor}",
                children=sections(doc, s.children),
            )
            for s in items
        )

    return tuple(
        NavEntry(
            label=c.title_text or c.slug,
            href=f"text/{c.slug}.xhtml",
            children=sections(f"text/{c.slug}.xhtml", c.sections()),
        )
        for c in chapters
    )
