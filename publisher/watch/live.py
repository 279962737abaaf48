"""The live preview's side of the server: the state of the last build, an event stream that
tells open pages about it, and the script that listens.

While ``publisher serve --watch`` runs, every HTML page it sends gets one ``<script>`` tag
before ``</head>``: the files in the build folder are never changed, so the published site
holds no reload script. The script (``reload.js`` beside this module) opens a Server-Sent
Events stream at :data:`EVENTS`; the server sends the build's state when a page connects and
whenever it changes. Both paths start with a dot, and the server never serves a dotted path
from the build folder, so no published file can be shadowed by them nor reached as them.

The state is a build number, which grows when a build changed files in the build folder,
the paths each number changed, and the error lines of the last build if it failed. A page
that was sent at an older number reloads (and keeps its place); a failed build shows an
overlay and leaves the pages, and the last good build, as they are.

Written on :mod:`http.server` because the preview server is that one (``serve.py``: ranges,
no dotfiles); the stream needs no more than a thread per open page and a condition variable.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from publisher.serve import BuildRequestHandler

PREFIX = "/.publisher-live/"
"""Where the live preview answers; a dotted path, which no build serves."""
EVENTS = f"{PREFIX}events"
SCRIPT = f"{PREFIX}reload.js"
# Seconds between comments on an idle stream: a page that went away is noticed (the write
# fails) long before the server's idle timeout would close a healthy stream.
HEARTBEAT = 10.0
# How long, in ms, a page waits before it connects again after losing the stream.
RETRY_MS = 1000


@dataclass(frozen=True, kw_only=True)
class State:
    """What a page is told: the build number, the files each number changed, the error."""

    build: int
    changed: tuple[tuple[str, int], ...]  # (path, the build number that last changed it)
    error: tuple[str, ...]  # the lines of the last build's error; empty when it succeeded

    def message(self, since: int) -> str:
        """The event for a page sent at build ``since``: the files changed after it."""
        changed = sorted(path for path, number in self.changed if number > since)
        error = list(self.error) or None
        return json.dumps({"build": self.build, "changed": changed, "error": error})


class LiveStatus:
    """The state of the last build, shared by the build loop (which sets it) and the
    server's threads (which wait for it to change)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._build = 0
        self._version = 0  # grows with every change of state, errors included
        self._last_changed: dict[str, int] = {}
        self._error: tuple[str, ...] = ()
        self._closed = False
        self._streams: set[threading.Thread] = set()

    @property
    def build(self) -> int:
        """The current build number."""
        with self._changed:
            return self._build

    def built(self, paths: Iterable[str]) -> None:
        """A build succeeded, changing (or removing) ``paths`` in the build folder."""
        paths = list(paths)
        with self._changed:
            if paths:
                self._build += 1
                for path in paths:
                    self._last_changed[path] = self._build
            if paths or self._error:
                self._error = ()
                self._version += 1
                self._changed.notify_all()

    def failed(self, lines: Sequence[str]) -> None:
        """A build failed with these lines (``file:line: message``)."""
        with self._changed:
            self._error = tuple(lines)
            self._version += 1
            self._changed.notify_all()

    def wait(self, seen: int, timeout: float) -> tuple[int, State] | None:
        """``(version, state)`` once the state is newer than version ``seen`` or ``timeout``
        seconds passed (then the version is ``seen``); None once closed."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._version != seen, timeout)
            if self._closed:
                return None
            state = State(
                build=self._build,
                changed=tuple(self._last_changed.items()),
                error=self._error,
            )
            return self._version, state

    def close(self, timeout: float = 5.0) -> None:
        """End every open stream, and wait for their threads."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
            streams = list(self._streams)
        for thread in streams:
            thread.join(timeout)

    def streaming(self, thread: threading.Thread, started: bool) -> None:
        """Note that ``thread`` started (or ended) sending a stream."""
        with self._changed:
            if started:
                self._streams.add(thread)
            else:
                self._streams.discard(thread)


def script_tag(build: int) -> bytes:
    """The tag the server puts in each page: the script, told the build it was sent at."""
    return f'<script src="{SCRIPT}" data-build="{build}" defer></script>\n'.encode()


def reload_script() -> bytes:
    """The script that listens to the stream (``reload.js``)."""
    return (resources.files(__package__) / "reload.js").read_bytes()


class LiveRequestHandler(BuildRequestHandler):
    """:class:`~publisher.serve.BuildRequestHandler` with the stream and the script, the
    script tag in every page, and no caching (an edit must never meet a stale copy)."""

    status: LiveStatus  # set on the class made by :func:`live_handler`

    def end_headers(self) -> None:
        """Every response: do not keep it; the next one may be a new build."""
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def page_extra(self) -> bytes:
        """The script tag, with the build this page belongs to."""
        return script_tag(self.status.build)

    def do_GET(self) -> None:
        """The stream and the script; the build folder's files as ``serve`` sends them."""
        path = urlsplit(self.path).path
        if path == EVENTS:
            self._stream()
        elif path == SCRIPT:
            self._send_script(head=False)
        else:
            super().do_GET()

    def do_HEAD(self) -> None:
        """As GET, without a body (and without the stream, which has none to measure)."""
        if urlsplit(self.path).path == SCRIPT:
            self._send_script(head=True)
        else:
            super().do_HEAD()

    def _send_script(self, *, head: bool) -> None:
        body = reload_script()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/javascript; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _stream(self) -> None:
        """Send the state now and at every change, until the page goes or the server stops."""
        query = parse_qs(urlsplit(self.path).query)
        try:
            since = int(query.get("build", ["-1"])[0])
        except ValueError:
            since = -1
        self.close_connection = True
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.end_headers()
        me = threading.current_thread()
        self.status.streaming(me, started=True)
        try:
            self.wfile.write(f"retry: {RETRY_MS}\n\n".encode())
            seen = -1
            while (news := self.status.wait(seen, HEARTBEAT)) is not None:
                version, state = news
                if version == seen:
                    self.wfile.write(b": still here\n\n")
                else:
                    seen = version
                    self.wfile.write(f"event: status\ndata: {state.message(since)}\n\n".encode())
                self.wfile.flush()
        except OSError:
            pass  # the page closed, reloaded or stopped reading: its stream ends here
        finally:
            self.status.streaming(me, started=False)


def live_handler(status: LiveStatus, quiet: bool) -> type[LiveRequestHandler]:
    """A handler class that reports ``status`` (one per server)."""
    attributes: dict[str, Any] = {"status": status, "quiet": quiet}
    return type("LiveHandler", (LiveRequestHandler,), attributes)
