"""The structure rules of ``publisher import`` on texts other than the seed: English, wrapped
paragraphs, a text without a title line, a Word file with its own title and heading styles,
and a web page's links and images."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from docx import Document as WordDocument

from publisher import model as m
from publisher.authoring.importer import import_book
from publisher.cli import cli
from publisher.reader.parse import parse_file
from publisher.text.plain import block_text
from tests.helpers import cli_runner

ARTICLE = """\
Why Walking Helps: Small Steps for a Calm Mind
Getting Started
Walking is the simplest exercise there is. It needs no gym, no gear and no plan.
Example: A woman who walks to work twice a week finds her mornings calmer within a month.
💡 When did you last walk without a destination?
What You Need
1. Comfortable shoes that fit well.
2. Twenty minutes of time.
3. A route without heavy traffic.
• Water for longer walks.
• A friend, if you like company.
“Walking is man's best medicine.”
Common Questions
How far should I walk?
As far as feels good. Start with ten minutes and add five each week.
What if it rains?
Take an umbrella, or walk in a covered market. Rain is part of the experience.
Kind regards,
Anna de Vries
"""


def _imported(tmp_path: Path, name: str, content: str | bytes) -> tuple[m.Book, list[str]]:
    source = tmp_path / name
    if isinstance(content, bytes):
        source.write_bytes(content)
    else:
        source.write_text(content, encoding="utf-8")
    done = import_book(source, tmp_path / "book")
    return parse_file(done.book).book, [str(n) for n in done.notes]


def _outline(book: m.Book) -> list[tuple[str, str]]:
    return [
        (type(b).__name__ + (str(b.level) if isinstance(b, m.Heading) else ""), block_text(b))
        for chapter in book.chapters
        for b in chapter.blocks
    ]


def test_an_english_article(tmp_path: Path) -> None:
    book, notes = _imported(tmp_path, "walking.txt", ARTICLE)
    config = book.config
    assert (config.title, config.subtitle) == ("Why Walking Helps", "Small Steps for a Calm Mind")
    assert (config.language, config.author) == ("en", "Anna de Vries")
    assert [c.title_text for c in book.chapters] == [
        "Getting Started",
        "What You Need",
        "Common Questions",
    ]
    assert _outline(book) == [
        (
            "Paragraph",
            "Walking is the simplest exercise there is. It needs no gym, no gear and no plan.",
        ),
        (
            "Example",
            "Example: A woman who walks to work twice a week finds her mornings calmer within a month.",
        ),
        ("Prompt", "When did you last walk without a destination?"),
        (
            "ListBlock",
            "• Comfortable shoes that fit well.\n• Twenty minutes of time.\n• A route without heavy traffic.",
        ),
        ("ListBlock", "• Water for longer walks.\n• A friend, if you like company."),
        ("Quote", "“Walking is man's best medicine.”"),
        ("Heading3", "How far should I walk?"),
        ("Paragraph", "As far as feels good. Start with ten minutes and add five each week."),
        ("Heading3", "What if it rains?"),
        (
            "Paragraph",
            "Take an umbrella, or walk in a covered market. Rain is part of the experience.",
        ),
        ("Paragraph", "Kind regards, Anna de Vries"),
    ]
    numbered = next(b for b in book.chapters[1].blocks if isinstance(b, m.ListBlock))
    assert numbered.ordered and numbered.start == 1
    assert any("looks like a signature" in n for n in notes)


def test_questions_in_pairs_are_sections_without_a_faq_heading(tmp_path: Path) -> None:
    text = ARTICLE.replace("Common Questions\n", "More About It\n")
    book, _ = _imported(tmp_path, "walking.txt", text)
    headings = [b for b in book.chapters[2].blocks if isinstance(b, m.Heading)]
    assert [block_text(h) for h in headings] == ["How far should I walk?", "What if it rains?"]


def test_wrapped_paragraphs_and_no_title_line(tmp_path: Path) -> None:
    text = (
        "This letter has no title line. Its paragraphs are wrapped by hand,\n"
        "the way an e-mail is written.\n\n"
        "A second paragraph, also wrapped\nover two lines.\n\n"
        "And a third one, on three lines,\njust to be\nsure.\n"
    )
    book, notes = _imported(tmp_path, "my_letter.txt", text)
    assert book.config.title == "my letter"
    assert book.config.author == "Unknown"
    [chapter] = book.chapters
    assert [block_text(b) for b in chapter.blocks][1] == (
        "A second paragraph, also wrapped over two lines."
    )
    assert any("file's name stands in" in n for n in notes)
    assert any(":3: note: no author found" in n for n in notes)


def test_a_word_file_with_its_own_title_and_heading_styles(tmp_path: Path) -> None:
    document = WordDocument()
    document.add_heading("Rivers of Europe", level=0)  # Word's Title style
    document.add_paragraph("From the Alps to the Black Sea", style="Subtitle")
    for title, text in [
        ("The Rhine", "The Rhine flows from the Alps to the North Sea."),
        ("The Danube", "The Danube crosses ten countries on its way east."),
    ]:
        document.add_heading(title, level=1)
        paragraph = document.add_paragraph()
        paragraph.add_run("Example:").bold = True
        paragraph.add_run(" " + text)
    document.add_heading("Its Delta", level=2)
    document.add_paragraph("The delta is a haven for birds.")
    path = tmp_path / "rivers.docx"
    document.save(str(path))
    done = import_book(path, tmp_path / "book")
    book = parse_file(done.book).book
    config = book.config
    assert (config.title, config.subtitle) == ("Rivers of Europe", "From the Alps to the Black Sea")
    assert [c.title_text for c in book.chapters] == ["The Rhine", "The Danube"]
    examples = [b for c in book.chapters for b in c.blocks if isinstance(b, m.Example)]
    assert [e.label for e in examples] == ["Example:", "Example:"]
    [section] = [b for b in book.chapters[1].blocks if isinstance(b, m.Heading)]
    assert section.level == 3 and block_text(section) == "Its Delta"


def test_a_web_page_keeps_its_links_and_notes_what_it_lost(tmp_path: Path) -> None:
    page = """<html><head><title>Tea | My Site</title></head><body>
<nav><a href="/">Home</a></nav>
<article><h1>All About Tea</h1><h2>Green Tea</h2>
<p>Green tea is <a href="https://example.org/green">unoxidised</a> and light.</p>
<p><img src="cup.jpg" alt="A cup of tea"></p>
<p>Read the <a>full story</a> on brewing, it is worth the time.</p>
</article><footer>© Me</footer></body></html>"""
    book, notes = _imported(tmp_path, "tea.html", page)
    assert book.config.title == "All About Tea"
    [chapter] = book.chapters
    links = [
        i
        for b in chapter.blocks
        if isinstance(b, m.Paragraph)
        for i in b.children
        if isinstance(i, m.Link)
    ]
    assert [link.href for link in links] == ["https://example.org/green"]
    assert "Home" not in "".join(block_text(b) for b in chapter.blocks)
    assert any("an image was left out here (A cup of tea)" in n for n in notes)
    assert any("the link 'full story' lost its address" in n for n in notes)


def test_without_pandoc_a_word_file_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pypandoc", None)  # as if pypandoc-binary were missing
    path = tmp_path / "a.docx"
    WordDocument().save(str(path))
    result = cli_runner().invoke(cli, ["import", str(path), str(tmp_path / "b")])
    assert result.exit_code == 1
    assert result.stderr == (
        "reading this file needs pandoc: pip install pypandoc-binary "
        "(or install pandoc on the PATH)\n"
    )
    assert not (tmp_path / "b").exists()


def test_a_note_about_a_left_out_image_points_at_the_next_paragraph(tmp_path: Path) -> None:
    page = "<h1>Tea</h1><p>Before.</p><p><img src='cup.jpg' alt='A cup'></p><p>After it.</p>"
    source = tmp_path / "tea.html"
    source.write_text(page, encoding="utf-8")
    done = import_book(source, tmp_path / "book")
    lines = done.book.read_text("utf-8").split("\n")
    [note] = [n for n in done.notes if "image" in n.message]
    assert note.line is not None and lines[note.line - 1] == "After it."


def test_a_word_title_stays_the_title_over_a_single_first_heading(tmp_path: Path) -> None:
    document = WordDocument()
    document.add_heading("Rivers of Europe", level=0)
    document.add_heading("Introduction", level=1)
    for name in ("The Rhine", "The Danube"):
        document.add_heading(name, level=2)
        document.add_paragraph(f"{name} is one of the great rivers of the continent.")
    path = tmp_path / "rivers.docx"
    document.save(str(path))
    book = parse_file(import_book(path, tmp_path / "book").book).book
    assert book.config.title == "Rivers of Europe"
    assert [c.title_text for c in book.chapters] == ["Introduction"]
    headings = [b for b in book.chapters[0].blocks if isinstance(b, m.Heading)]
    assert [(h.level, block_text(h)) for h in headings] == [(3, "The Rhine"), (3, "The Danube")]
