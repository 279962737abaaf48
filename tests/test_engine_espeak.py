"""The embedded espeak-ng engine, for real: it must speak, in the voice asked for, and the same
text must give the same samples whatever was said before, in this process or another."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.queues import Queue

import pytest

from publisher.engines import espeak, espeak_library
from publisher.engines.base import Pcm, Synthesizer, VoiceProfile
from publisher.engines.espeak import EspeakSynthesizer, check_voice
from publisher.errors import EngineError
from tests.helpers import voiced_seconds

SENTENCE = "De kat zit op de mat en kijkt naar de vogels in de tuin."
OTHER = "Morgen regent het in Utrecht!"


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


def close(a: Pcm, b: Pcm, tolerance: float) -> bool:
    """Whether two renderings last the same, give or take ``tolerance``."""
    return abs(a.duration_ms - b.duration_ms) <= tolerance * max(a.duration_ms, b.duration_ms)


def test_other_text_other_samples() -> None:
    first = DUTCH.synthesize(SENTENCE)
    other = DUTCH.synthesize(OTHER)
    assert other.data != first.data
    assert other.duration_ms < first.duration_ms * 0.7


def test_the_same_text_gives_the_same_samples_whatever_was_said_before() -> None:
    # espeak-ng's pitch flutter and roughness counters run on from one utterance to the
    # next inside the library; before every synthesis started from a fresh library, the
    # second and third renderings here differed from the first (by hundreds of samples).
    first = DUTCH.synthesize(SENTENCE)
    assert DUTCH.synthesize(SENTENCE).data == first.data
    DUTCH.synthesize(OTHER)
    EspeakSynthesizer(profile("en", rate=300, pitch=90)).synthesize("Something else entirely.")
    EspeakSynthesizer(profile("nl+f2")).synthesize(OTHER)
    assert DUTCH.synthesize(SENTENCE).data == first.data


def _libc_rand() -> None:
    """Draw from the C library's rand(), as any other code in the process may."""
    try:
        rand = ctypes.CDLL(None).rand
    except (OSError, AttributeError, TypeError):
        return
    for _ in range(7):
        rand()


def test_noisy_voices_are_repeatable_too() -> None:
    # Breath noise ("f2", "whisper") comes from espeak-ng's own generator, which
    # espeak_Initialize seeds with the time in seconds; the Klatt voice "Reed" draws noise
    # from the C library's rand(). Both are seeded before every synthesis, so a later second,
    # or other code using rand() in between, changes nothing.
    voices = [EspeakSynthesizer(profile(voice)) for voice in ("en+f2", "en+whisper", "en+Reed")]
    text = "Breathe in, breathe out. Hello there, my friend."
    first = [voice.synthesize(text) for voice in voices]
    start = int(time.time())
    while int(time.time()) == start:  # at most a second
        time.sleep(0.02)
    _libc_rand()
    again = [voice.synthesize(text) for voice in voices]
    assert [pcm.data for pcm in again] == [pcm.data for pcm in first]
    assert len({pcm.data for pcm in first}) == 3


# Dutch says "eenentwintig en tweeëntwintig", English "twenty one and twenty two":
# about 15% apart.
NUMBERS = "21 en 22"


def test_the_voice_is_the_one_asked_for() -> None:
    english = EspeakSynthesizer(profile("en"))
    dutch_first = DUTCH.synthesize(NUMBERS)
    english_pcm = english.synthesize(NUMBERS)
    assert not close(english_pcm, dutch_first, 0.08)
    # Switching back and forth must not leave the library in the other voice.
    assert DUTCH.synthesize(NUMBERS).data == dutch_first.data
    assert english.synthesize(NUMBERS).data == english_pcm.data


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

    monkeypatch.setattr(espeak_library, "_load", no_library)
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
    assert f"seed={espeak.SEED}" in identity
    assert EspeakSynthesizer(profile("nl", rate=200)).identity() != identity


def test_a_library_left_loaded_is_refused_not_used() -> None:
    # Fresh state relies on unloading the library after each synthesis. Should something
    # keep it loaded, the next synthesis must fail rather than carry on from that state.
    expected = DUTCH.synthesize(SENTENCE)
    with espeak_library._LOCK:
        runtime = espeak_library._load()
    extra = ctypes.CDLL(runtime.path, mode=espeak_library._LOAD_MODE)
    try:
        DUTCH.synthesize(OTHER)  # loaded fresh by ``extra``; stays loaded after it
        with pytest.raises(EngineError, match="stayed loaded from an earlier synthesis"):
            DUTCH.synthesize(SENTENCE)
    finally:
        espeak_library._unload(extra._handle)
    assert DUTCH.synthesize(SENTENCE).data == expected.data


def test_without_an_in_memory_copy_a_private_folder_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Linux loads its private copy from an anonymous in-memory file; where there is none,
    # or the system refuses it, the copy goes to a private temporary folder instead.
    expected = DUTCH.synthesize(SENTENCE)

    def refused(*_args: object) -> int:
        raise OSError("memfd refused")

    monkeypatch.setattr(os, "memfd_create", refused, raising=False)
    monkeypatch.setattr(espeak_library, "_runtime", None)
    assert DUTCH.synthesize(SENTENCE).data == expected.data
    runtime = espeak_library._runtime
    assert runtime is not None and runtime.folder is not None and runtime.fd is None
    assert runtime.path.startswith(runtime.folder)
    espeak_library._discard(runtime)


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
    assert all(pcm.data == expected[voice].data for voice, pcm in results)


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_a_worker_process_gives_the_same_samples(method: str) -> None:
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} start method on this platform")
    DUTCH.synthesize(OTHER)  # this process has said something else before
    expected = DUTCH.synthesize(SENTENCE)  # with fork, the child inherits all of it
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        pool.submit(DUTCH.synthesize, NUMBERS).result(timeout=60)  # the worker too
        from_worker = pool.submit(DUTCH.synthesize, SENTENCE).result(timeout=60)
    assert from_worker.sample_rate == expected.sample_rate
    assert from_worker.data == expected.data


def _speak_into(queue: Queue[bytes | str]) -> None:
    try:
        queue.put(DUTCH.synthesize(SENTENCE).data)
    except EngineError as e:
        queue.put(str(e))


def test_a_fork_during_a_synthesis_in_another_thread() -> None:
    # Held here by the forking thread itself, as another thread would hold it: the child
    # inherits a library loaded mid-synthesis and must load a copy of its own, not reuse it.
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork start method on this platform")
    expected = DUTCH.synthesize(SENTENCE)
    context = multiprocessing.get_context("fork")
    queue: Queue[bytes | str] = context.Queue()
    with espeak_library._LOCK, espeak_library._session(espeak_library._load()) as lib:
        lib.espeak_SetVoiceByName(b"en")  # half-way: loaded, initialised, in use
        child = context.Process(target=_speak_into, args=(queue,))
        child.start()
    from_child = queue.get(timeout=60)
    child.join(timeout=60)
    assert child.exitcode == 0
    assert from_child == expected.data


def test_says_where_each_word_of_the_text_it_was_given_is() -> None:
    # The engine is given the text with its brackets kept apart ("[ [") and control
    # characters as spaces; the words are still those of the text, in order, each in turn.
    text = "Zeg [[dit]] nu,\x01 en 200 euro: klaar."
    pcm = DUTCH.synthesize(text)
    assert pcm.words is not None
    assert [text[w.char_start : w.char_end] for w in pcm.words] == [
        "Zeg", "dit", "nu", "en", "200", "euro", "klaar"
    ]  # fmt: skip
    starts = [w.sample_start for w in pcm.words]
    assert starts == sorted(starts) and all(w.sample_end >= w.sample_start for w in pcm.words)
    assert pcm.words[-1].sample_end <= len(pcm.data) // 2
    assert DUTCH.synthesize("").words == ()
