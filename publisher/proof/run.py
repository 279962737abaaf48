"""``publisher proof``: listen to every chapter of a build and compare with the book.

Reads the build's MP3s and timing files (``<out>/audio/``), hears each chapter with the
recognizer (:mod:`publisher.proof.recognizer`) or takes its transcript from the state
folder (:mod:`publisher.proof.transcripts`), aligns it with the written text
(:mod:`publisher.proof.results`), flags what an author must look at
(:mod:`publisher.proof.flags`) and writes the report (:mod:`publisher.proof.report`) into
``.publisher/proof/`` beside the source: it is for the author, not for publishing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from publisher import model as m
from publisher.errors import BuildError, Problem
from publisher.infra.statedir import state_folder
from publisher.proof.align import Score
from publisher.proof.chapters import chapter_audio
from publisher.proof.flags import Flag, flags
from publisher.proof.recognizer import Recognizer, Settings, model_folder
from publisher.proof.report import write_report
from publisher.proof.results import ChapterProof, prove_chapter
from publisher.proof.transcripts import Transcripts
from publisher.reader.parse import parse_file


@dataclass(frozen=True, kw_only=True)
class BookProof:
    """A whole proof: every chapter, the flags, and where the report went."""

    book: m.Book
    chapters: tuple[ChapterProof, ...]
    flags: tuple[Flag, ...]
    model: str
    report: Path  # the HTML page; the JSON beside it

    @property
    def score(self) -> Score:
        """The book's errors: every chapter's added up."""
        return sum((c.score for c in self.chapters), Score())

    @property
    def transcribed(self) -> int:
        """Chapters heard now (the others' transcripts were kept)."""
        return sum(1 for c in self.chapters if not c.cached)

    def above(self, max_wer: float) -> list[Problem]:
        """A problem for each chapter whose word error rate exceeds ``max_wer``."""
        return [
            Problem(
                path=self.book.source,
                line=c.audio.chapter.line,
                message=f"chapter {c.audio.chapter.slug!r}: word error rate "
                f"{c.score.wer:.1%} is above --max-wer {max_wer:.1%}",
            )
            for c in self.chapters
            if c.score.wer > max_wer
        ]


def proof(
    source: Path,
    out: Path,
    *,
    model: str | None = None,
    settings: Settings | None = None,
    fetch: bool = True,
    on_chapter: Callable[[ChapterProof], None] | None = None,
) -> BookProof:
    """Proof the narration of the book at ``source`` built into ``out`` (module docstring);
    ``fetch`` allows fetching a named model; ``on_chapter`` hears each chapter as it is
    done."""
    book = parse_file(source).book
    audio = chapter_audio(book, out)
    state = state_folder(source)
    folder = model_folder(model, fetch=fetch)
    transcripts = Transcripts(state, Recognizer(folder, settings))
    chapters = []
    for chapter in audio:
        listened = transcripts.of(chapter)
        proved = prove_chapter(
            chapter,
            listened.transcript.words,
            seconds=listened.seconds,
            cached=listened.cached,
        )
        chapters.append(proved)
        if on_chapter is not None:
            on_chapter(proved)
    transcripts.forget_unused()
    found = BookProof(
        book=book,
        chapters=tuple(chapters),
        flags=tuple(flags(book, chapters)),
        model=model or folder.name,
        report=state / "proof" / "report.html",
    )
    try:
        write_report(found)
    except OSError as e:
        raise BuildError(f"{found.report.parent}: cannot write the proof report: {e}") from e
    return found
