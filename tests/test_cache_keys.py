"""Every cache entry is checked against the key it is filed under, not only against its own
checksum: two entries that traded places (a sync tool, a restore), an entry copied from
another book's cache, or one cut short is made again, never published, and never makes a
later build fail. Every kind of cache is tried, each on its own."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from publisher.pipeline.runner import build
from publisher.renderers.base import BuildOptions

BOOK = """---
title: {title}
author: A
language: en
identifier: urn:uuid:8a6c0f1e-5f6b-4b61-9a43-0d7f61f1b0{n}
date: 2024-01-01
---

## One

The first chapter of {title}.

💡 What did {title} say first?

## Two

The second chapter of {title}, a little longer than the first one.
"""
OPTIONS = BuildOptions(base_url="https://example.org/", jobs=1)
KINDS = {
    "art",
    "audiobook",
    "audiobook-parts",
    "audiobook-parts-seen",
    "chapters",
    "cover",
    "narrated",
    "segments",
    "speech",
}
# What is made from a kind's entries: removed too, so that the damaged entries are read
# (a cached chapter is copied out without reading the sentences it was made from).
MADE_FROM = {
    "speech": "chapters",
    "segments": "chapters",
    "audiobook-parts": "audiobook",
    "audiobook-parts-seen": "audiobook",
}

pytestmark = pytest.mark.slow  # a book built with every target for each kind and damage


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def entries(book: Path, kind: str) -> list[Path]:
    folder = book / "source" / ".publisher" / "cache" / kind
    return sorted(p for p in folder.rglob("*") if p.is_file())


def make(root: Path, title: str, n: str) -> Path:
    (root / "source").mkdir(parents=True)
    source = root / "source" / "book.md"
    source.write_text(BOOK.format(title=title, n=n))
    build(source, root / "build", options=OPTIONS)
    return source


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, bytes]]:
    """Two books built with every target: the one damaged, and another whose cache entries
    are copied into it; and what the first one's build folder holds."""
    mine = tmp_path_factory.mktemp("mine")
    make(mine, "Mine", "01")
    other = tmp_path_factory.mktemp("other")
    make(other, "Theirs", "02")
    found = {p.name for p in (mine / "source" / ".publisher" / "cache").iterdir() if p.is_dir()}
    assert found == KINDS  # a new kind of cache must be tried here too
    return mine, other, tree(mine / "build")


def swap(book: Path, other: Path, kind: str) -> None:
    """Two entries of ``kind`` trade places."""
    found = entries(book, kind)
    assert len(found) >= 2
    a, b = found[0], found[-1]
    data = a.read_bytes()
    a.write_bytes(b.read_bytes())
    b.write_bytes(data)


def copy_from_other(book: Path, other: Path, kind: str) -> None:
    """Each entry of ``kind`` replaced by an entry of the same kind from another book."""
    mine = entries(book, kind)
    theirs = [p for p in entries(other, kind) if p.name not in {m.name for m in mine}]
    assert theirs
    for i, path in enumerate(mine):
        path.write_bytes(theirs[i % len(theirs)].read_bytes())


def truncate(book: Path, other: Path, kind: str) -> None:
    """Each entry of ``kind`` cut in half."""
    for path in entries(book, kind):
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])


# Every kind with every damage, except where the damage cannot happen: the art and the
# read-along EPUB have one entry per book (nothing to swap with; a copy tries them), and a
# chapter's "parts seen" hint is keyed by the chapter's slug and settings, not by the book,
# so the other book's entries have the same keys (a swap tries them).
CASES = [
    (kind, damage)
    for kind in sorted(KINDS)
    for damage in (swap, copy_from_other, truncate)
    if not (damage is swap and kind in {"art", "narrated"})
    and not (damage is copy_from_other and kind == "audiobook-parts-seen")
]


@pytest.mark.parametrize(("kind", "damage"), CASES)
def test_an_entry_not_the_one_asked_for_is_made_again(
    books: tuple[Path, Path, dict[str, bytes]],
    tmp_path: Path,
    kind: str,
    damage: Callable[[Path, Path, str], None],
) -> None:
    mine, other, expected = books
    book = tmp_path / "book"
    shutil.copytree(mine, book)
    assert entries(book, kind)
    damage(book, other, kind)
    if kind in MADE_FROM:
        shutil.rmtree(book / "source" / ".publisher" / "cache" / MADE_FROM[kind])
    source = book / "source" / "book.md"
    os.utime(source)  # not up to date: the renderers read their caches
    result = build(source, book / "build", options=OPTIONS)
    assert not result.up_to_date
    assert tree(book / "build") == expected  # what was published is this book's, unchanged
    again = build(source, book / "build", options=OPTIONS)
    assert again.up_to_date  # what was remade is whole and filed rightly: trusted next time
    os.utime(source)
    assert tree(build(source, book / "build", options=OPTIONS).out) == expected
