"""What each chapter's narration says where: the written sentences, their lines and times.

The timing file (:class:`~publisher.speech.timing.TimingFile`) says when each utterance is
said and from which block; the speech script the audio was made from says what is written
there (``display``) and on which line. They are paired one by one after checking that the
timing file was made from this script (else the audio is older than the text). The script
is made as the audio target made it: the same voice, lexicon and cast.

Heard words are then given to the utterance they were said in, by time.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from publisher import model as m
from publisher import outputs
from publisher.engines.profiles import choose_voice, primary_subtag
from publisher.errors import BuildError
from publisher.proof.align import Heard
from publisher.speech.casting import BookCast, voices_folder
from publisher.speech.lexicon import voice_lexicon
from publisher.speech.script import ChapterScript, Utterance, chapter_script
from publisher.speech.timing import TimingFile, check_script
from publisher.speech.voicing import Cast


@dataclass(frozen=True, kw_only=True)
class Said:
    """One utterance: what is written, where, when it is said and in which language."""

    display: str
    line: int
    kind: str
    start_ms: int
    end_ms: int
    language: str  # what the recognizer listens for (ISO 639-1)


@dataclass(frozen=True, kw_only=True)
class ChapterAudio:
    """A chapter's narration as the build left it, with its sentences."""

    chapter: m.Chapter
    mp3: Path
    duration_ms: int
    language: str  # the book's (ISO 639-1): what the chapter is heard in
    said: tuple[Said, ...]

    @property
    def foreign(self) -> tuple[Said, ...]:
        """The utterances said wholly in another language than the chapter's."""
        return tuple(s for s in self.said if s.language != self.language)


def audio_paths(out: Path, slug: str) -> tuple[Path, Path]:
    """Where the build put a chapter's MP3 and its timing file."""
    return out / outputs.mp3(slug), out / outputs.timing(slug)


def _recording(cast: Cast) -> tuple[Cast, dict[str, str]]:
    """``cast`` noting which voice it lends to which language (a ``{lang=…}`` span's)."""
    lent: dict[str, str] = {}

    def speaks(language: str) -> str | None:
        name = cast.speaks(language)
        if name is not None:
            lent.setdefault(name, primary_subtag(language))
        return name

    return replace(cast, speaks=speaks), lent


def _language(u: Utterance, book: str, lent: dict[str, str]) -> str:
    """The language of ``u``: another than the book's only if every voice in it was lent
    for that one language."""
    languages = {lent.get(part.voice) for part in u.parts}
    if len(languages) == 1 and None not in languages:
        return languages.pop() or book
    return book


def _said(script: ChapterScript, timing: TimingFile, book: str, lent: dict[str, str]) -> list[Said]:
    out = []
    for u, t in zip(script.utterances, timing.utterances, strict=True):
        out.append(
            Said(
                display=u.display,
                line=u.line,
                kind=u.kind,
                start_ms=t.start_ms,
                end_ms=t.end_ms,
                language=_language(u, book, lent),
            )
        )
    return out


def chapter_audio(book: m.Book, out: Path) -> list[ChapterAudio]:
    """Every chapter's narration in ``out`` (a build folder), paired with its text;
    :class:`BuildError` when a chapter has none or it is older than the text."""
    config = book.config
    folder = voices_folder(book)
    voice = choose_voice(config.narration.voice, config.language, folder)
    cast, lent = _recording(BookCast(book, voice, folder).cast())
    lexicon = voice_lexicon(book, voice)
    language = primary_subtag(config.language)
    found = []
    for chapter in book.chapters:
        mp3, timing_path = audio_paths(out, chapter.slug)
        if not mp3.is_file() or not timing_path.is_file():
            raise BuildError(
                f"{book.source}:{chapter.line}: chapter {chapter.slug!r} has no narration "
                f"in {out}; build the audio first (publisher build)"
            )
        timing = TimingFile.load(timing_path)
        script = chapter_script(chapter, config, lexicon, cast)
        check_script(script, timing, str(timing_path))
        said = tuple(_said(script, timing, language, lent))
        found.append(
            ChapterAudio(
                chapter=chapter,
                mp3=mp3,
                duration_ms=timing.duration_ms,
                said=said,
                language=language,
            )
        )
    return found


def assign(said: Sequence[Said], words: Sequence[Heard]) -> list[list[Heard]]:
    """``words`` shared out among ``said``: each to the utterance its middle falls in, or,
    in a silence between two, to the nearer one."""
    out: list[list[Heard]] = [[] for _ in said]
    if not said:
        return out
    starts = [s.start_ms for s in said]
    for word in words:
        middle = (word.start_ms + word.end_ms) / 2
        i = max(bisect.bisect_right(starts, middle) - 1, 0)
        if middle > said[i].end_ms and i + 1 < len(said):
            after = said[i + 1].start_ms - middle
            i = i + 1 if after < middle - said[i].end_ms else i
        out[i].append(word)
    return out
