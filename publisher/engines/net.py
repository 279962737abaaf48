"""What publisher's two network clients share, the gTTS voice and the voice downloader: which
requests may go through a proxy, and what went wrong with one that failed, in a few words.

Only ``publisher voices`` (when asked to list or add a voice) and a build with the online
voice (when a book asks for it) use the network: a build never downloads.
"""

from __future__ import annotations

import re

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError

from publisher.urls import is_loopback


def session_for(url: str) -> requests.Session:
    """A session for requests to ``url``: proxy settings from the environment are used
    (requests honours ``NO_PROXY``), except for this machine's own address (a stand-in
    service, a test's fake), which is never sent to a proxy."""
    session = requests.Session()
    session.trust_env = not is_loopback(url)
    return session


def failure(error: requests.RequestException, timeout: float) -> str:
    """What went wrong with a request that waited at most ``timeout`` seconds: "no answer
    within 10 s", "cannot connect: Connection refused", "the connection broke off"."""
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return "the connection broke off before the end"
    cause = error.args[0] if error.args else error
    reason = getattr(cause, "reason", cause)  # urllib3's MaxRetryError wraps the last one
    # NewConnectionError subclasses ConnectTimeoutError: a refusal is no timeout.
    timed_out = isinstance(reason, ReadTimeoutError | ConnectTimeoutError) or isinstance(
        error, requests.Timeout
    )
    if timed_out and not isinstance(reason, NewConnectionError):
        return f"no answer within {timeout:g} s"
    return f"cannot connect: {_system_words(reason)}"


def _system_words(error: object) -> str:
    # urllib3 says "HTTPConnection(...): Failed to establish a new connection: [Errno 111]
    # Connection refused": the operating system's words at the end are the useful ones.
    text = str(error)
    match = re.search(r"\[Errno -?\d+\] ([^)]+)", text)
    return match.group(1) if match else text
