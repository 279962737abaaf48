"""Every cache checks what it reads: a cache file emptied or cut short is made again, and the
next build is the same, byte for byte, as one from an intact cache."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from publisher.pipeline.runner import build
from publisher.renderers.base import BuildOptions
from tests.validators import epubcheck_problems

BOOK = """---
title: Damage
author: A
language: en
identifier: urn:uuid:8a6c0f1e-5f6b-4b61-9a43-0d7f61f1b002
date: 2024-01-01
---

## One

The first chapter.

## Two

The second chapter.
"""
OPTIONS = BuildOptions(base_url="https://example.org/", jobs=1)
TARGETS = ["cover", "epub", "audio", "feed"]
CACHES = ["cover", "speech", "chapters", "published"]
pytestmark = pytest.mark.slow  # a build with audio, then again for each damaged cache


def empty(path: Path) -> None:
    path.write_bytes(b"")


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def intact(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """A built book, its state folder saved, and what its build folder holds."""
    root = tmp_path_factory.mktemp("intact")
    (root / "source").mkdir()
    source = root / "source" / "book.md"
    source.write_text(BOOK)
    build(source, root / "build", only=TARGETS, options=OPTIONS)
    return root, tree(root / "build")


@pytest.mark.parametrize("damage", [empty, truncate])
@pytest.mark.parametrize("cache", CACHES)
def test_a_damaged_cache_file_is_made_again(
    intact: tuple[Path, dict[str, bytes]],
    tmp_path: Path,
    cache: str,
    damage: Callable[[Path], None],
) -> None:
    root, expected = intact
    shutil.copytree(root, tmp_path / "book", symlinks=True)
    source, out = tmp_path / "book" / "source" / "book.md", tmp_path / "book" / "build"
    state = source.parent / ".publisher"
    folder = state / cache if cache == "published" else state / "cache" / cache
    damaged = sorted(p for p in folder.rglob("*") if p.is_file())
    assert damaged, f"nothing cached under {folder}"
    for path in damaged:
        damage(path)
    if cache != "published":  # a damaged record must not pass for up to date either
        os.utime(source)  # not up to date: the renderers read their caches
    result = build(source, out, only=TARGETS, options=OPTIONS)
    assert not result.up_to_date
    assert tree(out) == expected
    with Image.open(io.BytesIO((out / "cover.jpg").read_bytes())) as cover:
        cover.load()  # the whole JPEG decodes
        assert cover.size == (3000, 3000)
    again = build(source, out, only=TARGETS, options=OPTIONS)
    assert again.up_to_date  # what was remade is whole: the next build trusts it


def test_a_cover_remade_from_an_emptied_cache_passes_epubcheck(
    intact: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    root, _ = intact
    shutil.copytree(root, tmp_path / "book")
    source, out = tmp_path / "book" / "source" / "book.md", tmp_path / "book" / "build"
    for path in (source.parent / ".publisher" / "cache" / "cover").rglob("*"):
        if path.is_file():
            empty(path)
    os.utime(source)
    build(source, out, only=TARGETS, options=OPTIONS)
    epub = next((out / "epub").glob("*.epub"))
    assert epubcheck_problems(epub, tmp_path) == []
