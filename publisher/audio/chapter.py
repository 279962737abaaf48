"""One chapter from script to encoded MP3 (untagged), and the cache of finished chapters.

A finished chapter is cached under ``<cache_dir>/chapters`` keyed by everything that changes
its sound: the spoken text and pauses in order, the synthesizer's identity, the bitrate, the
loudness target and :data:`CHAPTER_FORMAT` (this code's own settings). Tags, timing files
and playlists are not cached: they are made from the current book in milliseconds, so a new
author name or a chapter inserted before this one re-tags it without re-encoding it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from publisher.audio import encode, loudness, master
from publisher.audio.assemble import Progress, SpeechCache, assemble, synthesize_all
from publisher.cache import BlobCache, cache_key
from publisher.engines.base import Synthesizer
from publisher.speech import ChapterScript, Pause

CHAPTER_FORMAT = (
    2,
    encode.ENCODER_VERSION.decode(),
    encode.QUALITY,
    loudness.CEILING_DBTP,
    loudness.SMOOTHING,
    master.ENCODER_GAIN_DB,
    master.LOUDNESS_TOLERANCE,
    master.PEAK_LIMIT_DBTP,
)
"""What in this code changes a finished chapter; part of its cache key."""


@dataclass(frozen=True, kw_only=True)
class ChapterJob:
    """What a worker needs to make one chapter (picklable)."""

    index: int
    script: ChapterScript
    identity: str
    bitrate: int
    loudness: float
    cache_dir: str

    @property
    def key(self) -> str:
        """The cache key of the finished chapter."""
        return chapter_key(self.script, self.identity, self.bitrate, self.loudness)


@dataclass(frozen=True, kw_only=True)
class ChapterAudio:
    """A finished chapter: the MP3 stream (Info frame first, no tags) and its timing."""

    mp3: bytes
    sample_rate: int
    samples: int  # as decoded by a gapless decoder
    spans: tuple[tuple[int, int], ...]  # per script item, in samples
    synthesised: int = 0  # utterances the engine was asked for while making it

    @property
    def duration_ms(self) -> int:
        """Length in whole milliseconds."""
        return self.samples * 1000 // self.sample_rate


def chapter_key(script: ChapterScript, identity: str, bitrate: int, target: float) -> str:
    """The cache key of a chapter's audio (see the module docstring)."""
    sound = [
        ["pause", item.seconds] if isinstance(item, Pause) else ["say", item.text]
        for item in script.items
    ]
    return cache_key("chapter", CHAPTER_FORMAT, identity, bitrate, target, sound)


class ChapterCache:
    """Finished chapters under ``<cache_dir>/chapters``."""

    def __init__(self, cache_dir: Path) -> None:
        self.blobs = BlobCache(cache_dir / "chapters", ".chapter")

    def get(self, key: str) -> ChapterAudio | None:
        """The chapter stored under ``key``, or None (absent or damaged)."""
        payload = self.blobs.get(key)
        if payload is None:
            return None
        try:
            size = int.from_bytes(payload[:4], "big")
            meta = json.loads(payload[4 : 4 + size])
            return ChapterAudio(
                mp3=payload[4 + size :],
                sample_rate=int(meta["sample_rate"]),
                samples=int(meta["samples"]),
                spans=tuple((int(a), int(b)) for a, b in meta["spans"]),
            )
        except (ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, audio: ChapterAudio) -> None:
        """Store ``audio`` under ``key``."""
        meta = json.dumps(
            {"sample_rate": audio.sample_rate, "samples": audio.samples, "spans": audio.spans}
        ).encode()
        self.blobs.put(key, len(meta).to_bytes(4, "big") + meta + audio.mp3)


def make_chapter(
    job: ChapterJob, synthesizer: Synthesizer, progress: Progress | None = None
) -> ChapterAudio:
    """Synthesise, assemble, normalise and encode one chapter; store it in the cache."""
    cache_dir = Path(job.cache_dir)
    pcms, synthesised = synthesize_all(
        job.script, synthesizer, job.identity, SpeechCache(cache_dir), progress
    )
    engine_rate = next(iter(pcms.values())).sample_rate if pcms else 22050
    rate = encode.mpeg_rate(engine_rate, job.bitrate)
    assembled = assemble(job.script.items, pcms, rate)
    mp3 = master.master(assembled.pcm, rate, job.bitrate, job.loudness)
    audio = ChapterAudio(
        mp3=mp3.data,
        sample_rate=rate,
        samples=mp3.samples,
        spans=assembled.spans,
        synthesised=synthesised,
    )
    ChapterCache(cache_dir).put(job.key, audio)
    return audio
