"""The audiobook target: ``build/audiobook/<book-slug>.m4b``, made from the chapter MP3s.

It reads what the audio target made (in this build, or published by an earlier one, so
``--only audiobook`` works from the chapter audio alone) and never synthesises: see
:mod:`publisher.renderers.audiobook.m4b`. The front matter's ``audiobook: false`` turns it off.
"""

from __future__ import annotations

from pathlib import Path

from publisher.errors import BuildError
from publisher.model import Book
from publisher.renderers.audiobook.m4b import BookTags, ChapterSource, write_m4b
from publisher.renderers.base import RenderContext, RenderResult
from publisher.renderers.cover import PORTRAIT
from publisher.renderers.cover_target import cached_cover
from publisher.timing import TimingFile

SYNTHETIC = "synthetic voice"
"""How the narrator tag says that no person reads the book."""


def chapter_title(timing: Path) -> str:
    """The chapter title a timing file records."""
    return TimingFile.load(timing).title


def narrator(book: Book) -> str:
    """The narrator tag: the voice profile the audio target uses, named as synthetic."""
    from publisher.engines.profiles import choose_voice
    from publisher.errors import EngineError, SourceError
    from publisher.renderers.audio.renderer import voices_folder

    config = book.config
    try:
        profile = choose_voice(config.narration.voice, config.language, voices_folder(book))
    except (EngineError, SourceError):  # the audio target reports it; the tag makes do
        return f"{config.narration.voice or config.language} ({SYNTHETIC})"
    return f"{profile.name} ({SYNTHETIC}, {profile.engine})"


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
        for chapter in book.chapters:
            mp3 = ctx.find(f"audio/{chapter.slug}.mp3")
            timing = ctx.find(f"audio/{chapter.slug}.json")
            if mp3 is None or timing is None:
                raise BuildError(
                    f"audiobook: no audio for chapter {chapter.number} "
                    f"({chapter.title_text!r}); build the audio target first"
                )
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
            narrator=narrator(book),
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
