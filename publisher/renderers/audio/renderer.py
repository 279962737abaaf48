"""The audio target: one narrated MP3 per chapter, its timing and captions, and a playlist.

In ``build/audio/``, per chapter ``<slug>.mp3`` (ID3v2.4 with cover and chapter marks),
``<slug>.json`` (the timing file the feed reads, see :mod:`publisher.speech.timing`) and
``<slug>.vtt`` (captions, with word times where the engine gives them) and ``<slug>.srt``
(the same captions as SubRip), and ``playlist.m3u`` in reading order. File names carry no
position number, so inserting a chapter renames nothing.

Work is skipped wherever its result is known: a chapter whose spoken content, voice and
settings did not change is taken whole from the cache (no synthesis, no encoding), and
within a changed chapter only utterances whose text changed are synthesised.

Finished chapters go through the cache: a cached one is written out first, a new one as soon
as its worker has stored it (while the others are being made), each copied from its cache
entry a megabyte at a time behind its tags, so no MP3 is ever whole in this process, however
long the book.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from publisher import outputs
from publisher.engines.base import VoiceProfile
from publisher.engines.profiles import choose_voice
from publisher.errors import BuildError, Problem
from publisher.model import Book
from publisher.reader.credentials import credential_problems, no_key_note, signing_key
from publisher.renderers.audio.chapter import (
    ChapterCache,
    ChapterJob,
    ChapterTiming,
    Engines,
    ProfileSynthesizerFactory,
)
from publisher.renderers.audio.pool import (
    SynthesizerFactory,
    run_jobs,
    start_ahead,
)
from publisher.renderers.audio.tags import TrackInfo, stored_cover_art, tag_bytes
from publisher.renderers.base import RenderContext, RenderResult, Target
from publisher.renderers.provenance import Sealer
from publisher.speech.captions import subrip, webvtt
from publisher.speech.casting import BookCast, narrator, voices_folder
from publisher.speech.disclosure import Synthetic, synthetic
from publisher.speech.script import ChapterScript, book_script, voice_lexicon
from publisher.speech.timing import TimingFile, sections

if TYPE_CHECKING:
    from publisher.renderers.audio.workers import Worker

__all__ = ["AudioRenderer", "ProfileSynthesizerFactory", "voices_folder"]


class _Plan(NamedTuple):
    """What the audio target narrates (:meth:`AudioRenderer._plan`)."""

    factory: SynthesizerFactory
    profiles: dict[str, VoiceProfile]
    scripts: tuple[ChapterScript, ...]
    engines: Engines
    jobs: list[ChapterJob]


class AudioRenderer(Target):
    """Renders the narration (see the module docstring).

    ``synthesizer_factory`` replaces the engine the voice profile names (tests pass a fake;
    it must be picklable for ``jobs`` > 1); ``voice`` skips choosing a profile.
    """

    name = "audio"
    requires = ("cover",)  # the MP3s carry it as their artwork
    owns = (outputs.AUDIO,)

    def problems(self, book: Book) -> list[Problem]:
        """Errors in the signing key of the content credentials, if the author gave one."""
        return credential_problems(book)

    def __init__(
        self,
        synthesizer_factory: SynthesizerFactory | None = None,
        voice: VoiceProfile | None = None,
    ) -> None:
        self.synthesizer_factory = synthesizer_factory
        self.voice = voice
        self._ahead: list[Worker] = []  # started by prepare, taken by the render
        self._planned: _Plan | None = None  # made by prepare (a Piper voice's hash is 0.1 s)

    @contextlib.contextmanager
    def prepare(self, ctx: RenderContext) -> Iterator[None]:
        """As the build begins: start the worker processes the chapters to make will need,
        so that their imports (0.3 s) overlap the cover and the EPUB rather than delay the
        first chapter; on leaving, stop those the render did not take."""
        try:
            self._planned = plan = self._plan(ctx)
            cache = ChapterCache(ctx.cache_dir)
            todo = sum(1 for job in plan.jobs if not cache.has(job.key))
            self._ahead = start_ahead(todo, max(1, ctx.options.jobs), plan.engines)
        except Exception:  # the render meets it again in its turn, and reports it there
            self._ahead = []
        try:
            yield
        finally:
            ahead, self._ahead, self._planned = self._ahead, [], None
            for worker in ahead:
                worker.stop()

    def _plan(self, ctx: RenderContext) -> _Plan:
        """The chapters to narrate: scripts, engines and jobs."""
        book = ctx.book
        config = book.config
        voices_dir = voices_folder(book)
        profile = self.voice
        if profile is None:
            profile = choose_voice(config.narration.voice, config.language, voices_dir)
        factory = self.synthesizer_factory or ProfileSynthesizerFactory(str(voices_dir))
        cast = BookCast(book, profile, voices_dir)
        scripts = book_script(book, voice_lexicon(book, profile), cast.cast())
        engines = Engines(factory, cast.profiles)
        identities = {name: engines(name).identity() for name in cast.profiles}
        jobs = [
            ChapterJob(
                index=i,
                script=script,
                identities=identities,
                bitrate=config.narration.bitrate,
                loudness=config.narration.loudness,
                cache_dir=str(ctx.cache_dir),
                pause_sound=config.narration.pause_sound,
            )
            for i, script in enumerate(scripts)
        ]
        return _Plan(factory, cast.profiles, scripts, engines, jobs)

    def render(self, ctx: RenderContext) -> RenderResult:
        """Write the MP3s, timing files, captions and playlist into ``ctx.out_dir``."""
        factory, profiles, scripts, engines, jobs = self._planned or self._plan(ctx)
        for script in scripts:
            for warning in script.warnings:
                ctx.warn(warning)
        engine_of = {name: p.engine for name, p in profiles.items()}

        workers = max(1, ctx.options.jobs)
        cache = ChapterCache(ctx.cache_dir)
        cached = {job.index for job in jobs if cache.has(job.key)}
        todo = [job for job in jobs if job.index not in cached]
        writer = _Writer(ctx, scripts, cache, engine_of)
        for job in jobs:
            if job.index in cached and not writer.write(job):  # damaged: made again with the others
                cached.discard(job.index)
                todo.append(job)
        todo.sort(key=lambda j: j.index)
        progress = _Progress(ctx, scripts, cached)

        def done(index: int, finished: bool) -> None:
            progress.done(index, finished)
            # Written while the workers make the others; its worker has just stored it, so
            # if it cannot be read back the cache folder is failing.
            if finished and not writer.write(jobs[index]):
                raise BuildError(f"audio: cannot read chapter {index + 1} back from the cache")

        run_jobs(
            todo,
            factory=factory,
            profiles=profiles,
            workers=workers,
            done=done,
            engines=engines,
            started=self._ahead,
        )

        seconds = [writer.seconds[job.index] for job in jobs]
        (ctx.root / outputs.PLAYLIST).write_bytes(_playlist(ctx.book, scripts, seconds))
        made = [path for s in scripts for path in _chapter_files(s.slug)]
        return RenderResult(files=(*made, outputs.PLAYLIST), warnings=ctx.warnings())


def _playlist(book: Book, scripts: tuple[ChapterScript, ...], seconds: list[int]) -> bytes:
    """The playlist (M3U) of the chapters ``scripts`` in reading order, each ``seconds``
    long, with their MP3s beside it."""
    playlist = ["#EXTM3U", f"#PLAYLIST:{_one_line(book.config.title)}"]
    if book.config.audiobook:
        # A comment, not an entry: a player would otherwise play the book twice.
        playlist.append(f"# The whole book in one file: ../{outputs.audiobook(book.slug)}")
    for length, script in zip(seconds, scripts, strict=True):
        playlist += [
            f"#EXTINF:{length},{_one_line(script.title)}",
            outputs.name(outputs.mp3(script.slug)),  # beside the playlist
        ]
    return ("\n".join(playlist) + "\n").encode()


class _Writer:
    """Writes each finished chapter's files from its cache entry (:func:`_write_chapter`),
    seals its MP3 when the author gave a signing key, and notes its length in whole seconds
    (``seconds``, by chapter index) for the playlist."""

    def __init__(
        self,
        ctx: RenderContext,
        scripts: tuple[ChapterScript, ...],
        cache: ChapterCache,
        engine_of: dict[str, str],
    ) -> None:
        self.ctx, self.scripts, self.cache, self.engine_of = ctx, scripts, cache, engine_of
        cover_path = ctx.find(outputs.COVER)
        self.cover = (
            None if cover_path is None else stored_cover_art(cover_path.read_bytes(), ctx.cache_dir)
        )
        self.seconds: dict[int, int] = {}
        key = signing_key(ctx.book)
        self.sealer = Sealer(key, ctx.cache_dir) if key is not None else None
        if key is None:  # every other mark stays; the author hears it once, from here
            ctx.warn(no_key_note(ctx.book))

    def write(self, job: ChapterJob) -> bool:
        """Write ``job``'s chapter; False (and no files) if its cache entry is missing or
        damaged."""
        ctx, script = self.ctx, self.scripts[job.index]
        voices = list(script.voices)
        made = _Made(narrator(voices, self.engine_of), synthetic(voices, self.engine_of))
        chapter = _write_chapter(ctx, ctx.book, script, self.cache, job.key, self.cover, made)
        if chapter is None:
            return False
        if self.sealer is not None:
            self.sealer.seal(ctx.root / outputs.mp3(script.slug), "audio/mpeg", made.synthetic)
        self.seconds[job.index] = round(chapter.samples / chapter.sample_rate)
        for path in _chapter_files(script.slug):  # the audiobook starts on the MP3 at once
            ctx.made(path)
        return True


class _Made(NamedTuple):
    """Who spoke a chapter, as its tags say it: the narrator credit and the source type."""

    narrator: str
    synthetic: Synthetic


def _chapter_files(slug: str) -> tuple[str, ...]:
    """What the audio publishes for a chapter, the MP3 last (written last, read first)."""
    return (
        outputs.timing(slug),
        outputs.captions(slug),
        outputs.subtitles(slug),
        outputs.mp3(slug),
    )


def _write_chapter(
    ctx: RenderContext,
    book: Book,
    script: ChapterScript,
    cache: ChapterCache,
    key: str,
    cover: bytes | None,
    made: _Made,
) -> ChapterTiming | None:
    """Write the chapter's files from its cache entry; its timing, or None (and no files)
    if the entry is missing or damaged."""
    config = book.config

    def tags(chapter: ChapterTiming) -> bytes:
        info = TrackInfo(
            title=script.title,
            album=config.title,
            artist=config.author,
            track=script.number,
            total=len(book.chapters),
            language=config.language,
            year=config.date.year if config.date else None,
            cover=cover,
            narrator=made.narrator,
            synthetic=made.synthetic,
            sections=sections(script, chapter.spans, chapter.sample_rate, chapter.duration_ms),
        )
        return tag_bytes(info)

    root = ctx.root
    chapter = cache.write_mp3(key, root / outputs.mp3(script.slug), tags)
    if chapter is None:
        return None
    rate = chapter.sample_rate
    timing = TimingFile.from_script(script, chapter.spans, rate, chapter.samples, chapter.words)
    timing.write(root / outputs.timing(script.slug))
    (root / outputs.captions(script.slug)).write_bytes(webvtt(timing))
    (root / outputs.subtitles(script.slug)).write_bytes(subrip(timing))
    return chapter


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _Progress:
    """Counts utterances done across chapters and tells ``ctx.options.progress``."""

    def __init__(
        self, ctx: RenderContext, scripts: tuple[ChapterScript, ...], cached: set[int]
    ) -> None:
        self.report = ctx.options.progress
        self.scripts = scripts
        self.sizes = [len(s.utterances) for s in scripts]
        self.counts = [self.sizes[i] if i in cached else 0 for i in range(len(scripts))]
        self.total = sum(self.sizes)
        self.report(sum(self.counts), self.total, "audio")

    def done(self, index: int, finished: bool) -> None:
        """One more utterance of chapter ``index`` (or all of them, when ``finished``)."""
        before = self.counts[index]
        self.counts[index] = self.sizes[index] if finished else min(before + 1, self.sizes[index])
        if self.counts[index] != before:
            self.report(sum(self.counts), self.total, self.scripts[index].title)
