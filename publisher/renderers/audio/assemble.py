"""One chapter's script → its PCM: each utterance synthesised (or taken from the cache), the
pauses as silence, and where every item starts and ends, in samples.

The chapter is laid out, not held: :class:`ChapterPcm` knows where each utterance and pause
lies and reads the utterances back from the speech cache (where every one of them is by the
time it is laid out) a stretch at a time, as the loudness meter, the limiter and the encoder
ask for them. A 13-minute chapter is 34 MB of 16-bit samples; two workers holding one each,
with its copies, were most of the memory a long book's build took. The first
:data:`HELD_BYTES` of utterances stay in memory as they are made, so a chapter of a few
minutes is never read back at all (the meters and the encoder pass over it four or five
times).

Positions are counted in whole samples while the chapter is put together, so the timing
file says exactly where each utterance lies in the audio; milliseconds are derived from them
only when the timing file is written. The same goes for the words the engine said where they
are (:attr:`~publisher.engines.base.Pcm.words`): each is moved to where its utterance lies in
the chapter (and to the chapter's rate), its characters to where its run lies in the
utterance's spoken text. An utterance has words only if every run of it has them.

Each run of an utterance (:attr:`~publisher.speech.script.Utterance.parts`) is said by its
voice's engine and cached under that engine's identity; a voice at another rate is resampled
to the chapter's. When more than one voice speaks in a chapter, each voice's utterances are
measured (BS.1770 loudness over 400 ms blocks) and the louder voices turned down to the
quietest one (:func:`voice_gains`), before mastering brings the whole chapter to its target:
a listener should not reach for the volume when the prompts' voice takes over.
"""

from __future__ import annotations

import bisect
import dataclasses
import io
import json
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from publisher.engines.base import SAMPLE_WIDTH, Pcm, SpokenWord
from publisher.errors import BuildError, EngineError
from publisher.infra.cache import BlobCache, cache_key, read_meta
from publisher.renderers.audio.encode import mpeg_rate, resample
from publisher.renderers.audio.loudness import CHUNK, Int16, Meter
from publisher.speech.items import ChapterScript, Pause, Run, Utterance

if TYPE_CHECKING:
    from publisher.renderers.audio.chapter import Engines

SPEECH_FORMAT = 1
"""Bump to invalidate every cached utterance (a change in how PCM is stored)."""
DEFAULT_ENGINE_RATE = 22050
"""The rate of a chapter with nothing to say (only pauses)."""
HELD_BYTES = 4 << 20
"""Utterances a chapter keeps in memory (about 90 s of speech at 22050 Hz: the seed's longest
chapter); the rest is read back from the speech cache when needed. A longer chapter lets go
of them once laid out (:meth:`ChapterPcm.settle`): read back whole, it costs a tenth more
reading, and the 4 MB were held at a worker's peak, while it was mastered."""

Progress = Callable[[str], None]
"""Told the display text of each utterance as it is done (synthesised or from the cache)."""


Words = tuple[SpokenWord, ...]
"""An utterance's words: characters of its spoken text, samples of the chapter."""


@dataclass(frozen=True, kw_only=True)
class Assembled:
    """A chapter's samples (laid out, see :class:`ChapterPcm`), how many utterances were
    synthesised for it, and, per script item, its ``(start, end)`` in samples and its words
    (None for a pause, and for an utterance whose engine did not say where they are)."""

    samples: ChapterPcm
    sample_rate: int
    spans: tuple[tuple[int, int], ...]
    words: tuple[Words | None, ...] = ()
    synthesised: int = 0


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


def short_title(title: str, limit: int = 30) -> str:
    """``title`` cut at a word before ``limit`` characters, with an ellipsis, for messages."""
    if len(title) <= limit:
        return title
    cut = title[:limit].rsplit(" ", 1)[0].rstrip(" :,;.")
    return f"{cut}…"


def assemble(
    script: ChapterScript,
    engines: Engines,
    identities: Mapping[str, str],
    cache: SpeechCache,
    bitrate: int,
    progress: Progress | None = None,
) -> Assembled:
    """Say every run of ``script`` that is not in the cache yet, each with its voice's engine
    from ``engines`` (``identities``: each voice's engine identity), and lay the chapter out
    with its pauses, at the MPEG rate for the first engine's rate and ``bitrate`` (runs at
    another rate are resampled); then match the voices' loudness (module docstring).

    Repeated text (the lead-in before every prompt) is synthesised once.
    """
    layout: ChapterPcm | None = None
    spans: list[tuple[int, int]] = []
    words: list[Words | None] = []
    waiting: list[float] = []  # pauses before the first utterance, which sets the rate
    lengths: dict[str, int] = {}  # samples of each run laid out, at the chapter's rate
    said: dict[str, Words | None] = {}  # the words of each run, at the chapter's rate
    voice_of: dict[str, str] = {}  # key → voice
    synthesised = 0

    def silence(seconds: float) -> None:
        assert layout is not None
        start = len(layout)
        layout.append(None, round(seconds * layout.rate))
        spans.append((start, len(layout)))
        words.append(None)

    for item in script.items:
        if isinstance(item, Pause):
            if layout is None:
                waiting.append(item.seconds)
            else:
                silence(item.seconds)
            continue
        start = len(layout) if layout is not None else 0
        placed: list[SpokenWord] | None = []
        offset = 0  # where the run's text starts in the utterance's
        for run in item.parts:
            key = SpeechCache.key(run.text, identities[run.voice])
            if key not in lengths:
                pcm, made = _spoken(script, item, run, key, engines, cache)
                synthesised += made
                if layout is None:
                    layout = ChapterPcm(cache, mpeg_rate(pcm.sample_rate, bitrate))
                    for seconds in waiting:
                        silence(seconds)
                    start = len(layout)
                lengths[key] = layout.keep(key, pcm)
                said[key] = _at_rate(pcm, layout.rate)
                voice_of[key] = run.voice
            assert layout is not None
            run_words = said[key]
            if placed is not None and run_words is not None:
                placed += [_moved(w, offset, len(layout)) for w in run_words]
            else:
                placed = None
            layout.append(key, lengths[key])
            offset += len(run.text) + 1  # the runs' texts are joined by spaces
        assert layout is not None
        spans.append((start, len(layout)))
        words.append(None if placed is None else tuple(placed))
        if progress is not None:
            progress(item.display)
    if layout is None:  # nothing said: only pauses
        layout = ChapterPcm(cache, mpeg_rate(DEFAULT_ENGINE_RATE, bitrate))
        for seconds in waiting:
            silence(seconds)
    if len(set(voice_of.values())) > 1:
        gains = voice_gains(layout, voice_of)
        layout.gains = {key: gains[voice] for key, voice in voice_of.items() if voice in gains}
    layout.settle()
    return Assembled(
        samples=layout,
        sample_rate=layout.rate,
        spans=tuple(spans),
        words=tuple(words),
        synthesised=synthesised,
    )


def _spoken(
    script: ChapterScript, item: Utterance, run: Run, key: str, engines: Engines, cache: SpeechCache
) -> tuple[Pcm, bool]:
    """``run`` of ``item`` from the cache (with its words, if its engine reports them), else
    synthesised and stored; and whether it was synthesised."""
    engine = engines(run.voice)
    pcm = cache.get(key, words=engine.reports_words)
    if pcm is not None:
        return pcm, False
    try:
        pcm = engine.synthesize(run.text)
    except EngineError as e:
        where = f"{script.path}:{item.line}"
        raise EngineError(f"{where}: chapter {short_title(script.title)!r}: {e}") from e
    return cache.put(key, pcm), True


def _at_rate(pcm: Pcm, rate: int) -> Words | None:
    """``pcm``'s words with their samples at ``rate`` (the chapter's, if it differs)."""
    if pcm.words is None or pcm.sample_rate == rate:
        return pcm.words

    def scale(sample: int) -> int:
        return sample * rate // pcm.sample_rate

    return tuple(
        dataclasses.replace(w, sample_start=scale(w.sample_start), sample_end=scale(w.sample_end))
        for w in pcm.words
    )


def _moved(word: SpokenWord, chars: int, samples: int) -> SpokenWord:
    """``word`` of a run whose text starts ``chars`` into the utterance's and whose samples
    start ``samples`` into the chapter."""
    return SpokenWord(
        char_start=word.char_start + chars,
        char_end=word.char_end + chars,
        sample_start=word.sample_start + samples,
        sample_end=word.sample_end + samples,
    )


def voice_loudness(layout: ChapterPcm, voice_of: Mapping[str, str]) -> dict[str, float]:
    """Each voice's loudness (LUFS, BS.1770 gated over 400 ms blocks) over its utterances,
    each counted once; ``-inf`` for a voice too short or quiet to measure."""
    meters: dict[str, Meter] = {}
    for key, voice in voice_of.items():
        meter = meters.setdefault(voice, Meter(layout.rate))
        samples = layout.utterance(key)
        for begin in range(0, len(samples), CHUNK):
            meter.add(samples[begin : begin + CHUNK])
    return {voice: meter.integrated() for voice, meter in meters.items()}


def voice_gains(layout: ChapterPcm, voice_of: Mapping[str, str]) -> dict[str, float]:
    """Linear gains (at most 1) that bring every measurable voice down to the quietest one."""
    measured = {v: lufs for v, lufs in voice_loudness(layout, voice_of).items()}
    finite = {v: lufs for v, lufs in measured.items() if math.isfinite(lufs)}
    if len(finite) < 2:
        return {}
    quietest = min(finite.values())
    return {v: 10 ** ((quietest - lufs) / 20) for v, lufs in finite.items() if lufs > quietest}
