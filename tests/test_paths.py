"""Every path the author writes goes through one function (publisher/reader/files.py): a
NUL byte, a link loop, a folder, a FIFO, a name too long, a font that is no font, a folder
``init`` cannot make: one line ``file:line: message`` (or one line without a place where
there is none), exit 2, never a traceback; and a link the book never uses stops nothing."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fontTools.ttLib import TTFont

from publisher.cli import cli
from publisher.renderers.cover.fonts import REGULAR
from tests.books import write_book

HEAD = "---\ntitle: Tëst\nauthor: A\nlanguage: en\nidentifier: urn:x\n"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def one_line(result: Result, expected: str) -> None:
    """Exit 2 and exactly ``expected`` on its own line: no traceback."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert [line for line in result.output.splitlines() if "warning:" not in line] == [expected]


def loop(folder: Path, name: str) -> None:
    (folder / name).symlink_to(name)


def fifo(folder: Path, name: str) -> None:
    os.mkfifo(folder / name)


def folder(folder: Path, name: str) -> None:
    (folder / name).mkdir()


def nothing(folder: Path, name: str) -> None:
    """Make no file: the path names nothing, or cannot name anything."""


LONG = "a" * 300 + ".png"


@pytest.mark.parametrize(
    ("setting", "make", "message"),
    [
        ("image", nothing, "image 'a\\x00b.png' holds the control character U+0000"),
        ("image:loop.png", loop, "image 'loop.png' is a symbolic link that leads back to itself"),
        ("image:" + LONG, nothing, f"image '{LONG}' has a name longer than the system allows"),
        ("image:dir.png", folder, "image 'dir.png' is a folder"),
        ("image:pipe.png", fifo, "image 'pipe.png' is not a regular file"),
        ("cover:c.jpg", fifo, "cover 'c.jpg' is not a regular file"),
        ("cover:c.jpg", loop, "cover 'c.jpg' is a symbolic link that leads back to itself"),
        ("cover:gone.jpg", nothing, "cover 'gone.jpg' not found"),
        (
            "cover_font:f.ttf",
            loop,
            "cover_font 'f.ttf' is a symbolic link that leads back to itself",
        ),
        ("cover_font:fonts", folder, "cover_font 'fonts' is a folder"),
        ("pls:l.pls", loop, "'narration.pls' 'l.pls' is a symbolic link that leads back to itself"),
    ],
)
def test_a_bad_path_is_one_line_at_the_authors_line(
    setting: str, make: Callable[[Path, str], None], message: str, tmp_path: Path
) -> None:
    kind, _, name = setting.partition(":")
    front, body, line = HEAD, "# T\n\n## C\n\nText.\n", 6
    if kind == "image":
        body = f"# T\n\n## C\n\n![alt]({name or 'a%00b.png'})\n"
        line = 11
    elif kind == "pls":
        front += f"narration:\n  pls: {name}\n"
        line = 7
    else:
        front += f"{kind}: {name}\n"
    source = write_book(tmp_path, front + "---\n" + body)
    make(source.parent, name)
    for command in (["check"], ["build", "--out", str(tmp_path / "out"), "-q"]):
        one_line(run(*command, str(source)), f"{source}:{line}: {message}")
    assert not (tmp_path / "out" / "epub").exists()


def font(tmp: Path, name: str, change: Callable[[TTFont], None]) -> None:
    """Noto Sans changed by ``change``, saved as ``tmp/name``."""
    shipped = TTFont(REGULAR)
    change(shipped)
    shipped.save(tmp / name)


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("f.woff2", lambda p: p.write_bytes(b"wOF2" + bytes(200)), "is a WOFF2 font; give the TTF or OTF file"),
        ("f.ttf", lambda p: p.write_bytes(REGULAR.read_bytes()[:2000]), "is not a font"),
        ("f.ttf", lambda p: p.write_bytes(b""), "is not a font"),
        ("f.ttf", lambda p: font(p.parent, p.name, lambda f: [f.__delitem__(t) for t in ("glyf", "loca")]),
         "is not a font that can be drawn: it has no outlines (glyf or CFF)"),
        ("f.ttf", lambda p: font(p.parent, p.name, lambda f: f.__delitem__("head")),
         "is not a font that can be drawn: it has no head"),
    ],
)  # fmt: skip
def test_a_cover_font_is_judged_by_its_tables(
    name: str, make: Callable[[Path], None], message: str, tmp_path: Path
) -> None:
    # Before: a WOFF2 gave a traceback (fontTools needs brotli); a font without outlines or
    # a head passed check and failed the build ("cover: unknown file format", exit 1).
    source = write_book(tmp_path, HEAD + f"cover_font: {name}\n---\n# T\n\n## C\n\nText.\n")
    make(source.parent / name)
    for command in (["check"], ["build", "--out", str(tmp_path / "out"), "-q", "--only", "cover"]):
        one_line(run(*command, str(source)), f"{source}:6: cover_font {name!r} {message}")


def test_a_woff_font_is_a_font(tmp_path: Path) -> None:
    source = write_book(tmp_path, HEAD + "cover_font: f.woff\n---\n# T\n\n## C\n\nText.\n")
    font(source.parent, "f.woff", lambda f: setattr(f, "flavor", "woff"))
    result = run("build", str(source), "--out", str(tmp_path / "out"), "-q", "--only", "cover")
    assert result.exit_code == 0, result.output


def test_links_the_book_never_uses_stop_nothing(tmp_path: Path) -> None:
    # Before: a dangling link beside the book stopped every build
    # ("build: source/dangling.png: No such file or directory").
    source = write_book(tmp_path, HEAD + "---\n# T\n\n## C\n\nText.\n")
    (source.parent / "dangling.png").symlink_to("nowhere.png")
    (source.parent / "l1").symlink_to("l2")
    (source.parent / "l2").symlink_to("l1")
    voices = tmp_path / "voices"  # a link loop there was a traceback from every command
    voices.mkdir()
    (voices / "loop.toml").symlink_to("loop.toml")
    (voices / "gone.toml").symlink_to("nowhere.toml")
    assert run("check", str(source)).exit_code == 0
    out = tmp_path / "out"
    for _ in range(2):  # the second build reads the record of the first
        result = run("build", str(source), "--out", str(out), "-q", "--only", "epub")
        assert result.exit_code == 0, result.output
    assert (out / "epub").is_dir()


@pytest.mark.parametrize(
    ("directory", "line"),
    [
        ("file/book", "file/book/source/book.md: cannot write: Not a directory"),
        ("a" * 300, f"{'a' * 300}/source: cannot read: File name too long"),
    ],
)
def test_init_where_no_folder_can_be_made_is_one_line(
    directory: str, line: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file").write_text("not a folder")
    result = run("init", directory)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.output.splitlines() == [line]
