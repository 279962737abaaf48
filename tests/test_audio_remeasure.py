"""The loudness of a mastering plan derived from the speech's measurement is the loudness
measured over the whole rendered chapter."""

from __future__ import annotations

import math

import numpy as np
import pytest

from publisher.renderers.audio import limiter, loudness, pauses, peaks, remeasure
from tests import fakes


def _syllables(rate: int, seconds: float, seed: int) -> np.ndarray:
    """Speech-like int16: voiced bursts of varying loudness, a few sharp ones, and pauses."""
    rng = np.random.default_rng(seed)
    n = int(rate * seconds)
    t = np.arange(n) / rate
    out = np.zeros(n)
    at = int(0.3 * rate)
    while at < n:
        length = int(rng.uniform(0.08, 0.3) * rate)
        stop = min(n, at + length)
        level = rng.uniform(0.05, 0.6)
        window = np.hanning(stop - at)
        pitch = rng.uniform(100, 250)
        tone = np.sin(2 * np.pi * pitch * t[at:stop]) + 0.2 * rng.standard_normal(stop - at)
        out[at:stop] = level * window * tone
        at = stop + int(rng.choice([0.02, 0.05, 0.6]) * rate)
    return np.round(np.clip(out, -1, 1) * 20000).astype(np.int16)


def _measured(signal: peaks.Signal, rate: int, plan: loudness.Plan) -> float:
    meter = loudness.Meter(rate)
    for chunk in plan.chunks(signal):
        meter.add(chunk)
    return meter.integrated()


@pytest.mark.parametrize("rate", [22050, 24000, 44100])
def test_a_plan_s_loudness_is_derived_as_measured(rate: int) -> None:
    pcm = _syllables(rate, 23.0, rate)
    speech = remeasure.measure(pcm, rate)
    assert speech.lufs == loudness.integrated_loudness(pcm, rate)
    assert speech.lufs == pytest.approx(fakes.reference_loudness(pcm, rate), abs=0.05)
    limited = 0
    for gain_db in (0.0, 4.0, 9.0, 14.0):
        gain = 10 ** (gain_db / 20)
        regions = limiter.limiter_regions(pcm, rate, gain, 10 ** (-2 / 20) * 32768)
        limited += len(regions)
        plan = loudness.Plan(gain=gain, regions=regions)
        derived = remeasure.loudness_of(speech, plan)
        assert derived == pytest.approx(_measured(pcm, rate, plan), abs=1e-5), gain_db
    assert limited > 30  # the limiter was at work: the derivation is not just the gain


def test_a_pause_sound_is_measured_where_it_was_added() -> None:
    rate = 22050
    pcm = _syllables(rate, 15.0, 3)
    speech = remeasure.measure(pcm, rate)
    quiet = [(int(a * rate), int(b * rate)) for a, b in ((0.0, 0.3), (5.0, 7.5), (14.0, 15.0))]
    for sound in ("room", "chime"):
        signal = pauses.with_sound(pcm, quiet, sound, rate, -15.0)
        gain = 10 ** (8 / 20)
        plan = loudness.Plan(
            gain=gain, regions=limiter.limiter_regions(signal, rate, gain, 0.8 * 32768)
        )
        derived = remeasure.loudness_of(speech, plan, signal, quiet)
        assert derived == pytest.approx(_measured(signal, rate, plan), abs=1e-5), sound
        # …which is not what the speech alone would give: the sound was counted.
        assert abs(derived - remeasure.loudness_of(speech, plan)) > 1e-3, sound


def test_a_long_pause_sound_is_measured_in_pieces_and_holds_little() -> None:
    """A pause's sound minutes long is one stretch to measure again: it is rendered and
    filtered a piece at a time (ten minutes of it took 350 MB at once), with the same result
    as measuring the whole."""
    import tracemalloc

    rate = 22050
    speech = _syllables(rate, 20.0, 7)
    for minutes in (0.5, 10.0):
        quiet = np.zeros(round(minutes * 60 * rate), dtype=np.int16)
        pcm = np.concatenate([speech, quiet, speech])
        region = [(len(speech), len(speech) + len(quiet))]
        measured = remeasure.measure(pcm, rate)
        signal = pauses.with_sound(pcm, region, "room", rate, -20.0)  # a loud room, to count
        plan = loudness.Plan(gain=1.5)  # not clipped: the speech peaks at 20000
        tracemalloc.start()
        try:
            derived = remeasure.loudness_of(measured, plan, signal, region)
            _kept, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        if minutes < 1:  # the whole measured again, for comparison (short enough)
            assert derived == pytest.approx(_measured(signal, rate, plan), abs=1e-5)
        else:  # 10 minutes of samples are 26 MB as int16 alone
            assert peak < 20e6, peak


def test_silence_and_a_short_chapter() -> None:
    rate = 22050
    assert remeasure.measure(np.zeros(30000, dtype=np.int16), rate).lufs == -math.inf
    short = _syllables(rate, 0.7, 5)
    speech = remeasure.measure(short, rate)
    plan = loudness.Plan(gain=3.0, regions=limiter.limiter_regions(short, rate, 3.0, 16000))
    assert remeasure.loudness_of(speech, plan) == pytest.approx(
        _measured(short, rate, plan), abs=1e-5
    )


def test_measuring_a_long_chapter_holds_a_small_part_of_its_size() -> None:
    """The speech's measurement keeps the filter's state every few hundred samples to resume
    from; the states of every block in between, a byte a sample, must not stay alive while a
    ten-minute chapter is measured (a worker's memory at the time)."""
    import tracemalloc

    rate = 22050
    samples = (np.random.default_rng(1).standard_normal(rate * 600) * 3000).astype(np.int16)
    tracemalloc.start()
    try:
        measured = remeasure.measure(samples, rate)
        _kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert math.isfinite(measured.lufs)
    assert peak < samples.nbytes / 5  # 2.6 MB of a 26 MB chapter; 15 MB with every state
