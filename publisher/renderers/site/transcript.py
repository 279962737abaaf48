"""An episode's transcript: what is said, sentence by sentence, with when it is said.

The words come from the chapter's script (:mod:`publisher.speech.script`, which cuts the
text with :func:`publisher.text.sentences`), in the written form the captions show; the times
come from the audio target's timing file. Both list the same utterances in the same order,
which is checked, so stale audio is reported rather than shown out of step.

All reading of the timing file goes through :func:`read_timing`, so switching to the timing
module's own loader is a change in one place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publisher import model as m
from publisher.config import Config
from publisher.errors import BuildError
from publisher.speech.script import Utterance, chapter_script
from publisher.text import heading_levels


@dataclass(frozen=True, kw_only=True)
class Span:
    """A stretch of the audio: an utterance or a pause, in milliseconds."""

    start_ms: int
    end_ms: int
    block: str
    kind: str


@dataclass(frozen=True, kw_only=True)
class ChapterTiming:
    """What the site needs from ``audio/<slug>.json``."""

    duration_ms: int
    utterances: tuple[Span, ...]
    pauses: tuple[Span, ...]


def read_timing(path: Path, slug: str) -> ChapterTiming:
    """Read the timing file the audio target wrote for chapter ``slug``."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != 1 or data.get("chapter") != slug:
            raise BuildError(f"{path}: not the version 1 timing of {slug!r}; rebuild the audio")

        def spans(key: str, block_key: str) -> tuple[Span, ...]:
            return tuple(
                Span(
                    start_ms=int(raw["start_ms"]),
                    end_ms=int(raw["end_ms"]),
                    block=str(raw[block_key]),
                    kind=str(raw["kind"]),
                )
                for raw in data[key]
            )

        return ChapterTiming(
            duration_ms=int(data["duration_ms"]),
            utterances=spans("utterances", "block"),
            pauses=spans("pauses", "after"),
        )
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise BuildError(f"{path}: cannot read the audio timing: {e}") from e


@dataclass(frozen=True, kw_only=True)
class Sentence:
    """One sentence (or heading) of the transcript, as written, and when it is said."""

    text: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True, kw_only=True)
class Part:
    """One block of the transcript: its kind (what the template draws), its sentences and,
    for a prompt, the thinking pause after it."""

    kind: str  # an utterance kind of the script ("paragraph", "prompt", "heading", …)
    sentences: tuple[Sentence, ...]
    level: int = 0  # <hN> of a heading
    pause: Span | None = None  # the prompt's silence


def transcript(chapter: m.Chapter, config: Config, timing: ChapterTiming, path: Path) -> list[Part]:
    """The chapter's transcript, block by block, timed by ``timing`` (read from ``path``)."""
    script = chapter_script(chapter, config)
    said = [item for item in script.items if isinstance(item, Utterance)]
    if [u.block for u in said] != [t.block for t in timing.utterances]:
        raise BuildError(
            f"{path}: the timing does not match chapter {chapter.slug!r} as written; "
            "rebuild the audio"
        )
    prompt_pauses = {p.block: p for p in timing.pauses if p.kind == "prompt"}
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

    for item, timed in zip(said, timing.utterances, strict=True):
        # A prompt's lead-in ("Reflectievraag.") is said as part of the prompt.
        item_kind = "prompt" if item.kind == "lead-in" else item.kind
        if item.block != block or item_kind != kind:
            close()
            block, kind = item.block, item_kind
        current.append(Sentence(text=item.display, start_ms=timed.start_ms, end_ms=timed.end_ms))
    close()
    return parts
