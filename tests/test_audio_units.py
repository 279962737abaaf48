"""The audio building blocks on their own: cache, MP3 header frame, loudness, tags."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3
from PIL import Image

from publisher.audio import encode, loudness
from publisher.audio.master import decode, master
from publisher.audio.tags import ART_SIZE, TrackInfo, cover_art, iso_639_2, tagged
from publisher.audio.timing import TimedSection
from publisher.cache import BlobCache, cache_key
from tests import fakes


def test_cache_round_trip_and_damage(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path, ".bin")
    key = cache_key("x", 1)
    assert cache.get(key) is None
    cache.put(key, b"hello")
    assert cache.get(key) == b"hello"
    path = cache.path(key)
    raw = path.read_bytes()
    path.write_bytes(raw[:-1] + b"H")  # same length, other bytes
    assert cache.get(key) is None
    assert not path.exists()  # removed, so it is made again
    cache.put(key, b"hello")
    path.write_bytes(path.read_bytes()[:20])  # truncated inside the header
    assert cache.get(key) is None
    assert [p.name for p in path.parent.iterdir()] == []  # no temporary files left


def test_cache_keys_depend_on_every_part() -> None:
    assert cache_key("a", 1) == cache_key("a", 1)
    assert cache_key("a", 1) != cache_key("a", 2) != cache_key("b", 1)


@pytest.mark.parametrize(
    ("engine_rate", "bitrate", "expected"),
    [(22050, 64, 22050), (24000, 64, 24000), (16000, 32, 16000), (22050, 192, 44100),
     (44100, 128, 44100), (48000, 64, 48000), (22000, 64, 44100)],
)  # fmt: skip
def test_mpeg_rate(engine_rate: int, bitrate: int, expected: int) -> None:
    assert encode.mpeg_rate(engine_rate, bitrate) == expected


@pytest.mark.parametrize(("rate", "bitrate"), [(22050, 64), (22050, 32), (44100, 192)])
def test_info_frame_counts_and_gapless_length(rate: int, bitrate: int) -> None:
    pcm = fakes.fake_pcm("Een korte zin om te coderen.", rate).data
    mp3 = encode.encode(pcm, rate, bitrate)
    headers = list(encode.frames(mp3.data))
    info = headers[0]
    at = 4 + info.side_info_size
    flags = int.from_bytes(mp3.data[at + 4 : at + 8], "big")
    assert mp3.data[at : at + 4] == b"Info"
    assert int.from_bytes(mp3.data[at + 8 : at + 12], "big") == len(headers) - 1 == mp3.frames
    assert int.from_bytes(mp3.data[at + 12 : at + 16], "big") == len(mp3.data)
    assert bool(flags & 4) == (bitrate != 32)  # a 104-byte frame has no room for the seek table
    assert mp3.frames * info.samples - mp3.delay - mp3.padding == len(pcm) // 2
    assert 0 <= mp3.padding < 4096
    assert {h.sample_rate for h in headers} == {rate} and {h.bitrate for h in headers} == {bitrate}


def test_crc16_is_the_lame_tag_checksum() -> None:
    assert encode.crc16(b"123456789") == 0xBB3D  # CRC-16/ARC check value


def test_limiter_holds_the_true_peak() -> None:
    rate = 22050
    t = np.arange(rate) / rate
    # A tone at 1/4 of the sample rate, phase-shifted so its samples miss its crests.
    samples = 0.99 * np.sin(2 * np.pi * (rate / 4) * t + np.pi / 4)
    assert loudness.true_peak_db(samples) > -0.2
    limited = loudness.limit(samples, rate, -3.0)
    assert loudness.true_peak_db(limited) <= -3.0 + 0.05


def test_master_reaches_the_target_on_the_decoded_mp3() -> None:
    pcm = b"".join(fakes.fake_pcm(f"Zin nummer {i} van de test.").data for i in range(8))
    for target in (-19.0, -16.0):
        mp3 = master(pcm, 22050, 64, target)
        decoded = decode(mp3.data)
        assert decoded is not None
        assert loudness.integrated_loudness(decoded, 22050) == pytest.approx(target, abs=0.25)
        assert loudness.true_peak_db(decoded) <= -1.0


def test_silence_stays_silent() -> None:
    assert loudness.normalise(bytes(44100), 22050, -19.0) == bytes(44100)


def test_language_codes() -> None:
    assert iso_639_2("nl") == "nld"
    assert iso_639_2("nl-BE") == "nld"
    assert iso_639_2("en-GB") == "eng"
    assert iso_639_2("fry") == "fry"
    assert iso_639_2("xx") == "und"


def test_tags_are_reproducible_and_ordered(tmp_path: Path) -> None:
    mp3 = encode.encode(fakes.fake_pcm("Hallo.").data, 22050, 64).data
    sections = [
        TimedSection(title="Een heel lang hoofdstuk met een lange titel", start_ms=0, end_ms=10,
                     block="a"),
        TimedSection(title="B", start_ms=10, end_ms=20, block="b"),
        TimedSection(title="Middel", start_ms=20, end_ms=30, block="c"),
    ]  # fmt: skip
    info = TrackInfo(
        title="Titel", album="Boek", artist="Auteur", track=1, total=2, language="nl",
        year=None, cover=None, sections=sections,
    )  # fmt: skip
    first, second = tagged(mp3, info), tagged(mp3, info)
    assert first == second
    path = tmp_path / "x.mp3"
    path.write_bytes(first)
    tags = ID3(path)
    assert "TDRC" not in tags and not tags.getall("APIC")
    toc = tags.getall("CTOC")[0]
    titles = [str(tags[f"CHAP:{i}"].sub_frames["TIT2"]) for i in toc.child_element_ids]
    assert titles == [s.title for s in sections]
    assert first.endswith(mp3)
    assert os.path.getsize(path) == len(first)


def test_a_large_cover_is_embedded_smaller_and_always_the_same() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (3000, 3000), (10, 120, 200)).save(buffer, "JPEG")
    big = buffer.getvalue()
    art = cover_art(big)
    assert art == cover_art(big)
    with Image.open(io.BytesIO(art)) as image:
        assert image.size == (ART_SIZE, ART_SIZE)
    small = io.BytesIO()
    Image.new("RGB", (100, 100)).save(small, "JPEG")
    assert cover_art(small.getvalue()) == small.getvalue()
