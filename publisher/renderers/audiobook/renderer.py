"""The audiobook target: ``build/audiobook/<book-slug>.m4b``, made from the chapter MP3s.

It reads what the audio target made (in this build, or published by an earlier one, so
``--only audiobook`` works from the chapter audio alone) and never synthesises: see
:mod:`publisher.renderers.audiobook.m4b`. The front matter's ``audiobook: false`` turns it off.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from concurrent.futures import Future, InvalidStateError, ThreadPoolExecutor
from pathlib import Path

from publisher import outputs
from publisher.errors import BuildError
from publisher.model import Book
from publisher.reader.credentials import signing_key
from publisher.renderers.audiobook.m4b import BookTags, ChapterSource, ensure_piece, mux
from publisher.renderers.audiobook.pieces import Piece
from publisher.renderers.audiobook.tags import write_tags
from publisher.renderers.base import RenderContext, RenderResult, Target
from publisher.renderers.cover.draw import PORTRAIT
from publisher.renderers.cover.renderer import cached_cover
from publisher.renderers.provenance import Sealer
from publisher.speech.casting import SYNTHETIC
from publisher.speech.disclosure import Synthetic, spoken
from publisher.speech.timing import TimingFile

__all__ = ["SYNTHETIC", "AudiobookRenderer", "chapter_title", "narrator"]


def chapter_title(timing: Path) -> str:
    """The chapter title a timing file records."""
    return TimingFile.load(timing).title


def narrator(book: Book, timings: list[Path]) -> str:
    """The narrator tag: the voices the timing files say spoke, named as synthetic."""
    return speakers(book, timings)[0]


def speakers(book: Book, timings: list[Path]) -> tuple[str, Synthetic]:
    """The narrator tag (the voices the timing files say spoke, named as synthetic) and how
    their speech was made (its digital source type, the engines and voices)."""
    return spoken(book, (TimingFile.load(path) for path in timings))


class AudiobookRenderer(Target):
    """Writes the book's M4B (see the module docstring)."""

    name = "audiobook"
    requires = ("audio",)
    # Started beside the audio: the chapters' AAC is encoded as their MP3s are written, once
    # the audio's workers leave a core idle (see _encode).
    follows = ("audio",)
    owns = (outputs.AUDIOBOOKS,)

    def render(self, ctx: RenderContext) -> RenderResult:
        """Write ``<book-slug>.m4b`` into ``ctx.out_dir``, unless the book turns it off."""
        book = ctx.book
        config = book.config
        if not config.audiobook:
            return RenderResult(files=())
        name = outputs.audiobook(book.slug)
        timings = self._make(ctx, ctx.root / name)
        # The portrait cover, as on the EPUB: audiobook apps show books in portrait.
        cover = cached_cover(book, PORTRAIT, ctx.cache_dir, ctx.warn)
        voices, made = speakers(book, timings)
        series = config.series
        tags = BookTags(
            title=config.title,
            author=config.author,
            album=config.title,
            narrator=voices,
            synthetic=made,
            series=(series.name, series.number) if series and series.name else None,
            year=config.date.year if config.date else None,
            description=config.description,
            identifier=config.identifier,
            language=config.language,
            cover=cover,
        )
        write_tags(ctx.root / name, tags)
        key = signing_key(book)
        if key is not None:
            Sealer(key, ctx.cache_dir).seal(ctx.root / name, outputs.MEDIA_TYPES[".m4b"], made)
        return RenderResult(files=(name,), warnings=ctx.warnings())

    def _make(self, ctx: RenderContext, dest: Path) -> list[Path]:
        """Write the M4B's audio to ``dest``; the chapters' timing files, in order.

        Each chapter's AAC piece is encoded into the cache as its MP3 comes (``jobs`` at a
        time: FFmpeg lets go of the interpreter while it works), and the chapters are muxed,
        in order, as soon as their pieces are ready: in a rebuild, the chapters before an
        edited one are muxed while the audio target still makes it.

        Beside the audio, a chapter is encoded only on a core the audio's workers leave idle:
        one encoding at a time once fewer chapters are left to make than there are workers,
        all ``jobs`` when the audio is done. While every worker runs, both cores are busy, so
        encoding then would gain no time, and it would add FFmpeg's libraries and two
        encoders (about 30 MB) to the build's peak memory, which is then."""
        book = ctx.book
        by_mp3 = {outputs.mp3(c.slug): n for n, c in enumerate(book.chapters)}
        timings: dict[int, Path] = {}
        total = len(by_mp3)
        jobs = max(1, ctx.options.jobs)
        work = _Encodings(ctx, jobs, total)
        ctx.options.progress(0, total, "audiobook")

        futures: list[Future[None]] = []
        with (
            ThreadPoolExecutor(max_workers=jobs) as pool,
            ThreadPoolExecutor(1) as muxer,
            ctx.on_stop(lambda: work.stop(BuildError("stopped: another target failed"))),
        ):
            chapters = _taken(work.ready)
            muxed = muxer.submit(
                mux, dest, chapters, total, bitrate=work.bitrate, cache_dir=ctx.cache_dir
            )
            # Everything that waits is in here: a Ctrl-C (on this thread when it is the main
            # one) or a failure ends it, and the pools' exits then wait only for the encodings
            # under way, not for those queued.
            try:
                for arrived, (relative, mp3) in enumerate(ctx.as_made(list(by_mp3)), start=1):
                    n = by_mp3[relative]
                    source, timings[n] = _chapter(ctx, n, mp3)
                    futures.append(pool.submit(work.encode, n, source))
                    if total - arrived < jobs:  # one more worker idle (or the audio done)
                        work.idle.release()
                muxed.result()  # every chapter muxed, or the first error in reading order
                for future in futures:
                    future.result()
            except BaseException as e:
                pool.shutdown(wait=False, cancel_futures=True)
                work.stop(e)
                raise
        ctx.options.progress(total, total, "audiobook")
        return [timings[n] for n in sorted(timings)]


class _Encodings:
    """The chapters' AAC pieces as they are encoded into the cache (``jobs`` at a time, each
    waiting for a core the audio leaves idle: see :meth:`AudiobookRenderer._make`), and a
    slot per chapter (``ready``) that the muxer waits on, in reading order."""

    def __init__(self, ctx: RenderContext, jobs: int, total: int) -> None:
        self.ctx, self.jobs, self.total = ctx, jobs, total
        self.bitrate = ctx.book.config.narration.bitrate
        self.ready: list[Future[tuple[str, str, Piece]]] = [Future() for _ in range(total)]
        self.lock = threading.Lock()
        self.done = 0
        self.idle = threading.Semaphore(0)  # a permit per core the audio leaves free
        self.stopping = threading.Event()  # set when the build stops: no encoding starts after

    def stop(self, error: BaseException) -> None:
        """Start no more encodings and end the muxer's wait with ``error``. Only signals
        (it may run on the thread that stops the build): an encoding under way finishes."""
        self.stopping.set()
        self.idle.release(self.jobs)  # what already waits for a core need not wait forever
        for slot in self.ready:  # the muxer waits for every chapter
            _settle(slot, error)

    def encode(self, n: int, source: ChapterSource) -> None:
        """Encode chapter ``n``'s piece once a core is idle (unless the build stopped) and
        settle its slot; a failure stops the others."""
        try:
            with self.idle:
                if self.stopping.is_set():
                    return
                key, light = ensure_piece(source.mp3, self.bitrate, self.ctx.cache_dir)
        except BaseException as e:
            self.stop(e)  # one chapter failed: the others need not be encoded
            raise
        with contextlib.suppress(InvalidStateError):  # settled by a stop meanwhile
            self.ready[n].set_result((source.title, key, light))
        with self.lock:
            self.done += 1
            self.ctx.options.progress(self.done, self.total, self.ctx.book.chapters[n].title_text)


def _taken(ready: list[Future[tuple[str, str, Piece]]]) -> Iterator[tuple[str, str, Piece]]:
    """Each slot's chapter in order, as it is settled; a slot is replaced by a settled empty
    one once taken, so a muxed chapter's piece (its packet sizes: 0.6 MB for 13 minutes, 30 MB
    for an 11-hour book) is not held to the end."""
    for n, slot in enumerate(ready):
        chapter = slot.result()
        taken: Future[tuple[str, str, Piece]] = Future()
        taken.set_exception(BuildError("audiobook: chapter already muxed"))
        ready[n] = taken
        yield chapter
        del chapter


def _settle(slot: Future[tuple[str, str, Piece]], error: BaseException) -> None:
    """Fail ``slot`` with ``error`` unless it is already settled."""
    with contextlib.suppress(InvalidStateError):
        slot.set_exception(error)


def _chapter(ctx: RenderContext, n: int, mp3: Path | None) -> tuple[ChapterSource, Path]:
    """Chapter ``n``'s MP3 and timing file; BuildError if the audio is missing or is of
    another chapter."""
    chapter = ctx.book.chapters[n]
    timing = ctx.find(outputs.timing(chapter.slug))
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
    return ChapterSource(title=title, mp3=mp3), timing
