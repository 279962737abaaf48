"""espeak-ng's synthesis callback, and the word events read from the events it is handed.

Each ``espeakEVENT_WORD`` gives a word's character position in the text (from 1), its
length, and the sample where it starts (``sample``, counted from the start of the synthesis;
``audio_position`` is the same in whole milliseconds). Apart from
:mod:`publisher.engines.espeak_library`, which loads and runs the library, to keep that one
about the library's life.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable

from publisher.engines.base import SpokenWord
from publisher.engines.words import moved_back, place

# Values from espeak-ng's speak_lib.h.
_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1


Callback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)
"""speak_lib.h's ``t_espeak_callback``: samples, their count, the events."""


class _EventId(ctypes.Union):
    """speak_lib.h's union in ``espeak_EVENT``."""

    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    """speak_lib.h's ``espeak_EVENT``."""

    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


def word_events(events: int) -> list[tuple[int, int, int]]:
    """The word events in the list at address ``events`` (ended by a terminating event), as
    ``(text position from 1, length, sample)``."""
    event = ctypes.cast(events, ctypes.POINTER(_Event))
    out = []
    i = 0
    while event[i].type != _EVENT_LIST_TERMINATED:
        if event[i].type == _EVENT_WORD:
            out.append((event[i].text_position, event[i].length, event[i].sample))
        i += 1
    return out


def collector(
    chunks: list[bytes], words: list[tuple[int, int, int]]
) -> Callable[[ctypes._Pointer[ctypes.c_short], int, int | None], int]:
    """The synthesis callback: collects the samples into ``chunks`` and each word event's
    ``(text position from 1, length, sample)`` into ``words``."""

    def collect(wav: ctypes._Pointer[ctypes.c_short], count: int, events: int | None) -> int:
        if events:
            words.extend(word_events(events))
        if wav and count > 0:
            chunks.append(ctypes.string_at(wav, count * 2))
        return 0  # 0 = go on

    return collect


def spoken_words(
    events: list[tuple[int, int, int]], text: str, sent: str, data: bytes, rate: int
) -> tuple[SpokenWord, ...]:
    """The word events of ``sent`` (what espeak-ng was given: ``text`` through
    :func:`publisher.engine_input.engine_text`; their positions count from 1, clamped to
    it) as words of ``text``."""
    starts: list[tuple[int, int, int, int | None]] = []
    for position, length, sample in events:
        start = min(max(0, position - 1), len(sent))
        starts.append((start, min(len(sent), start + max(0, length)), sample, None))
    return moved_back(place(starts, data, rate), text, sent)
