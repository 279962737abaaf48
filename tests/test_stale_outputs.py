"""A target switched off in the front matter removes its files from the build folder, and
the website links only files that are in the build folder once this build is published."""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from publisher.pipeline.runner import build
from publisher.renderers.base import BuildOptions
from tests import fakes

FAKE = fakes.registry()
OPTIONS = BuildOptions(base_url="https://example.org/", jobs=1)
BOOK = """---
title: Stale
author: A
language: en
identifier: urn:uuid:8a6c0f1e-5f6b-4b61-9a43-0d7f61f1b005
date: 2024-01-01
{switch}
---

## One

The first chapter.

## Two

The second chapter.
"""
# What each switch turns off, and the files that target owns.
SWITCHES = {
    "site: false": ("index.html", "episodes/", "assets/"),
    "audiobook: false": ("audiobook/",),
    "narrated_epub: false": ("epub/stale.narrated.epub",),
}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [v for k, v in attrs if k in ("href", "src") and v]


def local_links(out: Path) -> dict[str, set[str]]:
    """Each page of the website with the files of the build folder it links to."""
    pages: dict[str, set[str]] = {}
    for page in sorted(out.rglob("*.html")):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        here = page.parent.relative_to(out).as_posix()
        pages[page.relative_to(out).as_posix()] = {
            posixpath.normpath(posixpath.join(here, unquote(urlsplit(link).path)))
            for link in parser.found
            if not urlsplit(link).scheme and urlsplit(link).path
        }
    return pages


def files(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}


def make(source: Path, switch: str = "", **kwargs: object) -> Path:
    source.write_text(BOOK.format(switch=switch))
    out = source.parent.parent / "build"
    build(source, out, options=OPTIONS, registry=FAKE, **kwargs)  # type: ignore[arg-type]
    return out


@pytest.fixture
def book(tmp_path: Path) -> Path:
    (tmp_path / "source").mkdir()
    return tmp_path / "source" / "book.md"


@pytest.mark.parametrize("switch", sorted(SWITCHES))
def test_a_target_switched_off_removes_its_files_and_the_site_lists_none_of_them(
    book: Path, switch: str
) -> None:
    out = make(book)
    owned = SWITCHES[switch]
    assert any(rel.startswith(owned) for rel in files(out))
    make(book, switch)
    left = files(out)
    assert not [rel for rel in left if rel.startswith(owned)]
    for page, links in local_links(out).items():
        assert links <= left, f"{page} links files that are not published: {links - left}"


@pytest.mark.parametrize("switch", sorted(SWITCHES))
def test_a_build_of_other_targets_leaves_a_switched_off_targets_files_and_the_links_whole(
    book: Path, switch: str
) -> None:
    """``--only`` builds its targets and leaves the others' files as they are: those of a
    target switched off since go with the next build that includes it, and until then
    every page still links only files that are there."""
    out = make(book)
    for only in (["epub"], ["site"]):
        make(book, switch, only=only)
        left = files(out)
        for page, links in local_links(out).items():
            assert links <= left, f"{page} links files that are not published: {links - left}"
    make(book, switch)
    assert not [rel for rel in files(out) if rel.startswith(SWITCHES[switch])]


def test_the_site_built_alone_lists_the_downloads_other_targets_published(book: Path) -> None:
    out = make(book)
    before = local_links(out)["index.html"]
    assert {"epub/stale.epub", "epub/stale.narrated.epub", "audiobook/stale.m4b"} <= before
    (out / "index.html").unlink()
    make(book, only=["site"])
    assert local_links(out)["index.html"] == before
