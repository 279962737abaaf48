"""One chapter's script → its PCM: each utterance synthesised (or taken from the cache), the
pauses as silence, and where every item starts and ends, in samples.

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

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from publisher.engines.base import Pcm, SpokenWord
from publisher.errors import EngineError
from publisher.renderers.audio.encode import mpeg_rate
from publisher.renderers.audio.loudness import CHUNK, Meter
from publisher.renderers.audio.pcm import ChapterPcm, SpeechCache
from publisher.speech.items import ChapterScript, Pause, Run, Utterance

if TYPE_CHECKING:
    from publisher.renderers.audio.chapter import Engines

DEFAULT_ENGINE_RATE = 22050
"""The rate of a chapter with nothing to say (only pauses)."""

Progress = Callable[[str], None]
"""Told the display text of each utterance as it is done (synthesised or from the cache)."""


Words = tuple[SpokenWord, ...]
"""An utterance's words: characters of its spoken text, samples of the chapter."""


@dataclass(frozen=True, kw_only=True)
class Assembled:
    """A chapter's samples (laid out, see :class:`~publisher.renderers.audio.pcm.ChapterPcm`), how many utterances were
    synthesised for it, and, per script item, its ``(start, end)`` in samples and its words
    (None for a pause, and for an utterance whose engine did not say where they are)."""

    samples: ChapterPcm
    sample_rate: int
    spans: tuple[tuple[int, int], ...]
    words: tuple[Words | None, ...] = ()
    synthesised: int = 0


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
    chapter = _Assembler(script, engines, identities, cache, bitrate)
    for item in script.items:
        if isinstance(item, Pause):
            chapter.pause(item.seconds)
            continue
        chapter.say(item)
        if progress is not None:
            progress(item.display)
    return chapter.finish()


class _Assembler:
    """A chapter being assembled, item by item (:func:`assemble`): where each item lies, the
    words said in it, and each run's length and voice. The layout is made when the first
    run is said, since its engine's rate sets the chapter's; pauses before it wait."""

    def __init__(
        self,
        script: ChapterScript,
        engines: Engines,
        identities: Mapping[str, str],
        cache: SpeechCache,
        bitrate: int,
    ) -> None:
        self.script, self.engines, self.identities = script, engines, identities
        self.cache, self.bitrate = cache, bitrate
        self.layout: ChapterPcm | None = None
        self.spans: list[tuple[int, int]] = []
        self.words: list[Words | None] = []
        self.waiting: list[float] = []  # pauses before the first utterance, which sets the rate
        self.lengths: dict[str, int] = {}  # samples of each run laid out, at the chapter's rate
        self.said: dict[str, Words | None] = {}  # the words of each run, at the chapter's rate
        self.voice_of: dict[str, str] = {}  # key → voice
        self.synthesised = 0

    def pause(self, seconds: float) -> None:
        """Lay out a pause of ``seconds`` (or keep it until the chapter's rate is known)."""
        if self.layout is None:
            self.waiting.append(seconds)
            return
        start = len(self.layout)
        self.layout.append(None, round(seconds * self.layout.rate))
        self.spans.append((start, len(self.layout)))
        self.words.append(None)

    def _begin(self, rate: int) -> ChapterPcm:
        """Make the layout at the MPEG rate for an engine's ``rate``, with the pauses that
        waited for it."""
        self.layout = ChapterPcm(self.cache, mpeg_rate(rate, self.bitrate))
        for seconds in self.waiting:
            self.pause(seconds)
        return self.layout

    def say(self, item: Utterance) -> None:
        """Lay out ``item``'s runs, each said now unless it was already in this chapter."""
        start = len(self.layout) if self.layout is not None else 0
        placed: list[SpokenWord] | None = []
        offset = 0  # where the run's text starts in the utterance's
        for run in item.parts:
            key = SpeechCache.key(run.text, self.identities[run.voice])
            if key not in self.lengths:
                pcm, made = _spoken(self.script, item, run, key, self.engines, self.cache)
                self.synthesised += made
                if self.layout is None:
                    start = len(self._begin(pcm.sample_rate))
                assert self.layout is not None
                self.lengths[key] = self.layout.keep(key, pcm)
                self.said[key] = _at_rate(pcm, self.layout.rate)
                self.voice_of[key] = run.voice
            layout = self.layout
            assert layout is not None
            run_words = self.said[key]
            if placed is not None and run_words is not None:
                placed += [_moved(w, offset, len(layout)) for w in run_words]
            else:
                placed = None
            layout.append(key, self.lengths[key])
            offset += len(run.text) + 1  # the runs' texts are joined by spaces
        assert self.layout is not None
        self.spans.append((start, len(self.layout)))
        self.words.append(None if placed is None else tuple(placed))

    def finish(self) -> Assembled:
        """The chapter laid out, its voices' loudness matched (module docstring)."""
        layout = self.layout or self._begin(DEFAULT_ENGINE_RATE)  # nothing said: only pauses
        voice_of = self.voice_of
        if len(set(voice_of.values())) > 1:
            gains = voice_gains(layout, voice_of)
            layout.gains = {key: gains[voice] for key, voice in voice_of.items() if voice in gains}
        layout.settle()
        return Assembled(
            samples=layout,
            sample_rate=layout.rate,
            spans=tuple(self.spans),
            words=tuple(self.words),
            synthesised=self.synthesised,
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
