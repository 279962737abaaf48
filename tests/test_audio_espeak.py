"""The seed book narrated by the real espeak-ng, checked by real tools (mp3val, ffprobe,
ffmpeg) and measured: loudness, true peak, silences after prompts, tags, durations."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from publisher.engines.base import VoiceProfile
from publisher.engines.espeak import EspeakSynthesizer, check_voice
from publisher.infra.cache import BlobCache, read_meta
from publisher.reader.parse import parse_file
from publisher.renderers.audio import encode, loudness
from publisher.renderers.audio import renderer as audio_renderer
from publisher.renderers.audio.renderer import AudioRenderer
from publisher.renderers.base import BuildOptions, RenderContext
from publisher.speech.script import book_script
from tests import fakes
from tests.helpers import require

pytestmark = pytest.mark.slow

SEED = Path(__file__).parents[1] / "source" / "de-geneeskracht-van-knuffelen.md"


def render(root: Path, cache: Path, jobs: int) -> Path:
    out = root / "audio"
    out.mkdir(parents=True, exist_ok=True)
    ctx = RenderContext(
        book=parse_file(SEED).book,
        root=root,
        out_dir=out,
        published=root,
        cache_dir=cache,
        options=BuildOptions(jobs=jobs),
    )
    AudioRenderer().render(ctx)
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require(check_voice("nl") is None, "espeak-ng (espeakng-loader) cannot speak Dutch here")
    tmp = tmp_path_factory.mktemp("espeak")
    return render(tmp / "build", tmp / "cache", jobs=2)


@pytest.fixture(scope="module")
def speech() -> np.ndarray[Any, Any]:
    """Real speech: a paragraph of the seed said by espeak-ng, with short pauses (int16)."""
    require(check_voice("nl") is None, "espeak-ng (espeakng-loader) cannot speak Dutch here")
    engine = EspeakSynthesizer(VoiceProfile(name="nl", engine="espeak", voice="nl", language="nl"))
    book = parse_file(SEED).book
    sentences = [u.text for u in book_script(book)[2].utterances][:12]
    gap = np.zeros(engine.sample_rate // 3, dtype=np.int16)
    parts = [np.frombuffer(engine.synthesize(t).data, dtype="<i2") for t in sentences]
    return np.concatenate([p for part in parts for p in (part, gap)])


def test_loudness_and_true_peak_of_real_speech_agree_with_the_references(
    speech: np.ndarray[Any, Any],
) -> None:
    rate = 22050
    for gain in (1.0, 0.1, 3.0):  # as spoken, much quieter, and loud enough to clip
        x = speech / 32768 * gain
        assert loudness.integrated_loudness(x, rate) == pytest.approx(
            fakes.reference_loudness(x, rate), abs=0.05
        )
        assert fakes.true_peak_db(x) == pytest.approx(fakes.reference_true_peak_db(x), abs=1e-9)
    assert loudness.integrated_loudness(speech, rate) == pytest.approx(
        fakes.reference_loudness(speech, rate), abs=0.05
    )
    assert fakes.true_peak_db(speech) == pytest.approx(
        fakes.reference_true_peak_db(speech / 32768), abs=1e-9
    )


def test_the_limiter_on_real_speech_touches_only_what_needs_it(
    speech: np.ndarray[Any, Any],
) -> None:
    rate = 22050
    plan = loudness.plan(speech, rate, -19.0, -2.0)
    out = plan.render(speech)
    assert plan.regions  # espeak-ng's loudest syllables pass -2 dBTP at -19 LUFS
    assert fakes.reference_loudness(out, rate) == pytest.approx(-19.0, abs=0.1)
    assert fakes.reference_true_peak_db(out / 32768) <= -2.0 + 0.05
    limited = sum(r.stop - r.start for r in plan.regions)
    assert limited < len(speech) / 5


def decoded(path: Path) -> tuple[np.ndarray[Any, Any], int]:
    """The MP3 decoded by ffmpeg (which honours the LAME tag's delay and padding)."""
    require(shutil.which("ffmpeg"), "ffmpeg is not installed")
    rate = MP3(path).info.sample_rate
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, dtype="<f4").astype(np.float64), rate


def chapters(built: Path) -> list[Path]:
    return sorted(built.glob("*.mp3"))


def timing(mp3: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(mp3.with_suffix(".json").read_text(encoding="utf-8"))
    return data


def test_one_mp3_per_chapter(built: Path) -> None:
    slugs = [c.slug for c in parse_file(SEED).book.chapters]
    assert sorted(p.stem for p in chapters(built)) == sorted(slugs)
    for slug in slugs:
        assert (built / f"{slug}.json").is_file() and (built / f"{slug}.vtt").is_file()


def test_mp3val_finds_nothing_to_warn_about(built: Path) -> None:
    require(shutil.which("mp3val"), "mp3val is not installed")
    for path in chapters(built):
        result = subprocess.run(["mp3val", str(path)], capture_output=True, text=True, check=True)
        assert "WARNING" not in result.stdout, result.stdout
        assert "CBR" in result.stdout


def test_durations_agree(built: Path) -> None:
    require(shutil.which("ffprobe"), "ffprobe is not installed")
    for path in chapters(built):
        samples, rate = decoded(path)
        frame = 576 / rate
        probe = subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
             str(path)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        ffprobe_seconds = float(probe.stdout)
        header = MP3(path).info  # the Info frame's count, less the LAME tag's delay and padding
        stream = path.read_bytes()[-stream_size(path) :]
        frames = len(list(encode.frames(stream))) - 1
        # ffprobe's duration is the Info frame's frame count, delay and padding included…
        assert ffprobe_seconds == pytest.approx(frames * 576 / rate, abs=0.001)
        # …and the decoded audio is the header's gapless length, as the timing file says.
        assert len(samples) / rate == pytest.approx(header.length, abs=frame)
        assert len(samples) * 1000 // rate == pytest.approx(timing(path)["duration_ms"], abs=1)


def stream_size(path: Path) -> int:
    """Bytes of MPEG stream after the ID3v2 tag."""
    data = path.read_bytes()
    size = 0
    for byte in data[6:10]:
        size = (size << 7) | byte
    return len(data) - 10 - size


def test_every_segment_seam_is_silent(built: Path, tmp_path: Path) -> None:
    """Each chapter is encoded in segments cut in its pauses; where one segment's frames meet
    the next, the decoded audio (gapless, by ffmpeg) is below -60 dBFS for 10 ms each side."""
    require(shutil.which("ffmpeg"), "ffmpeg is not installed")
    cache = built.parent.parent / "cache" / "chapters"
    entries = sorted(cache.glob("*/*"))
    assert len(entries) == len(chapters(built))
    seams = 0
    for entry in entries:
        reader = BlobCache(entry.parents[2], "chapters").open(entry.name)
        assert reader is not None
        with reader:
            meta = read_meta(reader.read)
            mp3 = tmp_path / "chapter.mp3"
            mp3.write_bytes(reader.read(1 << 30))  # the untagged MP3, Info/LAME header first
        samples, rate = decoded(mp3)
        assert len(samples) == meta["samples"]
        around = rate // 100
        for seam in meta["seams"]:
            seams += 1
            piece = samples[seam - around : seam + around]
            level = 20 * math.log10(max(float(np.max(np.abs(piece))), 1e-12))
            assert level < -60, (entry.name, seam, level)
    assert seams > 3 * len(entries)  # chapters are cut at their paragraphs


def test_tags(built: Path) -> None:
    book = parse_file(SEED).book
    for chapter in book.chapters:
        tags = ID3(built / f"{chapter.slug}.mp3")
        assert str(tags["TIT2"]) == chapter.title_text
        assert str(tags["TALB"]) == book.config.title
        assert str(tags["TPE1"]) == "Gerrit"
        assert str(tags["TRCK"]) == f"{chapter.number}/11"
        assert str(tags["TLAN"]) == "nld"
        assert str(tags["TDRC"]) == "2025"
        assert not tags.getall("APIC")  # this build has no cover.jpg (test_audio.py has)
    tags = ID3(built / "knuffelen-als-ondersteuning-bij-depressie.mp3")
    toc = tags.getall("CTOC")[0]
    titles = [str(tags[f"CHAP:{i}"].sub_frames["TIT2"]) for i in toc.child_element_ids]
    assert titles == [
        "Knuffelen als Ondersteuning bij Depressie",
        "Stress en Angst Verminderen",
        "Eenzaamheid Doorbreken",
        "Positieve Emoties Versterken",
    ]
    starts = [tags[f"CHAP:{i}"].start_time for i in toc.child_element_ids]
    assert starts == sorted(starts) and starts[0] == 0


def test_loudness_and_true_peak(built: Path) -> None:
    for path in chapters(built):
        samples, rate = decoded(path)
        lufs = fakes.reference_loudness(samples, rate)
        peak = fakes.reference_true_peak_db(samples)  # 4x oversampled
        assert -20.0 <= lufs <= -18.0, (path.name, lufs)
        assert peak <= -1.0, (path.name, peak)


def test_ffmpeg_ebur128_agrees(built: Path) -> None:
    """ffmpeg's own meter (EBU R128, true peak) on every chapter MP3, as a listener's tool
    reads it: -19 +/- 1 LUFS integrated, true peak at most -1 dBTP."""
    require(shutil.which("ffmpeg"), "ffmpeg is not installed")
    for path in chapters(built):
        result = subprocess.run(
            ["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true",
             "-f", "null", "-"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        summary = result.stderr.rsplit("Summary:", 1)[1]
        lufs = float(summary.split("I:", 1)[1].split("LUFS", 1)[0])
        peak = float(summary.split("Peak:", 1)[1].split("dBFS", 1)[0])
        assert -20.0 <= lufs <= -18.0, (path.name, lufs)
        assert peak <= -1.0, (path.name, peak)


def test_room_tone_after_every_prompt(built: Path) -> None:
    """The seed's prompt pauses hold the default room tone: quiet, yet over the −50 dB at
    which "trim silence" features cut (tests/test_pause_sound.py measures the trimming)."""
    edge_ms = 200  # the codec smears a few ms of speech into the pause; the tone fades in
    found = 0
    for path in chapters(built):
        samples, rate = decoded(path)
        for pause in timing(path)["pauses"]:
            if pause["kind"] != "prompt":
                continue
            found += 1
            assert pause["end_ms"] - pause["start_ms"] >= 8000 - 1
            span = samples[(pause["start_ms"] + edge_ms) * rate // 1000 :][
                : (pause["end_ms"] - pause["start_ms"] - 2 * edge_ms) * rate // 1000
            ]
            rms = math.sqrt(float(np.mean(span**2)))
            assert -50 < 20 * math.log10(rms + 1e-12) < -45, (path.name, pause)
    assert found == 5


def test_no_op_rebuild_and_jobs_1_give_the_same_bytes(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = built.parent.parent / "cache"
    submitted: list[int] = []
    real = audio_renderer.run_jobs

    def counting(jobs: Any, **kwargs: Any) -> Any:
        submitted.append(len(jobs))
        return real(jobs, **kwargs)

    monkeypatch.setattr(audio_renderer, "run_jobs", counting)
    again = render(tmp_path / "again", cache, jobs=1)
    assert submitted == [0]  # every chapter came from the cache: no engine, no encoder
    fresh = render(tmp_path / "fresh", tmp_path / "fresh-cache", jobs=1)  # cold, one job
    assert submitted == [0, 11]
    for path in sorted(built.iterdir()):
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name
        assert (fresh / path.name).read_bytes() == path.read_bytes(), path.name
