"""Small helpers shared by the tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from click.testing import CliRunner

from publisher.engines.base import Pcm


def cli_runner() -> CliRunner:
    """A runner whose results keep standard error apart (``result.stderr``) on every click
    this project allows: 8.2 and newer always do and refuse ``mix_stderr``; 8.1 needs
    ``mix_stderr=False``. Read ``result.stdout`` for the output alone (``output`` holds both
    streams on 8.2)."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def require(condition: object, reason: str) -> None:
    """Skip the test with ``reason`` unless ``condition`` holds; on CI (``CI`` set), fail.

    A laptop may lack an optional tool or model, but CI must have everything, so a missing
    one there is a broken setup, not a reason to pass quietly.
    """
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"required on CI: {reason}")
    pytest.skip(reason)


PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)
"""What sends a client's requests through a proxy (a test's fake on 127.0.0.1 must not be)."""


def clear_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove every proxy variable for the test (and the processes it starts)."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def samples(pcm: Pcm) -> npt.NDArray[np.int16]:
    """The PCM's samples as an array."""
    return np.frombuffer(pcm.data, dtype="<i2")


def voiced_seconds(pcm: Pcm, threshold: int = 500) -> float:
    """How long the PCM is louder than ``threshold`` (in 20 ms windows): speech, not silence."""
    values = samples(pcm).astype(np.float64)
    window = pcm.sample_rate // 50
    count = len(values) // window
    if count == 0:
        return 0.0
    rms = np.sqrt((values[: count * window].reshape(count, window) ** 2).mean(axis=1))
    return float((rms > threshold).sum()) / 50


def dominant_frequency(pcm: Pcm) -> float:
    """The frequency (Hz) with the most energy in the PCM."""
    values = samples(pcm).astype(np.float64)
    spectrum = np.abs(np.fft.rfft(values * np.hanning(len(values))))
    return float(np.fft.rfftfreq(len(values), 1 / pcm.sample_rate)[int(spectrum.argmax())])


def gapless(mp3: bytes) -> npt.NDArray[np.float64]:
    """``mp3`` decoded by ffmpeg, which honours the LAME tag's delay and padding (pedalboard
    does not; nor does ffmpeg reading a pipe, for the padding at the end): mono floats."""
    require(shutil.which("ffmpeg"), "ffmpeg is not installed")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "audio.mp3"
        path.write_bytes(mp3)
        raw = subprocess.run(
            ["ffmpeg", "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1", "-"],
            capture_output=True,
            check=True,
        ).stdout
    return np.frombuffer(raw, dtype="<f4").astype(np.float64)
