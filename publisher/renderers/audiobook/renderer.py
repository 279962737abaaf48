"""The audiobook target: ``build/audiobook/<book-slug>.m4b``, made from the chapter MP3s.

It reads what the audio target made (in this build, or published by an earlier one, so
``--only audiobook`` works from the chapter audio alone) and never synthesises: see
:mod:`publisher.renderers.audiobook.m4b`. The front matter's ``audiobook: false`` turns it off.
"""

from __future__ import annotations

from pathlib import Path

from publisher.engines.casting import SYNTHETIC
from publisher.errors import BuildError
from publisher.model import Book
from publisher.renderers.audiobook.m4b import BookTags, ChapterSource, write_m4b
from publisher.renderers.base import RenderContext, RenderResult
from publisher.renderers.cover import PORTRAIT
from publisher.renderers.cover_target import cached_cover
from publisher.timing import TimingFile

__all__ = ["SYNTHETIC", "AudiobookRenderer", "chapter_title", "narrator"]


def chapter_title(timing: Path) -> str:
    """The chapter title a timing file records."""
    return TimingFile.load(timing).title


def narrator(book: Book, timings: list[Path]) -> str:
    """The narrator tag: the voices the timing files say spoke, named as synthetic."""
    from publisher.engines.casting import engines_of
    from publisher.engines.casting import narrator as tag

    names: dict[str, None] = {}
    for path in timings:
        for u in TimingFile.load(path).utterances:
            names.update(dict.fromkeys([u.voice, *(r.voice for r in u.runs)]))
    voices = list(names)
    return tag(voices, engines_of(book, voices))


class AudiobookRenderer:
    """Writes the book's M4B (see the module docstring)."""

    name = "audiobook"
    requires = ("audio",)
    owns = ("audiobook/",)

    def render(self, ctx: RenderContext) -> RenderResult:
        """Write ``<book-slug>.m4b`` into ``ctx.out_dir``, unless the book turns it off."""
        book = ctx.book
        config = book.config
        if not config.audiobook:
            return RenderResult(files=())
        chapters = []
        timings: list[Path] = []
        for chapter in book.chapters:
            mp3 = ctx.find(f"audio/{chapter.slug}.mp3")
            timing = ctx.find(f"audio/{chapter.slug}.json")
            if mp3 is None or timing is None:
                raise BuildError(
                    f"audiobook: no audio for chapter {chapter.number} "
                    f"({chapter.title_text!r}); build the audio target first"
                )
            timings.append(timing)
            title = chapter_title(timing)
            if title != chapter.title_text:
                raise BuildError(
                    f"audiobook: the audio of chapter {chapter.number} is of {title!r}, "
                    f"not {chapter.title_text!r}; build the audio target again"
                )
            chapters.append(ChapterSource(title=title, mp3=mp3))
        # The portrait cover, as on the EPUB: audiobook apps show books in portrait.
        cover = cached_cover(book, PORTRAIT, ctx.cache_dir, ctx.warn)
        tags = BookTags(
            title=config.title,
            author=config.author,
            album=config.title,
            narrator=narrator(book, timings),
            year=config.date.year if config.date else None,
            description=config.description,
            identifier=config.identifier,
            language=config.language,
            cover=cover,
        )
        total = len(chapters)
        ctx.options.progress(0, total, "audiobook")
        done = 0

        def encoded(index: int) -> None:
            nonlocal done
            done += 1
            ctx.options.progress(done, total, chapters[index].title)

        name = f"{book.slug}.m4b"
        write_m4b(
            ctx.out_dir / name,
            chapters,
            tags,
            bitrate=config.narration.bitrate,
            cache_dir=ctx.cache_dir,
            jobs=ctx.options.jobs,
            encoded=encoded,
        )
        ctx.options.progress(total, total, "audiobook")
        return RenderResult(files=(f"audiobook/{name}",), warnings=ctx.warnings())
