"""The one text module: the EPUB and the show notes write the same blocks the same way."""

from __future__ import annotations

import re
import typing
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from publisher import model as m
from publisher.i18n import words_for
from publisher.reader.parse import parse_file
from publisher.renderers.epub.xhtml import ChapterWriter
from publisher.renderers.feed.notes import in_notes, notes_html, notes_style
from publisher.text import XhtmlWriter, attr, esc, plain_text, safe_href, sentences, xml_safe

EVERY_BLOCK = Path(__file__).parent / "fixtures" / "every-block.md"
EPUB_NS = "http://www.idpf.org/2007/ops"
INLINE_TAGS = {"a", "em", "strong", "code", "span"}


@pytest.fixture(scope="module")
def book() -> m.Book:
    return parse_file(EVERY_BLOCK).book


def epub_writer(chapter: m.Chapter) -> XhtmlWriter:
    return ChapterWriter(
        chapter=chapter,
        words=words_for("en"),
        lang="en",
        css="x.css",
        image_href=lambda src, path, line: f"images/{src}",
        anchors={"#tables-and-code": "tables-and-code.xhtml"},
    ).writer()


def fragment(html: str) -> ET.Element:
    """``html`` (any number of elements) parsed inside one wrapper element."""
    return ET.fromstring(f'<div xmlns:epub="{EPUB_NS}">{html}</div>')


def visible_text(element: ET.Element) -> str:
    """What a reader sees of ``element``: an image counts as its description, a ``br`` or the end
    of a block as a line break; footnote marks
    and the prompt's drawn glyph (marks that point elsewhere or decorate) do not count."""
    out: list[str] = []

    def walk(el: ET.Element) -> None:
        if el.tag == "img":
            out.append(el.get("alt", ""))
        elif el.tag == "br":
            out.append("\n")
        elif el.tag != "sup" and el.get("aria-hidden") != "true":
            out.append(el.text or "")
            for child in el:
                walk(child)
            if el.tag not in INLINE_TAGS:
                out.append("\n")  # a block ends a line
        out.append(el.tail or "")

    walk(element)
    return re.sub(r"\s+", " ", "".join(out)).strip()


def without_prompts(element: ET.Element) -> ET.Element:
    """``element`` with every prompt's aside taken out (in place)."""
    for parent in element.iter():
        for child in list(parent):
            if child.tag == "aside" and child.get("class") == "prompt":
                parent.remove(child)
    return element


def all_blocks(chapter: m.Chapter) -> tuple[m.Block, ...]:
    return chapter.blocks + chapter.footnotes


def test_every_block_fixture_holds_every_block_and_inline_type(book: m.Book) -> None:
    blocks = {type(b) for ch in book.chapters for b in m.walk(all_blocks(ch))}
    assert blocks == set(typing.get_args(m.Block))

    inlines: set[type] = set()

    def collect(nodes: tuple[m.Inline, ...]) -> None:
        for node in nodes:
            inlines.add(type(node))
            if isinstance(node, m.Emphasis | m.Strong | m.Link):
                collect(node.children)

    for ch in book.chapters:
        for b in m.walk(all_blocks(ch)):
            if isinstance(b, m.Heading | m.Paragraph | m.Prompt | m.Example):
                collect(b.children)
    assert inlines == set(typing.get_args(m.Inline))


def test_show_notes_show_each_block_as_the_epub_does_or_leave_it_out_by_decision(
    book: m.Book,
) -> None:
    """Every block of every chapter goes through both writers, whole chapters at a time:
    a block the notes keep becomes the same elements with the same visible text as in the
    EPUB (prompts and examples as paragraphs, not asides; a prompt's label before its
    question with a colon; a heading, a question of a question-and-answer chapter, as a
    bold paragraph); the others are left out only where :func:`in_notes` says so."""
    style = notes_style(words_for("en"))
    seen_in_notes: set[type] = set()
    left_out: set[type] = set()
    for chapter in book.chapters:
        epub = epub_writer(chapter)
        for block in m.walk(all_blocks(chapter)):
            in_epub = fragment(epub.block(block))
            shown = fragment(notes_html(chapter, (block,), style))
            if isinstance(block, m.Pause):  # heard, not seen: by decision, on no page
                assert len(in_epub) == 0 and len(shown) == 0
                left_out.add(type(block))
                continue
            assert len(in_epub), f"{type(block).__name__} vanished from the EPUB"
            if isinstance(block, m.Heading):
                assert [el.tag for el in shown] == ["p"]
                assert [el.tag for el in shown[0]] == ["strong"]
                assert visible_text(shown) == visible_text(in_epub)
                continue
            if not in_notes(block):
                assert len(shown) == 0
                left_out.add(type(block))
                continue
            seen_in_notes.add(type(block))
            if isinstance(block, m.Prompt):
                label, question = in_epub[0]
                assert [el.tag for el in shown] == ["p"]
                assert visible_text(shown) == f"{visible_text(label)}: {visible_text(question)}"
                continue
            epub_tags = [
                "p" if isinstance(block, m.Example) and el.tag == "aside" else el.tag
                for el in in_epub
            ]
            assert [el.tag for el in shown] == epub_tags, type(block).__name__
            # A prompt inside a list or quotation is listed after the opening instead.
            assert visible_text(shown) == visible_text(without_prompts(in_epub))

        # The whole chapter through the notes path: only elements the EPUB has as well.
        whole = fragment(notes_html(chapter, all_blocks(chapter), style))
        epub_whole = fragment(epub_writer(chapter).blocks(all_blocks(chapter)))
        assert {el.tag for el in whole.iter()} <= {el.tag for el in epub_whole.iter()}

    # Both kinds of decision were met, and together they cover every block type.
    assert seen_in_notes | left_out == set(typing.get_args(m.Block)) - {m.Heading}
    assert seen_in_notes >= {m.Paragraph, m.Prompt, m.Example, m.Quote, m.ListBlock}
    assert left_out == {m.Image, m.Table, m.ThematicBreak, m.Footnote, m.Pause}


def test_every_prompt_in_the_epub_starts_with_its_label_as_visible_text(book: m.Book) -> None:
    """The label ("Reflection prompt") is text a reader sees and names the aside; the light
    bulb is drawn by the stylesheet, so no emoji (a box without an emoji font) is left."""
    prompts = 0
    for chapter in book.chapters:
        for block in m.walk(chapter.blocks):
            if not isinstance(block, m.Prompt):
                continue
            prompts += 1
            (aside,) = fragment(epub_writer(chapter).block(block))
            label = aside[0]
            assert visible_text(label) == "Reflection prompt"
            assert visible_text(aside).startswith("Reflection prompt ")
            assert aside.get("aria-labelledby") == label.get("id")
            assert aside.get("aria-label") is None  # named once, by the visible label
            assert "💡" not in ET.tostring(aside, encoding="unicode")
    assert prompts


def test_markup_drops_what_xml_forbids_and_escapes_the_rest() -> None:
    assert xml_safe("a\x00b\x1fc\ufffed\te\n") == "abcd\te\n"
    assert esc('<a href="x">&\x0b</a>') == '&lt;a href="x"&gt;&amp;&lt;/a&gt;'
    assert attr('say "hi" & <go>') == "say &quot;hi&quot; &amp; &lt;go&gt;"


def test_one_link_check_for_every_output() -> None:
    assert safe_href("mailto:a@b.org") == "mailto:a@b.org"
    assert safe_href("HTTPS://x.org") == "HTTPS://x.org"
    assert safe_href("#sec") is None  # no headings to point at: text only
    assert safe_href("#sec", {"#sec": "c.xhtml#sec"}) == "c.xhtml#sec"
    assert safe_href("tel:123") is None
    assert safe_href("other.md") is None


def test_plain_text_for_readers_and_for_the_narrator() -> None:
    nodes: tuple[m.Inline, ...] = (
        m.Text(text="See "),
        m.Link(href="https://x.org", children=(m.Text(text="https://x.org"),)),
        m.LineBreak(),
        m.Emphasis(children=(m.Text(text="now"),)),
        m.FootnoteRef(label="a", number=1),
        m.InlineImage(src="p.png", alt=" a dot"),
    )
    assert plain_text(nodes) == "See https://x.org\nnow a dot"
    assert plain_text(nodes, line_break="|") == "See https://x.org|now a dot"


def test_one_sentence_splitter_keeps_abbreviations_and_initials() -> None:
    assert sentences("Zie bijv. De Vries. J. Jansen zei: “Ja.” Daarna\u2028Nee") == [
        "Zie bijv. De Vries.",
        "J. Jansen zei: “Ja.”",
        "Daarna",
        "Nee",
    ]
