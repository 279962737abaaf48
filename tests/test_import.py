"""``publisher import``: the seed's text, as plain text, Word, LibreOffice and a web page,
becomes a book whose model matches the hand-made ``source/`` within the differences listed
here, each with its reason; the book builds; nothing is ever overwritten."""

from __future__ import annotations

import difflib
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from publisher import model as m
from publisher.authoring.importer import import_book
from publisher.cli import cli
from publisher.pipeline.runner import build
from publisher.reader.parse import parse_file
from tests import importdocs
from tests.books import SEED
from tests.helpers import cli_runner
from tests.modeldump import dump_book
from tests.validators import epubcheck_problems

# The differences between the hand-made book and an import, as (hand-made model lines,
# imported model lines, reason). Everything else in the models must be equal.
EMPHASIS = (
    "    'Lees in ' em('Aanraking: De Krachtige Taal van Verbinding Zonder Woorden') ' hoe",
    "    'Lees in Aanraking: De Krachtige Taal van Verbinding Zonder Woorden hoe",
    "plain text has no italics: the hand-made book set the other article's title in them",
)
FROM_TEXT = [EMPHASIS]
FROM_MARKUP: list[tuple[str, str, str]] = []  # the styled documents carry the italics
# (variant, maker, differences). The plain ones are what pasting the web page gives.
VARIANTS: list[tuple[str, Callable[[Path], Path], list[tuple[str, str, str]]]] = [
    ("seed.txt", lambda p: Path(shutil.copy(importdocs.SEED_TEXT, p)), FROM_TEXT),
    ("plain.docx", importdocs.plain_docx, FROM_TEXT),
    ("plain.odt", importdocs.plain_odt, FROM_TEXT),
    ("styled.docx", importdocs.styled, FROM_MARKUP),
    ("styled.odt", importdocs.styled, FROM_MARKUP),
    ("page.html", importdocs.web_page, FROM_MARKUP),
]
# The front matter: the hand-made book keeps "Title: Subtitle" as one title; an import
# splits it at ': ', as the README's example of a subtitle does.
TITLE = "De Geneeskracht van Knuffelen"
SUBTITLE = "Hoe Lichamelijk Contact Depressie Kan Verminderen"


def model_lines(book: m.Book) -> list[str]:
    """The book's model dump without source line numbers (the front matters differ in
    length, and the hand-made book's has settings an import leaves commented)."""
    return [
        re.sub(r" \[\d+-\d+\]| lines=\d+-\d+", "", line) for line in dump_book(book).splitlines()
    ]


def differences(expected: m.Book, got: m.Book) -> list[tuple[str, str]]:
    """Each run of model lines that differs: (expected lines, imported lines), joined."""
    a, b = model_lines(expected), model_lines(got)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    return [
        ("\n".join(a[i1:i2]), "\n".join(b[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


@pytest.mark.parametrize(("name", "make", "listed"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_the_seed_imports_as_the_hand_made_book(
    tmp_path: Path, name: str, make: Callable[[Path], Path], listed: list[tuple[str, str, str]]
) -> None:
    source = make(tmp_path / name)
    imported = import_book(source, tmp_path / "book")
    book = parse_file(imported.book).book
    hand_made = parse_file(SEED).book

    found = differences(hand_made, book)
    assert len(found) == len(listed), "\n\n".join(f"-{a}\n+{b}" for a, b in found)
    for (expected, got), (before, after, _reason) in zip(found, listed, strict=True):
        assert expected.startswith(before) and got.startswith(after), (expected, got)
    chapters = [c.title_text for c in book.chapters]
    assert chapters == [c.title_text for c in hand_made.chapters] and len(chapters) == 11
    config = book.config
    assert (config.title, config.subtitle) == (TITLE, SUBTITLE)
    assert (config.author, config.language) == ("Gerrit", "nl")
    assert config.identifier.startswith("urn:uuid:")
    assert (tmp_path / "book" / ".gitignore").read_text() == "build/\n.publisher/\n"
    result = build(imported.book, tmp_path / "book" / "build", only=["epub"])
    assert [p.name for p in (tmp_path / "book" / "build" / "epub").iterdir()] == [
        f"{book.slug}.epub"
    ], result


def test_the_notes_point_at_what_they_are_about(tmp_path: Path) -> None:
    result = cli_runner().invoke(
        cli, ["import", str(importdocs.SEED_TEXT), str(tmp_path)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    book = tmp_path / "source" / "book.md"
    lines = book.read_text("utf-8").split("\n")
    notes = re.findall(r"^(.*):(\d+): note: (.*)$", result.stderr, re.MULTILINE)
    assert notes and all(path == str(book) for path, _, _ in notes)
    at = {(int(n), what) for _, n, what in notes}

    def noted(start: str, about: str) -> list[str]:
        return [lines[n - 1] for n, what in at if what.startswith(start) and about in lines[n - 1]]

    headings = [lines[n - 1] for n, what in at if "as a chapter heading" in what]
    assert len(headings) == 11 and all(h.startswith("## ") for h in headings)
    assert len([w for _, w in at if "list line as a section heading" in w]) == 3
    assert len([w for _, w in at if "question as the heading" in w]) == 4
    assert noted("a link whose address was lost", "🔗")
    assert noted("looks like a web page's newsletter", "mailbox")
    assert noted("looks like a signature", "Groet,")
    assert noted("looks like a web page's teasers", "- **Mededogen met Jezelf")
    assert noted("took the author from the signature", "author: Gerrit")
    assert noted("took the first line as the book's title", "# De Geneeskracht")
    assert "created " in result.stdout and "(11 chapters, " in result.stdout


def test_a_book_is_never_overwritten(tmp_path: Path) -> None:
    runner = cli_runner()
    first = runner.invoke(cli, ["import", str(importdocs.SEED_TEXT), str(tmp_path)])
    assert first.exit_code == 0
    book = tmp_path / "source" / "book.md"
    before = book.read_bytes()
    other = tmp_path / "other.txt"
    other.write_text("Another Title\nA paragraph of another text, long enough to tell.\n")
    again = runner.invoke(cli, ["import", str(other), str(tmp_path)])
    assert again.exit_code == 2
    assert again.stderr == f"{tmp_path / 'source'}: already holds a book; choose an empty folder\n"
    assert book.read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "source").iterdir()) == ["book.md"]


def _bad_inputs(tmp: Path) -> dict[str, tuple[Path, str]]:
    """Files publisher cannot import, and the start of the one line it says about each."""
    latin1 = tmp / "latin1.txt"
    latin1.write_bytes("Titel\nCafé au lait.\n".encode("latin-1"))
    fake = tmp / "fake.docx"
    fake.write_bytes(b"this is no zip file, whatever its name says")
    pdf = tmp / "article.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    return {
        "unknown type": (pdf, f"{pdf}: cannot import '.pdf' files (known: .txt, .md, .docx"),
        "no suffix": (tmp / "README", f"{tmp / 'README'}: cannot import a file without a suffix"),
        "not UTF-8": (latin1, f"{latin1}:2: is not valid UTF-8 (byte 0xE9); save it as UTF-8"),
        "missing": (tmp / "gone.txt", f"{tmp / 'gone.txt'}: cannot read: No such file"),
        "a folder": (tmp / "folder.md", f"{tmp / 'folder.md'}: is not a regular file"),
        "not a .docx": (fake, f"{fake}: is not a readable .docx file: "),
    }


@pytest.mark.parametrize(
    "case", ["unknown type", "no suffix", "not UTF-8", "missing", "a folder", "not a .docx"]
)
def test_a_file_it_cannot_read_is_one_line_and_exit_2(tmp_path: Path, case: str) -> None:
    (tmp_path / "folder.md").mkdir()
    path, message = _bad_inputs(tmp_path)[case]
    out = tmp_path / "out"
    result = cli_runner().invoke(cli, ["import", str(path), str(out)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr
    assert not out.exists()


@pytest.mark.slow
def test_the_imported_seed_builds_in_full(tmp_path: Path) -> None:
    """Every target, the real espeak-ng voice; the EPUBs pass EPUBCheck, as the hand-made
    book's do."""
    runner = cli_runner()
    done = runner.invoke(cli, ["import", str(importdocs.SEED_TEXT), str(tmp_path)])
    assert done.exit_code == 0, done.output
    out = tmp_path / "build"
    result = runner.invoke(cli, ["build", str(tmp_path / "source" / "book.md"), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    book = parse_file(tmp_path / "source" / "book.md").book
    mp3s = sorted(p.stem for p in (out / "audio").glob("*.mp3"))
    assert mp3s == sorted(c.slug for c in book.chapters) and len(mp3s) == 11
    assert (out / "audiobook" / f"{book.slug}.m4b").is_file()
    assert (out / "feed.xml").is_file() and (out / "index.html").is_file()
    for epub in sorted((out / "epub").glob("*.epub")):
        problems = epubcheck_problems(epub, tmp_path)
        assert problems == [], "\n".join(problems)
