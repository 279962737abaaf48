"""``check`` and ``build`` agree: one validation pass (publisher.checks.validate) decides what is an
error and what a warning, so ``check`` reports every line a build prints, and
``check --strict`` fails exactly when a build warns (or fails on the source).

The seed book and the every-block book are built as cover and EPUB only (their audio takes
long; the validation needs no target built). The small books of tests/data/warn/ are built
whole, so the audio, feed, site and audiobook renderers are compared too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from publisher.cli import cli
from tests.books import EVERY_BLOCK, SEED, copy_book
from tests.helpers import cli_runner

DATA = Path(__file__).parent / "data"
WARN = sorted((DATA / "warn").glob("*/book.md"))
BAD = sorted((DATA / "bad").glob("*.md"))
CHEAP = "cover,epub"

# A line each book of tests/data/warn/ must give (after its path); "error" ones exit 2.
EXPECTED = {
    "cover-not-image": ("error", ":6: cover 'cover.jpg' is not a readable image"),
    "link-local-md": (
        "warning",
        ":12: warning: link 'notes.md' is not a web, mail or in-book link; the EPUB keeps its "
        "text only",
    ),
    "missing-inline-image": ("error", ":12: image 'dog.png' not found"),
    "no-base-url": ("warning", ": warning: no podcast.base_url: the feed is for local preview"),
    "podcast-dates": (
        "warning",
        ":9: warning: podcast.dates names 'no-such-chapter', which is no chapter",
    ),
    "svg-script": ("warning", ":12: warning: image 'square.svg': removed <script>, event handlers"),
    "unknown-voice": ("error", ":14: unknown voice 'nobody'"),
    "unknown-book-voice": ("error", ":7: unknown voice 'nobody' (in "),
    "unspeakable": (
        "warning",
        ":12: warning: no voice speaks 'ሰላም' (script Ethi); the narration leaves it out",
    ),
}


def _lines(text: str) -> set[str]:
    return {line for line in text.splitlines() if line.strip()}


def _check(source: Path, *options: str) -> tuple[int, set[str]]:
    """Exit code and the stderr lines (warnings and errors) of ``check``."""
    result = cli_runner().invoke(cli, ["check", str(source), *options])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, _lines(result.stderr)


def _build(source: Path, out: Path, only: str | None, *options: str) -> tuple[int, set[str]]:
    """Exit code and the stderr lines of a quiet build (only warnings and errors)."""
    args = ["build", str(source), "--out", str(out), "--quiet", *options]
    result = cli_runner().invoke(cli, args + (["--only", only] if only else []))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, _lines(result.stderr)


def _agree(source: Path, out: Path, only: str | None) -> tuple[int, set[str]]:
    """Assert that check prints the build's lines and fails under --strict when it warns."""
    check_code, check_lines = _check(source, "--out", str(out))
    build_code, build_lines = _build(source, out, only)
    assert check_lines == build_lines
    assert check_code == (2 if build_code == 2 else 0)
    strict_code, _ = _check(source, "--strict", "--out", str(out))
    assert (strict_code != 0) == bool(build_lines), build_lines
    return build_code, build_lines


@pytest.mark.parametrize("book", [SEED, EVERY_BLOCK], ids=["seed", "every-block"])
def test_the_repository_books(book: Path, tmp_path: Path) -> None:
    source = copy_book(book, tmp_path)
    code, lines = _agree(source, tmp_path / "out", CHEAP)
    assert code == 0
    assert any("no podcast.base_url" in line for line in lines)


def test_every_warn_book_is_in_the_table() -> None:
    assert sorted(p.parent.name for p in WARN) == sorted(EXPECTED)


@pytest.mark.slow  # every target, the audio too, for each book
@pytest.mark.parametrize("book", WARN, ids=[p.parent.name for p in WARN])
def test_the_warning_books_built_whole(book: Path, tmp_path: Path) -> None:
    source = copy_book(book, tmp_path)
    kind, message = EXPECTED[book.parent.name]
    code, lines = _agree(source, tmp_path / "out", None)
    assert code == (2 if kind == "error" else 0), lines
    assert any(line.startswith(str(source) + message) for line in lines), lines
    if kind == "error":  # nothing built: validation comes before any renderer
        assert not (tmp_path / "out" / "epub").exists()


@pytest.mark.parametrize("book", BAD, ids=[p.name for p in BAD])
def test_the_broken_books(book: Path, tmp_path: Path) -> None:
    shutil.copy(book, tmp_path / book.name)
    code, _ = _agree(tmp_path / book.name, tmp_path / "out", CHEAP)
    assert code == 2


def test_base_url_on_the_command_line_stands_in_for_the_front_matter(tmp_path: Path) -> None:
    source = copy_book(DATA / "warn" / "no-base-url" / "book.md", tmp_path)
    assert _check(source, "--strict")[0] == 2
    code, lines = _check(source, "--strict", "--base-url", "https://example.org/pod/")
    assert (code, lines) == (0, set())
    assert _build(source, tmp_path / "out", CHEAP)[1] == _check(source)[1] != set()
    given = _build(source, tmp_path / "out2", CHEAP, "--base-url", "https://example.org/pod/")
    assert given == (0, set())


@pytest.mark.slow  # a whole build, the audio too
def test_a_renamed_chapter_is_said_by_both(tmp_path: Path) -> None:
    """``check``'s own warnings (here: a chapter renamed since the last feed) are printed
    by the build too, which did not say them before the one validation pass."""
    source = copy_book(DATA / "warn" / "podcast-dates" / "book.md", tmp_path)
    out = tmp_path / "out"
    assert _build(source, out, None)[0] == 0  # a whole build: the feed lists the chapter
    source.write_text(source.read_text().replace("# Chapter", "# Another title"))
    code, lines = _agree(source, out, CHEAP)
    assert code == 0
    assert any("replaces 'Chapter' of the last build" in line for line in lines), lines


def test_a_build_that_makes_the_audio_says_once_that_no_key_signs_it(tmp_path: Path) -> None:
    """A note (no signing key, so no content credential) is the build's: it is about what
    the build makes, not the book, so ``check`` does not say it, and nothing fails on it."""
    source = copy_book(DATA / "warn" / "no-base-url" / "book.md", tmp_path)
    url = ["--base-url", "https://example.org/pod/"]
    env = {"PUBLISHER_C2PA_CERTIFICATE": "", "PUBLISHER_C2PA_KEY": ""}
    check = cli_runner().invoke(cli, ["check", "--strict", str(source), *url], env=env)
    assert check.exit_code == 0 and ": note: " not in check.stderr
    args = ["build", str(source), "--out", str(tmp_path / "out"), "--only", "audio", *url]
    built = cli_runner().invoke(cli, args, env=env)
    assert built.exit_code == 0, built.output
    notes = [line for line in built.stderr.splitlines() if ": note: " in line]
    assert len(notes) == 1 and "no content credential (C2PA)" in notes[0]
    quiet = cli_runner().invoke(cli, [*args, "--quiet"], env=env)  # up to date: said again,
    assert quiet.exit_code == 0 and ": note: " not in quiet.stderr  # but not when quiet
