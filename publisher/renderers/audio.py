"""The audio target: one narrated MP3 per chapter, its timing and captions, and a playlist.

In ``build/audio/``, per chapter ``<slug>.mp3`` (ID3v2.4 with cover and chapter marks),
``<slug>.json`` (the timing file the feed reads, see :mod:`publisher.audio.timing`) and
``<slug>.vtt`` (captions), and ``playlist.m3u`` in reading order. File names carry no
position number, so inserting a chapter renames nothing.

Work is skipped wherever its result is known: a chapter whose spoken content, voice and
settings did not change is taken whole from the cache (no synthesis, no encoding), and
within a changed chapter only utterances whose text changed are synthesised.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from publisher.audio.chapter import ChapterAudio, ChapterCache, ChapterJob
from publisher.audio.pool import SynthesizerFactory, run_jobs
from publisher.audio.tags import TrackInfo, tagged
from publisher.audio.timing import sections, timing_document, timing_json, webvtt
from publisher.engines.base import Synthesizer, VoiceProfile
from publisher.model import Book
from publisher.renderers.base import RenderContext
from publisher.speech import ChapterScript, book_script


def voices_folder(book: Book) -> Path:
    """Where the voice profiles are: ``voices/`` beside the source folder, else inside it."""
    beside = Path(book.root).parent / "voices"
    return beside if beside.is_dir() else Path(book.root) / "voices"


@dataclass(frozen=True)
class ProfileSynthesizerFactory:
    """The default factory: the engine a profile names (picklable, for worker processes)."""

    voices_dir: str

    def __call__(self, profile: VoiceProfile) -> Synthesizer:
        """The synthesizer for ``profile``."""
        from publisher.voices import make_synthesizer

        return make_synthesizer(profile, self.voices_dir)


class AudioRenderer:
    """Renders the narration (see the module docstring).

    ``synthesizer_factory`` replaces the engine the voice profile names (tests pass a fake;
    it must be picklable for ``jobs`` > 1); ``voice`` skips choosing a profile.
    """

    name = "audio"
    folder = "audio"

    def __init__(
        self,
        synthesizer_factory: SynthesizerFactory | None = None,
        voice: VoiceProfile | None = None,
    ) -> None:
        self.synthesizer_factory = synthesizer_factory
        self.voice = voice

    def render(self, ctx: RenderContext) -> None:
        """Write the MP3s, timing files, captions and playlist into ``ctx.out_dir``."""
        book = ctx.book
        config = book.config
        voices_dir = voices_folder(book)
        profile = self.voice
        if profile is None:
            from publisher.voices import choose_voice

            profile = choose_voice(config.narration.voice, config.language, voices_dir)
        factory = self.synthesizer_factory or ProfileSynthesizerFactory(str(voices_dir))
        synthesizer = factory(profile)
        identity = synthesizer.identity()
        scripts = book_script(book, profile.lexicon)
        jobs = [
            ChapterJob(
                index=i,
                script=script,
                identity=identity,
                bitrate=config.narration.bitrate,
                loudness=config.narration.loudness,
                cache_dir=str(ctx.cache_dir),
            )
            for i, script in enumerate(scripts)
        ]

        cache = ChapterCache(ctx.cache_dir)
        audio: dict[int, ChapterAudio] = {}
        for job in jobs:
            hit = cache.get(job.key)
            if hit is not None:
                audio[job.index] = hit
        progress = _Progress(ctx, scripts, set(audio))
        todo = [job for job in jobs if job.index not in audio]
        audio.update(
            run_jobs(
                todo,
                factory=factory,
                profile=profile,
                workers=max(1, ctx.options.jobs),
                done=progress.done,
                synthesizer=synthesizer,
            )
        )

        cover_path = ctx.root / "cover.jpg"
        cover = cover_path.read_bytes() if cover_path.is_file() else None
        playlist = ["#EXTM3U", f"#PLAYLIST:{_one_line(config.title)}"]
        for job, script in zip(jobs, scripts, strict=True):
            chapter = audio[job.index]
            _write_chapter(ctx, book, script, chapter, cover)
            seconds = round(chapter.samples / chapter.sample_rate)
            playlist += [f"#EXTINF:{seconds},{_one_line(script.title)}", f"{script.slug}.mp3"]
        (ctx.out_dir / "playlist.m3u").write_bytes(("\n".join(playlist) + "\n").encode())


def _write_chapter(
    ctx: RenderContext,
    book: Book,
    script: ChapterScript,
    chapter: ChapterAudio,
    cover: bytes | None,
) -> None:
    config = book.config
    rate = chapter.sample_rate
    info = TrackInfo(
        title=script.title,
        album=config.title,
        artist=config.author,
        track=script.number,
        total=len(book.chapters),
        language=config.language,
        year=config.date.year if config.date else None,
        cover=cover,
        sections=sections(script, chapter.spans, rate, chapter.duration_ms),
    )
    out = ctx.out_dir
    (out / f"{script.slug}.mp3").write_bytes(tagged(chapter.mp3, info))
    document = timing_document(script, chapter.spans, rate, chapter.samples)
    (out / f"{script.slug}.json").write_bytes(timing_json(document))
    (out / f"{script.slug}.vtt").write_bytes(webvtt(script, chapter.spans, rate))


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
