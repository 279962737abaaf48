"""The audio building blocks on their own: cache, MP3 header frame, loudness, tags."""

from __future__ import annotations

import io
import math
import os
import signal as signals
import time
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3
from PIL import Image

from publisher.engines.base import Pcm
from publisher.infra.cache import BlobCache, cache_key
from publisher.renderers.audio import crc, encode, limiter, loudness, peaks, segments, settings
from publisher.renderers.audio.chapter import ChapterAudio, ChapterCache
from publisher.renderers.audio.master import (
    Mastered,
    decode,
    grid_step,
    master,
    master_segments,
    measure,
)
from publisher.renderers.audio.tags import ART_SIZE, TrackInfo, cover_art, iso_639_2, tag_bytes
from publisher.speech.timing import TimedSection
from tests import fakes
from tests.helpers import dominant_frequency, gapless


def test_cache_round_trip_and_damage(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path, "bin")
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


def test_a_cached_chapter_is_copied_out_checked(tmp_path: Path) -> None:
    cache = ChapterCache(tmp_path)
    mp3 = encode.encode(fakes.fake_pcm("Een zin.").data, 22050, 64).data
    audio = ChapterAudio(mp3=mp3, sample_rate=22050, samples=1234, spans=((0, 5), (5, 1234)))
    cache.put("k" * 64, audio)
    assert cache.has("k" * 64)
    dest = tmp_path / "out.mp3"
    timing = cache.write_mp3("k" * 64, dest, lambda t: f"{t.samples}|".encode())
    assert timing == audio.timing()
    assert dest.read_bytes() == b"1234|" + mp3
    entry = cache.blobs.path("k" * 64)
    raw = bytearray(entry.read_bytes())
    raw[-10] ^= 1  # one bit of the MP3
    entry.write_bytes(bytes(raw))
    assert cache.write_mp3("k" * 64, dest, lambda t: b"") is None
    assert not dest.exists() and not entry.exists()  # no half file; made again next time
    assert cache.write_mp3("k" * 64, dest, lambda t: b"") is None
    cache.put("k" * 64, audio)
    entry.write_bytes(entry.read_bytes()[:60])  # cut inside the timing
    assert cache.write_mp3("k" * 64, dest, lambda t: b"") is None and not entry.exists()


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
    assert crc.crc16(b"123456789") == 0xBB3D  # CRC-16/ARC check value


def _limited(samples: np.ndarray, rate: int, ceiling_db: float) -> np.ndarray:
    out = np.asarray(samples, dtype=np.float64).copy()
    for region in limiter.limiter_regions(out, rate, 1.0, 10 ** (ceiling_db / 20)):
        out[region.start : region.stop] *= region.gains
    return out


def test_limiter_holds_the_true_peak() -> None:
    rate = 22050
    t = np.arange(rate) / rate
    # A tone at 1/4 of the sample rate, phase-shifted so its samples miss its crests.
    samples = 0.99 * np.sin(2 * np.pi * (rate / 4) * t + np.pi / 4)
    assert fakes.reference_true_peak_db(samples) > -0.2
    limited = _limited(samples, rate, -3.0)
    assert fakes.reference_true_peak_db(limited) <= -3.0 + 0.05


def _signals(rate: int) -> dict[str, np.ndarray]:
    """Synthetic signals: speech-like, steady, silent stretches, worst cases for true peak."""
    rng = np.random.default_rng(rate)
    n = int(rate * 7.3)
    t = np.arange(n) / rate
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t) ** 2
    voice = (0.4 * np.sin(2 * np.pi * 180 * t) + 0.05 * rng.standard_normal(n)) * envelope
    voice[:rate] *= 0.001  # a quiet start the gates leave out
    voice[3 * rate : 4 * rate] = 0  # a pause
    square = np.tile([0.9, 0.9, -0.9, -0.9], n // 4)  # ++--: peaks 3 dB between samples
    quarter = 0.9 * np.sin(2 * np.pi * (rate / 4) * t + np.pi / 4)
    clicks = np.zeros(n)
    clicks[rng.integers(0, n, 40)] = rng.choice([-1.0, 1.0], 40)
    # Full-scale samples alternating in sign around a zero: the largest overshoot of all.
    worst = np.zeros(n)
    worst[5000:5021] = np.sign(np.arange(21) % 2 - 0.5) * np.sign(np.arange(21) - 10.5)
    return {
        "voice": voice,
        "noise": np.clip(rng.standard_normal(n) * 0.3, -1, 1),
        "square": square,
        "quarter": quarter,
        "clicks": clicks,
        "worst": worst,
        "short": voice[rate : rate + rate // 3],
        "tone": 0.5 * np.sin(2 * np.pi * 997 * t),
    }


@pytest.mark.parametrize("rate", [8000, 11025, 16000, 22050, 24000, 44100, 48000])
def test_loudness_agrees_with_pyloudnorm(rate: int) -> None:
    for name, signal in _signals(rate).items():
        ours = loudness.integrated_loudness(signal, rate)
        assert ours == pytest.approx(fakes.reference_loudness(signal, rate), abs=0.05), name
    pcm = np.round(_signals(rate)["voice"] * 20000).astype(np.int16)
    reference = fakes.reference_loudness(pcm, rate)
    assert loudness.integrated_loudness(pcm, rate) == pytest.approx(reference, abs=0.05)
    if rate == 48000:  # BS.1770's calibration: a 997 Hz sine at 0 dBFS reads -3.01 LUFS
        tone = _signals(rate)["tone"]
        assert loudness.integrated_loudness(tone / 0.5, rate) == pytest.approx(-3.01, abs=0.05)


def test_loudness_fed_in_pieces_is_the_same_and_silence_is_minus_infinity() -> None:
    rate = 22050
    signal = _signals(rate)["voice"]
    whole = loudness.integrated_loudness(signal, rate)
    rng = np.random.default_rng(7)
    meter = loudness.Meter(rate)
    at = 0
    while at < len(signal):
        size = int(rng.choice([1, 17, 2047, 2048, 2049, 5000, 70000]))
        meter.add(signal[at : at + size])
        at += size
    assert meter.integrated() == pytest.approx(whole, abs=1e-6)
    assert loudness.integrated_loudness(np.zeros(50000), rate) == -math.inf
    assert loudness.integrated_loudness(np.zeros(10), rate) == -math.inf


@pytest.mark.parametrize("rate", [22050, 44100])
def test_the_fast_true_peak_is_full_oversampling(rate: int) -> None:
    for name, signal in _signals(rate).items():
        expected = fakes.reference_true_peak_db(signal)
        assert fakes.true_peak_db(signal) == pytest.approx(expected, abs=1e-9), name
        # …also when fed in pieces of awkward sizes, as the decoded MP3 is.
        meter = peaks.PeakMeter()
        for start in range(0, len(signal), 4099):
            meter.add(signal[start : start + 4099])
        assert 20 * math.log10(meter.peak()) == pytest.approx(expected, abs=1e-9), name
    worst = _signals(rate)["worst"]
    assert fakes.true_peak_db(worst) > 6  # the bound is nearly reached: nothing is missed
    assert pytest.approx(10 ** (fakes.true_peak_db(worst) / 20), rel=0.05) == peaks.BOUND
    assert fakes.true_peak_db(np.zeros(100)) == -math.inf
    pcm = np.array([0, 32767, -32768, 32767, -32768, 0], dtype=np.int16)
    assert fakes.true_peak_db(pcm) == pytest.approx(
        fakes.reference_true_peak_db(pcm / 32768), abs=1e-9
    )


@pytest.mark.parametrize("batch", [limiter._BATCH, 3000])  # one batch, and many
def test_limiter_regions_are_the_whole_signal_computation(
    batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    monkeypatch.setattr(limiter, "_BATCH", batch)
    rate = 22050
    signals = _signals(rate)
    for name in ("voice", "clicks", "quarter"):
        signal = signals[name]
        gain, ceiling = 2.5, 10 ** (-1.5 / 20)
        # What the limiter was before: every sample's needed gain, filtered over the signal.
        needed = np.minimum(1.0, ceiling / np.maximum(gain * fakes.reference_peaks(signal), 1e-12))
        width = max(3, round(settings.SMOOTHING * rate) | 1)
        smooth = uniform_filter1d(minimum_filter1d(needed, width, mode="nearest"), width,
                                  mode="nearest")  # fmt: skip
        expected = np.minimum(smooth, needed)
        ours = np.ones(len(signal))
        for region in limiter.limiter_regions(signal, rate, gain, ceiling):
            assert region.gains.max() <= 1 and region.gains[0] < 1 and region.gains[-1] < 1
            ours[region.start : region.stop] = region.gains
        np.testing.assert_allclose(ours, expected, atol=1e-6, err_msg=name)
        # A gain that varies bends the waveform a little: hundredths of a dB, as ever.
        assert fakes.reference_true_peak_db(signal * gain * ours) <= -1.5 + 0.05, name


@pytest.mark.parametrize("batch", [limiter._BATCH, 3000])
def test_a_limiter_makes_its_gains_when_asked_the_same_in_any_pieces(
    batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gains are made a batch of stretches at a time as the chapter is rendered, not all
    held: rendered in pieces of any size, the chapter is what the gains made at once give."""
    monkeypatch.setattr(limiter, "_BATCH", batch)
    rate = 22050
    signals = _signals(rate)
    pcm = np.round((signals["voice"] + 0.5 * signals["clicks"]) * 12000).astype(np.int16)
    gain, ceiling = 8.0, 10 ** (-2 / 20) * 32768
    lazy = limiter.Limiter(pcm, rate, gain, ceiling)
    whole = loudness.Plan(gain=gain, regions=limiter.limiter_regions(pcm, rate, gain, ceiling))
    assert len(lazy) == len(whole.regions) > 4
    assert list(lazy.extents()) == [(r.start, r.stop) for r in whole.regions]
    expected = whole.render(pcm)
    plan = loudness.Plan(gain=gain, regions=lazy)
    for size in (997, 65536, len(pcm)):
        pieces = [plan.render(pcm, a, a + size) for a in range(0, len(pcm), size)]
        assert np.array_equal(np.concatenate(pieces), expected), size


def test_a_plan_reaches_the_target_under_the_ceiling() -> None:
    rate = 22050
    signals = _signals(rate)
    pcm = np.round((signals["voice"] + 0.5 * signals["clicks"]) * 12000).astype(np.int16)
    for target in (-23.0, -19.0, -14.0):
        plan = loudness.plan(pcm, rate, target, -2.0)
        out = plan.render(pcm)
        assert np.array_equal(np.concatenate(list(plan.chunks(pcm))), out)
        assert fakes.reference_loudness(out, rate) == pytest.approx(target, abs=0.1)
        assert fakes.reference_true_peak_db(out / 32768) <= -2.0 + 0.01
    assert loudness.plan(pcm, rate, -14.0, -2.0).regions  # loud enough to need the limiter


def test_master_reaches_the_target_on_the_decoded_mp3() -> None:
    pcm = b"".join(fakes.fake_pcm(f"Zin nummer {i} van de test.").data for i in range(8))
    for target in (-19.0, -16.0):
        mp3 = master(pcm, 22050, 64, target)
        decoded = decode(mp3.data)
        assert decoded is not None
        # The gain is on a grid: within half a step, and the encoder's hundredths.
        assert fakes.reference_loudness(decoded, 22050) == pytest.approx(
            target, abs=settings.GAIN_STEP_DB / 2 + 0.1
        )
        assert fakes.reference_true_peak_db(decoded) <= -1.0
        measured = measure(mp3.data, 22050)
        assert measured is not None
        assert measured[0] == pytest.approx(fakes.reference_loudness(decoded, 22050), abs=0.05)
        assert measured[1] == pytest.approx(fakes.reference_true_peak_db(decoded), abs=1e-4)


def test_silence_stays_silent() -> None:
    silence = np.zeros(22050, dtype=np.int16)
    assert loudness.plan(silence, 22050, -19.0) == loudness.UNITY
    mp3 = master(silence.tobytes(), 22050, 64, -19.0)
    decoded = decode(mp3.data)
    assert decoded is not None and not decoded.any()


def test_crc16_of_a_long_stream_is_the_bytewise_one() -> None:
    rng = np.random.default_rng(3)
    for size in (0, 1, 5, 1 << 14, (1 << 14) + 1, 100_003, 1_000_000):
        data = rng.integers(0, 256, size, dtype=np.uint8).tobytes()
        assert crc.crc16(data) == crc._crc16_bytes(0, data), size


def test_a_stream_read_in_blocks_gets_the_same_info_frame_and_count() -> None:
    """A chapter's frames are read back from a file a block at a time: the CRC carried from
    block to block, the frames counted across blocks cut anywhere (even in a header)."""
    rng = np.random.default_rng(4)
    data = rng.integers(0, 256, 300_001, dtype=np.uint8).tobytes()
    for cut in (0, 1, 77, 1 << 14, 200_000):
        assert crc.crc16(data[cut:], crc.crc16(data[:cut])) == crc.crc16(data), cut
    pcm = b"".join(fakes.fake_pcm(f"Blok {i} van de stroom.").data for i in range(20))
    frames, samples = encode.encode_frames([pcm], 22050, 64)
    info, count, _padding = encode.info_for(frames, samples)
    for size in (1, 3, 4, 5, 417, 1 << 20):
        blocks = [bytes(frames[i : i + size]) for i in range(0, len(frames), size)]
        assert encode.count_frames(blocks) == count == encode.frame_count(frames), size
        assert encode.info_for_blocks(blocks, samples, count) == info, size


def test_encoding_in_pieces_gives_the_same_bytes() -> None:
    pcm = b"".join(fakes.fake_pcm(f"Stukje {i}.").data for i in range(6))
    whole = encode.encode(pcm, 22050, 64)
    samples = np.frombuffer(pcm, dtype="<i2")
    for size in (1000, 4097, 1 << 16):
        pieces = (samples[i : i + size] for i in range(0, len(samples), size))
        assert encode.encode_stream(pieces, 22050, 64) == whole
    assert encode.frame_count(whole.data) == len(list(encode.frames(whole.data)))


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
    first, second = tag_bytes(info) + mp3, tag_bytes(info) + mp3
    assert first == second
    path = tmp_path / "x.mp3"
    path.write_bytes(first)
    tags = ID3(path)
    assert "TDRC" not in tags and not tags.getall("APIC")
    toc = tags.getall("CTOC")[0]
    titles = [str(tags[f"CHAP:{i}"].sub_frames["TIT2"]) for i in toc.child_element_ids]
    assert titles == [s.title for s in sections]
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


def test_a_ctrl_c_while_workers_start_is_raised_once_they_have() -> None:
    from publisher.renderers.audio import processes

    reached = []
    with pytest.raises(KeyboardInterrupt), processes.no_interrupt_while_starting():
        os.kill(os.getpid(), signals.SIGINT)
        time.sleep(0.05)  # a signal handler would have run by now
        reached.append("the end of the block")
    assert reached == ["the end of the block"]
    assert signals.getsignal(signals.SIGINT) is signals.default_int_handler


@pytest.mark.parametrize(("source", "target"), [(22000, 44100), (30000, 44100), (48000, 44100)])
def test_resampling_keeps_the_length_pitch_and_purity_of_a_tone(source: int, target: int) -> None:
    n = int(source * 0.73)  # not a whole number of periods, nor of the rates' ratio
    tone = np.round(np.sin(2 * np.pi * 1000 * np.arange(n) / source) * 16000).astype("<i2")
    out = encode.resample(tone, source, target)
    assert out.dtype == np.dtype("<i2")
    assert len(out) == math.ceil(n * target / source)  # the timing counts on this length
    assert dominant_frequency(Pcm(data=out.tobytes(), sample_rate=target)) == pytest.approx(
        1000,
        abs=target / len(out),  # one FFT bin
    )
    # Away from the edges it is the same tone sampled at the new rate: fitted by a 1 kHz sine
    # of the same level, with what is left over (noise, distortion, images) 80 dB below it.
    middle = np.arange(len(out) // 8, len(out) * 7 // 8)
    t = middle / target
    basis = np.stack([np.sin(2 * np.pi * 1000 * t), np.cos(2 * np.pi * 1000 * t)], axis=1)
    fit, *_ = np.linalg.lstsq(basis, out[middle].astype(np.float64), rcond=None)
    assert math.hypot(*fit) == pytest.approx(16000, rel=0.002)
    residual = out[middle] - basis @ fit
    assert 20 * math.log10(residual.std() / (16000 / math.sqrt(2))) < -80
    assert np.array_equal(encode.resample(tone, source, target), out)  # builds are reproducible
    assert len(encode.resample(tone[:0], source, target)) == 0


def paragraphs(louder: int | None = None) -> tuple[np.ndarray, list[int]]:
    """Eight fake paragraphs with 0.7 s of silence between them (int16; paragraph ``louder``
    2 dB louder), and the middles of the silences, where a chapter is cut."""
    gap = np.zeros(round(0.7 * 22050), dtype=np.int16)
    parts: list[np.ndarray] = []
    cuts = []
    for i in range(8):
        said = np.frombuffer(
            fakes.fake_pcm(f"Alinea {i} van het hoofdstuk, lang genoeg.").data, "<i2"
        )
        if i == louder:
            said = np.round(said * 10 ** (2 / 20)).astype(np.int16)
        parts += [said, gap]
        cuts.append(sum(len(p) for p in parts) - len(gap) // 2)
    return np.concatenate(parts), cuts[:-1]


@pytest.mark.slow  # masters and encodes a chapter six times (14 s at load 5 on two cores)
def test_the_gain_is_on_a_grid_found_from_the_chapter_alone_so_an_edit_encodes_one_segment(
    tmp_path: Path,
) -> None:
    def run(pcm: np.ndarray, cuts: list[int], cache_dir: Path) -> tuple[Mastered, int]:
        cache = segments.SegmentCache(cache_dir)
        measured = loudness.integrated_loudness(pcm, 22050)
        done = master_segments(lambda _db: pcm, 22050, 64, -19.0, measured, cuts, cache)
        decoded = gapless(done.mp3.data)
        assert len(decoded) == done.mp3.samples
        assert fakes.reference_loudness(decoded, 22050) == pytest.approx(
            -19.0, abs=settings.GAIN_STEP_DB / 2 + 0.1
        )
        assert fakes.reference_true_peak_db(decoded) <= -1.0
        assert done.gain.linear == 10 ** (done.gain.step * settings.GAIN_STEP_DB / 20)
        return done, cache.encoded

    pcm, cuts = paragraphs()
    first, encoded = run(pcm, cuts, tmp_path / "one")
    assert encoded == len(cuts) + 1 == 8
    again, encoded = run(pcm, cuts, tmp_path / "one")
    assert (again.mp3, again.gain, encoded) == (first.mp3, first.gain, 0)
    # One paragraph 2 dB louder moves the chapter by 0.3 LU, not to another step: only that
    # paragraph's segment is encoded…
    edited, cuts_edited = paragraphs(louder=3)
    kept, encoded = run(edited, cuts_edited, tmp_path / "one")
    assert (kept.gain, encoded) == (first.gain, 1)
    # …and the result is what the edited chapter makes from an empty cache: no history.
    clean, encoded = run(edited, cuts_edited, tmp_path / "two")
    assert (clean.mp3, clean.gain, encoded) == (kept.mp3, kept.gain, 8)
    # Back to the first chapter with both in the cache: the first's bytes again.
    back, encoded = run(pcm, cuts, tmp_path / "one")
    assert (back.mp3, encoded) == (first.mp3, 0)
    # A chapter 1.2 dB louder throughout lands two steps lower (it is 0.2 dB louder than the
    # first after its gain): every segment is encoded.
    louder = np.round(pcm * 10 ** (1.2 / 20)).astype(np.int16)
    lowered, encoded = run(louder, cuts, tmp_path / "one")
    assert (lowered.gain.step, encoded) == (first.gain.step - 2, 8)


def test_the_grid_step_is_the_nearest_one() -> None:
    step = settings.GAIN_STEP_DB
    steps = [grid_step(x * step) for x in (-2.0, -0.51, -0.49, 0.0, 0.49, 0.5, 3.0)]
    assert steps == [-2, -1, 0, 0, 0, 1, 3]


def test_segments_put_together_are_the_chapter_gapless() -> None:
    """The frames of separately encoded segments decode, gapless, to the chapter's length
    less under a frame per seam, with every paragraph where the timing says it is."""
    pcm, cuts = paragraphs()
    cache = segments.SegmentCache(None)
    measured = loudness.integrated_loudness(pcm, 22050)
    done = master_segments(lambda _db: pcm, 22050, 64, -19.0, measured, cuts, cache)
    decoded = gapless(done.mp3.data)
    assert len(decoded) == done.mp3.samples == done.encoded.samples
    assert len(pcm) - 7 * 576 < len(decoded) <= len(pcm)
    gain = done.gain.linear * 10 ** (settings.ENCODER_GAIN_DB / 20) / 32768
    for start, stop in zip([0, *cuts], [*cuts, len(pcm)], strict=True):
        a, b = done.encoded.position(start), done.encoded.position(stop)
        original = pcm[start : start + (b - a)] * gain
        # The codec changes the waveform a little, never where the sound is.
        error = decoded[a:b] - original
        assert float(np.sqrt(np.mean(error**2))) < 0.1 * float(np.sqrt(np.mean(original**2)))


def test_a_long_chapter_holds_none_of_its_utterances_once_laid_out(tmp_path: Path) -> None:
    """Held utterances were 4 MB at a worker's peak, while a long chapter was mastered: a
    chapter longer than HELD_BYTES reads them all back, and reads the same samples."""
    from publisher.renderers.audio import pcm as laid

    cache = laid.SpeechCache(tmp_path)
    rng = np.random.default_rng(3)
    said = [rng.integers(-9000, 9000, 400_000, dtype=np.int16) for _ in range(8)]  # 6.4 MB
    layout = laid.ChapterPcm(cache, 22050)
    for n, samples in enumerate(said):
        key = f"utterance-{n}"
        cache.put(key, Pcm(data=samples.astype("<i2").tobytes(), sample_rate=22050))
        pcm = cache.get(key)
        assert pcm is not None
        layout.append(key, layout.keep(key, pcm))
    assert layout.held  # the first 4 MB, while it could still be short
    layout.settle()
    assert not layout.held
    assert np.array_equal(layout.read(0, len(layout)), np.concatenate(said))

    short = laid.ChapterPcm(cache, 22050)
    pcm = cache.get("utterance-0")
    assert pcm is not None
    short.append("utterance-0", short.keep("utterance-0", pcm))
    short.settle()
    assert list(short.held) == ["utterance-0"]  # a short chapter is never read back


def test_the_first_take_of_an_utterance_stays_in_the_speech_cache(tmp_path: Path) -> None:
    """Two workers may synthesise the same sentence at once, and an engine that is not
    stateless (Piper) says it differently each time: both chapters must use one take, the one
    the cache keeps, or a chapter lays out one length and reads the other back."""
    from publisher.engines.base import Pcm
    from publisher.renderers.audio.pcm import SpeechCache

    cache = SpeechCache(tmp_path)
    key = SpeechCache.key("Hello there.", "piper joe")
    first = Pcm(data=b"\x01\x00" * 100, sample_rate=22050)
    second = Pcm(data=b"\x02\x00" * 120, sample_rate=22050)
    assert cache.put(key, first) == first
    assert cache.put(key, second) == first  # the other worker is told to use the first take
    assert cache.get(key) == first
    assert not any(p.name.startswith(".tmp-") for p in tmp_path.rglob("*"))
