"""The M4B's container (publisher/renderers/audiobook/mp4.py), read back by FFmpeg (PyAV and
ffprobe) and by mutagen, as players and taggers read it: the audio sample-exact, the chapter
marks in both chapter lists, titles in any script, and the 64-bit forms of a file past 4 GiB.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from mutagen.mp4 import MP4

from publisher.errors import BuildError
from publisher.renderers.audiobook import m4b, mp4, pieces
from publisher.renderers.audiobook.m4b import FRAME
from tests.helpers import require

RATE = 22050
TITLES = [
    "Hoofdstuk één",
    "الفصل الثاني",  # Arabic, right to left
    "第三章 🌱",  # CJK and an emoji outside the BMP
    "Ω" * 200,  # 400 bytes of UTF-8: more than a Nero chapter entry holds
]


def packets(seconds: float) -> tuple[list[bytes], bytes]:
    """A tone encoded as AAC at RATE (first packet the priming), and the decoder config."""
    encoder = pieces.encoder(RATE, 64)
    t = np.arange(int(seconds * RATE)) / RATE
    tone = (0.25 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    frame = av.AudioFrame.from_ndarray(tone.reshape(1, -1), format="fltp", layout="mono")
    frame.sample_rate = RATE
    out = [bytes(p) for p in encoder.encode(frame)] + [bytes(p) for p in encoder.encode(None)]
    assert encoder.extradata
    return out, encoder.extradata


def write(path: Path, data: list[bytes], config: bytes, marks: list[tuple[str, int]]) -> None:
    """Write ``data`` with :class:`mp4.Mp4Writer` in two runs, as two chapters come."""
    half = len(data) // 2
    with path.open("wb") as f:
        writer = mp4.Mp4Writer(f, RATE, config)
        for run in (data[:half], data[half:]):
            writer.write(io.BytesIO(b"".join(run)).read, [len(p) for p in run])
        writer.finish(marks)


def decoded_samples(path: Path) -> np.ndarray[Any, Any]:
    with av.open(str(path)) as f:
        return np.concatenate([fr.to_ndarray()[0] for fr in f.decode(f.streams.audio[0])])


def ffprobe(path: Path) -> dict[str, Any]:
    require(shutil.which("ffprobe"), "ffprobe is not installed (Debian package 'ffmpeg')")
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-show_streams", "-of", "json", path],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stderr == ""
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


@pytest.fixture(scope="module")
def tone() -> tuple[list[bytes], bytes]:
    return packets(8.0)


def marks_for(data: list[bytes]) -> list[tuple[str, int]]:
    """Four marks spread over ``data``'s signal, in samples."""
    signal = (len(data) - 1) * FRAME
    return [(title, n * signal // len(TITLES)) for n, title in enumerate(TITLES)]


def test_the_audio_decodes_sample_exact_without_the_priming(
    tone: tuple[list[bytes], bytes], tmp_path: Path
) -> None:
    data, config = tone
    path = tmp_path / "book.m4b"
    write(path, data, config, marks_for(data))
    samples = decoded_samples(path)
    # The edit list's length is in milliseconds: within one of the whole packets' signal.
    assert abs(len(samples) - (len(data) - 1) * FRAME) <= RATE // 1000 + 1
    # The priming is hidden: the tone starts at once, as the encoder was given it.
    assert np.abs(samples[:2048]).max() > 0.1
    level = np.sqrt(np.mean(samples[RATE : 2 * RATE] ** 2))
    assert abs(level - 0.25 / np.sqrt(2)) < 0.02
    stream = ffprobe(path)["streams"][0]
    assert (stream["codec_name"], stream["profile"], stream["channels"]) == ("aac", "LC", 1)
    assert int(stream["nb_frames"]) == len(data)


def test_both_chapter_lists_carry_every_title_and_start(
    tone: tuple[list[bytes], bytes], tmp_path: Path
) -> None:
    data, config = tone
    marks = marks_for(data)
    path = tmp_path / "book.m4b"
    write(path, data, config, marks)
    # FFmpeg reads the QuickTime chapter track: every title whole.
    chapters = ffprobe(path)["chapters"]
    assert [c["tags"]["title"] for c in chapters] == TITLES
    for chapter, (_, start) in zip(chapters, marks, strict=True):
        assert abs(float(chapter["start_time"]) - start / RATE) <= 0.001
    assert abs(float(chapters[-1]["end_time"]) - (len(data) - 1) * FRAME / RATE) <= 0.001
    # mutagen reads Nero's chpl, whose titles hold 255 bytes: the long one is cut between
    # characters, the rest are whole.
    nero = MP4(path).chapters
    assert nero is not None
    titles = [c.title for c in nero]
    assert titles[:3] == TITLES[:3]
    assert TITLES[3].startswith(titles[3]) and len(titles[3].encode()) in (254, 255)
    for chapter, (_, start) in zip(nero, marks, strict=True):
        assert abs(chapter.start - start / RATE) < 1e-6


def test_two_writes_give_the_same_bytes_and_mutagen_can_tag_them(
    tone: tuple[list[bytes], bytes], tmp_path: Path
) -> None:
    data, config = tone
    first, second = tmp_path / "a.m4b", tmp_path / "b.m4b"
    write(first, data, config, marks_for(data))
    write(second, data, config, marks_for(data))
    assert first.read_bytes() == second.read_bytes()
    tagged = MP4(first)
    tagged.add_tags()
    assert tagged.tags is not None
    tagged.tags["\xa9nam"] = ["Een boek"]
    tagged.save()
    assert MP4(first).tags["\xa9nam"] == ["Een boek"]
    assert np.array_equal(decoded_samples(first), decoded_samples(second))


def test_past_4_gib_the_file_takes_its_64_bit_forms(
    tone: tuple[list[bytes], bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, config = tone
    small = tmp_path / "small.m4b"
    write(small, data, config, marks_for(data))
    # A file past 4 GiB, made small: every size and offset past LIMIT takes 64 bits.
    monkeypatch.setattr(mp4, "LIMIT", 4096)
    large = tmp_path / "large.m4b"
    write(large, data, config, marks_for(data))
    body = large.read_bytes()
    assert body[28:36] == b"\x00\x00\x00\x01mdat"  # the free box became a 64-bit header
    assert b"co64" in body and b"stco" not in body
    assert np.array_equal(decoded_samples(large), decoded_samples(small))
    assert [c["tags"]["title"] for c in ffprobe(large)["chapters"]] == TITLES
    assert (
        ffprobe(large)["chapters"][1]["start_time"] == ffprobe(small)["chapters"][1]["start_time"]
    )


def test_ffmpeg_reads_it_through_without_a_warning(
    tone: tuple[list[bytes], bytes], tmp_path: Path
) -> None:
    data, config = tone
    path = tmp_path / "book.m4b"
    write(path, data, config, marks_for(data))
    require(shutil.which("ffmpeg"), "ffmpeg is not installed (Debian package 'ffmpeg')")
    result = subprocess.run(
        ["ffmpeg", "-v", "warning", "-i", path, "-f", "null", "-"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stderr == ""


def test_a_piece_cut_short_in_the_cache_while_muxed_is_a_build_error(
    tone: tuple[list[bytes], bytes], tmp_path: Path
) -> None:
    data, _ = tone
    cache = pieces.PieceCache(tmp_path / "cache")
    whole = pieces.Piece(
        sample_rate=RATE,
        samples=(len(data) - 1) * FRAME,
        sizes=tuple(len(p) for p in data),
        data=b"".join(data),
    )
    cache.put("ab" * 32, whole)
    light = cache.light("ab" * 32)
    assert light is not None
    entry = cache.blobs.path("ab" * 32)
    entry.write_bytes(entry.read_bytes()[: -len(whole.data) // 2])  # cut short after the check
    chapters = [("Een", "ab" * 32, light)]
    with pytest.raises(BuildError, match="damaged while in use"):
        m4b.mux(tmp_path / "book.m4b", chapters, 1, bitrate=64, cache_dir=tmp_path / "cache")
