"""One chapter from script to encoded MP3 (untagged), and the caches that make a rebuild cheap.

Three caches under ``<cache_dir>``, from the smallest piece up:

* ``speech``: each utterance's PCM, keyed by its text and its voice's synthesizer identity
  (:mod:`publisher.renderers.audio.pcm`): an edit synthesises only the edited sentences.
* ``segments``: the MP3 frames of each segment of a chapter, cut in the silent pauses between
  blocks, keyed by the samples given to the encoder (after the gain) and the encoder's
  settings, with what their decoded audio measured (:mod:`publisher.renderers.audio.segments`):
  an edit encodes, and decodes to check, only the segments whose samples changed.
* ``chapters``: the finished chapter, keyed by everything that changes its sound: the spoken
  text and pauses in order, each run with its voice's synthesizer identity, the bitrate, the
  loudness target, what a meant pause sounds like and :data:`CHAPTER_FORMAT` (this code's own
  settings). An unchanged chapter is copied from here, without starting a worker.

What a chapter sounds like depends on these keys alone, never on which entries are there:
the mastering gain lies on a grid and is found from the chapter itself
(:mod:`publisher.renderers.audio.master`), so an edited paragraph usually leaves the other
segments' samples, and so their frames, as they were, and the same source makes the same
bytes whatever the cache held before.

Tags, timing files and playlists are not cached: they are made from the current book in
milliseconds, so a new author name or a chapter inserted before this one re-tags it without
re-encoding it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

from publisher.engines.base import SpokenWord, Synthesizer, VoiceProfile
from publisher.infra.cache import BlobCache, Uses, cache_key, mark_used, read_meta, uses_of
from publisher.infra.heap import give_back
from publisher.renderers.audio.settings import CHAPTER_FORMAT
from publisher.speech.items import ChapterScript, Pause

if TYPE_CHECKING:
    from publisher.renderers.audio import peaks
    from publisher.renderers.audio.assemble import Assembled, Progress
    from publisher.renderers.audio.pcm import ChapterPcm


class Engines:
    """The synthesizer of each voice (by profile name), made by ``factory`` when first asked
    for; ``made`` are those already made. Picklable when the factory is."""

    def __init__(
        self,
        factory: Callable[[VoiceProfile], Synthesizer],
        profiles: Mapping[str, VoiceProfile],
        made: Mapping[str, Synthesizer] | None = None,
    ) -> None:
        self.factory = factory
        self.profiles = dict(profiles)
        self.made: dict[str, Synthesizer] = dict(made or {})

    def __call__(self, voice: str) -> Synthesizer:
        """The synthesizer for the voice called ``voice``."""
        if voice not in self.made:
            self.made[voice] = self.factory(self.profiles[voice])
        return self.made[voice]


@dataclass(frozen=True)
class ProfileSynthesizerFactory:
    """The default factory: the engine a profile names (picklable, for worker processes; here,
    not beside the renderer, so that a worker unpickling it imports no more than it needs)."""

    voices_dir: str

    def __call__(self, profile: VoiceProfile) -> Synthesizer:
        """The synthesizer for ``profile``."""
        if profile.engine == "espeak":
            # What publisher.engines.profiles does for espeak, without importing every engine there
            # (gTTS brings requests): each worker process is 10 MB smaller and starts sooner.
            from publisher.engines.espeak import EspeakSynthesizer

            return EspeakSynthesizer(profile)
        # Another engine: the profiles make it, with what that engine brings.
        from publisher.engines.profiles import make_synthesizer

        return make_synthesizer(profile, self.voices_dir)


@dataclass(frozen=True, kw_only=True)
class ChapterJob:
    """What a worker needs to make one chapter (picklable). ``identities`` maps each voice
    of the script to its synthesizer's identity."""

    index: int
    script: ChapterScript
    identities: Mapping[str, str]
    bitrate: int
    loudness: float
    cache_dir: str
    pause_sound: str = "silence"  # narration.pause_sound

    @property
    def key(self) -> str:
        """The cache key of the finished chapter."""
        return chapter_key(
            self.script, self.identities, self.bitrate, self.loudness, self.pause_sound
        )


@dataclass(frozen=True, kw_only=True)
class ChapterTiming:
    """What is known about a finished chapter besides its MP3: length and where things are.

    Workers send this back, not the MP3 itself: the MP3 is in the cache, and the renderer
    reads one chapter at a time from there, so a long book's MP3s are never all in memory.
    """

    sample_rate: int
    samples: int  # as decoded by a gapless decoder
    spans: tuple[tuple[int, int], ...]  # per script item, in samples
    # Per script item: its words (characters of its spoken text, decoded samples), or None
    # (a pause, or an utterance whose engine did not say where its words are).
    words: tuple[tuple[SpokenWord, ...] | None, ...] = ()
    synthesised: int = 0  # utterances the engine was asked for while making it
    encoded: int = 0  # segments encoded (not found in the segment cache) while making it

    @property
    def duration_ms(self) -> int:
        """Length in whole milliseconds."""
        return self.samples * 1000 // self.sample_rate


@dataclass(frozen=True, kw_only=True)
class ChapterAudio(ChapterTiming):
    """A finished chapter: the MP3 stream (Info frame first, no tags; or its parts in order,
    not joined, perhaps read from a file as they are asked for: once), its timing, and where
    its segments meet (``seams``, in decoded samples; kept in the cache entry for checks)."""

    mp3: bytes | Iterable[bytes | bytearray]
    seams: tuple[int, ...] = ()

    def timing(self) -> ChapterTiming:
        """The same chapter without its MP3 (every field of :class:`ChapterTiming`, so one
        added there is carried without a change here)."""
        return ChapterTiming(**{f.name: getattr(self, f.name) for f in fields(ChapterTiming)})


def chapter_key(
    script: ChapterScript,
    identities: Mapping[str, str],
    bitrate: int,
    target: float,
    pause_sound: str = "silence",
) -> str:
    """The cache key of a chapter's audio (see the module docstring)."""
    sound = [
        ["pause", item.seconds, item.kind]
        if isinstance(item, Pause)
        else ["say", [[identities[r.voice], r.text] for r in item.parts]]
        for item in script.items
    ]
    return cache_key("chapter", CHAPTER_FORMAT, bitrate, target, pause_sound, sound)


class ChapterCache:
    """Finished chapters under ``<cache_dir>/chapters``."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir
        self.blobs = BlobCache(cache_dir, "chapters")

    def has(self, key: str) -> bool:
        """Whether there is an entry under ``key`` (not checked: :meth:`write_mp3` does that)."""
        return self.blobs.contains(key)

    def write_mp3(
        self, key: str, dest: Path, head: Callable[[ChapterTiming], bytes]
    ) -> ChapterTiming | None:
        """Write the MP3 of the chapter under ``key`` to ``dest``, with ``head(its timing)``
        (the tags) in front, and return the timing; None, and no file, if the entry is absent
        or damaged (then it is removed). What the chapter was made of (its utterances
        and segments) is marked used with it, so that an edit of it later finds them.

        The MP3 is copied a megabyte at a time: a long chapter's (6 MB for 13 minutes) is not
        held, nor copied again for the tags, in the renderer's process.
        """
        reader = self.blobs.open(key)
        if reader is None:
            return None
        with reader:
            try:
                meta = read_meta(reader.read)
                timing = ChapterTiming(
                    sample_rate=int(meta["sample_rate"]),
                    samples=int(meta["samples"]),
                    spans=tuple((int(a), int(b)) for a, b in meta["spans"]),
                    words=tuple(
                        None if said is None else tuple(_word(*map(int, w)) for w in said)
                        for said in meta["words"]
                    ),
                )
            except (ValueError, KeyError, TypeError):
                timing = None
            if timing is not None:
                with dest.open("wb") as out:
                    out.write(head(timing))
                    while block := reader.read(1 << 20):
                        out.write(block)
            if reader.intact() and timing is not None:
                mark_used(self.cache_dir, uses_of(meta))
                return timing
        dest.unlink(missing_ok=True)
        self.blobs.discard(key)
        return None

    def put(self, key: str, audio: ChapterAudio, uses: Uses | None = None) -> None:
        """Store ``audio`` under ``key``; ``uses``: the entries it was made from."""
        meta = {
            "sample_rate": audio.sample_rate,
            "samples": audio.samples,
            "spans": audio.spans,
            "words": [
                None
                if said is None
                else [[w.char_start, w.char_end, w.sample_start, w.sample_end] for w in said]
                for said in audio.words
            ],
            "seams": audio.seams,
        }
        self.blobs.put_with_meta(key, meta, audio.mp3, uses)  # the parts written one by one


def _word(char_start: int, char_end: int, sample_start: int, sample_end: int) -> SpokenWord:
    return SpokenWord(
        char_start=char_start, char_end=char_end, sample_start=sample_start, sample_end=sample_end
    )


def make_chapter(
    job: ChapterJob, engines: Engines, progress: Progress | None = None
) -> ChapterTiming:
    """Synthesise, assemble, normalise and encode one chapter; store it in the cache."""
    # Here, not at the top: the renderer's process only needs the cache keys, and numpy and
    # the encoder would add 15 MB and a tenth of a second to it.
    from publisher.renderers.audio import master, pauses, remeasure, segments
    from publisher.renderers.audio.assemble import assemble
    from publisher.renderers.audio.pcm import SpeechCache

    cache_dir = Path(job.cache_dir)
    speech_cache, segment_cache = SpeechCache(cache_dir), segments.SegmentCache(cache_dir)
    assembled = assemble(job.script, engines, job.identities, speech_cache, job.bitrate, progress)
    rate = assembled.sample_rate
    # The speech alone sets the mastering gain; the pause sound is added at the level it
    # must have after that gain (see publisher.renderers.audio.pauses).
    speech = remeasure.measure(assembled.samples, rate)  # kept: each trial gain reuses it
    regions = pauses.sounding(job.script.items, assembled.spans)
    cuts = segments.cuts(job.script.items, assembled.spans, regions, rate)

    pcm = assembled.samples

    def source(gain_db: float, pcm: ChapterPcm = pcm) -> peaks.Signal:
        return pauses.with_sound(pcm, regions, job.pause_sound, rate, gain_db)

    mastered = master.master_segments(
        source,
        rate,
        job.bitrate,
        job.loudness,
        speech.lufs,
        cuts,
        segment_cache,
        speech,
    )
    spans, words = _encoded(assembled, mastered.encoded.position)
    synthesised = assembled.synthesised
    # The utterances held in memory go before the frames are read back (Frames).
    del assembled, pcm, speech, source
    audio = ChapterAudio(
        mp3=mastered.stream(),
        sample_rate=rate,
        samples=mastered.encoded.samples,
        spans=spans,
        words=words,
        synthesised=synthesised,
        encoded=mastered.encoded.encoded,
        seams=mastered.encoded.offsets[1:],
    )
    del mastered  # the MP3 is in ``audio``
    made_of = {"speech": speech_cache.used, "segments": segment_cache.used}
    ChapterCache(cache_dir).put(job.key, audio, made_of)
    timing = audio.timing()
    del audio
    give_back()  # its temporaries' heap: 20 MB after a 13-minute chapter
    return timing


def _encoded(
    assembled: Assembled, where: Callable[[int], int]
) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[SpokenWord, ...] | None, ...]]:
    """``assembled``'s spans and words, per script item, moved to where they lie in the
    encoded chapter (``where``: a sample of the assembled chapter → of the decoded MP3)."""
    spans = tuple((where(a), where(b)) for a, b in assembled.spans)
    words = tuple(
        None
        if said is None
        else tuple(
            dataclasses.replace(
                w, sample_start=where(w.sample_start), sample_end=where(w.sample_end)
            )
            for w in said
        )
        for said in assembled.words
    )
    return spans, words
