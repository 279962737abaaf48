"""A real podcast client, gPodder's ``gpo``, subscribes to the feed and downloads every episode.

``serve`` runs on 127.0.0.1 (a free port) in a thread; the feed's base URL is that address.
``gpo`` gets a fresh home and download folder through ``GPODDER_HOME`` and
``GPODDER_DOWNLOAD_DIR`` (read in gpodder/__init__.py), ``HOME`` pointing into the test's
folder, and no proxy variables. gpo exits 0 even when a download failed, leaving a
``.partial`` file, so the verdict comes from the files: one per episode, in a folder named
after the podcast's title, each byte-identical to the served MP3.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from publisher.serve import make_server
from tests.helpers import require
from tests.test_feed import book_text, fake_audio, make_book, render_feed

GPO_TIMEOUT = 120  # seconds per command; each takes about a second here

pytestmark = pytest.mark.slow


@pytest.fixture
def gpo() -> str:
    """The ``gpo`` command (Debian package ``gpodder``)."""
    path = shutil.which("gpo")
    require(path, "gPodder's gpo is not installed (Debian package 'gpodder')")
    assert path is not None
    return path


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """An empty build folder served on 127.0.0.1; (folder, base URL)."""
    root = tmp_path / "build"
    root.mkdir()
    server = make_server(root, "127.0.0.1", 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def run_gpo(gpo: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run one gpo command with a fresh home, no proxies and a timeout."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in _PROXY_VARIABLES}
    env.update(
        HOME=str(tmp_path),
        GPODDER_HOME=str(tmp_path / "gpodder-home"),
        GPODDER_DOWNLOAD_DIR=str(tmp_path / "downloads"),
        NO_PROXY="127.0.0.1,localhost",
    )
    env.pop("DISPLAY", None)
    return subprocess.run(
        [gpo, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=GPO_TIMEOUT,
        stdin=subprocess.DEVNULL,
        check=False,
    )


_PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "ftp_proxy", "no_proxy"}


def subscribe_and_download(gpo: str, tmp_path: Path, feed_url: str) -> str:
    """``gpo subscribe``, ``update`` and ``download``; their output, for failure messages."""
    log = []
    for args in (("subscribe", feed_url), ("update",), ("download",)):
        result = run_gpo(gpo, tmp_path, *args)
        log.append(f"$ gpo {' '.join(args)} → {result.returncode}\n{result.stdout}{result.stderr}")
        assert result.returncode == 0, "\n".join(log)
    return "\n".join(log)


def download_problems(folder: Path, expected: dict[str, bytes]) -> list[str]:
    """What is wrong with the episodes gPodder saved in ``folder`` (file name → bytes)."""
    if not folder.is_dir():
        return [f"no folder {folder.name!r}"]
    problems = [f"left behind: {p.name}" for p in folder.iterdir() if p.suffix == ".partial"]
    for name, data in expected.items():
        path = folder / name
        if not path.is_file():
            problems.append(f"missing: {name}")
        elif path.read_bytes() != data:
            problems.append(f"differs: {name} ({path.stat().st_size} of {len(data)} bytes)")
    return problems


BOOK = book_text("een", "twee", "drie")
TITLE = "Het Kleine Boek"  # a title with spaces: gPodder keeps them in the folder name


def test_gpodder_downloads_every_episode(
    gpo: str, served: tuple[Path, str], tmp_path: Path
) -> None:
    root, base_url = served
    book = make_book(BOOK)
    assert book.config.title == TITLE
    mp3s = fake_audio(book, root)
    render_feed(book, root, base_url=base_url)

    log = subscribe_and_download(gpo, tmp_path, base_url + "feed.xml")

    folder = tmp_path / "downloads" / TITLE
    expected = {f"{slug}.mp3": data for slug, data in mp3s.items()}
    assert download_problems(folder, expected) == [], log
    assert sorted(p.name for p in folder.glob("*.mp3")) == sorted(expected), log


def test_a_failed_download_is_caught_by_the_files(
    gpo: str, served: tuple[Path, str], tmp_path: Path
) -> None:
    """The check above would see a failure that gpo's exit code hides."""
    root, base_url = served
    book = make_book(BOOK)
    mp3s = fake_audio(book, root)
    render_feed(book, root, base_url=base_url)
    (root / "audio/het-midden.mp3").unlink()  # the feed promises it; the server has none

    subscribe_and_download(gpo, tmp_path, base_url + "feed.xml")  # still exits 0

    folder = tmp_path / "downloads" / TITLE
    expected = {f"{slug}.mp3": data for slug, data in mp3s.items()}
    problems = download_problems(folder, expected)
    assert any("het-midden.mp3" in p for p in problems), problems
    assert not any("een-begin" in p or "het-einde" in p for p in problems), problems
