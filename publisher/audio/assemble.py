"""One chapter's script → its PCM: each utterance synthesised (or taken from the cache), the
pauses as silence, joined with pydub, and where every item starts and ends, in samples.

Positions are counted in whole samples while the chapter is put together, so the timing
file says exactly where each utterance lies in the audio; milliseconds are derived from them
only when the timing file is written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydub import AudioSegment

from publisher.audio.encode import resample
from publisher.cache import BlobCache, cache_key
from publisher.engines.base import SAMPLE_WIDTH, Pcm, Synthesizer
from publisher.errors import EngineError
from publisher.speech import ChapterScript, Pause, Utterance

SPEECH_FORMAT = 1
"""Bump to invalidate every cached utterance (a change in how PCM is stored)."""

Progress = Callable[[str], None]
"""Told the display text of each utterance as it is done (synthesised or from the cache)."""


@dataclass(frozen=True, kw_only=True)
class Assembled:
    """A chapter's PCM and, per script item, its ``(start, end)`` in samples."""

    pcm: bytes
    sample_rate: int
    spans: tuple[tuple[int, int], ...]

    @property
    def samples(self) -> int:
        """Length in samples."""
        return len(self.pcm) // SAMPLE_WIDTH


class SpeechCache:
    """Synthesised utterances under ``<cache_dir>/speech``, keyed by what changes the sound:
    the normalised text and the synthesizer's identity."""

    def __init__(self, cache_dir: Path) -> None:
        self.blobs = BlobCache(cache_dir / "speech", ".pcm")

    @staticmethod
    def key(text: str, identity: str) -> str:
        """The cache key of ``text`` said by the engine ``identity``."""
        return cache_key("speech", SPEECH_FORMAT, identity, text)

    def get(self, key: str) -> Pcm | None:
        """The cached PCM, or None (absent or damaged)."""
        payload = self.blobs.get(key)
        if payload is None or len(payload) < 4 or (len(payload) - 4) % SAMPLE_WIDTH:
            return None
        return Pcm(data=payload[4:], sample_rate=int.from_bytes(payload[:4], "big"))

    def put(self, key: str, pcm: Pcm) -> None:
        """Store ``pcm`` under ``key``."""
        self.blobs.put(key, pcm.sample_rate.to_bytes(4, "big") + pcm.data)


def short_title(title: str, limit: int = 30) -> str:
    """``title`` cut at a word before ``limit`` characters, with an ellipsis, for messages."""
    if len(title) <= limit:
        return title
    cut = title[:limit].rsplit(" ", 1)[0].rstrip(" :,;.")
    return f"{cut}…"


def synthesize_all(
    script: ChapterScript,
    synthesizer: Synthesizer,
    identity: str,
    cache: SpeechCache,
    progress: Progress | None = None,
) -> tuple[dict[int, Pcm], int]:
    """PCM for every utterance of ``script`` (by item index) and how many were synthesised.

    Repeated text (the lead-in before every prompt) is synthesised once.
    """
    out: dict[int, Pcm] = {}
    made: dict[str, Pcm] = {}
    synthesised = 0
    for index, item in enumerate(script.items):
        if not isinstance(item, Utterance):
            continue
        key = SpeechCache.key(item.text, identity)
        pcm = made.get(key) or cache.get(key)
        if pcm is None:
            try:
                pcm = synthesizer.synthesize(item.text)
            except EngineError as e:
                where = f"{script.path}:{item.line}"
                raise EngineError(f"{where}: chapter {short_title(script.title)!r}: {e}") from e
            synthesised += 1
            cache.put(key, pcm)
        made[key] = pcm
        out[index] = pcm
        if progress is not None:
            progress(item.display)
    return out, synthesised


def _segment(data: bytes, rate: int) -> AudioSegment:
    return AudioSegment(data=data, sample_width=SAMPLE_WIDTH, frame_rate=rate, channels=1)


def assemble(items: Sequence[Utterance | Pause], pcms: dict[int, Pcm], rate: int) -> Assembled:
    """Join utterances and silences at ``rate`` (utterances at another rate are resampled).

    pydub builds and checks each segment from raw PCM (no ffmpeg involved); the segments are
    joined in one step rather than with ``+``, which would copy the chapter once per item.
    """
    segments: list[AudioSegment] = []
    spans: list[tuple[int, int]] = []
    position = 0
    for index, item in enumerate(items):
        if isinstance(item, Pause):
            segment = _segment(bytes(SAMPLE_WIDTH * round(item.seconds * rate)), rate)
        else:
            pcm = pcms[index]
            data = pcm.data
            if pcm.sample_rate != rate:
                samples = np.frombuffer(data, dtype="<i2")
                data = resample(samples, pcm.sample_rate, rate).tobytes()
            segment = _segment(data, rate)
        length = int(segment.frame_count())
        spans.append((position, position + length))
        position += length
        segments.append(segment)
    joined = _segment(b"".join(s.raw_data for s in segments), rate)
    return Assembled(pcm=joined.raw_data, sample_rate=rate, spans=tuple(spans))
