"""The state folder is publisher's alone: a symbolic link anywhere in ``.publisher/`` is
refused with one line (exit 2) and what it points at is left untouched; a build folder that
is a link receives the build in its target; and deleting ``.publisher/`` costs only time."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from publisher.cli import cli
from tests.helpers import cli_runner

BOOK = """---
title: State
author: A
language: en
identifier: urn:uuid:8a6c0f1e-5f6b-4b61-9a43-0d7f61f1b003
date: 2024-01-01
podcast:
  base_url: https://example.org/pod/
---

## One

The first chapter says {words}.

## Two

The second chapter.
"""
VICTIM = b"the author's own file\n"


def tree(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }


def run(source: Path, out: Path, *args: str) -> tuple[int, list[str]]:
    result = cli_runner().invoke(
        cli, ["build", str(source), "--out", str(out), "--jobs", "1", "--quiet", *args]
    )
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.stderr.strip().splitlines()


@pytest.fixture
def book(tmp_path: Path) -> Path:
    (tmp_path / "source").mkdir()
    source = tmp_path / "source" / "book.md"
    source.write_text(BOOK.format(words="a few words"))
    return source


@pytest.fixture
def built(book: Path) -> Path:
    """The book built once with every target (its build folder is ``build/`` beside it)."""
    assert run(book, book.parent.parent / "build")[0] == 0
    return book


def refused(lines: list[str], where: Path) -> bool:
    return len(lines) == 1 and lines[0].startswith(f"{where}: is a symbolic link;")


def test_a_link_at_the_lock_is_refused_and_the_linked_file_kept(book: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(VICTIM)
    state = book.parent / ".publisher"
    state.mkdir()
    (state / "lock").symlink_to(victim)
    code, lines = run(book, tmp_path / "build")
    assert code == 2 and refused(lines, state / "lock"), lines
    assert victim.read_bytes() == VICTIM  # not truncated, no process number written
    assert not (tmp_path / "build").exists()


def test_the_state_folder_itself_a_link_is_refused(book: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (book.parent / ".publisher").symlink_to(elsewhere)
    code, lines = run(book, tmp_path / "build")
    assert code == 2 and refused(lines, book.parent / ".publisher"), lines
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("kind", ["narrated", "cover", "speech", "chapters"])
def test_a_link_at_a_cache_folder_is_refused_and_the_linked_folder_kept(
    built: Path, tmp_path: Path, kind: str
) -> None:
    cache = built.parent / ".publisher" / "cache"
    victims = tmp_path / "victims"
    shutil.copytree(cache / kind, victims)  # entries that look like the cache's own
    (victims / "mine.epub").write_bytes(VICTIM)
    before = tree(victims)
    shutil.rmtree(cache / kind)
    (cache / kind).symlink_to(victims)
    out = tmp_path / "build"
    published = tree(out)
    built.write_text(BOOK.format(words="other words"))  # a real rebuild
    code, lines = run(built, out)
    assert code == 2 and refused(lines, cache / kind), lines
    assert tree(victims) == before  # nothing deleted, replaced or added there
    assert tree(out) == published  # nothing built was published


def test_a_link_at_a_record_is_refused_and_the_linked_file_kept(
    built: Path, tmp_path: Path
) -> None:
    [record] = (built.parent / ".publisher" / "published").iterdir()
    victim = tmp_path / "victim.json"
    victim.write_bytes(record.read_bytes())
    record.unlink()
    record.symlink_to(victim)
    before = victim.read_bytes()
    built.write_text(BOOK.format(words="other words"))
    code, lines = run(built, tmp_path / "build")
    assert code == 2 and refused(lines, record), lines
    assert victim.read_bytes() == before


def test_a_link_at_a_cache_entry_is_refused_when_met(built: Path, tmp_path: Path) -> None:
    """Deeper than the build looks before it starts: refused where the build reads it, and
    nothing is published."""
    chapters = built.parent / ".publisher" / "cache" / "chapters"
    entry = sorted(p for p in chapters.rglob("*") if p.is_file())[0]
    victim = tmp_path / "victim.bin"
    victim.write_bytes(VICTIM)
    entry.unlink()
    entry.symlink_to(victim)
    out = tmp_path / "build"
    published = tree(out)
    os.utime(built)  # not up to date: the audio reads its cache
    code, lines = run(built, out)
    assert code == 2 and refused(lines, entry), lines
    assert victim.read_bytes() == VICTIM and entry.is_symlink()
    assert tree(out) == published


def test_a_build_folder_that_is_a_link_receives_the_build_in_its_target(
    book: Path, tmp_path: Path
) -> None:
    www = tmp_path / "www"
    www.mkdir()
    link = tmp_path / "build"
    link.symlink_to("www")  # relative, as `ln -s www build` makes it
    assert run(book, link)[0] == 0
    assert link.is_symlink() and os.readlink(link) == "www"
    made = tree(www)
    assert "feed.xml" in made and any(rel.endswith(".mp3") for rel in made)
    book.write_text(BOOK.format(words="other words"))
    assert run(book, link)[0] == 0
    assert link.is_symlink() and tree(www) != made
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "source", "www"]  # no staging


def test_a_deleted_state_folder_costs_only_time(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    published = tree(out)
    shutil.rmtree(built.parent / ".publisher")
    assert run(built, out) == (0, [])  # recognises its own build
    assert tree(out) == published
    os.utime(built)
    assert run(built, out) == (0, [])
    # Only the outputs of targets this build makes can be recognised: with --only epub the
    # other targets' files are unknown, and refused as before.
    shutil.rmtree(built.parent / ".publisher")
    code, lines = run(built, out, "--only", "epub")
    assert code == 2 and lines[0].startswith(f"{out}: holds files no build of this book wrote")
    assert tree(out) == published


def test_without_its_record_a_folder_holding_other_bytes_is_refused(
    built: Path, tmp_path: Path
) -> None:
    out = tmp_path / "build"
    shutil.rmtree(built.parent / ".publisher")
    (out / "index.html").write_bytes(b"<p>the author's own page</p>")
    before = tree(out)
    code, lines = run(built, out)
    assert code == 2 and lines == [
        f"{out}: holds files no build of this book wrote (index.html); a build replaces the "
        "whole folder, so choose another --out or move them away"
    ]
    assert tree(out) == before
