"""Publishing is one step: a build killed at any file operation of publishing leaves the
build folder equal, byte for byte, to the old build or the new one; and a build removes
only files that builds of the same book wrote."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from publisher.cli import cli
from publisher.pipeline import publish
from publisher.pipeline.publish import KILL_ENV
from tests.helpers import cli_runner

ROOT = Path(__file__).parents[1]
BASE = "https://example.org/book/"
BOOK = """---
title: Kill
author: A
language: en
identifier: urn:uuid:8a6c0f1e-5f6b-4b61-9a43-0d7f61f1b001
date: 2024-01-01
podcast:
  base_url: https://example.org/pod/
---

## One

The first chapter says a few words.

## Two

The second chapter says {words}.
"""
TARGETS = "cover,epub,audio,feed"


def run(
    source: Path, out: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``publisher build`` in a child process (SIGKILL must not take the test with it)."""
    return subprocess.run(
        [sys.executable, "-m", "publisher", "build", str(source), "--out", str(out), *extra],
        cwd=source.parent.parent,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def tree(out: Path) -> dict[str, bytes]:
    """Every file of a build folder with its bytes."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }


def enclosures_match(out: Path) -> bool:
    """Whether each enclosure of ``feed.xml`` gives the size of the MP3 it points at."""
    channel = ET.parse(out / "feed.xml").getroot().find("channel")
    assert channel is not None
    items = channel.findall("item")
    assert items
    for item in items:
        enclosure = item.find("enclosure")
        assert enclosure is not None
        rel = urlsplit(enclosure.get("url", "")).path.removeprefix(urlsplit(BASE).path)
        if int(enclosure.get("length", "-1")) != (out / rel).stat().st_size:
            return False
    return True


@pytest.fixture
def book(tmp_path: Path) -> Path:
    folder = tmp_path / "source"
    folder.mkdir()
    source = folder / "book.md"
    source.write_text(BOOK.format(words="a few words"))
    return source


@pytest.mark.slow  # two builds per step of publishing, each in a process of its own
def test_kill_at_every_step_of_publishing_leaves_the_old_or_the_new_build(
    book: Path, tmp_path: Path
) -> None:
    out = tmp_path / "build"
    state = book.parent / ".publisher"
    args = ("--only", TARGETS, "--base-url", BASE, "--jobs", "1")
    assert run(book, out, *args).returncode == 0
    old = tree(out)
    saved_out, saved_records = tmp_path / "old-build", tmp_path / "old-records"
    shutil.copytree(out, saved_out)
    for name in ("published",):
        shutil.copytree(state / name, saved_records / name)
    # Chapter two changes: its MP3, the EPUB and the feed's lengths change; one stays.
    book.write_text(BOOK.format(words="many more words than it said before, and longer"))

    def restore_old() -> None:
        shutil.rmtree(out)
        shutil.copytree(saved_out, out)  # copy2: sizes and times as the old build left them
        for name in ("published",):
            shutil.rmtree(state / name)
            shutil.copytree(saved_records / name, state / name)

    seen: list[str] = []
    step = 0
    while True:
        step += 1
        assert step < 500, "publishing never finished"
        killed = run(book, out, *args, env={KILL_ENV: str(step)})
        if killed.returncode == 0:
            break  # the build has fewer steps than this: it finished
        assert killed.returncode == -9, killed.stderr
        now = tree(out)
        seen.append("old" if now == old else "new")
        assert enclosures_match(out), f"killed after step {step}"
        # The next build works and leaves nothing of the killed one beside the folder.
        again = run(book, out, *args)
        assert again.returncode == 0, again.stderr
        assert not list(tmp_path.glob(".build.*"))
        new = tree(out)
        if seen[-1] == "new":
            assert now == new, f"killed after step {step}: neither the old nor the new build"
        restore_old()
    new = tree(out)
    assert new != old and enclosures_match(out)
    # Both states were met: the switch lies inside the steps that were killed at.
    assert seen[0] == "old" and seen[-1] == "new" and len(seen) >= 5, seen
    assert seen == sorted(seen, key=lambda s: s == "new")  # old, old, …, new, new


def test_a_build_folder_holding_the_authors_files_is_refused(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    args = ("--only", "cover,epub", "--base-url", BASE)
    assert run(book, out, *args).returncode == 0
    theirs = {
        "draft.md": b"# a draft\n",
        "audio/take1.wav": b"RIFF....WAVE",
        "epub/old.epub": b"PK\x03\x04 an old book",
    }
    for rel, data in theirs.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    before = tree(out)
    for words in (None, "changed words"):  # up to date, then a real rebuild
        if words is not None:
            book.write_text(BOOK.format(words=words))
        refused = run(book, out, *args)
        assert refused.returncode == 2
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1
        assert f"{out}: holds files no build of this book wrote" in lines[0]
        for rel in theirs:
            assert rel in lines[0]
        assert tree(out) == before  # nothing removed, nothing replaced
    # Moved away, the build goes on, and an earlier build's files are its own to replace.
    for rel in theirs:
        (out / rel).unlink()
    book.write_text(BOOK.format(words="other words"))
    assert run(book, out, *args).returncode == 0


def test_out_dot_next_to_the_authors_files_deletes_nothing(book: Path, tmp_path: Path) -> None:
    here = book.parent.parent
    (here / "notes.md").write_text("mine")
    refused = run(book, Path("."), "--only", "cover")
    assert refused.returncode == 2
    assert "holds files no build of this book wrote" in refused.stderr
    assert (here / "notes.md").read_text() == "mine" and book.is_file()


@pytest.mark.parametrize("thread", [False, True], ids=["alone", "with-a-thread"])
@pytest.mark.parametrize("when", ["before", "after"])
def test_ctrl_c_during_publishing_says_which_build_is_there(
    book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str, thread: bool
) -> None:
    # A live second thread (FFmpeg's, onnxruntime's, a target's) can be the one the kernel
    # hands the signal to: it must still be held until the switch is recorded.
    stop = threading.Event()
    if thread:
        threading.Thread(target=stop.wait, daemon=True).start()
    out = tmp_path / "build"
    assert run(book, out, "--only", "cover").returncode == 0
    old = tree(out)
    book.write_text(BOOK.format(words="x").replace("title: Kill", "title: Killed"))
    switch = publish._switch

    def interrupted_switch(staging: Path, out: Path) -> None:
        if when == "before":
            raise KeyboardInterrupt
        switch(staging, out)
        os.kill(os.getpid(), signal.SIGINT)  # held until the switch is recorded
        time.sleep(0.05)  # time for another thread to take the signal
        for _ in range(1000):  # Python acts on a signal it was told of at a loop's jump
            pass

    monkeypatch.setattr(publish, "_switch", interrupted_switch)
    result = cli_runner().invoke(cli, ["build", str(book), "--out", str(out), "--only", "cover"])
    assert result.exit_code == 130
    if when == "before":
        assert result.stderr.splitlines()[-1] == "interrupted; the previous build is unchanged"
        assert tree(out) == old
    else:
        assert result.stderr.splitlines()[-1] == f"interrupted; the new build is in {out}"
        assert tree(out) != old
    assert not list(tmp_path.glob(".build.*"))
    stop.set()
    monkeypatch.undo()
    assert run(book, out, "--only", "cover").returncode == 0


def test_a_build_folder_under_a_file_is_one_line_and_exit_1(book: Path, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    out = tmp_path / "a-file" / "build"
    result = run(book, out, "--only", "cover")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{out}: cannot be the build folder: {tmp_path / 'a-file'} is a file"
    ]


def test_a_full_disk_is_one_line_naming_the_file_and_keeps_the_build(
    book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "build"
    assert run(book, out, "--only", "cover").returncode == 0
    old = tree(out)
    book.write_text(BOOK.format(words="x").replace("title: Kill", "title: Full"))

    def full_disk(self: Path, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    result = cli_runner().invoke(cli, ["build", str(book), "--out", str(out), "--only", "cover"])
    monkeypatch.undo()
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"cover: {out / 'cover.jpg'}: No space left on device"]
    assert tree(out) == old
    assert not list(tmp_path.glob(".build.*"))
