"""The speech recognizer: Whisper through faster-whisper (CTranslate2, int8 on the CPU).

faster-whisper is an optional extra (``pip install 'publisher[proof]'``) and is imported
only inside the functions here, when a proof runs: ``publisher build`` without the extra
must work, and every other command starts without paying for its import (CTranslate2,
tokenizers, onnxruntime: about a second).

The model is a folder in CTranslate2 form (``model.bin``, ``config.json``,
``tokenizer.json``, ``vocabulary.txt``) or a name faster-whisper knows (``base``,
``small``, …), which it fetches into the Hugging Face cache the first time it is named.
Without a model named, only a ``base`` already in that cache is used: nothing is fetched
unless the author asks for it by name.

The settings follow what Whisper needs on synthetic narration: voice-activity filtering
(Whisper invents words in long silence, and a reflection pause is eight seconds of it), no
conditioning on the previous text (a repeated phrase would loop), greedy decoding at
temperature 0 only (beam 1, no sampled retries: fast, and the same every time), no
"no speech" skipping (see :meth:`Recognizer.hear`) and word timestamps (to find each
word's sentence).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publisher.errors import BuildError, SourceError
from publisher.proof.align import Heard

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

DEFAULT_MODEL = "base"
"""The model used when none is named, if it is in the local cache already."""

SAMPLE_RATE = 16000  # what Whisper hears: 16 kHz mono
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")
INSTALL_HINT = "proofing needs faster-whisper: pip install 'publisher[proof]'"


FIXED: dict[str, object] = {
    "condition_on_previous_text": False,
    "word_timestamps": True,
    # No "no speech" skipping: the filter already removed the silence, and Whisper base,
    # unsure of espeak-ng's Dutch, judged whole 30 s windows of it silent.
    "no_speech_threshold": None,
    # One greedy pass, no retries at higher temperatures: the same audio gives the same
    # words (a test can rely on it), and a hard passage costs no extra passes.
    "temperature": 0.0,
}
"""The recognizer's options that are not :class:`Settings` (part of the cache key too)."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    """How the recognizer listens (part of every transcript's cache key)."""

    vad: bool = True
    beam_size: int = 1
    compute_type: str = "int8"


@dataclass(frozen=True, kw_only=True)
class Transcript:
    """What was heard in a stretch of audio."""

    words: tuple[Heard, ...]


def _faster_whisper() -> Any:
    try:
        import faster_whisper  # lazy: the optional extra, and a second of start-up
    except ImportError as e:
        raise BuildError(INSTALL_HINT) from e
    return faster_whisper


def model_folder(model: str | None, *, fetch: bool = True) -> Path:
    """The folder of the model ``model`` names (a path, or a name fetched now if it is not
    cached and ``fetch`` allows); with None, :data:`DEFAULT_MODEL` if it is cached. Raises
    :class:`SourceError` for a path that is no model, :class:`BuildError` when a named
    model cannot be had."""
    if model is not None and (os.sep in model or Path(model).exists()):
        folder = Path(model)
        missing = [n for n in MODEL_FILES if not (folder / n).is_file()]
        if missing:
            raise SourceError.at(
                str(folder), None, f"not a CTranslate2 Whisper model: no {', '.join(missing)}"
            )
        return folder
    utils = _faster_whisper().utils
    name = model or DEFAULT_MODEL
    if name not in utils.available_models() and "/" not in name:
        known = ", ".join(utils.available_models())
        raise SourceError.at("--model", None, f"unknown Whisper model {name!r} (known: {known})")
    try:
        return Path(utils.download_model(name, local_files_only=model is None or not fetch))
    except Exception as e:  # the hub raises its own types, offline or not found
        if model is None:
            raise BuildError(
                f"no Whisper model on this machine: `publisher proof --model {DEFAULT_MODEL}` "
                f"fetches Whisper {DEFAULT_MODEL} (145 MB) once, or give --model PATH"
            ) from e
        if not fetch:
            raise BuildError(
                f"the Whisper model {name!r} is not on this machine (a build fetches "
                f"nothing): fetch it once with `publisher proof --model {name}`"
            ) from e
        raise BuildError(f"cannot fetch the Whisper model {name!r}: {e}") from e


@cache
def model_digest(folder: Path) -> str:
    """SHA-256 of the model's files: two folders with the same model share transcripts."""
    digest = hashlib.sha256()
    for name in MODEL_FILES:
        with (folder / name).open("rb") as f:
            digest.update(hashlib.file_digest(f, "sha256").digest())
    return digest.hexdigest()


def decode(mp3: Path) -> npt.NDArray[np.float32]:
    """The MP3's samples as Whisper hears them (16 kHz mono float)."""
    audio = _faster_whisper().audio
    try:
        samples: npt.NDArray[np.float32] = audio.decode_audio(str(mp3), sampling_rate=SAMPLE_RATE)
    except Exception as e:  # PyAV's errors: a damaged or missing file
        raise BuildError(f"{mp3}: cannot decode the audio: {e}") from e
    return samples


class Recognizer:
    """One loaded model, transcribing with fixed :class:`Settings`."""

    def __init__(self, folder: Path, settings: Settings | None = None) -> None:
        self.folder = folder
        self.settings = settings or Settings()
        self._model: Any = None

    @property
    def identity(self) -> tuple[str, str, dict[str, object]]:
        """What a transcript depends on besides the audio: model, library version, options."""
        options = {**dataclasses.asdict(self.settings), **FIXED}
        return model_digest(self.folder), _faster_whisper().__version__, options

    def _loaded(self) -> Any:
        if self._model is None:
            self._model = _faster_whisper().WhisperModel(
                str(self.folder),
                device="cpu",
                compute_type=self.settings.compute_type,
                cpu_threads=os.cpu_count() or 1,
            )
        return self._model

    def hear(
        self, samples: npt.NDArray[np.float32], language: str, offset_ms: int = 0
    ) -> Transcript:
        """The words heard in ``samples`` (times in ms from ``offset_ms``), listening for
        ``language`` (an ISO 639-1 code Whisper knows)."""
        model = self._loaded()
        try:
            segments, _ = model.transcribe(
                samples,
                language=language,
                vad_filter=self.settings.vad,
                beam_size=self.settings.beam_size,
                **FIXED,
            )
        except ValueError as e:  # "'fy' is not a valid language code"
            raise BuildError(f"Whisper cannot listen for language {language!r}: {e}") from e
        words = tuple(
            Heard(
                text=w.word.strip(),
                start_ms=offset_ms + round(w.start * 1000),
                end_ms=offset_ms + round(w.end * 1000),
            )
            for segment in segments
            for w in segment.words or ()
            if w.word.strip()
        )
        return Transcript(words=words)
