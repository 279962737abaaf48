"""A stand-in for Google's speech service on 127.0.0.1: what the gTTS engine is tested
against, alone (``test_engine_gtts.py``) and through a whole build (``test_gtts_build.py``).
Never the real service."""

from __future__ import annotations

import base64
import json
import socket
import threading
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import lameenc
import numpy as np

TONE_HZ = 440
TONE_SECONDS = 0.5


def make_mp3(seconds: float = TONE_SECONDS, hz: float = TONE_HZ) -> bytes:
    """``seconds`` of a ``hz`` tone as a 24 kHz mono MP3, like Google's."""
    rate = 24000
    t = np.arange(int(rate * seconds)) / rate
    pcm = (np.sin(2 * np.pi * hz * t) * 8000).astype("<i2").tobytes()
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(32)
    encoder.set_in_sample_rate(rate)
    encoder.set_out_sample_rate(rate)
    encoder.set_channels(1)
    return bytes(encoder.encode(pcm) + encoder.flush())


MP3 = make_mp3()
"""Half a second of a 440 Hz tone: what the fake says by default."""


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


Step = str | int
"""What the fake does with a request: "ok", "sleep" (answer after the client has given up),
"no-audio", or an HTTP status code."""


class FakeGoogle:
    """A batchexecute server: answers each request by the next planned step, then "ok".

    ``plan`` is taken in the order requests arrive (from any process); ``refuse`` is asked
    about every text first and may answer with a step for it, whatever the plan says (a
    piece that fails every time, wherever it comes in a build). ``mp3`` is what it says.
    ``texts`` and ``steps`` record each request's text and the step that answered it.
    """

    def __init__(
        self,
        plan: list[Step] | None = None,
        *,
        mp3: bytes = MP3,
        refuse: Callable[[str], Step | None] | None = None,
    ) -> None:
        self.plan = list(plan or [])
        self.refuse = refuse
        self.texts: list[str] = []
        self.paths: list[str] = []
        self.steps: list[Step] = []
        self.stop = threading.Event()
        lock = threading.Lock()
        answer = envelope(mp3)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                text = spoken_text(body)
                with lock:  # requests from several workers at once
                    refused = fake.refuse(text) if fake.refuse is not None else None
                    planned = fake.plan.pop(0) if fake.plan else "ok"
                    step = planned if refused is None else refused
                    fake.texts.append(text)
                    fake.paths.append(self.path)
                    fake.steps.append(step)
                if step == "sleep":
                    if fake.stop.wait(2.0):
                        return  # the client gave up long ago and the test is over
                    step = "ok"
                if isinstance(step, int):
                    self.send_response(step)
                    self.end_headers()
                    return
                payload = answer if step == "ok" else b")]}'\n\n[]\n"
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
        """Stop serving."""
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


def dead_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
