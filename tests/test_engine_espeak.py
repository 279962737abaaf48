"""The embedded espeak-ng engine, for real: it must speak, in the voice asked for."""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor

import pytest

from publisher.engines import espeak
from publisher.engines.base import Pcm, Synthesizer, VoiceProfile
from publisher.engines.espeak import EspeakSynthesizer, check_voice
from publisher.errors import EngineError
from tests.helpers import voiced_seconds

SENTENCE = "De kat zit op de mat en kijkt naar de vogels in de tuin."


def profile(
    voice: str = "nl", rate: float | None = None, pitch: float | None = None
) -> VoiceProfile:
    return VoiceProfile(
        name=f"test-{voice}", engine="espeak", voice=voice, language=voice, rate=rate, pitch=pitch
    )


DUTCH = EspeakSynthesizer(profile("nl"))


def test_speaks_a_dutch_sentence() -> None:
    pcm = DUTCH.synthesize(SENTENCE)
    assert isinstance(DUTCH, Synthesizer)
    assert pcm.sample_rate == 22050
    assert len(pcm.data) % 2 == 0
    # Thirteen words at 175 words per minute: a few seconds, most of it voiced.
    assert 2000 <= pcm.duration_ms <= 8000
    assert voiced_seconds(pcm) > 1.5


def close(a: Pcm, b: Pcm, tolerance: float = 0.02) -> bool:
    """Whether two renderings last the same, give or take ``tolerance``.

    espeak-ng is not sample-exact from call to call: its pitch "flutter" runs on from one
    utterance to the next (a static counter in wavegen.c that no API resets), so the same
    text comes out a few milliseconds longer or shorter depending on what was said before.
    """
    return abs(a.duration_ms - b.duration_ms) <= tolerance * max(a.duration_ms, b.duration_ms)


def test_other_text_other_samples() -> None:
    first = DUTCH.synthesize(SENTENCE)
    assert close(DUTCH.synthesize(SENTENCE), first)
    other = DUTCH.synthesize("Morgen regent het in Utrecht.")
    assert other.data != first.data
    assert other.duration_ms < first.duration_ms * 0.7


# Dutch says "eenentwintig en tweeëntwintig", English "twenty one and twenty two":
# about 15% apart, far more than the call-to-call jitter.
NUMBERS = "21 en 22"


def test_the_voice_is_the_one_asked_for() -> None:
    english = EspeakSynthesizer(profile("en"))
    dutch_first = DUTCH.synthesize(NUMBERS)
    english_pcm = english.synthesize(NUMBERS)
    assert not close(english_pcm, dutch_first, 0.08)
    # Switching back and forth must not leave the library in the other voice.
    assert close(DUTCH.synthesize(NUMBERS), dutch_first)
    assert close(english.synthesize(NUMBERS), english_pcm)


def test_rate_changes_the_speed() -> None:
    slow = EspeakSynthesizer(profile("nl", rate=120)).synthesize(SENTENCE)
    fast = EspeakSynthesizer(profile("nl", rate=300)).synthesize(SENTENCE)
    assert fast.duration_ms < slow.duration_ms * 0.6


def test_pitch_changes_the_sound_not_the_length() -> None:
    low = EspeakSynthesizer(profile("nl", pitch=20)).synthesize(SENTENCE)
    high = EspeakSynthesizer(profile("nl", pitch=80)).synthesize(SENTENCE)
    assert low.data != high.data
    assert low.duration_ms == pytest.approx(high.duration_ms, rel=0.1)


def test_empty_text_is_empty_pcm_without_the_library(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_library() -> None:
        raise AssertionError("the library was used")

    monkeypatch.setattr(espeak, "_load", no_library)
    for text in ("", "  \n\t"):
        pcm = DUTCH.synthesize(text)
        assert pcm.data == b""
        assert pcm.sample_rate == 22050


def test_unknown_voice_is_a_clear_error() -> None:
    with pytest.raises(EngineError, match="espeak-ng has no voice 'xx-nowhere'"):
        EspeakSynthesizer(profile("xx-nowhere")).synthesize("Hallo")
    assert check_voice("xx-nowhere") == "espeak-ng has no voice 'xx-nowhere'"
    assert check_voice("nl") is None


def test_identity_names_everything_that_changes_the_sound() -> None:
    identity = DUTCH.identity()
    assert identity.startswith(f"espeak-ng {espeak.espeak_version()} ")
    assert espeak.espeak_version()[0].isdigit()
    assert "voice=nl" in identity
    assert "rate=175" in identity and "pitch=50" in identity
    assert EspeakSynthesizer(profile("nl", rate=200)).identity() != identity


def test_threads_get_their_own_voice() -> None:
    synths = {voice: EspeakSynthesizer(profile(voice)) for voice in ("nl", "en")}
    expected = {voice: synth.synthesize(NUMBERS) for voice, synth in synths.items()}
    assert not close(expected["nl"], expected["en"], 0.08)
    results: list[tuple[str, Pcm]] = []

    def speak(voice: str) -> None:
        for _ in range(5):
            results.append((voice, synths[voice].synthesize(NUMBERS)))

    threads = [threading.Thread(target=speak, args=(v,)) for v in synths for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 20
    assert all(close(pcm, expected[voice]) for voice, pcm in results)


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_works_in_a_worker_process(method: str) -> None:
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} start method on this platform")
    expected = DUTCH.synthesize(SENTENCE)  # with fork, the child inherits a loaded library
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        from_worker = pool.submit(DUTCH.synthesize, SENTENCE).result(timeout=60)
    assert from_worker.sample_rate == expected.sample_rate
    assert close(from_worker, expected)
    assert voiced_seconds(from_worker) > 1.5
