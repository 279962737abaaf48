"""Transcripts kept between proofs, so a proof after an edit listens only to what changed.

A chapter's transcript is kept in the state folder (``.publisher/proof/transcripts/``
beside the source) under a key made of the MP3's SHA-256, the model's, faster-whisper's
version, the recognizer's settings and the languages listened for. An edit that leaves a
chapter's MP3 as it was (the audio target rebuilds only what changed, byte for byte) finds
its transcript here. The key is stored in the entry and compared on reading: the store's
checksum proves an entry whole, not that it belongs under its name. Entries no proof of
this book uses any more are removed at the end of each proof.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from publisher.infra.cache import BlobCache, cache_key
from publisher.proof.align import Heard
from publisher.proof.chapters import ChapterAudio
from publisher.proof.recognizer import SAMPLE_RATE, Recognizer, Transcript, decode

FOLDER = Path("proof") / "transcripts"
"""Where transcripts are kept, inside the state folder."""


@dataclass(frozen=True, kw_only=True)
class Listened:
    """A chapter's transcript and how it was had."""

    transcript: Transcript
    seconds: float  # spent listening now (0 when it came from the store)
    cached: bool


def _file_digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _listen(recognizer: Recognizer, audio: ChapterAudio) -> Transcript:
    """The chapter heard in its language, and each utterance in another language heard
    again alone in its own."""
    samples = decode(audio.mp3)
    heard = recognizer.hear(samples, audio.language)
    words = list(heard.words)
    per_ms = SAMPLE_RATE // 1000
    for said in audio.foreign:
        clip = samples[said.start_ms * per_ms : said.end_ms * per_ms]
        inside = [w for w in words if said.start_ms <= (w.start_ms + w.end_ms) / 2 <= said.end_ms]
        words = [w for w in words if w not in inside]
        words += recognizer.hear(clip, said.language, offset_ms=said.start_ms).words
    words.sort(key=lambda w: w.start_ms)
    return Transcript(words=tuple(words))


class Transcripts:
    """The transcripts of one book's chapters, kept under ``state``."""

    def __init__(self, state: Path, recognizer: Recognizer) -> None:
        self.store = BlobCache(state / FOLDER.parent, FOLDER.name)
        self.recognizer = recognizer
        self.used: set[str] = set()

    def key(self, audio: ChapterAudio) -> str:
        """The key of ``audio``'s transcript (module docstring)."""
        model, version, options = self.recognizer.identity
        foreign = [(s.start_ms, s.end_ms, s.language) for s in audio.foreign]
        digest = _file_digest(audio.mp3)
        return cache_key(
            "proof-transcript",
            digest,
            model,
            version,
            options,
            audio.language,
            foreign,
        )

    def of(self, audio: ChapterAudio) -> Listened:
        """The chapter's transcript: kept, or heard now and kept."""
        key = self.key(audio)
        self.used.add(key)
        kept = self._read(key)
        if kept is not None:
            return Listened(transcript=kept, seconds=0.0, cached=True)
        started = time.perf_counter()
        transcript = _listen(self.recognizer, audio)
        seconds = time.perf_counter() - started
        entry = {
            "key": key,
            "words": [[w.text, w.start_ms, w.end_ms] for w in transcript.words],
        }
        self.store.put(key, json.dumps(entry, ensure_ascii=False).encode("utf-8"))
        return Listened(transcript=transcript, seconds=seconds, cached=False)

    def _read(self, key: str) -> Transcript | None:
        payload = self.store.get(key)
        if payload is None:
            return None
        try:
            entry = json.loads(payload)
            if entry["key"] != key:
                return None
            words = tuple(Heard(text=t, start_ms=s, end_ms=e) for t, s, e in entry["words"])
        except (ValueError, KeyError, TypeError):
            return None  # an entry of another version of this code: heard again
        return Transcript(words=words)

    def forget_unused(self) -> None:
        """Remove the transcripts this proof did not use (of chapters since changed)."""
        self.store.keep_only(*self.used)
