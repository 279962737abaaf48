"""The gTTS engine against a fake Google service on 127.0.0.1: never the real one."""

from __future__ import annotations

import base64
import io
import json
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import lameenc
import numpy as np
import pytest
import requests

from publisher.engines.base import VoiceProfile
from publisher.engines.gtts import MAX_CHARS, GttsSynthesizer, split_text
from publisher.errors import EngineError
from tests.helpers import dominant_frequency

PROFILE = VoiceProfile(name="nl-gtts", engine="gtts", voice="nl", language="nl")
TONE_HZ = 440
TONE_SECONDS = 0.5

DUTCH = (
    "Het was een koude ochtend in Amsterdam, en de grachten lagen stil onder een dunne laag "
    "ijs. Anna liep langs het water; ze dacht aan de brief die ze gisteren had gekregen, een "
    "brief zonder afzender. Wie schrijft er nu nog brieven? Ze wist het niet, maar ze zou het "
    "uitzoeken, vandaag nog of anders morgen. De wind kwam uit het oosten en was scherp. "
    "Bij de brug bleef ze staan: daar, tussen de fietsen, lag iets wat op een envelop leek."
)


def make_mp3() -> bytes:
    """Half a second of a 440 Hz tone as a 24 kHz mono MP3, like Google's."""
    rate = 24000
    t = np.arange(int(rate * TONE_SECONDS)) / rate
    pcm = (np.sin(2 * np.pi * TONE_HZ * t) * 8000).astype("<i2").tobytes()
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(32)
    encoder.set_in_sample_rate(rate)
    encoder.set_out_sample_rate(rate)
    encoder.set_channels(1)
    return bytes(encoder.encode(pcm) + encoder.flush())


MP3 = make_mp3()


def envelope(mp3: bytes) -> bytes:
    """A batchexecute answer as Google sends it; gTTS's parser needs the compact JSON form."""
    inner = json.dumps([base64.b64encode(mp3).decode()], separators=(",", ":"))
    outer = json.dumps(
        [["wrb.fr", "jQ1olc", inner, None, None, None, "generic"], ["di", 58]],
        separators=(",", ":"),
    )
    return f')]}}\'\n\n{len(outer)}\n{outer}\n25\n[["e",4,null,null,149]]\n'.encode()


def spoken_text(body: bytes) -> str:
    """The text a batchexecute request asks to speak."""
    form = urllib.parse.parse_qs(body.decode())
    rpc = json.loads(form["f.req"][0])
    return str(json.loads(rpc[0][0][1])[0])


class FakeGoogle:
    """A batchexecute server: answers each request by the next planned step, then "ok".

    Steps: "ok", "sleep" (answer after the client has given up), "no-audio", or an HTTP
    status code.
    """

    def __init__(self, plan: list[str | int] | None = None) -> None:
        self.plan = list(plan or [])
        self.texts: list[str] = []
        self.paths: list[str] = []
        self.stop = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fake.texts.append(spoken_text(body))
                fake.paths.append(self.path)
                step = fake.plan.pop(0) if fake.plan else "ok"
                if step == "sleep":
                    if fake.stop.wait(2.0):
                        return  # the client gave up long ago and the test is over
                    step = "ok"
                if isinstance(step, int):
                    self.send_response(step)
                    self.end_headers()
                    return
                payload = envelope(MP3) if step == "ok" else b")]}'\n\n[]\n"
                self.send_response(200)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/_/batchexecute"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


def dead_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(autouse=True)
def dead_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point every proxy variable at a dead proxy: requests to 127.0.0.1 must not use it."""
    proxy = f"http://127.0.0.1:{dead_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, proxy)
    monkeypatch.setenv("all_proxy", proxy)
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
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name)
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
