"""The gTTS engine against a fake Google service on 127.0.0.1: never the real one."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
import requests

from publisher.engines.base import VoiceProfile
from publisher.engines.gtts import GOOGLE_URL, MAX_CHARS, URL_VARIABLE, GttsSynthesizer, split_text
from publisher.errors import EngineError
from tests.fake_google import MP3, TONE_HZ, FakeGoogle, dead_port
from tests.helpers import PROXY_VARIABLES, clear_proxies, dominant_frequency

PROFILE = VoiceProfile(name="nl-gtts", engine="gtts", voice="nl", language="nl")
DUTCH = (
    "Het was een koude ochtend in Amsterdam, en de grachten lagen stil onder een dunne laag "
    "ijs. Anna liep langs het water; ze dacht aan de brief die ze gisteren had gekregen, een "
    "brief zonder afzender. Wie schrijft er nu nog brieven? Ze wist het niet, maar ze zou het "
    "uitzoeken, vandaag nog of anders morgen. De wind kwam uit het oosten en was scherp. "
    "Bij de brug bleef ze staan: daar, tussen de fietsen, lag iets wat op een envelop leek."
)


@pytest.fixture(autouse=True)
def dead_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point every proxy variable at a dead proxy: requests to 127.0.0.1 must not use it."""
    proxy = f"http://127.0.0.1:{dead_port()}"
    for name in PROXY_VARIABLES:
        monkeypatch.setenv(name, proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    fake = FakeGoogle()
    yield fake
    fake.close()


def synth(url: str, **options: float) -> tuple[GttsSynthesizer, list[float]]:
    """A synthesizer for ``url`` whose back-off sleeps are recorded, not slept."""
    sleeps: list[float] = []
    kwargs: dict[str, float] = {"timeout": 2.0, "retries": 3, "backoff": 0.5, **options}
    engine = GttsSynthesizer(
        PROFILE,
        timeout=kwargs["timeout"],
        retries=int(kwargs["retries"]),
        backoff=kwargs["backoff"],
        base_url=url,
        sleep=sleeps.append,
    )
    return engine, sleeps


def test_the_fake_answers_as_gtts_itself_expects(
    google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """gTTS's own parser reads the fake's answers: the fake is true to the real service."""
    from gtts import gTTS

    class LocalGtts(gTTS):  # type: ignore[misc]
        def _prepare_requests(self) -> list[requests.PreparedRequest]:
            prepared: list[requests.PreparedRequest] = super()._prepare_requests()
            for request in prepared:
                request.url = google.url
            return prepared

    # gTTS's own stream() takes proxies from the environment, ignoring NO_PROXY.
    clear_proxies(monkeypatch)
    out = io.BytesIO()
    LocalGtts("Goedemorgen.", lang="nl", lang_check=False, timeout=2).write_to_fp(out)
    assert out.getvalue() == MP3
    assert google.texts == ["Goedemorgen."]


def test_speaks_a_sentence_through_the_service(google: FakeGoogle) -> None:
    engine, _ = synth(google.url)
    pcm = engine.synthesize("Goedemorgen, hoe gaat het met je?")
    assert google.texts == ["Goedemorgen, hoe gaat het met je?"]
    assert google.paths == ["/_/batchexecute"]
    # The MP3 was decoded, not just passed on: half a second (plus codec padding) of 440 Hz.
    assert pcm.sample_rate == 24000
    assert 500 <= pcm.duration_ms <= 650
    assert dominant_frequency(pcm) == pytest.approx(TONE_HZ, abs=5)


def test_long_text_is_sent_in_pieces_of_at_most_100_characters(google: FakeGoogle) -> None:
    assert len(DUTCH) >= 400
    engine, _ = synth(google.url)
    pcm = engine.synthesize(DUTCH)
    pieces = google.texts
    assert len(pieces) >= 4
    assert all(len(piece) <= MAX_CHARS for piece in pieces)
    # Nothing lost or reordered, and every cut is at the end of a sentence or a clause.
    assert " ".join(pieces) == DUTCH
    assert all(piece[-1] in ".,;?!" for piece in pieces)
    # One decoded MP3 per piece, joined.
    assert len(pieces) * 500 <= pcm.duration_ms <= len(pieces) * 650


def test_split_text_cuts_clauses_and_words_only_when_a_sentence_is_too_long() -> None:
    sentence = (
        "Dit is kort. "
        + "Een lange zin, " * 8
        + "en nog een laatste deel zonder komma erin dat doorgaat tot het eind van de regel toe."
    )
    pieces = split_text(sentence)
    assert pieces[0].startswith("Dit is kort. Een lange zin,")
    assert all(len(p) <= MAX_CHARS for p in pieces)
    assert " ".join(pieces) == " ".join(sentence.split())
    # The last clause is longer than 100 characters: cut between words, not inside one.
    words = set(sentence.replace(",", "").replace(".", "").split())
    assert all(p.split()[-1].strip(".,") in words for p in pieces)


def test_a_request_that_times_out_is_retried_then_fails_clearly() -> None:
    fake = FakeGoogle(["sleep", "sleep"])
    try:
        engine, sleeps = synth(fake.url, timeout=0.2, retries=2, backoff=0.01)
        with pytest.raises(EngineError) as error:
            engine.synthesize("Hallo.")
    finally:
        fake.close()
    assert len(fake.texts) == 2
    assert sleeps == [0.01]
    message = str(error.value)
    assert "gTTS: service unreachable after 2 tries" in message
    assert "no answer within 0.2 s" in message


def test_429_is_retried_after_a_back_off(google: FakeGoogle) -> None:
    google.plan = [429]
    engine, sleeps = synth(google.url)
    pcm = engine.synthesize("Nog een keer.")
    assert google.texts == ["Nog een keer.", "Nog een keer."]
    assert sleeps == [0.5]
    assert pcm.duration_ms >= 500


def test_a_service_that_stays_down_gives_up_with_exponential_back_off(
    google: FakeGoogle,
) -> None:
    google.plan = [503, 503, 503, 503]
    engine, sleeps = synth(google.url, retries=4, backoff=0.1)
    with pytest.raises(EngineError, match=r"unreachable after 4 tries \(HTTP 503"):
        engine.synthesize("Hallo.")
    assert len(google.texts) == 4
    assert sleeps == pytest.approx([0.1, 0.2, 0.4])


def test_connection_refused_fails_with_a_clear_message() -> None:
    url = f"http://127.0.0.1:{dead_port()}/_/batchexecute"
    engine, sleeps = synth(url, retries=3, backoff=0.01)
    with pytest.raises(EngineError) as error:
        engine.synthesize("Hallo.")
    assert len(sleeps) == 2
    assert str(error.value).startswith("gTTS: service unreachable after 3 tries (cannot connect")
    assert "Connection refused) at" in str(error.value)  # the system's words, nothing else
    assert url in str(error.value)


def test_a_refusal_is_not_retried(google: FakeGoogle) -> None:
    google.plan = [403]
    engine, sleeps = synth(google.url)
    with pytest.raises(EngineError, match="refused the request: HTTP 403"):
        engine.synthesize("Hallo.")
    assert len(google.texts) == 1
    assert sleeps == []


def test_an_answer_without_audio_is_an_error(google: FakeGoogle) -> None:
    google.plan = ["no-audio"]
    engine, _ = synth(google.url)
    with pytest.raises(EngineError, match="holds no audio"):
        engine.synthesize("Hallo.")


def test_nothing_to_say_sends_nothing(google: FakeGoogle) -> None:
    engine, _ = synth(google.url)
    assert engine.synthesize("").data == b""
    assert engine.synthesize("  \n ").data == b""
    assert google.texts == []


def test_identity_names_engine_version_language_and_speed() -> None:
    normal = GttsSynthesizer(PROFILE).identity()
    slow = GttsSynthesizer(
        VoiceProfile(name="s", engine="gtts", voice="nl", language="nl", rate=1.5)
    ).identity()
    assert normal.startswith("gtts 2.")
    assert "lang=nl" in normal
    assert normal != slow


def test_a_piece_that_times_out_once_is_sent_again_and_spoken() -> None:
    fake = FakeGoogle(["sleep"])
    try:
        engine, sleeps = synth(fake.url, timeout=0.2, retries=2, backoff=0.01)
        pcm = engine.synthesize("Hallo.")
    finally:
        fake.close()
    assert fake.texts == ["Hallo.", "Hallo."]
    assert sleeps == [0.01]
    assert dominant_frequency(pcm) == pytest.approx(TONE_HZ, abs=5)


def test_the_service_address_is_a_setting_and_part_of_the_identity(
    google: FakeGoogle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(URL_VARIABLE, raising=False)
    google_voice = GttsSynthesizer(PROFILE)
    assert google_voice.url == GOOGLE_URL
    assert "url=" not in google_voice.identity()  # the caches of Google's voice stay valid
    monkeypatch.setenv(URL_VARIABLE, google.url)
    stand_in = GttsSynthesizer(PROFILE)  # as a build's worker makes it: from the profile alone
    stand_in.synthesize("Goedemiddag.")
    assert google.texts == ["Goedemiddag."]
    # What a stand-in said is never taken from the cache for Google's voice, nor the reverse.
    assert stand_in.identity() == f"{google_voice.identity()} url={google.url}"
