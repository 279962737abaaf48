"""Tests do not depend on the folder they are run from, and ``check`` compares a book only
with a feed of the same book."""

from __future__ import annotations

import shutil
from pathlib import Path

from publisher.cli import cli
from tests.books import ROOT
from tests.helpers import cli_runner

BOOK = """---
title: {title}
author: A
language: en
identifier: {identifier}
date: 2024-01-01
podcast:
  base_url: https://example.org/pod/
---

## {first}

Some text?

## Second

More text?
"""


def book(folder: Path, title: str, identifier: str, first: str) -> Path:
    folder.mkdir(parents=True)
    source = folder / "book.md"
    text = BOOK.format(title=title, identifier=identifier, first=first)
    source.write_text(text)
    return source


def check(*args: str) -> tuple[int, str]:
    result = cli_runner().invoke(cli, ["check", *args])
    return result.exit_code, result.stderr


def test_every_test_runs_in_an_empty_folder_of_its_own() -> None:
    here = Path.cwd()
    assert here != ROOT and ROOT not in here.parents
    assert list(here.iterdir()) == []


def test_check_compares_only_with_a_feed_of_the_same_book(tmp_path: Path) -> None:
    """The README's commands in order: the seed is built into ./build, then another book is
    checked from that folder. Its chapters replace nothing of the seed's."""
    mine = book(tmp_path / "mine", "Mine", "urn:uuid:6f1d2b9e-1111-4c2a-9c1e-000000000001", "One")
    out = tmp_path / "build"
    result = cli_runner().invoke(
        cli, ["build", str(mine), "--out", str(out), "--only", "cover,audio,feed"]
    )
    assert result.exit_code == 0, result.stderr
    assert "<item>" in (out / "feed.xml").read_text()
    other = book(tmp_path / "other", "Other", "urn:uuid:6f1d2b9e-2222-4c2a-9c1e-000000000002", "Un")
    shutil.copytree(out, Path("build"))  # the working folder holds another book's build
    assert check("--strict", str(other)) == (0, "")
    assert check("--strict", str(other), "--out", str(out)) == (0, "")
    # The same book with its first chapter renamed: the feed is its own, so check compares.
    renamed = mine.read_text().replace("## One", "## Uno")
    mine.write_text(renamed)
    code, said = check(str(mine), "--out", str(out))
    assert code == 0
    assert "chapter 'Uno' replaces 'One' of the last build" in said
