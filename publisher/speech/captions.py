"""Captions from a timing file: WebVTT (with each word's time where it is known) and SubRip.

One cue per utterance that is shown (a sentence, a heading), showing the sentence as
written; times as the timing file has them (:mod:`publisher.speech.timing`). WebVTT's text
is escaped as XML character data is (``& < >``, :func:`~publisher.text.markup.esc`).
"""

from __future__ import annotations

from publisher.speech.timing import TimedUtterance, TimingFile
from publisher.text.markup import esc


def _clock(ms: int, separator: str) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def _cue_text(u: TimedUtterance) -> str:
    """The written sentence, with a timestamp (``<00:00:01.500>``) before each word after
    the first: when it is said, for players that show captions word by word. WebVTT wants
    each later than the cue's start and the one before, and earlier than its end."""
    out = []
    position, last = 0, u.start_ms
    for word in u.words:
        if last < word.start_ms < u.end_ms:
            out += [esc(u.display[position : word.offset]), f"<{_clock(word.start_ms, '.')}>"]
            position, last = word.offset, word.start_ms
    out.append(esc(u.display[position:]))
    return "".join(out)


def _captioned(timing: TimingFile) -> list[TimedUtterance]:
    return [u for u in timing.utterances if u.display]


def webvtt(timing: TimingFile) -> bytes:
    """Captions (``audio/<slug>.vtt``): one cue per utterance (a sentence, a heading),
    showing the written text, with its words' times where they are known."""
    lines = ["WEBVTT", ""]
    for number, u in enumerate(_captioned(timing), start=1):
        lines += [
            str(number),
            f"{_clock(u.start_ms, '.')} --> {_clock(u.end_ms, '.')}",
            _cue_text(u),
            "",
        ]
    return "\n".join(lines).encode("utf-8")


def subrip(timing: TimingFile) -> bytes:
    """The same captions as SubRip (``audio/<slug>.srt``), for players that read no WebVTT:
    the same cues, without word times (SubRip has none). SubRip has no escapes either: the
    text is as written."""
    lines = []
    for number, u in enumerate(_captioned(timing), start=1):
        lines += [
            str(number),
            f"{_clock(u.start_ms, ',')} --> {_clock(u.end_ms, ',')}",
            u.display,
            "",
        ]
    return "\n".join(lines).encode("utf-8")
