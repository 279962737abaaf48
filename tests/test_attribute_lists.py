"""Attribute lists in the forms Pandoc and kramdown accept (publisher/reader/trailing_attrs.py):
the id honoured, the rest ignored with one warning naming it, leftovers never shown and read
aloud without a word; a book written for Pandoc or kramdown builds an EPUB EPUBCheck accepts."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from publisher.cli import cli
from publisher.model import Heading
from publisher.reader.parse import parse_text
from publisher.reader.trailing_attrs import parse_attribute_list
from publisher.text.plain import plain_text
from tests.books import write_book
from tests.validators import epubcheck_problems

FRONT = "---\ntitle: Handleiding\nauthor: A\nlanguage: nl\nidentifier: urn:x\n---\n\n"

# Every form on a heading; the comment is what Pandoc or kramdown reads.
PANDOC_AND_KRAMDOWN = """\
# Handleiding

## General options {.options}

Text, and a [link to the filters](#sec:filters) and [one to the end](#einde).

### Filters {#sec:filters .unnumbered data-x=1}

Pandoc: the id, a class, a key=value pair.

### Output ### {#output}

ATX closing hashes before the list.

### Kramdown inline {: #kd-inline .note}

### Kramdown on the next line
{: #kd-next}

Setext {#setext}
----------------

### Unnumbered {-}

### Dotted id {#sec.dotted}

## Einde {#einde}

See [output](#output), [kd](#kd-next), [setext](#setext) and [dotted](#sec.dotted).
"""


def headings(text: str) -> dict[str, str]:
    book = parse_text(FRONT + text, "book.md").book
    found = {c.slug: c.title_text for c in book.chapters}
    for chapter in book.chapters:
        for block in chapter.blocks:
            if isinstance(block, Heading):
                found[block.anchor] = plain_text(block.children)
    return found


def test_every_form_gives_its_id_and_a_title_without_braces() -> None:
    assert headings(PANDOC_AND_KRAMDOWN) == {
        "general-options": "General options",
        "sec:filters": "Filters",
        "output": "Output",
        "kd-inline": "Kramdown inline",
        "kd-next": "Kramdown on the next line",
        "setext": "Setext",
        "unnumbered": "Unnumbered",
        "sec.dotted": "Dotted id",
        "einde": "Einde",
    }


def test_what_is_ignored_is_named_once_at_its_line() -> None:
    warnings = [str(w) for w in parse_text(FRONT + PANDOC_AND_KRAMDOWN, "book.md").warnings]
    assert warnings == [
        "book.md:10: warning: heading attributes .options ignored: publisher reads an {#id}",
        "book.md:14: warning: heading attributes .unnumbered, data-x=1 ignored: publisher "
        "reads an {#id}",
        "book.md:22: warning: heading attributes .note ignored: publisher reads an {#id}",
        "book.md:30: warning: heading attributes .unnumbered ignored: publisher reads an {#id}",
    ]


@pytest.mark.parametrize(
    ("text", "title", "message"),
    [
        (
            "## Twee {#a} {#b}",
            "Twee {#a}",
            "{#a} before {#b} is shown and read aloud as text: give one attribute list",
        ),
        (
            "## Twee {#a}\n{: #b}",
            "Twee",
            "{#a} before {: #b} is shown and read aloud as text: give one attribute list",
        ),
        ("Tekst.\n\n{#los .x}", None, "attribute list {#los .x} belongs to no heading; ignored"),
        ("Tekst\n{: .note}", None, "paragraph attributes .note ignored: publisher reads a "),
    ],
)
def test_leftover_and_doubled_lists_are_said_at_their_line(
    text: str, title: str | None, message: str
) -> None:
    # Before: shown in the EPUB and read aloud ("accolade openen, hekje a …") without a word.
    parsed = parse_text(FRONT + "# Boek\n\n" + text + "\n", "book.md")
    assert any(w.message.startswith(message) for w in parsed.warnings)
    chapter = parsed.book.chapters[0]
    if title is not None:
        assert chapter.title_text == title
    shown = " ".join(plain_text(getattr(b, "children", ())) for b in chapter.blocks)
    assert "{" not in shown


@pytest.mark.parametrize(
    ("written", "ids", "classes", "pairs"),
    [
        ("{#id .class key=value}", ("id",), ("class",), (("key", "value"),)),
        ("{: #id}", ("id",), (), ()),
        ("{:.a .b}", (), ("a", "b"), ()),
        ("{-}", (), ("unnumbered",), ()),
        ("{key=\"a b\" k2='c'}", (), (), (("key", "a b"), ("k2", "c"))),
        ("{#sec.intro}", ("sec.intro",), (), ()),
    ],
)
def test_the_grammar(
    written: str,
    ids: tuple[str, ...],
    classes: tuple[str, ...],
    pairs: tuple[tuple[str, str], ...],
) -> None:
    found = parse_attribute_list(written)
    assert found is not None
    assert (found.ids, found.classes, found.pairs) == (ids, classes, pairs)


@pytest.mark.parametrize("text", ["{x}", "{a b}", "{}", "{ }", "{#}", "{=html}", "{sic}", "{.}"])
def test_braces_that_are_no_attribute_list_stay_text(text: str) -> None:
    assert parse_attribute_list(text) is None


@pytest.mark.slow
def test_a_book_written_for_pandoc_and_kramdown_passes_epubcheck(tmp_path: Path) -> None:
    source = write_book(tmp_path, FRONT + PANDOC_AND_KRAMDOWN)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(source), "--out", str(out), "--only", "epub"])
    assert result.exit_code == 0, result.output
    epub = next((out / "epub").glob("*.epub"))
    assert epubcheck_problems(epub, tmp_path) == []
    with zipfile.ZipFile(epub) as z:
        ids = {
            element.get("id")
            for name in z.namelist()
            if name.endswith(".xhtml")
            for element in etree.fromstring(z.read(name)).iter()
        }
        names = z.namelist()
    assert {"sec:filters", "output", "kd-inline", "kd-next", "sec.dotted"} <= ids
    # A chapter's id names its document.
    assert {"EPUB/text/einde.xhtml", "EPUB/text/setext.xhtml"} <= set(names)
