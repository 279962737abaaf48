"""The chapters' narration as the audio target published it, read one way by every target
that reads it (the feed, the website, the read-along EPUB), and the episodes it makes.

A target that requires the audio finds each chapter's MP3 and timing file with
:meth:`~publisher.renderers.base.RenderContext.find` (this build's, else the published
build's, when ``--only`` leaves the audio out). A chapter without them, or whose timing file
is another chapter's, is one :class:`BuildError` naming every such chapter at its line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from publisher import model as m
from publisher import outputs
from publisher.errors import BuildError, Problem
from publisher.infra.clock import episode_date, released
from publisher.renderers.base import RenderContext
from publisher.speech.timing import TimingFile


@dataclass(frozen=True, kw_only=True)
class ChapterAudio:
    """One chapter's narration: its MP3, its timing, and its captions if published."""

    chapter: m.Chapter
    mp3: Path
    timing: TimingFile
    timing_path: Path
    captions: Path | None

    @property
    def slug(self) -> str:
        """The chapter's slug."""
        return self.chapter.slug


@dataclass(frozen=True, kw_only=True)
class Episode:
    """A chapter as a podcast episode: its narration and when it comes out (UTC)."""

    audio: ChapterAudio
    when: dt.datetime
    released: bool

    @property
    def chapter(self) -> m.Chapter:
        """The chapter."""
        return self.audio.chapter

    @property
    def timing(self) -> TimingFile:
        """The chapter's timing."""
        return self.audio.timing


def load_timing(path: Path, slug: str) -> TimingFile:
    """The timing file at ``path``, checked to be chapter ``slug``'s."""
    timing = TimingFile.load(path)
    if timing.chapter != slug:
        raise BuildError(
            f"{path}: timing is for chapter {timing.chapter!r}, not {slug!r}; rebuild the audio"
        )
    return timing


def book_audio(ctx: RenderContext) -> list[ChapterAudio]:
    """Every chapter's narration, in reading order."""
    found: list[ChapterAudio] = []
    missing: list[Problem] = []
    for chapter in ctx.book.chapters:
        slug = chapter.slug
        mp3, timing = ctx.find(outputs.mp3(slug)), ctx.find(outputs.timing(slug))
        if mp3 is None or timing is None:
            lacking = outputs.mp3(slug) if mp3 is None else outputs.timing(slug)
            message = f"chapter {slug!r} has no audio ({lacking}): build the audio target first"
            missing.append(Problem(path=chapter.path, line=chapter.line, message=message))
            continue
        found.append(
            ChapterAudio(
                chapter=chapter,
                mp3=mp3,
                timing=load_timing(timing, slug),
                timing_path=timing,
                captions=ctx.find(outputs.captions(slug)),
            )
        )
    if missing:
        raise BuildError(str(missing[0]), missing)
    return found


def book_episodes(ctx: RenderContext, today: dt.date) -> list[Episode]:
    """Every chapter as an episode, in reading order; ``released`` says which are out on
    ``today`` (see :func:`publisher.infra.clock.build_now`)."""
    out = []
    for audio in book_audio(ctx):
        when = episode_date(ctx.book.config, audio.slug, audio.chapter.number)
        out.append(Episode(audio=audio, when=when, released=released(when.date(), today)))
    return out
