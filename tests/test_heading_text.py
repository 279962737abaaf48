"""A heading must have text. ``## {#id}``, ``##`` alone or ``### ![](x.png)`` made a chapter
or section with an empty title: ``check`` passed, and the EPUB had an empty ``<title>`` that
EPUBCheck refuses (RSC-005) and a heading a screen reader announces as nothing. Now it is an
error at the heading's line, whatever form the empty heading takes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.cli import cli
from publisher.errors import SourceError
from publisher.reader.parse import parse_text
from tests.helpers import cli_runner

FRONT = "---\ntitle: T\nauthor: A\nlanguage: en\nidentifier: urn:x\n---\n"
# What a heading can hold that is no text: nothing, spaces, an image without alt text, a
# footnote reference, an empty code span or link; then, maybe, its attribute list.
NOTHING = st.tuples(
    st.lists(st.sampled_from([" ", "\t", "![](x.png)", "[^1]", "` `", "[](#x)"]), max_size=4),
    st.sampled_from(["", " {#a}", " {.c}", " {-}", " {#a .c k=v}"]),
).map(lambda parts: " ".join(parts[0]) + parts[1])


def _heading_error(body: str) -> str:
    with pytest.raises(SourceError) as caught:
        parse_text(FRONT + body, "book.md")
    return str(caught.value)


@settings(max_examples=150, deadline=None)
@given(NOTHING, st.sampled_from(["#", "##", "###"]))
def test_a_heading_of_nothing_is_an_error_at_its_line(inside: str, marks: str) -> None:
    # The title (H1), a chapter (H2) or a section (H3), each on line 10.
    body = f"\n# Book\n\n## Chapter\n\nText.\n\n{marks} {inside}\n\nMore text.\n\n[^1]: A note.\n"
    message = _heading_error(body)
    assert message.startswith("book.md:"), message
    assert message.endswith("heading has no text: write its title (an {#id} alone is no title)")


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("\n## {#only}\n\nText.\n", 8),
        ("\n# {#t}\n\nText before any chapter.\n\n## Chapter\n\nText.\n", 8),
        ("\n## Chapter\n\n### Section\n{: #s}\n\n###\n\nText.\n", 13),
        ("\nSetext\n======\n\n{: #x}\n\n ==\n", None),  # no heading there: text
    ],
)
def test_the_line_is_the_headings(body: str, line: int | None) -> None:
    if line is None:
        parse_text(FRONT + body, "book.md")
        return
    assert _heading_error(body).startswith(f"book.md:{line}: heading has no text")


def test_check_and_build_say_it_in_one_line_and_exit_2(tmp_path: Path) -> None:
    book = tmp_path / "book.md"
    book.write_text(FRONT + "\n# Book\n\n## {#first}\n\nText.\n", encoding="utf-8")
    for command in (["check", str(book)], ["build", str(book), "--out", str(tmp_path / "o")]):
        result = cli_runner().invoke(cli, command)
        assert result.exit_code == 2, result.output
        assert result.stderr == (
            f"{book}:10: heading has no text: write its title (an {{#id}} alone is no title)\n"
        )
    assert not (tmp_path / "o").exists()


def test_an_escaped_brace_is_text_not_a_pause(tmp_path: Path) -> None:
    # The importer writes a text's braces so; an author may too.
    body = "\n# Book\n\n## C\n\n\\{pause=5}\n\n💡\\{pause=999} Why?\n\n{pause=2}\n"
    [chapter] = parse_text(FRONT + body, "book.md").book.chapters
    kinds = [(type(b).__name__, getattr(b, "pause", None)) for b in chapter.blocks]
    assert kinds == [("Paragraph", None), ("Prompt", None), ("Pause", None)]


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("\n# Book\n\n## Chapter\n\nText.\n\n## Two [x]{#a}\n\nText.\n", 14),
        ("\n# Book [x]{#a}\n\nText before any chapter.\n\n## Chapter\n\nText.\n", 8),
    ],
)
def test_an_error_in_a_chapters_title_names_the_titles_line(body: str, line: int) -> None:
    # It said "book.md:0:": a title is read before the chapter's first block sets the line.
    assert _heading_error(body) == (
        f"book.md:{line}: span attributes not understood; write {{lang=ru}}"
    )
