"""An episode's transcript: what is said, sentence by sentence (and word by word where the
timing file has the words), with when it is said.

The words come from the chapter's script (:mod:`publisher.speech.script`, which cuts the
text with :func:`publisher.text.sentences`), in the written form the captions show; the times
come from the audio target's timing file. Both list the same utterances in the same order,
which is checked, so stale audio is reported rather than shown out of step.

The timing file is read with :class:`publisher.speech.timing.TimingFile`, the one definition of
its format.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from publisher import model as m
from publisher.errors import BuildError
from publisher.model.config import Config
from publisher.speech.script import Utterance, chapter_script
from publisher.speech.timing import TimedPause, TimedUtterance, TimingFile
from publisher.speech.voicing import Cast
from publisher.text import heading_levels


@dataclass(frozen=True, kw_only=True)
class Word:
    """A word of a sentence, and when it is heard: from its start to the next word's (the
    last to the sentence's end), so that one word is always lit while the sentence is."""

    start_ms: int
    end_ms: int


@dataclass(frozen=True, kw_only=True)
class Sentence:
    """One sentence (or heading) of the transcript, as written, and when it is said;
    ``pieces`` is its text cut into words (with when each is heard) and what lies between
    them (None), or the whole text, untimed, where the words are not known."""

    text: str
    start_ms: int
    end_ms: int
    pieces: tuple[tuple[str, Word | None], ...] = ()


def pieces(text: str, timed: TimedUtterance) -> tuple[tuple[str, Word | None], ...]:
    """``text`` (the sentence as written) cut at the words ``timed`` has of it."""
    if timed.display != text or not timed.words:
        return ((text, None),)
    out: list[tuple[str, Word | None]] = []
    position = 0
    ends = [w.start_ms for w in timed.words[1:]] + [timed.end_ms]
    for index, (word, end) in enumerate(zip(timed.words, ends, strict=True)):
        if word.offset > position:
            out.append((text[position : word.offset], None))
        start = timed.start_ms if index == 0 else word.start_ms
        out.append((timed.word_text(word), Word(start_ms=start, end_ms=end)))
        position = word.offset + word.length
    if position < len(text):
        out.append((text[position:], None))
    return tuple(out)


@dataclass(frozen=True, kw_only=True)
class Part:
    """One block of the transcript: its kind (what the template draws), its sentences and,
    for a prompt, the thinking pause after it; a ``{pause=N}`` block is a part of kind
    ``"pause"`` with no sentences, only its pause."""

    kind: str  # an utterance kind of the script ("paragraph", "prompt", "heading", …)
    sentences: tuple[Sentence, ...]
    level: int = 0  # <hN> of a heading
    pause: TimedPause | None = None  # the prompt's silence


def transcript(
    chapter: m.Chapter, config: Config, timing: TimingFile, path: Path, cast: Cast | None = None
) -> list[Part]:
    """The chapter's transcript, block by block, timed by ``timing`` (read from ``path``);
    ``cast``: the audio's voices, so text no voice could say is left out here too."""
    script = chapter_script(chapter, config, cast=cast)
    said = [item for item in script.items if isinstance(item, Utterance)]
    if [u.block for u in said] != [t.block for t in timing.utterances]:
        raise BuildError(
            f"{path}: the timing does not match chapter {chapter.slug!r} as written; "
            "rebuild the audio"
        )
    prompt_pauses = {p.after: p for p in timing.pauses if p.kind == "prompt"}
    levels = heading_levels(chapter.blocks, top=3)
    parts: list[Part] = []
    current: list[Sentence] = []
    block, kind = "", ""

    def close() -> None:
        if current:
            parts.append(
                Part(
                    kind=kind,
                    sentences=tuple(current),
                    level=levels.get(block, 3),
                    pause=prompt_pauses.get(block) if kind == "prompt" else None,
                )
            )
        current.clear()

    # A {pause=N} block says nothing: it is shown where it falls in time, as a pause.
    block_pauses = [p for p in timing.pauses if p.kind == "pause"]
    for item, timed in zip(said, timing.utterances, strict=True):
        while block_pauses and block_pauses[0].start_ms < timed.start_ms:
            close()
            parts.append(Part(kind="pause", sentences=(), pause=block_pauses.pop(0)))
            block, kind = "", ""
        # A prompt's lead-in ("Reflectievraag.") is said as part of the prompt.
        item_kind = "prompt" if item.kind == "lead-in" else item.kind
        if item.block != block or item_kind != kind:
            close()
            block, kind = item.block, item_kind
        current.append(
            Sentence(
                text=item.display,
                start_ms=timed.start_ms,
                end_ms=timed.end_ms,
                pieces=pieces(item.display, timed),
            )
        )
    close()
    parts += [Part(kind="pause", sentences=(), pause=p) for p in block_pauses]
    return parts
