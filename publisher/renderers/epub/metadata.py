"""The EPUB package's metadata: the book's Dublin Core record and its accessibility claims.

The claims are what the package can honestly say of itself (EPUB Accessibility 1.1 and
schema.org's accessibility properties): the summary and the conformance statement come from
:mod:`publisher.renderers.accessibility`, shared with the website, and a certifier is named
only where the author names one. The read-along EPUB adds its own on top
(:mod:`publisher.renderers.epub.narrated`).
"""

from __future__ import annotations

from functools import partial

from ebooklib import epub

from publisher import model as m
from publisher.renderers.accessibility import CONFORMS_TO, accessibility_summary


def add_meta(package: epub.EpubBook, prop: str, value: str, **extra: str) -> None:
    """An EPUB 3 ``<meta property="prop">value</meta>``; ``extra``: its other attributes
    (``refines``, ``scheme``, ``id``)."""
    package.add_metadata("OPF", "meta", value, {"property": prop, **extra})


def book_metadata(package: epub.EpubBook, book: m.Book, *, images: bool) -> None:
    """The book's title, author and the rest of its front matter, and the accessibility
    metadata; ``images``: whether the book (not counting its cover) has images."""
    config = book.config
    meta = partial(add_meta, package)
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
