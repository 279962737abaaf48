"""``publisher serve --watch`` without a browser: the live server's stream, script and pages,
the build loop's rules (one build for a burst of saves; one more after a build that a save
interrupted), the preview's base URL, and Ctrl-C.

The browser's side (reload, place kept, new audio, the error overlay) is in
``test_watch_browser.py``.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import watchfiles

from publisher import outputs
from publisher.cli import cli
from publisher.errors import BuildError, SourceError
from publisher.pipeline.runner import BuildResult
from publisher.serve import make_server
from publisher.watch import live
from publisher.watch.loop import (
    Loop,
    Preview,
    Saves,
    SourceFilter,
    preview_base_url,
    watch_files,
    watched_folders,
)
from tests.books import write_book
from tests.helpers import cli_runner

PAGE = b"<!DOCTYPE html>\n<html><head><title>t</title></head><body><p>x</p></body></html>\n"
MP3 = bytes(range(256)) * 8

BOOK = """---
title: Watched
author: Tester
language: en
{extra}---

# Watched

## One

A paragraph.
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "build"
    (root / "episodes").mkdir(parents=True)
    (root / "index.html").write_bytes(PAGE)
    (root / "episodes" / "one.html").write_bytes(PAGE)
    (root / "audio").mkdir()
    (root / "audio" / "one.mp3").write_bytes(MP3)
    return root


@pytest.fixture
def live_server(site: Path) -> Iterator[tuple[int, live.LiveStatus]]:
    """The live preview's server on ``site``: (port, the status it reports)."""
    status = live.LiveStatus()
    handler = live.live_handler(status, quiet=True)
    server = make_server(site, "127.0.0.1", 0, handler_class=handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,))
    thread.start()
    try:
        yield server.server_address[1], status
    finally:
        server.shutdown()
        status.close()
        server.server_close()
        thread.join(timeout=10)


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


class Stream:
    """An open event stream: the ``status`` events it receives, parsed."""

    def __init__(self, port: int, build: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.conn.request("GET", f"{live.EVENTS}?build={build}")
        self.response = self.conn.getresponse()

    def next(self) -> dict[str, Any]:
        data = None
        while True:
            line = self.response.fp.readline().decode()
            assert line, "the stream ended"
            if line.startswith("data: "):
                data = json.loads(line[len("data: ") :])
            elif line == "\n" and data is not None:
                return data  # type: ignore[no-any-return]

    def close(self) -> None:
        self.conn.close()


# --- the server ------------------------------------------------------------------------------


def test_pages_get_the_script_and_the_files_do_not(
    site: Path, live_server: tuple[int, live.LiveStatus]
) -> None:
    port, status = live_server
    status.built(["index.html"])
    for path in ("/", "/index.html", "/episodes/one.html"):
        code, headers, body = get(port, path)
        assert code == 200
        tag = live.script_tag(1)
        assert body == PAGE.replace(b"</head>", tag + b"</head>")
        assert int(headers["Content-Length"]) == len(body)
        assert headers["Cache-Control"] == "no-store"
    assert (site / "index.html").read_bytes() == PAGE  # what is published is untouched
    code, headers, body = get(port, live.SCRIPT)
    assert code == 200 and headers["Content-Type"].startswith("text/javascript")
    assert b"EventSource" in body
    # Everything else as `serve` sends it: the MP3's ranges, no script in a listing's stead.
    code, headers, body = get(port, "/audio/one.mp3", {"Range": "bytes=10-19"})
    assert (code, body) == (206, MP3[10:20])
    assert headers["Cache-Control"] == "no-store"
    # The preview's own paths are dotted: a build folder holding the same names is not served.
    (site / ".publisher-live").mkdir()
    (site / ".publisher-live" / "x.html").write_bytes(PAGE)
    assert get(port, "/.publisher-live/x.html")[0] == 404


def test_a_listing_gets_the_script_too(
    site: Path, live_server: tuple[int, live.LiveStatus]
) -> None:
    """Before the first build there is no index.html: the listing reloads when it lands."""
    port, _ = live_server
    (site / "index.html").unlink()
    code, _, body = get(port, "/")
    assert code == 200 and live.SCRIPT.encode() in body


def test_the_stream_tells_the_state_at_once_and_at_every_change(
    live_server: tuple[int, live.LiveStatus],
) -> None:
    port, status = live_server
    status.built(["index.html", "audio/one.mp3"])
    stream = Stream(port, build=1)
    try:
        assert stream.next() == {"build": 1, "changed": [], "error": None}
        status.failed(["book.md:3: front matter is not valid YAML"])
        assert stream.next() == {
            "build": 1,
            "changed": [],
            "error": ["book.md:3: front matter is not valid YAML"],
        }
        status.built([])  # fixed back to what was built: the error goes, nothing reloads
        assert stream.next() == {"build": 1, "changed": [], "error": None}
        status.built(["audio/one.mp3", "episodes/one.html"])
        assert stream.next() == {
            "build": 2,
            "changed": ["audio/one.mp3", "episodes/one.html"],
            "error": None,
        }
    finally:
        stream.close()
    # A page sent before both builds hears of every file changed since.
    late = Stream(port, build=0)
    try:
        assert late.next()["changed"] == ["audio/one.mp3", "episodes/one.html", "index.html"]
    finally:
        late.close()


def test_closing_ends_every_stream(live_server: tuple[int, live.LiveStatus]) -> None:
    port, status = live_server
    streams = [Stream(port, build=0) for _ in range(3)]
    for stream in streams:
        stream.next()
    status.close(timeout=10)
    until(lambda: not [t for t in threading.enumerate() if "process_request" in t.name])
    for stream in streams:
        stream.response.fp.read()  # the server closed it: this returns (else: timeout)
        stream.close()


# --- what is watched ---------------------------------------------------------------------------


def test_the_filter_keeps_the_book_and_leaves_out_builds_and_hidden_files(tmp_path: Path) -> None:
    source = tmp_path / "source"
    out = source / "build"  # a build folder inside the book's folder must not loop
    keep = SourceFilter([source], out)
    added = watchfiles.Change.added
    assert keep(added, str(source / "book.md"))
    assert keep(added, str(source / "images" / "a.png"))
    assert not keep(added, str(out / "index.html"))
    assert not keep(added, str(source / ".publisher" / "cache" / "x"))
    assert not keep(added, str(source / ".build.staging-12" / "x"))
    assert not keep(added, str(source / "book.md.swp"))
    assert not keep(added, str(source / "book.md~"))


def test_the_voices_beside_the_book_are_watched(tmp_path: Path) -> None:
    source = tmp_path / "source" / "book.md"
    source.parent.mkdir()
    assert watched_folders(source) == [source.parent]
    (tmp_path / "voices").mkdir()
    assert watched_folders(source) == [source.parent, tmp_path / "voices"]


def test_the_feed_points_at_the_preview_unless_the_book_says_where(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    plain = write_book(tmp_path / "a", BOOK.format(extra=""))
    own = "https://example.org/book/"
    public = tmp_path / "b"
    public.mkdir()
    public_book = write_book(public, BOOK.format(extra=f"podcast:\n  base_url: {own}\n"))
    here = "http://127.0.0.1:8123/"
    assert preview_base_url(plain, None, here) == here
    assert preview_base_url(plain, "https://x.org/", here) == "https://x.org/"
    assert preview_base_url(public_book, None, here) is None  # the book's own is used
    # At the default address, exactly what `build` does (it points such a feed there).
    assert preview_base_url(plain, None, outputs.LOCAL_BASE_URL) is None


# --- the loop --------------------------------------------------------------------------------


class FakeBuild:
    """Stands in for the pipeline: counts builds; a build can be held until released."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.calls = 0
        self.hold = threading.Event()
        self.hold.set()
        self.running = threading.Event()

    def __call__(self, source: Path, out: Path, **kwargs: Any) -> BuildResult:
        self.calls += 1
        self.running.set()
        self.hold.wait(60)
        self.running.clear()
        text = source.read_text(encoding="utf-8")
        if "broken" in text:
            raise SourceError.at(str(source), 2, "front matter is broken")
        return BuildResult(
            out=out, targets=(), changed=(f"n{self.calls}",), removed=(), warnings=()
        )


@pytest.fixture
def loop(tmp_path: Path) -> Iterator[tuple[Loop, FakeBuild, Path]]:
    """A loop on a book with a stand-in build, running in a thread; (loop, build, source)."""
    source = write_book(tmp_path, BOOK.format(extra=""))
    out = tmp_path / "build"
    fake = FakeBuild(out)
    log = (tmp_path / "log.txt").open("w", encoding="utf-8")
    preview = Preview(source=source, out=out, host="127.0.0.1", port=0)
    watcher = Loop(preview, build=fake, stream=log)
    thread = threading.Thread(target=watcher.run)
    thread.start()
    try:
        until(lambda: fake.calls == 1 and not fake.running.is_set())
        time.sleep(1.0)  # the watcher is set up
        yield watcher, fake, source
    finally:
        fake.hold.set()
        watcher.stop.set()
        thread.join(timeout=30)
        log.close()
    assert not thread.is_alive()
    names = {t.name for t in threading.enumerate()}
    assert not names & {"preview", "preview-watch"}, names


def until(condition: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def save(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def test_a_burst_of_saves_builds_once(loop: tuple[Loop, FakeBuild, Path]) -> None:
    _, fake, source = loop
    text = source.read_text(encoding="utf-8")
    for i in range(5):
        save(source, text + f"\nEdit {i}.\n")
        time.sleep(0.01)
    until(lambda: fake.calls == 2)
    time.sleep(2.0)  # well past the watcher's grouping: no build follows
    assert fake.calls == 2


def test_saves_during_a_build_make_one_more_build_after_it(
    loop: tuple[Loop, FakeBuild, Path],
) -> None:
    watcher, fake, source = loop
    text = source.read_text(encoding="utf-8")
    fake.hold.clear()
    save(source, text + "\nFirst.\n")
    until(fake.running.is_set)
    for i in range(3):  # three saves far apart, each its own change, while it builds
        save(source, text + f"\nDuring {i}.\n")
        time.sleep(0.5)
    fake.hold.set()
    until(lambda: fake.calls == 3)
    time.sleep(2.0)
    assert fake.calls == 3
    assert watcher.status.build == 3


def test_a_failed_build_is_told_and_the_next_good_one_clears_it(
    loop: tuple[Loop, FakeBuild, Path],
) -> None:
    watcher, fake, source = loop
    text = source.read_text(encoding="utf-8")
    save(source, text.replace("author:", "broken:"))
    until(lambda: fake.calls == 2)
    until(lambda: _error(watcher))
    assert _error(watcher) == (f"{source}:2: front matter is broken",)
    save(source, text)
    until(lambda: fake.calls == 3)
    until(lambda: not _error(watcher))


def _error(watcher: Loop) -> tuple[str, ...]:
    news = watcher.status.wait(-1, 0)
    assert news is not None
    return news[1].error


def test_an_address_in_use_is_a_build_error(tmp_path: Path) -> None:
    source = write_book(tmp_path, BOOK.format(extra=""))
    with open(os.devnull, "w", encoding="utf-8") as quiet:
        first = Loop(Preview(source=source, out=tmp_path / "b", port=0), stream=quiet)
        try:
            port = first.server.server_address[1]
            elsewhere = Preview(source=source, out=tmp_path / "other", port=port)
            with pytest.raises(BuildError, match="cannot listen"):
                Loop(elsewhere, stream=quiet)
            assert not elsewhere.out.exists()
        finally:
            first.close()


def test_what_no_save_can_fix_is_said_before_serving(tmp_path: Path) -> None:
    source = write_book(tmp_path, BOOK.format(extra=""))
    out = tmp_path / "build"
    result = cli_runner().invoke(
        cli, ["serve", str(out), "--watch", "--only", "epub,bogus", "--source", str(source)]
    )
    assert result.exit_code == 2
    assert "--only: unknown target 'bogus'" in result.stderr
    with open(os.devnull, "w", encoding="utf-8") as quiet, pytest.raises(SourceError, match="nope"):
        Loop(Preview(source=tmp_path / "nope.md", out=out, port=0), stream=quiet)
    assert not out.exists()


def test_a_watcher_that_fails_says_why(tmp_path: Path) -> None:
    saves = Saves()
    watch_files([tmp_path / "gone"], tmp_path / "build", saves, threading.Event())
    with pytest.raises(BuildError, match="gone stopped"):
        saves.take(timeout=10)
