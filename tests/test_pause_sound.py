"""What a meant pause sounds like (``narration.pause_sound``), measured as a listener's app
would treat it: ffmpeg's ``silenceremove`` at −50 dB with a 1 s minimum stands in for
podcast apps' "trim silence". Each sound's chapter is built with and without its 8 s prompt
pause; the pause's share of the trimmed length is how much of it survives.

Also: the room tone's level in the mastered MP3, the loudness of the whole chapter, and a
clean MP3 (mp3val) for each sound.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from publisher.errors import SourceError
from publisher.model.config import PAUSE_SOUNDS, NarrationConfig
from publisher.reader.parse import parse_text
from tests import fakes
from tests.helpers import require
from tests.test_audio import render

pytestmark = pytest.mark.slow

TRIM = "silenceremove=stop_periods=-1:stop_duration=1:stop_threshold=-50dB"
SOURCE = """---
title: Pauzes
author: Ada Auteur
language: nl
identifier: urn:x
narration:
  pause_sound: {sound}
  prompt_pause: {pause}
---

# Pauzes

## Denken

Een gewone alinea. Daarna komt een vraag.

💡 Waar denk je aan?

Dat was de vraag. Nu gaan we verder.
"""
SLUG = "denken"


def build(tmp: Path, sound: str, pause: float) -> Path:
    """The chapter's MP3 with ``sound`` under a prompt pause of ``pause`` seconds."""
    text = SOURCE.replace("{sound}", sound).replace("{pause}", f"{pause:g}")
    book = parse_text(text, "boek.md").book
    return render(tmp, book, out=f"{sound}-{pause:g}") / f"{SLUG}.mp3"


def decode(mp3: Path, *filters: str) -> np.ndarray[Any, np.dtype[np.float32]]:
    """The MP3 decoded by ffmpeg (through ``filters``), mono float samples."""
    args = ["ffmpeg", "-v", "error", "-i", str(mp3)]
    if filters:
        args += ["-af", ",".join(filters)]
    out = subprocess.run([*args, "-f", "f32le", "-ac", "1", "-"], capture_output=True, check=True)
    return np.frombuffer(out.stdout, dtype="<f4")


@pytest.fixture(scope="module")
def survival(tmp_path_factory: pytest.TempPathFactory) -> dict[str, float]:
    """Per pause sound, the share of an 8 s prompt pause that trimming leaves (0 to 1)."""
    require(shutil.which("ffmpeg"), "ffmpeg is not installed")
    tmp = tmp_path_factory.mktemp("pauses")
    out: dict[str, float] = {}
    for sound in PAUSE_SOUNDS:
        with_pause, without = build(tmp, sound, 8), build(tmp, sound, 0)
        rate = 22050
        pause = (len(decode(with_pause)) - len(decode(without))) / rate
        assert pause == pytest.approx(8.0, abs=0.05)  # the pause is what the two differ by
        kept = (len(decode(with_pause, TRIM)) - len(decode(without, TRIM))) / rate
        out[sound] = max(0.0, kept) / pause
    print("\npause survival after silenceremove:", {k: f"{v:.1%}" for k, v in out.items()})
    return out


def test_the_default_pause_survives_trim_silence(survival: dict[str, float]) -> None:
    default = NarrationConfig().pause_sound
    assert survival[default] >= 0.9
    # Why a default other than silence was needed at all: trimming eats digital silence.
    assert survival["silence"] < 0.1


def test_room_tone_survives_and_chimes_alone_do_not(survival: dict[str, float]) -> None:
    assert survival["room"] >= 0.9
    # A chime marks the pause but leaves silence between its two tones: that is trimmed.
    assert survival["chime"] < 0.5


@pytest.mark.parametrize("sound", PAUSE_SOUNDS)
def test_each_sound_keeps_the_chapter_at_its_loudness_and_the_mp3_clean(
    tmp_path: Path, sound: str
) -> None:
    require(shutil.which("ffmpeg"), "ffmpeg is not installed")
    require(shutil.which("mp3val"), "mp3val is not installed")
    mp3 = build(tmp_path, sound, 8)
    samples = decode(mp3)
    assert fakes.reference_loudness(samples, 22050) == pytest.approx(-19.0, abs=0.5)
    assert fakes.reference_true_peak_db(samples) <= -1.0
    timing = json.loads(mp3.with_suffix(".json").read_text())
    (pause,) = [p for p in timing["pauses"] if p["kind"] == "prompt"]
    # The middle of the pause, away from the fades and the chimes.
    middle = samples[
        (pause["start_ms"] + 1000) * 22050 // 1000 : (pause["end_ms"] - 1000) * 22050 // 1000
    ]
    rms = float(np.sqrt(np.mean(middle.astype(np.float64) ** 2)))
    if sound == "room":
        assert -50 < 20 * np.log10(rms) < -45  # over the trimmer's -50 dB, under the voice
    else:
        assert rms < 10 ** (-80 / 20)
    result = subprocess.run(["mp3val", str(mp3)], capture_output=True, text=True, check=True)
    assert "WARNING" not in result.stdout, result.stdout


def test_a_chapter_that_is_mostly_pause_keeps_its_speech_at_the_loudness(
    tmp_path: Path,
) -> None:
    """Twenty minutes of room tone after ten seconds of speech: so many blocks of room tone
    pass BS.1770's relative gate (a pause over 70 times as long as the speech does) and
    lower the chapter's loudness. The speech alone sets the gain: the speech stays at the
    target, the room tone at its level; the file as a whole measures quieter. (Counted,
    the room tone raised the gain by tens of dB, and the check then pushed it further: the
    speech crushed by the limiter, the room tone rounded away to digital silence.)"""
    require(shutil.which("ffmpeg"), "ffmpeg is not installed")
    text = SOURCE.replace("{sound}", "room").replace("{pause}", "8")
    text = text.replace("💡 Waar denk je aan?\n", "{pause=600}\n\n{pause=600}\n")
    mp3 = render(tmp_path, parse_text(text, "boek.md").book) / f"{SLUG}.mp3"
    samples = decode(mp3)
    timing = json.loads(mp3.with_suffix(".json").read_text())
    first, second = (p for p in timing["pauses"] if p["kind"] == "pause")
    rate = 22050
    speech = samples[: first["start_ms"] * rate // 1000]
    assert fakes.reference_loudness(speech, rate) == pytest.approx(-19.0, abs=1.0)
    assert fakes.reference_true_peak_db(samples) <= -1.0
    middle = samples[(first["end_ms"] - 5000) * rate // 1000 : first["end_ms"] * rate // 1000]
    rms = float(np.sqrt(np.mean(middle.astype(np.float64) ** 2)))
    assert -48.5 < 20 * np.log10(rms) < -45.5
    assert second["end_ms"] - first["start_ms"] == pytest.approx(1_200_000, abs=100)


def test_chime_sounds_at_both_ends_of_the_pause(tmp_path: Path) -> None:
    require(shutil.which("ffmpeg"), "ffmpeg is not installed")
    mp3 = build(tmp_path, "chime", 8)
    samples = decode(mp3)
    timing = json.loads(mp3.with_suffix(".json").read_text())
    (pause,) = [p for p in timing["pauses"] if p["kind"] == "prompt"]

    def peak_db(start_ms: int, end_ms: int) -> float:
        piece = samples[start_ms * 22050 // 1000 : end_ms * 22050 // 1000]
        return float(20 * np.log10(max(float(np.max(np.abs(piece))), 1e-9)))

    # The timing file counts whole milliseconds, rounded down: its first one may still hold
    # the last samples of speech (a segment seam moves what follows by a whole number of
    # samples, not of milliseconds).
    start, end = pause["start_ms"] + 1, pause["end_ms"]
    assert -30 < peak_db(start, start + 500) < -20  # soft, beside speech near -2 dBFS
    assert -30 < peak_db(end - 800, end) < -20
    assert peak_db(start + 1500, end - 1500) < -80  # silence between


def test_an_unknown_pause_sound_is_an_error_at_its_line() -> None:
    with pytest.raises(SourceError, match=r"boek.md:7: 'narration.pause_sound' must be one of"):
        parse_text(SOURCE.replace("{sound}", "hum").replace("{pause}", "8"), "boek.md")
