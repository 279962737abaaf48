"""The read-along EPUB's edition for Kobo (``narrated_epub: kobo``): each chapter's narration
as AAC in an MP4 file (``audio/<slug>.m4a`` in the package) instead of its MP3.

Kobo's guidelines say that its iOS app plays media overlays in reflowable books, with AAC-LC
audio in MP4 only, clock values of at most three decimals (ours are ``h:mm:ss.fff``), and
that it highlights with the class ``kobo-smil-highlight`` (``narration.css`` styles it as the
standard active class). ``audio/mp4`` is an EPUB 3 core media type, so every other reading
system that plays overlays plays these too.

The AAC is the audiobook's: each chapter's packets come from the audiobook target's cache
(:func:`~publisher.renderers.audiobook.m4b.ensure_piece` encodes the ones missing, as that
target would), and one chapter's file is written as the M4B is
(:func:`~publisher.renderers.audiobook.m4b.mux`), with the priming packet hidden, so it
decodes to the MP3's samples and the timing file's clock values hold for it unchanged. Its
tags name the chapter, the book, the author and the synthetic narrator, with the speech's
IPTC digital source type (:mod:`publisher.renderers.provenance`).

With ``--jobs`` above 1 and the audiobook built alongside, a chapter both targets lack may be
encoded twice at once; the result is the same, and the cache keeps one.
"""

from __future__ import annotations

from pathlib import Path

from publisher import model as m
from publisher import outputs
from publisher.renderers.audiobook.m4b import BookTags, ensure_piece, mux
from publisher.renderers.audiobook.tags import write_tags
from publisher.speech.disclosure import spoken
from publisher.speech.timing import TimingFile

KOBO_HIGHLIGHT = "kobo-smil-highlight"
"""The class Kobo's iOS app puts on the text being read."""


def chapter_aac(
    book: m.Book, chapter: m.Chapter, mp3: Path, timing: TimingFile, cache_dir: Path
) -> Path:
    """Chapter ``chapter``'s narration (its finished ``mp3``) as a tagged M4A in
    ``cache_dir/kobo`` (from where it is copied into the EPUB); its path."""
    config = book.config
    folder = cache_dir / "kobo"
    key, light = ensure_piece(mp3, config.narration.bitrate, cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / outputs.name(outputs.chapter_aac(chapter.slug))
    title = chapter.title_text or chapter.slug
    mux(dest, [(title, key, light)], 1, bitrate=config.narration.bitrate, cache_dir=cache_dir)
    narrator, made = spoken(book, [timing])
    write_tags(
        dest,
        BookTags(
            title=title,
            author=config.author,
            album=config.title,
            narrator=narrator,
            year=config.date.year if config.date else None,
            description=None,
            identifier=config.identifier,
            language=config.language,
            cover=None,
            synthetic=made,
        ),
    )
    return dest
