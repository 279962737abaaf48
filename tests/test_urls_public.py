"""Addresses a reader or a podcast app is given are ones it can follow and see.

A base URL with an international host or path (``https://bücher.example/boeken/één/``) was
written into the feed and the website as typed: Python's ``urllib``, which podcast clients
use, cannot send a request for it (UnicodeEncodeError). And an invisible character (a
zero-width space, a right-to-left override) in an address passed every check, so a link
could go somewhere other than it shows."""

from __future__ import annotations

import http.server
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import idna
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.urls import base_url, link_problem, url_problem
from tests.helpers import clear_proxies
from tests.test_feed import book_text, build

LETTERS = st.sampled_from(list("abcxyz09-éüßøçñαжא中"))
LABEL = st.text(LETTERS, min_size=1, max_size=8).filter(lambda s: s[0] != "-" and s[-1] != "-")
PATH = st.lists(st.text(st.sampled_from(list("abz09-_.~éü ñ%жא中")), min_size=1, max_size=6))
INVISIBLE = st.sampled_from(["\u200b", "\u200e", "\u200f", "\u202e", "\u2060", "\ufeff", "\u00ad"])


@settings(max_examples=300, deadline=None)
@given(st.lists(LABEL, min_size=1, max_size=3), PATH)
def test_a_base_url_is_written_in_ascii_and_means_the_same(
    labels: list[str], path: list[str]
) -> None:
    url = f"https://{'.'.join([*labels, 'example'])}/{'/'.join(path)}"
    if url_problem(url) is not None:
        return  # a space, or a host IDNA refuses: refused before anything is written
    written = base_url(url)
    assert written.isascii(), written
    parts, given = urlsplit(written), urlsplit(url)
    assert parts.hostname is not None and given.hostname is not None
    # IDNA 2008, as browsers: "ß" stays "ß" (Python's own codec made it "ss", another host)
    assert idna.decode(parts.hostname) == idna.decode(idna.encode(given.hostname, uts46=True))
    assert unquote(parts.path).rstrip("/") == unquote(given.path).rstrip("/")


@settings(max_examples=200, deadline=None)
@given(INVISIBLE, st.integers(min_value=8, max_value=30))
def test_an_invisible_character_anywhere_in_an_address_is_refused(char: str, at: int) -> None:
    url = "https://example.org/boeken/een"
    bad = url[:at] + char + url[at:]
    assert url_problem(bad) == f"contains the invisible character U+{ord(char):04X}"
    assert link_problem(bad) is not None


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    """A web server on 127.0.0.1 serving ``tmp_path``, and its address."""
    clear_proxies(monkeypatch)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(tmp_path), **kwargs)  # type: ignore[arg-type]

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", tmp_path
    finally:
        server.shutdown()
        server.server_close()


def test_a_client_fetches_an_episode_under_an_international_base_url(
    served: tuple[str, Path],
) -> None:
    address, root = served
    folder = root / "boeken" / "één"
    (folder / "audio").mkdir(parents=True)
    (folder / "audio" / "een-begin.mp3").write_bytes(b"ID3 not really")
    _, feed = build(root / "made", book_text("een"), base_url=f"{address}/boeken/één")
    href = feedparser.parse(feed).entries[0].enclosures[0].href
    assert href == f"{address}/boeken/%C3%A9%C3%A9n/audio/een-begin.mp3"
    with urllib.request.urlopen(href, timeout=10) as response:  # raised UnicodeEncodeError
        assert response.read() == b"ID3 not really"


def test_an_ascii_base_url_is_written_as_given() -> None:
    # A feed's podcast:guid is made from its address: an ASCII one must not change.
    assert base_url("HTTPS://Example.ORG:8443/Pod%20Cast") == "https://Example.ORG:8443/Pod%20Cast/"
