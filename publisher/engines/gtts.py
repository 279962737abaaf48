"""Google's online voice through gTTS: better sounding than espeak-ng, but needs the network.

gTTS is used for what is specific to Google's service: its text pre-processing and the
``batchexecute`` request it packs each piece of text in. Sending is done here, with requests
and urllib3's ``Retry``, because gTTS's own ``stream()`` has no retries, opens one
connection per piece without a way to set the URL, and takes proxies from the environment
while ignoring ``NO_PROXY``.

Each piece comes back as an MP3, decoded to PCM with pedalboard (no ffmpeg needed).

The service's address is a setting, :data:`URL_VARIABLE` in the environment (a stand-in
service, or the fake on 127.0.0.1 a test builds a whole book against): the environment
reaches the audio workers, which make the engine themselves.
"""

from __future__ import annotations

import base64
import io
import os
import re
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Self

import numpy as np
import numpy.typing as npt
import requests
from requests.adapters import HTTPAdapter
from urllib3 import BaseHTTPResponse
from urllib3.util import Retry

from publisher.engine_input import engine_text
from publisher.engines.base import Pcm, Synthesizer, VoiceProfile
from publisher.engines.net import failure, session_for
from publisher.errors import EngineError
from publisher.text import sentences
from publisher.urls import url_problem

MAX_CHARS = 100
"""The most characters Google's service takes in one request (gTTS's own limit too)."""

GOOGLE_URL = "https://translate.google.com/_/TranslateWebserverUi/data/batchexecute"
"""Where gTTS sends its requests (for ``tld="com"``)."""

URL_VARIABLE = "PUBLISHER_GTTS_URL"
"""The environment variable that replaces :data:`GOOGLE_URL` (module docstring)."""

SAMPLE_RATE = 24000
"""The rate of Google's MP3s; used for the empty result of empty text."""

_RPC_ID = "jQ1olc"  # the id of the speech call in the batchexecute envelope
# The same pattern gTTS's stream() uses: the base64 MP3 inside the escaped inner JSON.
_AUDIO = re.compile(r'jQ1olc","\[\\"(.*)\\"]')

_CLAUSE_END = re.compile(r"(?<=[,;:–—])\s+")


def split_text(text: str, limit: int = MAX_CHARS) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters, at the best boundary.

    Whole sentences are packed together while they fit; a longer sentence is cut at clauses
    (``, ; : –``), a longer clause between words, and only a word longer than ``limit``
    mid-word. Punctuation stays with its piece, so each piece keeps its intonation.
    """
    pieces: list[str] = []
    for sentence in sentences(text):
        if len(sentence) <= limit:
            pieces.append(sentence)
            continue
        for clause in _CLAUSE_END.split(sentence):
            if len(clause) <= limit:
                pieces.append(clause)
                continue
            pieces.extend(_pack(clause.split(" "), limit))
    return _pack([p for p in pieces if p], limit)


def _pack(parts: list[str], limit: int) -> list[str]:
    """Join consecutive ``parts`` with spaces into as few pieces of at most ``limit`` as fit."""
    packed: list[str] = []
    for part in parts:
        while len(part) > limit:  # a "word" with no space in it: nothing better to do
            packed.append(part[:limit])
            part = part[limit:]
        if packed and len(packed[-1]) + 1 + len(part) <= limit:
            packed[-1] += " " + part
        elif part:
            packed.append(part)
    return packed


class GttsSynthesizer(Synthesizer):
    """A :class:`~publisher.engines.base.Synthesizer` for Google's voice, through gTTS.

    ``profile.voice`` is a gTTS language code ("nl", "en", "pt-PT"); a ``profile.rate``
    above 1.0 selects gTTS's slow speed, the only other one it has.

    Every request waits at most ``timeout`` seconds; a timeout, a failed connection, HTTP 429
    or a 5xx answer is tried again after ``backoff``, ``2 * backoff``, ... seconds, up to
    ``retries`` tries in all, and then raises :class:`~publisher.errors.EngineError`.
    ``base_url`` replaces Google's address (default: :data:`URL_VARIABLE` if set, else
    :data:`GOOGLE_URL`). Proxy settings from the environment are used, except for a loopback
    address.

    ``stateless``: every synthesis is requests of its own, and what the service answers does
    not depend on what this process asked before, so a worker makes chapter after chapter
    (:mod:`publisher.renderers.audio.pool`), as for espeak-ng.
    """

    name = "gtts"
    stateless = True

    def __init__(
        self,
        profile: VoiceProfile,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        base_url: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if retries < 1:
            raise ValueError("retries must be at least 1")
        self.profile = profile
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.url = base_url or os.environ.get(URL_VARIABLE) or GOOGLE_URL
        self.slow = profile.rate is not None and profile.rate > 1.0
        self._sleep = sleep

    def check(self) -> str | None:
        """Why this profile cannot speak here (gTTS missing, unknown language), or ``None``.

        Being online is not a reason: whether the service answers shows only when it is used.
        An address that is no web address (:data:`URL_VARIABLE` mistyped) is: by the one URL
        rule, before any chapter is made, rather than requests' words from each worker.
        """
        problem = url_problem(self.url)
        if problem is not None:
            return f"the gTTS service address ({URL_VARIABLE}) {self.url!r} {problem}"
        try:
            from gtts.lang import tts_langs
        except ImportError:
            return "gTTS is not installed: pip install gTTS"
        if self.profile.voice not in tts_langs():
            return f"gTTS has no language {self.profile.voice!r}"
        return None

    def identity(self) -> str:
        """Engine, gTTS version, language and speed: what changes the sound; and the
        service's address when it is not Google's, so that what a stand-in said is never
        taken from the cache for Google's voice."""
        try:
            gtts_version = version("gTTS")
        except PackageNotFoundError:
            gtts_version = "missing"
        speed = "slow" if self.slow else "normal"
        service = "" if self.url == GOOGLE_URL else f" url={self.url}"
        return f"gtts {gtts_version} lang={self.profile.voice} speed={speed}{service}"

    def request_bodies(self, text: str) -> list[str]:
        """The form-encoded request bodies that speaking ``text`` sends, one per piece."""
        try:
            from gtts import gTTS
        except ImportError as e:
            raise EngineError("gTTS is not installed: pip install gTTS") from e
        if not text.strip():
            return []
        try:
            tts = gTTS(
                engine_text(text),  # the same text rule as every engine's
                lang=self.profile.voice,
                slow=self.slow,
                lang_check=False,  # check() does it; here it would raise a bare ValueError
                tokenizer_func=split_text,  # gTTS's own drops the punctuation it cuts at
            )
            return [str(body) for body in tts.get_bodies()]
        except AssertionError:
            return []  # gTTS found nothing to say (punctuation only)

    def synthesize(self, text: str) -> Pcm:
        """Speak ``text``, piece by piece, and return the decoded samples."""
        bodies = self.request_bodies(text)
        if not bodies:
            return Pcm(data=b"", sample_rate=SAMPLE_RATE)
        from gtts import gTTS

        headers = dict(gTTS.GOOGLE_TTS_HEADERS)
        retry = _Retry(
            total=self.retries - 1,  # tries after the first
            allowed_methods=None,  # the service's POST is a lookup: safe to send again
            status_forcelist=_RETRY_STATUSES,
            backoff_factor=self.backoff,
            raise_on_status=False,  # the last answer comes back, to say what went wrong
            respect_retry_after_header=False,  # as before: our own back-off, never hours
            pause=self._sleep,
        )
        # requests honours NO_PROXY where gTTS does not; loopback never goes via a proxy.
        with session_for(self.url) as session:
            session.mount(self.url, HTTPAdapter(max_retries=retry))
            mp3s = [self._post(session, body, headers) for body in bodies]
        return _decode(mp3s)

    def _post(self, session: requests.Session, body: str, headers: dict[str, str]) -> bytes:
        """Send one piece (the session's adapter tries again on failures that pass); return
        its MP3."""
        try:
            response = session.post(self.url, data=body, headers=headers, timeout=self.timeout)
        except (requests.ConnectionError, requests.Timeout) as e:  # the last try's failure
            raise self._unreachable(failure(e, self.timeout)) from e
        if response.status_code in _RETRY_STATUSES:
            raise self._unreachable(f"HTTP {response.status_code} {response.reason}")
        if response.status_code != 200:
            raise EngineError(
                f"gTTS: the service refused the request: HTTP {response.status_code} "
                f"{response.reason} from {self.url}"
            )
        return _audio_from(response.text, self.url)

    def _unreachable(self, last: str) -> EngineError:
        return EngineError(
            f"gTTS: service unreachable after {self.retries} tries ({last}) at {self.url}"
        )


_RETRY_STATUSES = frozenset({429, *range(500, 600)})
"""Answers that pass: too many requests, and the service's own failures."""


class _Retry(Retry):
    """urllib3's retries, sleeping through ``pause`` (tests record the sleeps) and waiting
    ``backoff``, ``2 * backoff``, ... before the second, third, ... try (urllib3 itself
    sends the second try at once)."""

    def __init__(self, *args: Any, pause: Callable[[float], None] = time.sleep, **kw: Any):
        super().__init__(*args, **kw)
        self.pause = pause

    def new(self, **kw: Any) -> Self:
        """The next state, keeping ``pause``."""
        retry = super().new(**kw)
        retry.pause = self.pause
        return retry

    def get_backoff_time(self) -> float:
        """Seconds to wait before the next try."""
        return self.backoff_factor * 2 ** (len(self.history) - 1) if self.history else 0.0

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        """Wait before the next try."""
        backoff = self.get_backoff_time()
        if backoff > 0:
            self.pause(backoff)


def _audio_from(body: str, url: str) -> bytes:
    """The MP3 in a batchexecute answer, found the way gTTS finds it."""
    for line in body.splitlines():
        if _RPC_ID in line:
            match = _AUDIO.search(line)
            if match:
                return base64.b64decode(match.group(1))
    raise EngineError(f"gTTS: the answer from {url} holds no audio")


def _decode(mp3s: list[bytes]) -> Pcm:
    """Decode MP3 pieces to one 16-bit PCM, at the rate of the first piece."""
    from pedalboard.io import AudioFile

    rate: int | None = None
    arrays: list[npt.NDArray[np.float32]] = []
    for mp3 in mp3s:
        try:
            with AudioFile(io.BytesIO(mp3)) as f:
                if rate is None:
                    rate = int(f.samplerate)
                source = f if int(f.samplerate) == rate else f.resampled_to(rate)
                samples = source.read(source.frames)
        except (ValueError, RuntimeError) as e:
            raise EngineError(f"gTTS: cannot decode the MP3 the service sent ({e})") from e
        arrays.append(samples.mean(axis=0))  # to mono, should a piece be stereo
    data = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.float32)
    pcm = np.clip(np.round(data * 32767.0), -32768, 32767).astype("<i2")
    return Pcm(data=pcm.tobytes(), sample_rate=rate or SAMPLE_RATE)
