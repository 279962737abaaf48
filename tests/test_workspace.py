"""A workspace that stays small: the cache keeps what the last builds used and no more, the
records keep one file per build folder that still exists, and ``publisher clean`` frees
what it says."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from publisher.cli import cli
from publisher.infra.sweep import CAP_ENV, KEEP_BUILDS, STARTED, human
from publisher.pipeline.runner import build
from publisher.renderers.base import BuildOptions
from tests import fakes
from tests.books import SEED, copy_book
from tests.helpers import cli_runner

FAKE = fakes.registry()
OPTIONS = BuildOptions(base_url="https://example.org/", jobs=1)
BOOK = """---
title: Workspace
author: A
language: en
identifier: urn:uuid:8a6c0f1e-5f6b-4b61-9a43-0d7f61f1b004
date: 2024-01-01
---

## One

The first chapter says {one}.

## Two

The second chapter says {two}.
"""


def state_files(state: Path) -> dict[str, int]:
    """Every file in the state folder with its size."""
    return {
        os.path.relpath(os.path.join(root, name), state): os.path.getsize(os.path.join(root, name))
        for root, _, names in os.walk(state)
        for name in names
    }


def kinds(state: Path) -> Counter[str]:
    """How many entries each kind of cache holds."""
    return Counter(rel.split("/")[1] for rel in state_files(state) if rel.count("/") == 3)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    (tmp_path / "source").mkdir()
    source = tmp_path / "source" / "book.md"
    source.write_text(BOOK.format(one="one thing", two="another"))
    return source


def make(source: Path, one: str = "one thing", two: str = "another", **kwargs: object) -> None:
    source.write_text(BOOK.format(one=one, two=two))
    build(source, source.parent.parent / "build", options=OPTIONS, registry=FAKE, **kwargs)  # type: ignore[arg-type]


def test_an_undone_edit_and_an_edit_of_an_untouched_chapter_synthesise_only_what_changed(
    book: Path,
) -> None:
    """The cache forgets what the last builds did not use, but not too soon: an edit undone
    within a few builds finds its sentences, and so does a chapter no build made again."""
    make(book)
    for n in range(1, KEEP_BUILDS + 2):  # chapter one edited again and again
        make(book, one=f"version {n}")
    fakes.reset()
    make(book, one=f"version {KEEP_BUILDS}")  # undone: back to two builds ago
    assert sum(fakes.calls.values()) == 0
    fakes.reset()
    make(book, one=f"version {KEEP_BUILDS}", two="something new")
    assert dict(fakes.calls) == {"The second chapter says something new.": 1}


def test_builds_without_a_kind_do_not_age_it(book: Path) -> None:
    make(book)
    before = kinds(book.parent / ".publisher")
    for n in range(KEEP_BUILDS + 2):
        make(book, one=f"text {n}", only=["epub"])
    after = kinds(book.parent / ".publisher")
    assert {k: after[k] for k in before if k != "cover"} == {
        k: before[k] for k in before if k != "cover"
    }
    fakes.reset()
    make(book)  # the text as the audio was made: nothing to synthesise
    assert sum(fakes.calls.values()) == 0


def test_over_its_cap_the_cache_keeps_only_what_the_last_build_used_and_says_so(
    book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make(book)
    make(book, one="an edit")
    monkeypatch.setenv(CAP_ENV, "0")  # less than one build of this book uses
    book.write_text(BOOK.format(one="a second edit", two="another"))
    result = cli_runner().invoke(
        cli, ["build", str(book), "--out", str(tmp_path / "build"), "--jobs", "1"]
    )
    assert result.exit_code == 0, result.stderr
    cache = book.parent / ".publisher" / "cache"
    started = (cache / STARTED).stat().st_mtime_ns
    entries = [p for p in cache.glob("*/*/*")]
    assert entries and all(p.stat().st_mtime_ns >= started for p in entries)
    size = sum(p.stat().st_size for p in entries)
    note = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert note == [
        f"note: the cache in {book.parent / '.publisher'} holds {human(size)}, more than "
        f"its cap of 0 bytes, all of it used by this build ({CAP_ENV} sets the cap in MB; "
        "publisher clean empties the cache)"
    ]


def test_the_records_keep_one_file_per_build_folder_that_still_exists(
    book: Path, tmp_path: Path
) -> None:
    records = book.parent / ".publisher" / "published"
    for name in ("a", "b", "c"):
        build(book, tmp_path / name, only=["cover"], options=OPTIONS)
    assert len(list(records.iterdir())) == 3
    (tmp_path / "a" / "cover.jpg").unlink()
    (tmp_path / "a").rmdir()
    build(book, tmp_path / "b", only=["cover"], options=OPTIONS)
    assert len(list(records.iterdir())) == 2


def test_clean_frees_what_it_says(book: Path) -> None:
    make(book)
    make(book, one="an edit")
    state = book.parent / ".publisher"
    before = sum(state_files(state).values())
    result = cli_runner().invoke(cli, ["clean", str(book)])
    assert result.exit_code == 0, result.stderr
    after = state_files(state)
    freed = before - sum(after.values())
    assert freed > 1_000_000
    assert result.stdout == f"{state / 'cache'}: freed {freed / 1e6:.1f} MB ({freed:,} bytes)\n"
    assert not any(rel.startswith("cache/") for rel in after)  # the records and lock stay
    build_result = build(book, book.parent.parent / "build", options=OPTIONS, registry=FAKE)
    assert build_result.up_to_date  # the build folder is as the record says
    every = cli_runner().invoke(cli, ["clean", "--all", str(book)])
    assert every.exit_code == 0
    left = sum(after.values())  # the records and the lock: a few kilobytes
    assert every.stdout == f"{state}: freed {left / 1e3:.1f} kB ({left:,} bytes)\n"
    assert not state.exists()


def test_clean_refuses_a_missing_book_and_a_running_build(book: Path, tmp_path: Path) -> None:
    runner = cli_runner()
    missing = runner.invoke(cli, ["clean", str(tmp_path / "nothing.md")])
    assert missing.exit_code == 2
    assert missing.stderr == f"{tmp_path / 'nothing.md'}: is not a regular file\n"
    from publisher.pipeline.state import build_lock

    with build_lock(book.parent / ".publisher"):
        busy = runner.invoke(cli, ["clean", str(book)])
    assert busy.exit_code == 1 and "another build of this book is running" in busy.stderr


@pytest.mark.slow
def test_fifty_edits_of_the_seed_leave_the_state_folder_as_large_as_five(tmp_path: Path) -> None:
    """Each cycle edits one paragraph and builds every target (the fake engine speaks). The
    cache holds the entries of the last builds, so after five cycles its make-up stops
    changing: the same entries of each kind. Its bytes match to within the few bytes by
    which AAC packets and zipped text of one edit differ from another's."""
    source = copy_book(SEED, tmp_path)
    state = source.parent / ".publisher"
    text = source.read_text()
    anchor = "Knuffelen raakt iets ouds"
    assert anchor in text
    options = BuildOptions(base_url="https://example.org/", jobs=2)
    sizes: dict[int, int] = {}
    made: dict[int, Counter[str]] = {}
    for cycle in range(51):
        # A new word each time, of the same length, in letters (digits would be said as
        # words of other lengths): the edits differ in nothing else.
        word = "".join("bcdfghjklm"[int(d)] for d in f"{cycle:03d}")
        source.write_text(text.replace(anchor, f"Versie {word}. {anchor}"))
        build(source, tmp_path / "build", options=options, registry=FAKE)
        sizes[cycle] = sum(state_files(state).values())
        made[cycle] = kinds(state)
    assert made[50] == made[5]
    assert sizes[50] <= sizes[5] * 1.0001, sizes  # 0.01 %: 6 kB of the seed's 61 MB
    assert max(sizes[c] for c in range(5, 51)) <= sizes[5] * 1.0001
