"""Where things are said: the timing file (JSON, version 1) and captions (WebVTT).

Both are made from the script and the sample positions the assembly recorded, converted to
milliseconds (rounded down) only here. Sample 0 of the PCM is sample 0 of the MP3 for a
gapless decoder (the encoder's delay is declared in the LAME tag), so the times are the
MP3's.

The JSON format is fixed (the feed target reads it)::

    {"version": 1, "chapter": slug, "number": n, "title": title, "duration_ms": ms,
     "sections": [{"title", "start_ms", "end_ms", "block"}],
     "utterances": [{"start_ms", "end_ms", "block", "kind", "text"}],
     "pauses": [{"start_ms", "end_ms", "after", "kind"}]}

``sections`` starts with the chapter title at 0 and has one entry per heading; each ends
where the next begins, the last at the end of the audio.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from publisher.speech.script import PAUSE_KINDS, ChapterScript, Pause, Utterance

VERSION = 1


@dataclass(frozen=True, kw_only=True)
class TimedSection:
    """A heading (or the chapter title) and the stretch of audio it heads."""

    title: str
    start_ms: int
    end_ms: int
    block: str


def to_ms(sample: int, rate: int) -> int:
    """Whole milliseconds at ``sample`` (rounded down)."""
    return sample * 1000 // rate


def sections(
    script: ChapterScript, spans: Sequence[tuple[int, int]], rate: int, duration_ms: int
) -> tuple[TimedSection, ...]:
    """The chapter title at 0, then each heading from where it is said."""
    starts: list[tuple[str, int, str]] = [(script.title, 0, script.slug)]
    for item, (start, _) in zip(script.items, spans, strict=True):
        if isinstance(item, Utterance) and item.kind == "heading":
            starts.append((item.display.rstrip(), to_ms(start, rate), item.block))
    out = []
    for i, (title, start_ms, block) in enumerate(starts):
        end_ms = starts[i + 1][1] if i + 1 < len(starts) else duration_ms
        out.append(TimedSection(title=title, start_ms=start_ms, end_ms=end_ms, block=block))
    return tuple(out)


def timing_document(
    script: ChapterScript, spans: Sequence[tuple[int, int]], rate: int, samples: int
) -> dict[str, Any]:
    """The timing file's content for one chapter."""
    duration_ms = to_ms(samples, rate)
    utterances: list[dict[str, Any]] = []
    pauses: list[dict[str, Any]] = []
    for item, (start, end) in zip(script.items, spans, strict=True):
        if isinstance(item, Utterance):
            utterances.append(
                {
                    "start_ms": to_ms(start, rate),
                    "end_ms": to_ms(end, rate),
                    "block": item.block,
                    "kind": item.kind,
                    "text": item.text,
                }
            )
        elif isinstance(item, Pause) and item.kind in PAUSE_KINDS:
            pauses.append(
                {
                    "start_ms": to_ms(start, rate),
                    "end_ms": to_ms(end, rate),
                    "after": item.after,
                    "kind": item.kind,
                }
            )
    return {
        "version": VERSION,
        "chapter": script.slug,
        "number": script.number,
        "title": script.title,
        "duration_ms": duration_ms,
        "sections": [
            {"title": s.title, "start_ms": s.start_ms, "end_ms": s.end_ms, "block": s.block}
            for s in sections(script, spans, rate, duration_ms)
        ],
        "utterances": utterances,
        "pauses": pauses,
    }


def timing_json(document: dict[str, Any]) -> bytes:
    """The timing document as UTF-8 JSON, stable byte for byte."""
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _vtt_time(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _vtt_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webvtt(script: ChapterScript, spans: Sequence[tuple[int, int]], rate: int) -> bytes:
    """Captions: one cue per utterance (a sentence, a heading), showing the written text."""
    lines = ["WEBVTT", ""]
    number = 0
    for item, (start, end) in zip(script.items, spans, strict=True):
        if not isinstance(item, Utterance) or not item.display:
            continue
        number += 1
        lines += [
            str(number),
            f"{_vtt_time(to_ms(start, rate))} --> {_vtt_time(to_ms(end, rate))}",
            _vtt_text(item.display),
            "",
        ]
    return "\n".join(lines).encode("utf-8")
