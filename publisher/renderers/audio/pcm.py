"""Synthesised utterances and a chapter's samples made of them: the speech cache, and the
chapter laid out from it (:func:`publisher.renderers.audio.assemble.assemble` lays it out).

The chapter is laid out, not held: :class:`ChapterPcm` knows where each utterance and pause
lies and reads the utterances back from the speech cache (where every one of them is by the
time it is laid out) a stretch at a time, as the loudness meter, the limiter and the encoder
ask for them. A 13-minute chapter is 34 MB of 16-bit samples; two workers holding one each,
with its copies, were most of the memory a long book's build took. The first
:data:`HELD_BYTES` of utterances stay in memory as they are made, so a chapter of a few
minutes is never read back at all (the meters and the encoder pass over it four or five
times).
"""

from __future__ import annotations

import bisect
import dataclasses
import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from publisher.engines.base import SAMPLE_WIDTH, Pcm, SpokenWord
from publisher.errors import BuildError
from publisher.infra.cache import BlobCache, cache_key, read_meta
from publisher.renderers.audio.encode import resample
from publisher.renderers.audio.loudness import CHUNK, Int16

SPEECH_FORMAT = 1
"""Bump to invalidate every cached utterance (a change in how PCM is stored)."""
HELD_BYTES = 4 << 20
"""Utterances a chapter keeps in memory (about 90 s of speech at 22050 Hz: the seed's longest
chapter); the rest is read back from the speech cache when needed. A longer chapter lets go
of them once laid out (:meth:`ChapterPcm.settle`): read back whole, it costs a tenth more
reading, and the 4 MB were held at a worker's peak, while it was mastered."""


class SpeechCache:
    """Synthesised utterances, the cache kind ``speech``, keyed by what changes the sound:
    the normalised text and the synthesizer's identity; each entry holds the samples and
    where the words are (a JSON header with the rate and the words, then the samples)."""

    def __init__(self, cache_dir: Path) -> None:
        self.blobs = BlobCache(cache_dir, "speech")
        self.used: set[str] = set()  # the keys read or stored: what the chapter is made of

    @staticmethod
    def key(text: str, identity: str) -> str:
        """The cache key of ``text`` said by the engine ``identity``."""
        return cache_key("speech", SPEECH_FORMAT, identity, text)

    def get(self, key: str, words: bool = False) -> Pcm | None:
        """The cached PCM, or None (absent or damaged, or without words when ``words``)."""
        self.used.add(key)
        payload = self.blobs.get(key)
        if payload is None:
            return None
        try:
            size = int.from_bytes(payload[:4], "big")
            meta = read_meta(io.BytesIO(payload).read)
            said = meta["words"]
            pcm = Pcm(
                data=payload[4 + size :],
                sample_rate=int(meta["rate"]),
                words=None if said is None else tuple(SpokenWord(**w) for w in said),
            )
        except (ValueError, KeyError, TypeError):
            self.blobs.discard(key)
            return None
        if len(pcm.data) % SAMPLE_WIDTH or (words and pcm.words is None):
            return None
        return pcm

    def put(self, key: str, pcm: Pcm) -> Pcm:
        """Store ``pcm`` under ``key`` unless another chapter's worker stored it first; what
        the cache now holds, which the chapter must use. An engine that is not stateless
        (Piper) may say the same sentence differently in two workers, and a chapter that
        laid out its own take but read the other one back got the wrong length."""
        said = None if pcm.words is None else [dataclasses.asdict(w) for w in pcm.words]
        head = json.dumps({"rate": pcm.sample_rate, "words": said}).encode()
        parts = [len(head).to_bytes(4, "big"), head, pcm.data]
        self.used.add(key)
        if self.blobs.put(key, parts, replace=False):
            return pcm
        first = self.get(key)
        if first is None:  # damaged, and removed: ours takes its place
            self.blobs.put(key, parts)
            return pcm
        return first


class ChapterPcm:
    """A chapter's int16 samples as pieces (an utterance in the speech cache, or silence),
    read a stretch at a time (module docstring)."""

    def __init__(self, cache: SpeechCache, rate: int) -> None:
        self.cache = cache
        self.rate = rate
        self.starts: list[int] = []
        self.keys: list[str | None] = []  # None: silence
        self.length = 0
        self.held: dict[str, Int16] = {}  # see HELD_BYTES; and those at another rate
        self.held_bytes = 0  # of those held that the speech cache has at the chapter's rate
        self._cached: list[str] = []  # their keys
        self._last: tuple[str, Int16] | None = None  # reads go forward: one utterance back
        self.gains: dict[str, float] = {}  # key → linear gain (a voice turned down), if any

    def __len__(self) -> int:
        return self.length

    def append(self, key: str | None, samples: int) -> None:
        """Lay out ``samples`` samples of the utterance under ``key`` (None: of silence)."""
        if samples:
            self.starts.append(self.length)
            self.keys.append(key)
            self.length += samples

    def keep(self, key: str, pcm: Pcm) -> int:
        """Offer the utterance under ``key`` to be held in memory (module docstring); its
        length in samples at the chapter's rate."""
        samples: Int16 = np.frombuffer(pcm.data, dtype="<i2")
        if pcm.sample_rate != self.rate:  # converted once and held, whatever its size
            self.held[key] = resample(samples, pcm.sample_rate, self.rate)
        elif self.held_bytes + len(pcm.data) <= HELD_BYTES:
            self.held[key] = samples
            self.held_bytes += len(pcm.data)
            self._cached.append(key)
        return len(self.held[key]) if key in self.held else len(samples)

    def settle(self) -> None:
        """Once every utterance is laid out: a chapter longer than :data:`HELD_BYTES` lets go
        of the utterances it holds that the speech cache has as they are (see there)."""
        if self.length * SAMPLE_WIDTH > HELD_BYTES:
            for key in self._cached:
                del self.held[key]
            self._cached.clear()
            self.held_bytes = 0

    def utterance(self, key: str) -> Int16:
        """The samples of the utterance under ``key``, at the chapter's rate."""
        if key in self.held:
            return self.held[key]
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        pcm = self.cache.get(key)
        if pcm is None:
            raise BuildError(f"audio: utterance {key[:12]} left the speech cache while in use")
        samples: Int16 = np.frombuffer(pcm.data, dtype="<i2")  # at our rate: others are held
        self._last = (key, samples)
        return samples

    def read(self, start: int, stop: int) -> Int16:
        """Samples ``start:stop`` (clipped to the chapter)."""
        start, stop = max(0, start), min(self.length, stop)
        out = np.zeros(max(0, stop - start), dtype=np.int16)
        piece = max(0, bisect.bisect_right(self.starts, start) - 1)
        while piece < len(self.starts) and self.starts[piece] < stop:
            key, begin = self.keys[piece], self.starts[piece]
            end = self.starts[piece + 1] if piece + 1 < len(self.starts) else self.length
            if key is not None:
                lo, hi = max(start, begin), min(stop, end)
                piece_samples = self.utterance(key)[lo - begin : hi - begin]
                gain = self.gains.get(key)
                if gain is not None:  # at most 1: never clips
                    piece_samples = np.round(piece_samples * gain).astype(np.int16)
                out[lo - start : hi - start] = piece_samples
            piece += 1
        return out

    def chunks(self, size: int = CHUNK) -> Iterator[Int16]:
        """All the samples, ``size`` at a time."""
        for start in range(0, self.length, size):
            yield self.read(start, start + size)
