"""``publisher serve``: byte ranges, HEAD, media types and the folder's walls, on 127.0.0.1."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from publisher import serve as serve_module
from publisher.errors import BuildError
from publisher.serve import RangeNotSatisfiable, make_server, parse_range, serve, server_url
from tests.test_feed import book_text, fake_audio, make_book, render_feed

BODY = bytes(range(256)) * 40  # 10240 bytes, every offset recognisable
SIZE = len(BODY)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A build-like folder, with a secret beside it that must stay unreachable."""
    root = tmp_path / "build"
    (root / "audio").mkdir(parents=True)
    (root / "audio/hoofdstuk.mp3").write_bytes(BODY)
    (root / "audio/hoofdstuk.vtt").write_text("WEBVTT\n", encoding="utf-8")
    (root / "audio/hoofdstuk.json").write_text("{}", encoding="utf-8")
    (root / "audio/playlist.m3u").write_text("#EXTM3U\n", encoding="utf-8")
    (root / "feed.xml").write_text("<rss/>", encoding="utf-8")
    (root / "other.xml").write_text("<x/>", encoding="utf-8")
    (root / "boek.epub").write_bytes(b"PK")
    (root / "cover.jpg").write_bytes(b"\xff\xd8\xff")
    (root / "empty.mp3").write_bytes(b"")
    (tmp_path / "secret.txt").write_text("geheim", encoding="utf-8")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    return root


@pytest.fixture
def port(site: Path) -> Iterator[int]:
    """A running server for ``site``; its port."""
    yield from _running(site)


def _running(folder: Path) -> Iterator[int]:
    server = make_server(folder, "127.0.0.1", 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def request(
    port: int, path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request straight to 127.0.0.1 (no proxy); status, headers, body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


# --- ranges -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, SIZE - 1),
        ("bytes=-50", SIZE - 50, SIZE - 1),
        ("bytes=10-10", 10, 10),
        ("bytes=5000-999999", 5000, SIZE - 1),
        ("bytes=-999999", 0, SIZE - 1),
        ("bytes = 7 - 8", 7, 8),
    ],
)
def test_range_gives_206_and_the_right_bytes(port: int, header: str, first: int, last: int) -> None:
    status, headers, body = request(port, "/audio/hoofdstuk.mp3", headers={"Range": header})
    assert status == 206
    assert body == BODY[first : last + 1]
    assert headers["Content-Range"] == f"bytes {first}-{last}/{SIZE}"
    assert headers["Content-Length"] == str(last - first + 1)
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["Content-Type"] == "audio/mpeg"
    status, headers, body = request(port, "/audio/hoofdstuk.mp3", "HEAD", headers={"Range": header})
    assert (status, body, headers["Content-Length"]) == (206, b"", str(last - first + 1))


@pytest.mark.parametrize(
    "header", ["bytes=10240-", "bytes=20000-30000", "bytes=-0", "bytes=9-2", "bytes=abc", "bytes="]
)
def test_unsatisfiable_range_gives_416(port: int, header: str) -> None:
    for method in ("GET", "HEAD"):
        status, headers, body = request(
            port, "/audio/hoofdstuk.mp3", method, headers={"Range": header}
        )
        assert status == 416
        assert headers["Content-Range"] == f"bytes */{SIZE}"
        assert body == b""


def test_range_of_an_empty_file_is_416(port: int) -> None:
    status, headers, _ = request(port, "/empty.mp3", headers={"Range": "bytes=0-"})
    assert (status, headers["Content-Range"]) == (416, "bytes */0")


@pytest.mark.parametrize(
    "headers",
    [
        {"Range": "bytes=0-1,5-6"},  # several ranges: the whole file is a valid answer
        {"Range": "items=0-5"},  # a unit HTTP says to ignore
        {"Range": "bytes=0-9", "If-Range": "Wed, 01 Jan 2000 00:00:00 GMT"},  # changed since
    ],
)
def test_ignored_ranges_give_the_whole_file(port: int, headers: dict[str, str]) -> None:
    status, response, body = request(port, "/audio/hoofdstuk.mp3", headers=headers)
    assert (status, body, response["Content-Length"]) == (200, BODY, str(SIZE))


def test_if_range_with_the_current_date_gives_the_range(port: int) -> None:
    _, headers, _ = request(port, "/audio/hoofdstuk.mp3", "HEAD")
    status, _, body = request(
        port,
        "/audio/hoofdstuk.mp3",
        headers={"Range": "bytes=0-9", "If-Range": headers["Last-Modified"]},
    )
    assert (status, body) == (206, BODY[:10])


def test_parse_range() -> None:
    assert parse_range("bytes=0-0", 1) == (0, 0)
    assert parse_range("bytes=-5", 3) == (0, 2)
    assert parse_range("pages=1-2", 3) is None
    with pytest.raises(RangeNotSatisfiable):
        parse_range("bytes=3-", 3)


# --- whole files, HEAD, types -------------------------------------------------------------------


def test_get_and_head_agree_on_length(port: int) -> None:
    status, headers, body = request(port, "/audio/hoofdstuk.mp3")
    assert (status, body) == (200, BODY)
    assert headers["Content-Length"] == str(SIZE)
    assert headers["Accept-Ranges"] == "bytes"
    status, headers, body = request(port, "/audio/hoofdstuk.mp3", "HEAD")
    assert (status, body, headers["Content-Length"]) == (200, b"", str(SIZE))
    assert headers["Accept-Ranges"] == "bytes"


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/audio/hoofdstuk.mp3", "audio/mpeg"),
        ("/audio/hoofdstuk.vtt", "text/vtt; charset=utf-8"),
        ("/audio/hoofdstuk.json", "application/json"),
        ("/audio/playlist.m3u", "audio/x-mpegurl"),
        ("/feed.xml", "application/rss+xml"),
        ("/other.xml", "application/xml"),
        ("/boek.epub", "application/epub+zip"),
        ("/cover.jpg", "image/jpeg"),
    ],
)
def test_media_types(port: int, path: str, media_type: str) -> None:
    status, headers, _ = request(port, path, "HEAD")
    assert (status, headers["Content-Type"]) == (200, media_type)


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/audio/../../secret.txt",
        "/audio/%2E%2E/%2E%2E/secret.txt",
        "/..%2fsecret.txt",
        "/link.txt",  # a symbolic link out of the folder
        "/nothing.mp3",
    ],
)
def test_nothing_outside_the_folder(port: int, path: str) -> None:
    status, _, body = request(port, path)
    assert status == 404
    assert b"geheim" not in body


def test_a_folder_redirects_then_lists(port: int) -> None:
    assert request(port, "/audio")[0] == 301
    status, _, body = request(port, "/audio/")
    assert status == 200 and b"hoofdstuk.mp3" in body


# --- with a real feed -----------------------------------------------------------------------------


def test_every_enclosure_length_is_what_the_server_sends(tmp_path: Path) -> None:
    book = make_book(book_text("een", "twee", "drie"))
    root = tmp_path / "build"
    fake_audio(book, root)
    render_feed(book, root, base_url="http://127.0.0.1:8000/")
    enclosures = etree.parse(str(root / "feed.xml")).iter("enclosure")
    for port in _running(root):
        count = 0
        for enclosure in enclosures:
            path = enclosure.get("url").removeprefix("http://127.0.0.1:8000")
            length = int(enclosure.get("length"))
            status, headers, _ = request(port, path, "HEAD")
            assert (status, int(headers["Content-Length"])) == (200, length)
            status, headers, body = request(port, path)
            assert (status, len(body), int(headers["Content-Length"])) == (200, length, length)
            count += 1
        assert count == 3


# --- serve() itself ---------------------------------------------------------------------------------


def test_serve_prints_the_url_and_stops_on_ctrl_c(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = make_server(site, "127.0.0.1", 0, quiet=True)

    def interrupted(poll_interval: float = 0.5) -> None:
        raise KeyboardInterrupt

    server.serve_forever = interrupted  # type: ignore[method-assign]
    serve(server, site)
    out = capsys.readouterr().out
    url = server_url(server)
    assert url.startswith("http://127.0.0.1:") and url in out
    assert f"{url}feed.xml" in out
    assert server.socket.fileno() == -1  # closed


def test_serve_in_a_process_stops_cleanly_on_sigint(site: Path) -> None:
    code = (
        "import sys; from publisher.serve import make_server, serve; "
        "serve(make_server(sys.argv[1], port=0, quiet=True), sys.argv[1])"
    )
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(site)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Serving ")
        port = int(first.rsplit(":", 1)[1].strip().rstrip("/"))
        assert request(port, "/audio/hoofdstuk.mp3", "HEAD")[0] == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert "Traceback" not in (process.stderr.read() if process.stderr else "")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_missing_folder_is_a_build_error(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="no such folder"):
        make_server(tmp_path / "nope", "127.0.0.1", 0)


def test_busy_port_is_a_build_error(site: Path) -> None:
    for port in _running(site):
        with pytest.raises(BuildError, match="cannot listen"):
            make_server(site, "127.0.0.1", port)


# --- hostile requests -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/%00", {}),
        ("/audio/hoofdstuk.mp3%00.txt", {}),
        ("/audio/hoofdstuk.mp3", {"Range": "bytes=" + "9" * 5000 + "-"}),
        ("/audio/hoofdstuk.mp3", {"Range": "bytes=0-" + "1" * 5000}),
    ],
)
def test_unreadable_requests_get_400_and_no_traceback(
    site: Path, path: str, headers: dict[str, str], capfd: pytest.CaptureFixture[str]
) -> None:
    server = make_server(site, "127.0.0.1", 0, quiet=False)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        status, _, _ = request(server.server_address[1], path, headers=headers)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    assert status == 400
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize(
    "path", ["/.cache/", "/.cache/x.json", "/.publisher/", "/.hidden", "/audio/.secret"]
)
def test_dotfiles_are_never_served(site: Path, port: int, path: str) -> None:
    (site / ".cache").mkdir()
    (site / ".cache/x.json").write_text("{}", encoding="utf-8")
    (site / ".publisher").mkdir()
    (site / ".hidden").write_text("geheim", encoding="utf-8")
    (site / "audio/.secret").write_text("geheim", encoding="utf-8")
    status, _, body = request(port, path)
    assert status == 404
    assert b"geheim" not in body


def test_listings_leave_out_dotfiles(site: Path, port: int) -> None:
    (site / ".cache").mkdir()
    (site / ".hidden").write_text("geheim", encoding="utf-8")
    status, _, body = request(port, "/")
    assert status == 200
    assert b"feed.xml" in body and b"audio/" in body
    assert b".cache" not in body and b".hidden" not in body


def test_an_idle_connection_is_closed(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serve_module.BuildRequestHandler, "timeout", 0.3)
    gen = _running(site)
    port = next(gen)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as idle:
            # The server closes the connection: recv returns b"" well before our own timeout.
            assert idle.recv(1) == b""
    finally:
        gen.close()
