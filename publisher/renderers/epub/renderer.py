"""The EPUB target: an accessible EPUB 3 (``build/epub/<slug>.epub``), packaged with ebooklib.

ebooklib writes the package (OPF, manifest, spine) and the zip. Every content document (the
chapters, the cover page, the title page, the navigation document and the NCX) is written
here (see :mod:`publisher.renderers.epub.xhtml`), because ebooklib's own cover and nav hard-code
English and re-parse chapter markup. Two builds of the same source are byte-identical: the
modification date comes from the front matter, never the clock, and so do the zip entry times.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path, PurePosixPath
from typing import Any

from ebooklib import epub

from publisher import model as m
from publisher import outputs
from publisher.errors import BuildError, Problem
from publisher.i18n import words_for
from publisher.model.lexicon import MEDIA_TYPE
from publisher.model.slugs import slugify
from publisher.reader.images import book_image, image_file
from publisher.renderers.accessibility import CONFORMS_TO, accessibility_summary
from publisher.renderers.base import RenderContext, RenderResult, Target
from publisher.renderers.cover.draw import PORTRAIT
from publisher.renderers.cover.renderer import cached_cover
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

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XHTML = "application/xhtml+xml"
PLS_FILE = "pronunciation.pls"
"""Where the book's PLS lexicon (``narration.pls``) goes in the package, whatever its name."""
# The dcterms:modified of a book without a date, and the time stamped on every zip entry of
# it: the zip format's own epoch, so it is plainly "no date" rather than a made-up one.
NO_DATE = dt.datetime(1980, 1, 1)
# The only times a zip entry can hold; a book dated 1925 is stamped with the first of them.
ZIP_FIRST = NO_DATE
ZIP_LAST = dt.datetime(2107, 12, 31, 23, 59, 58)


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


def modified(book: m.Book) -> dt.datetime:
    """The book's ``dcterms:modified``: its front matter date, else :data:`NO_DATE`."""
    date = book.config.date
    return dt.datetime.combine(date, dt.time()) if date is not None else NO_DATE


def write_epub(
    book: m.Book,
    cover_jpeg: bytes,
    dest: Path,
    warn: Callable[[Problem], None] = lambda problem: None,
) -> None:
    """Package ``book`` with the given cover as an EPUB 3 at ``dest``; ``warn`` hears about
    what the author may want to fix (links the EPUB cannot keep)."""
    write_package(book, make_package(book, cover_jpeg, warn), dest)


def write_package(book: m.Book, package: epub.EpubBook, dest: Path) -> None:
    """Write ``package`` (made by :func:`make_package`, perhaps extended) to ``dest``."""
    # ebooklib reads the clock for dcterms:modified unless given "mtime".
    writer = _Writer(str(dest), package, {"mtime": modified(book)})
    writer.process()
    # ebooklib.write_epub() turns an OSError into a False return value unless told otherwise;
    # calling the writer directly lets a full disk fail the build loudly.
    try:
        writer.write()
    except OSError as e:
        dest.unlink(missing_ok=True)
        raise BuildError(f"{dest}: cannot write the EPUB: {e.strerror or e}") from e


class FileContent(bytes):
    """A manifest item's content that stays on disk until the zip is written, then is
    streamed in from ``path`` (the read-along EPUB's MP3s: a long book's audio, 300 MB for
    eleven hours, would otherwise be held in memory whole by ebooklib)."""

    path: Path

    def __new__(cls, path: Path) -> FileContent:
        content = super().__new__(cls, b"")
        content.path = path
        return content

    def __bool__(self) -> bool:
        return True  # ebooklib writes ``content or b""``: an empty bytes would be replaced


class _Zip(zipfile.ZipFile):
    """A zip whose entries carry a fixed time and mode instead of the clock's."""

    def __init__(self, file: str, when: dt.datetime) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self.when = min(max(when, ZIP_FIRST), ZIP_LAST)

    def writestr(  # type: ignore[override]
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: str | bytes,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=self.when.timetuple()[:6])
            info.compress_type = self.compression
            info.create_system = 3  # Unix, whatever the building machine is
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            suffix = PurePosixPath(zinfo_or_arcname).suffix
            if outputs.MEDIA_TYPES.get(suffix, "").startswith("audio/"):
                compress_type = zipfile.ZIP_STORED  # compressed already: deflate only costs time
            zinfo_or_arcname = info
        if isinstance(data, FileContent) and isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname.compress_type = (
                self.compression if compress_type is None else compress_type
            )
            with data.path.open("rb") as source, self.open(zinfo_or_arcname, "w") as out:
                shutil.copyfileobj(source, out, 1 << 20)
            return
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)


class _Writer(epub.EpubWriter):  # type: ignore[misc]
    """ebooklib's writer with ``xml:lang`` on ``<package>`` and reproducible zip entries."""

    def _write_opf_file(self, root: Any) -> None:
        # Ace reports a missing package language as serious (epub-lang); ebooklib omits it.
        root.set(XML_LANG, self.book.language)
        super()._write_opf_file(root)

    def write(self) -> None:
        # ebooklib's own write() stamps every entry with the clock (ZipFile.writestr does).
        with _Zip(self.file_name, self.options["mtime"]) as out:
            self.out = out
            # The mimetype entry must come first and be stored uncompressed (OCF).
            out.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
            self._write_container()
            self._write_opf()
            self._write_items()


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
            while name in self._names.values() or name == "images/cover.jpg":
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
    lang = config.language
    words = words_for(lang)
    package = epub.EpubBook()
    # Drop ebooklib's generator line: it names the ebooklib version, so the OPF (and its golden
    # file) would change with every upgrade for no reader's benefit.
    package.metadata = {}
    package.set_identifier(config.identifier)
    package.title = config.title
    package.language = lang

    images = _Images(book=book, warn=warn)
    anchors = book_anchors(book.chapters)
    chapters = []
    lexicon = book.pronunciation
    pls_item = (
        epub.EpubItem(uid="pls", file_name=PLS_FILE, media_type=MEDIA_TYPE, content=lexicon.data)
        if lexicon is not None
        else None
    )
    for chapter in book.chapters:
        writer = ChapterWriter(
            chapter=chapter,
            words=words,
            lang=lang,
            css="../style/epub.css",
            image_href=images.href,
            anchors=anchors,
            warn=warn,
            narration=(narration or {}).get(chapter.slug),
            lexicon=(f"../{PLS_FILE}", lexicon.language) if lexicon is not None else None,
        )
        chapters.append(_doc(f"ch-{chapter.slug}", f"text/{chapter.slug}.xhtml", writer.document()))
        if marked is not None:
            marked[chapter.slug] = writer.marked

    css = files("publisher").joinpath("data", "epub.css").read_bytes()
    cover_image = epub.EpubItem(
        uid="cover-img", file_name="images/cover.jpg", media_type="image/jpeg", content=cover_jpeg
    )
    cover_image.properties = ["cover-image"]
    cover_page = _doc(
        "cover",
        "cover.xhtml",
        cover_document(
            lang=lang,
            words=words,
            title=config.title,
            author=config.author,
            image="images/cover.jpg",
            css="style/epub.css",
        ),
    )
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
    title_page = _doc(
        "titlepage",
        "titlepage.xhtml",
        title_document(lang=lang, title=config.title, lines=lines, css="style/epub.css"),
    )
    entries = _toc(book.chapters)
    first = f"text/{book.chapters[0].slug}.xhtml"
    nav = _doc(
        "nav",
        "nav.xhtml",
        nav_document(
            lang=lang,
            words=words,
            entries=entries,
            landmarks=(
                ("cover", "cover.xhtml", words.cover),
                ("toc", "nav.xhtml#toc", words.contents),
                ("bodymatter", first, words.start),
            ),
            css="style/epub.css",
        ),
    )
    nav.properties = ["nav"]
    ncx = epub.EpubItem(
        uid="ncx",
        file_name="toc.ncx",
        media_type="application/x-dtbncx+xml",
        content=ncx_document(book.config, entries).encode("utf-8"),
    )
    style = epub.EpubItem(
        uid="style", file_name="style/epub.css", media_type="text/css", content=css
    )
    for item in (cover_page, title_page, nav, *chapters, ncx, style, cover_image, *images.items):
        package.add_item(item)
    if pls_item is not None:
        package.add_item(pls_item)
    package.spine = [cover_page, title_page, nav, *chapters]
    # After the chapters: only writing them tells whether the book has images.
    _metadata(package, book, images=bool(images.items))
    return package


def _doc(uid: str, name: str, text: str) -> epub.EpubItem:
    return epub.EpubItem(uid=uid, file_name=name, media_type=XHTML, content=text.encode("utf-8"))


def _metadata(package: epub.EpubBook, book: m.Book, *, images: bool) -> None:
    config = book.config

    def meta(prop: str, value: str, **extra: str) -> None:
        package.add_metadata("OPF", "meta", value, {"property": prop, **extra})

    package.add_metadata("DC", "title", config.title, {"id": "title"})
    meta("title-type", "main", refines="#title")
    if config.subtitle:
        package.add_metadata("DC", "title", config.subtitle, {"id": "subtitle"})
        meta("title-type", "subtitle", refines="#subtitle")
    package.add_metadata("DC", "language", config.language)
    package.add_metadata("DC", "creator", config.author, {"id": "creator"})
    meta("role", "aut", refines="#creator", scheme="marc:relators")
    for name, value in (
        ("publisher", config.publisher),
        ("date", config.date.isoformat() if config.date else None),
        ("rights", config.rights),
        ("description", config.description),
    ):
        if value:
            package.add_metadata("DC", name, value)
    # EPUB 2 readers (and some current ones) find the cover only through this.
    package.add_metadata("OPF", "meta", "", {"name": "cover", "content": "cover-img"})

    meta("schema:accessMode", "textual")
    if images:
        # The cover is not counted: everything on it is in the title page's text.
        meta("schema:accessMode", "visual")
    # Every image has a text alternative, so text alone is enough to read the whole book.
    meta("schema:accessModeSufficient", "textual")
    features = ["structuralNavigation", "tableOfContents", "readingOrder"]
    features += ["alternativeText"] if images else []
    features += ["displayTransformability", "ARIA"]
    for feature in features:
        meta("schema:accessibilityFeature", feature)
    meta("schema:accessibilityHazard", "none")
    meta("schema:accessibilitySummary", accessibility_summary(config))
    meta("dcterms:conformsTo", CONFORMS_TO)
    # Who evaluated the claim, only where the author names them: a book that names its own
    # author as certifier claims a review that did not happen.
    if config.accessibility_certified_by:
        meta("a11y:certifiedBy", config.accessibility_certified_by, id="certifier")
        if config.accessibility_credential:
            meta("a11y:certifierCredential", config.accessibility_credential, refines="#certifier")
    series = config.series
    if series is not None and series.name:
        meta("belongs-to-collection", series.name, id="series")
        meta("collection-type", "series", refines="#series")
        if series.number is not None:
            meta("group-position", f"{series.number:g}", refines="#series")


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
