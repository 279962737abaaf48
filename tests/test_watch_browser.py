"""``publisher serve --watch`` in a real browser: Debian's Chromium driven by Playwright, on a
small book built for real (espeak-ng), served by the command in its own process.

An edit of a paragraph on disk reaches the open episode page: the new sentence shows, the
player's MP3 has a new address and the new bytes, and it plays from the sentence that
changed; every other open page reloads and keeps its place (scroll, the player's position).
A broken front matter shows an overlay naming the line (escaped, role=alert, a close button
the keyboard reaches); the fix takes it away. The build folder is byte-for-byte what
``publisher build`` makes with the same options: no reload script in it.

The times allowed are generous (the machine running the tests may be loaded); the
benchmark, ``benchmarks/watch.py``, measures how long an edit takes to show.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from publisher import outputs
from publisher.reader.parse import parse_file
from tests import chromium
from tests.books import write_book

# Seconds any one step may take: a build of this book takes a few seconds on a quiet machine.
WAIT_S = 240
BASE_URL = "https://example.org/watched/"
PUBLISHER = [sys.executable, "-m", "publisher"]
WATCH_OPTIONS = ["--port", "0", "--base-url", BASE_URL]

pytestmark = pytest.mark.slow

FILLER = " ".join(f"Sentence number {n} of the filler, said slowly." for n in range(1, 9))
BOOK = f"""---
title: Watched Book
author: Tester
language: en
identifier: "urn:uuid:6f1c1c3e-93a4-4f0c-8a55-0e4b0a3c9d21"
date: 2025-01-01
---

# Watched Book

## The First Chapter

The first paragraph opens the chapter.

The second paragraph says little.

{FILLER}

## The Second Chapter

A paragraph in the second chapter.

{FILLER}

{FILLER}
"""
OLD = "The second paragraph says little."
NEW = "The second paragraph now says something new."


@dataclass
class Preview:
    """``publisher serve --watch`` running on a copy of the book."""

    process: subprocess.Popen[str]
    source: Path
    out: Path
    url: str
    lines: list[str] = field(default_factory=list)

    def wait_for_line(self, pattern: str, after: int = 0) -> int:
        """The index of the first line from ``after`` on matching ``pattern``."""
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            for i, line in enumerate(self.lines[after:], after):
                if re.search(pattern, line):
                    return i
            assert self.process.poll() is None, "\n".join(self.lines)
            time.sleep(0.05)
        raise AssertionError(f"no line {pattern!r} in:\n" + "\n".join(self.lines))


def _read(stream: Any, lines: list[str]) -> None:
    for line in stream:
        lines.append(line.rstrip("\n"))


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["SOURCE_DATE_EPOCH"] = "1767225600"  # 2026-01-01: the same "now" for every build
    return env


def _start(folder: Path, text: str) -> Preview:
    """``publisher serve --watch`` on ``text`` written as a book in ``folder``, once its
    first build is served."""
    source = write_book(folder, text)
    out = folder / "build"
    process = subprocess.Popen(
        [*PUBLISHER, "serve", str(out), "--watch", *WATCH_OPTIONS, "--source", str(source)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        start_new_session=True,  # its own process group, as a terminal gives it
    )
    lines: list[str] = []
    threading.Thread(target=_read, args=(process.stderr, lines), daemon=True).start()
    running = Preview(process=process, source=source, out=out, url="", lines=lines)
    try:
        found = running.lines[running.wait_for_line(r"^Serving .* at http")]
        running.url = found.rsplit(" at ", 1)[1]
        running.wait_for_line(r"^built in ")
    except BaseException:
        _stop(running)
        raise
    return running


def _stop(running: Preview) -> None:
    process = running.process
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    running = _start(tmp_path_factory.mktemp("watched"), BOOK)
    try:
        yield running
    finally:
        _stop(running)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium (no downloaded browser), muted and allowed to autoplay."""
    yield from chromium.launch()


def _slugs(source: Path) -> list[str]:
    return [c.slug for c in parse_file(source).book.chapters]


def _open(browser: Any, url: str) -> Any:
    page = browser.new_context(viewport={"width": 800, "height": 300}).new_page()
    page.goto(url)
    page.wait_for_load_state("load")
    return page


def _fetched_digest(page: Any, url: str) -> str:
    """The SHA-256 of what the page gets when it fetches ``url``."""
    data = page.evaluate(
        """async url => {
            const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
            let text = "";
            for (let i = 0; i < bytes.length; i += 8192) {
                text += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
            }
            return btoa(text);
        }""",
        url,
    )
    return hashlib.sha256(base64.b64decode(data)).hexdigest()


def test_an_edit_reaches_the_open_pages(preview: Preview, browser: Any) -> None:
    first, second = _slugs(preview.source)
    mp3 = preview.out / outputs.mp3(first)
    old_mp3 = hashlib.sha256(mp3.read_bytes()).hexdigest()
    edited = _open(browser, preview.url + outputs.episode_page(first))
    other = _open(browser, preview.url + outputs.episode_page(second))
    index = _open(browser, preview.url)
    for page in (edited, other):
        page.wait_for_function("document.querySelector('audio').readyState >= 1")
    old_src = edited.evaluate("document.querySelector('audio').currentSrc")
    assert _fetched_digest(edited, old_src) == old_mp3
    other.evaluate("window.scrollTo(0, 250); document.querySelector('audio').currentTime = 2.5")
    other.wait_for_function("document.querySelector('audio').currentTime === 2.5")
    for page in (edited, other, index):
        page.evaluate("window.beforeTheEdit = true")

    started = time.monotonic()
    preview.source.write_text(BOOK.replace(OLD, NEW), encoding="utf-8")
    edited.wait_for_function(
        f"document.getElementById('transcript').textContent.includes({NEW!r})",
        timeout=WAIT_S * 1000,
    )
    print(f"\nthe edit showed after {time.monotonic() - started:.1f} s")

    # The new MP3: a new address, and the bytes the build now holds (not the old ones).
    new_src = edited.evaluate("document.querySelector('audio').currentSrc")
    assert new_src != old_src
    new_mp3 = hashlib.sha256(mp3.read_bytes()).hexdigest()
    assert new_mp3 != old_mp3
    assert _fetched_digest(edited, new_src) == new_mp3
    # It plays, from the sentence that changed.
    start = edited.evaluate(
        f"""+Array.from(document.querySelectorAll('#transcript .s'))
              .find(s => s.textContent.includes({NEW!r})).dataset.start / 1000"""
    )
    edited.wait_for_function("!document.querySelector('audio').paused", timeout=WAIT_S * 1000)
    assert edited.evaluate("document.querySelector('audio').currentTime") >= start - 0.05

    # Every other open page reloaded, and kept its place.
    for page in (other, index):
        page.wait_for_function("window.beforeTheEdit === undefined", timeout=WAIT_S * 1000)
    other.wait_for_function("document.querySelector('audio').readyState >= 1")
    other.wait_for_function("document.querySelector('audio').currentTime > 2.4")
    assert abs(other.evaluate("document.querySelector('audio').currentTime") - 2.5) < 0.1
    assert other.evaluate("document.querySelector('audio').paused")  # it was paused
    other.wait_for_function("Math.abs(window.scrollY - 250) < 2")
    for page in (edited, other, index):
        page.context.close()


def test_a_broken_front_matter_shows_its_line_over_the_page(preview: Preview, browser: Any) -> None:
    good = preview.source.read_text(encoding="utf-8")
    page = _open(browser, preview.url)
    title = page.locator("h1").inner_text()
    after = len(preview.lines)
    # An unknown key whose name is markup: the message must show it as text.
    broken = good.replace("author: Tester\n", "author: Tester\n'<b>oops</b>': 1\n")
    line = broken.split("\n").index("'<b>oops</b>': 1") + 1
    preview.source.write_text(broken, encoding="utf-8")
    overlay = page.locator("#publisher-live-error")
    overlay.wait_for(timeout=WAIT_S * 1000)
    text = overlay.inner_text()
    assert f"book.md:{line}: unknown key '<b>oops</b>'" in text
    assert overlay.locator("b").count() == 0  # shown as text, not made markup
    assert overlay.get_attribute("role") == "alert"
    assert page.locator("h1").inner_text() == title  # the last good build is still there
    preview.wait_for_line(rf"book\.md:{line}: unknown key", after)  # and the terminal says it
    # The close button is the first thing the keyboard reaches, and it closes.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Close"
    page.keyboard.press("Enter")
    assert overlay.count() == 0
    page.reload()  # a page opened while the error stands shows it at once
    overlay.wait_for(timeout=WAIT_S * 1000)
    preview.source.write_text(good, encoding="utf-8")
    overlay.wait_for(state="detached", timeout=WAIT_S * 1000)
    assert page.locator("h1").inner_text() == title
    page.context.close()


def test_the_build_folder_is_what_build_makes(preview: Preview, tmp_path: Path) -> None:
    """No reload script, nothing else of the preview: byte for byte a plain build."""
    preview.wait_for_line(r"^(built in|up to date)", len(preview.lines) - 1)
    plain = tmp_path / "plain"
    result = subprocess.run(
        [*PUBLISHER, "build", str(preview.source), "--out", str(plain), "--base-url", BASE_URL],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=WAIT_S,
        check=False,
    )
    assert result.returncode == 0, result.stderr

    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
        }

    watched, built = files(preview.out), files(plain)
    assert sorted(watched) == sorted(built)
    assert [name for name in watched if watched[name] != built[name]] == []
    assert not [name for name, data in watched.items() if b"publisher-live" in data]


def test_ctrl_c_while_idle_stops_and_leaves_nothing_running(preview: Preview) -> None:
    os.killpg(preview.process.pid, signal.SIGINT)
    assert preview.process.wait(timeout=60) == 0
    time.sleep(0.5)
    assert preview.lines[-1] == "Stopped.", preview.lines
    assert not [line for line in preview.lines if "Traceback" in line]
    with pytest.raises(ProcessLookupError):  # no worker left in its process group
        os.killpg(preview.process.pid, 0)


def test_ctrl_c_during_a_build_stops_it_as_build_does(tmp_path: Path) -> None:
    running = _start(tmp_path, BOOK)
    try:
        before = {p: p.read_bytes() for p in running.out.rglob("*") if p.is_file()}
        after = len(running.lines)
        long_chapter = "\n\n## A Long New Chapter\n\n" + "\n\n".join([FILLER] * 30) + "\n"
        running.source.write_text(BOOK + long_chapter, encoding="utf-8")
        running.wait_for_line(r"^changed: ", after)
        time.sleep(0.5)
        assert running.process.poll() is None
        os.killpg(running.process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        assert running.process.wait(timeout=60) == 130, running.lines
        time.sleep(0.5)
        assert not [line for line in running.lines[after:] if line.startswith("built in")]
        assert "interrupted; the previous build is unchanged" in running.lines
        assert not [line for line in running.lines if "Traceback" in line]
        assert {p: p.read_bytes() for p in running.out.rglob("*") if p.is_file()} == before
        with pytest.raises(ProcessLookupError):  # its audio workers stopped with it
            os.killpg(running.process.pid, 0)
    finally:
        _stop(running)
