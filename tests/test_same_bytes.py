"""Same source, same bytes: the outputs are a function of the source, its files, the settings
and the versions, never of what the cache holds (issue #20, item 2).

One book is built along three histories, each with the cache of everything before it kept
in ``.publisher/`` beside the source, and every byte of every output is compared:

* A: a clean build;
* B: after A, an edit, a build, the edit undone, a build;
* C: a build of other content (every chapter edited) in a fresh folder, then the source.

The real espeak-ng voice (deterministic); Piper's bytes depend on what its worker said
before (README, "Voices"), so it is not part of this promise.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from publisher.cli import cli
from tests.books import EVERY_BLOCK, SEED, copy_book
from tests.helpers import cli_runner

pytestmark = pytest.mark.slow

BASE_URL = "https://example.org/pod/"


def build(source: Path) -> dict[str, bytes]:
    """Build ``source`` (every target, two jobs, as the golden listings do); every output."""
    out = source.parent.parent / "build"
    args = ["build", str(source), "--out", str(out), "--base-url", BASE_URL, "--quiet"]
    result = cli_runner().invoke(cli, [*args, "--jobs", "2"])
    assert result.exit_code == 0, result.stderr
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def every_chapter_edited(text: str) -> str:
    """``text`` with a paragraph added at the start of every chapter: other content under
    the same chapters (the same slugs, so the same cache entries by name, if any)."""
    return re.sub(r"(\n## [^\n]*\n)", r"\1\nDit is een andere alinea erbij.\n", text)


def assert_same(expected: dict[str, bytes], actual: dict[str, bytes], history: str) -> None:
    assert sorted(actual) == sorted(expected), history
    differ = sorted(name for name in expected if actual[name] != expected[name])
    assert not differ, f"history {history}: these outputs differ from a clean build: {differ}"


@pytest.mark.parametrize(
    ("book", "edit"),
    [
        (SEED, ("Niet als luxe, maar als levensbehoefte.", "Niet als luxe. Als behoefte!")),
        (EVERY_BLOCK, ("The end.", "The very end of this book, with a few more words.")),
    ],
    ids=["seed", "every-block"],
)
def test_three_histories_make_the_same_bytes(
    tmp_path: Path, book: Path, edit: tuple[str, str]
) -> None:
    source = copy_book(book, tmp_path / "a")
    text = source.read_text(encoding="utf-8")
    assert edit[0] in text
    clean = build(source)

    source.write_text(text.replace(*edit), encoding="utf-8")
    edited = build(source)
    assert edited != clean  # the edit is heard
    source.write_text(text, encoding="utf-8")
    assert_same(clean, build(source), "B (edit, build, undo, build)")

    other = copy_book(book, tmp_path / "c")
    changed = every_chapter_edited(text)
    assert changed.count("Dit is een andere alinea erbij.") >= 3
    other.write_text(changed, encoding="utf-8")
    build(other)
    other.write_text(text, encoding="utf-8")
    assert_same(clean, build(other), "C (other content, then the source)")
