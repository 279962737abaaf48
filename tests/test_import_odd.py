"""``publisher import`` on the odd documents people have: Word files with footnotes, tables
inside tables, breaks and empty lines in heading styles, control characters, documents with
nothing to import, Markdown with its own front matter, and text that happens to be written
in publisher's own ``{…}`` syntax. Each was a crash, a book that did not build, or text
lost without a word."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from docx import Document as WordDocument

from publisher import model as m
from publisher.authoring.importer import import_book
from publisher.authoring.scaffold import create_book
from publisher.cli import cli
from publisher.infra.clock import build_now
from publisher.pipeline.runner import build
from publisher.reader.parse import parse_file
from publisher.text.plain import block_text, plain_text
from tests import importdocs
from tests.helpers import cli_runner
from tests.validators import epubcheck_problems

PICTURE = Path(__file__).parent / "fixtures" / "every-block.png"


def _blocks(book: m.Book) -> list[m.Block]:
    return [b for chapter in book.chapters for b in chapter.blocks]


def test_braces_in_a_text_are_text_not_pauses_voices_or_ids(tmp_path: Path) -> None:
    # An article about publisher, or any text with braces: a pause of a million seconds was
    # "publisher import made a book it cannot read back … please report this" (exit 1).
    source = tmp_path / "braces.txt"
    source.write_text(
        "About Braces\n\n"
        "💡{pause=999999} What did you think of it?\n\n"
        "{pause=5}\n\n"
        "A paragraph that ends as a voice would. {voice=nl-espeak-f3}\n\n"
        "A heading with an id {#my-id}\n\n"
        "The text under that heading, with [Привет]{lang=ru} in it.\n",
        encoding="utf-8",
    )
    done = import_book(source, tmp_path / "book")
    blocks = _blocks(parse_file(done.book).book)
    [prompt] = [b for b in blocks if isinstance(b, m.Prompt)]
    assert prompt.pause is None and block_text(prompt).startswith("{pause=999999} What")
    texts = [block_text(b) for b in blocks]
    assert "{pause=5}" in texts and not any(isinstance(b, m.Pause) for b in blocks)
    assert "A paragraph that ends as a voice would. {voice=nl-espeak-f3}" in texts
    assert not any(getattr(b, "voice", None) for b in blocks)
    assert any(t.endswith("{lang=ru} in it.") for t in texts)


def _word_document(path: Path) -> Path:
    """Headings with a line break and without text, a table with a break, an image and a
    table inside its cells, as Word users make them."""
    document = WordDocument()
    document.add_paragraph("Rivers", style="Title")
    heading = document.add_paragraph("The Rhine", style="Heading 1")
    heading.add_run().add_break()  # Shift+Enter in a heading
    heading.add_run("from source to sea")
    document.add_paragraph("The Rhine flows from the Alps to the North Sea, past many towns.")
    document.add_paragraph("", style="Heading 1")  # an empty line in a heading style
    document.add_paragraph("   ", style="Heading 2")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Town"
    table.cell(0, 1).text = "Country"
    cell = table.cell(1, 0)
    cell.text = "Basel"
    cell.paragraphs[0].add_run().add_break()
    cell.paragraphs[0].add_run("Bâle")
    inner = table.cell(1, 1).add_table(rows=1, cols=1)
    inner.cell(0, 0).text = "Switzerland"
    table.cell(1, 1).paragraphs[0].add_run().add_picture(str(PICTURE))
    document.add_paragraph("The river is busy with ships all year round.")
    document.save(str(path))
    return path


def test_word_headings_with_breaks_or_no_text_and_tables_in_cells(tmp_path: Path) -> None:
    done = import_book(_word_document(tmp_path / "rivers.docx"), tmp_path / "book")
    book = parse_file(done.book).book
    # the break was a backslash and a paragraph; the empty heading an empty chapter
    assert [c.title_text for c in book.chapters] == ["The Rhine from source to sea"]
    [table] = [b for b in _blocks(book) if isinstance(b, m.Table)]
    cells = [plain_text(c.children) for c in table.rows[0]]
    assert cells == ["Basel Bâle", "Switzerland"]  # the inner table was dropped unsaid
    lines = done.book.read_text("utf-8").split("\n")
    [image] = [n for n in done.notes if "an image was left out" in n.message]
    assert (
        image.line is not None and lines[image.line - 1] == "| Town | Country |"
    )  # the table's line


@pytest.mark.slow  # runs EPUBCheck
def test_the_odd_word_document_makes_an_epub_epubcheck_accepts(tmp_path: Path) -> None:
    done = import_book(_word_document(tmp_path / "rivers.docx"), tmp_path / "book")
    out = tmp_path / "out"
    build(done.book, out, only=["epub"])
    [epub] = (out / "epub").glob("*.epub")
    assert epubcheck_problems(epub, tmp_path) == []


def test_a_footnote_keeps_its_link_and_says_so(tmp_path: Path) -> None:
    markdown = (
        "# Notes\n\nThe claim needs a source.[^1] Then the text goes on for a while.\n\n"
        "[^1]: See [the study](https://example.org/study) and ![a chart](chart.png).\n"
    )
    path = tmp_path / "notes.md"  # pandoc's Word writer drops an image in a footnote
    path.write_text(markdown, encoding="utf-8")
    done = import_book(path, tmp_path / "book")
    lines = done.book.read_text("utf-8").split("\n")
    [para] = [b for b in _blocks(parse_file(done.book).book) if isinstance(b, m.Paragraph)]
    [link] = [i for i in para.children if isinstance(i, m.Link)]
    assert link.href == "https://example.org/study" and block_text(para).startswith(
        "The claim needs a source. [See the study and ."
    )
    noted = {n.message.split(";")[0]: n.line for n in done.notes}
    here = lines.index(next(line for line in lines if line.startswith("The claim")))
    assert noted["a footnote was put in the text in [brackets]"] == here + 1
    assert noted["an image was left out here (a chart)"] == here + 1


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("empty.docx", lambda p: WordDocument().save(str(p))),
        ("images.docx", lambda p: _images_only(p)),
        ("blank.txt", lambda p: p.write_text(" \n\n\t\n", encoding="utf-8")),
        ("empty.html", lambda p: p.write_text("<html><body><nav>Home</nav></body></html>")),
    ],
)
def test_a_document_with_no_text_is_refused(tmp_path: Path, name: str, make: object) -> None:
    path = tmp_path / name
    make(path)  # type: ignore[operator]
    result = cli_runner().invoke(cli, ["import", str(path), str(tmp_path / "book")])
    assert result.exit_code == 2
    assert result.stderr == f"{path}: holds no text to import\n"
    assert not (tmp_path / "book").exists()


def _images_only(path: Path) -> None:
    document = WordDocument()
    document.add_picture(str(PICTURE))
    document.save(str(path))


def test_control_characters_of_a_damaged_file_stay_out_of_the_book(tmp_path: Path) -> None:
    source = tmp_path / "damaged.txt"
    source.write_text(
        "Broken\x00 Title\x1b\n\nA para\x00graph of the damaged\x07 file, long enough.\n",
        encoding="utf-8",
    )
    done = import_book(source, tmp_path / "book")
    book = parse_file(done.book).book
    assert book.config.title == "Broken Title"
    assert [block_text(b) for b in _blocks(book)] == [
        "A paragraph of the damaged file, long enough."
    ]


def test_a_markdown_files_own_front_matter_is_kept_where_a_book_has_it(tmp_path: Path) -> None:
    source = tmp_path / "post.md"
    source.write_text(
        "---\ntitle: A Walk\nauthor: [Anna, Piet]\nlanguage: nl\ndate: 2024-05-01\n"
        "description: Over wandelen.\nlayout: post\ntags: [a, b]\n---\n\n"
        "# Begin\n\nOk.\n",  # too short for the language detector to tell
        encoding="utf-8",
    )
    done = import_book(source, tmp_path / "book")
    config = parse_file(done.book).book.config
    assert (config.language, config.author, config.date) == (
        "nl",
        "Anna, Piet",
        dt.date(2024, 5, 1),
    )
    assert config.description == "Over wandelen."
    [note] = done.notes
    assert note.message.startswith("the file's front matter also set layout, tags: left out")
    assert done.book.read_text("utf-8").split("\n")[note.line - 1].startswith("title:")


def test_a_front_matter_value_a_book_cannot_take_is_noted_not_kept(tmp_path: Path) -> None:
    source = tmp_path / "post.md"
    source.write_text(
        "---\ntitle: A Walk\ndate: yesterday\nlang: not a language\n---\n\n"
        "A walk in the park is good for the body and the mind, every day of the week.\n",
        encoding="utf-8",
    )
    done = import_book(source, tmp_path / "book")
    config = parse_file(done.book).book.config
    assert config.date == build_now().date() and config.language == "en"  # dated today
    assert any(
        n.message.startswith("the file's front matter also set date, lang") for n in done.notes
    )


def test_a_new_book_is_dated_the_day_it_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a date the feed would date every episode 1 January 2000: ``init`` and
    ``import`` write the day (the build's clock, so ``SOURCE_DATE_EPOCH`` decides it)."""
    monkeypatch.setenv(
        "SOURCE_DATE_EPOCH", str(int(dt.datetime(2031, 5, 4, 12, tzinfo=dt.UTC).timestamp()))
    )
    source = tmp_path / "walk.txt"
    source.write_text("A Walk\n\nA walk in the park is good for the body and the mind.\n", "utf-8")
    done = import_book(source, tmp_path / "imported")
    started = create_book(tmp_path / "started", language="nl")
    for book in (done.book, started):
        assert parse_file(book).book.config.date == dt.date(2031, 5, 4)
    [note] = [n for n in done.notes if "date" in n.message]
    assert done.book.read_text("utf-8").split("\n")[note.line - 1] == "date: 2031-05-04"


def test_the_command_to_build_it_can_be_pasted(tmp_path: Path) -> None:
    folder = tmp_path / "mijn boek"
    result = cli_runner().invoke(cli, ["import", str(importdocs.SEED_TEXT), str(folder)])
    assert result.exit_code == 0, result.output
    assert f"build it with: cd '{folder}' && publisher build" in result.stdout
    assert "(11 chapters, " in result.stdout


BLOG = """<!doctype html><html lang="nl"><head><title>Over Wandelen | Mijn Blog</title></head>
<body><div class="topbar">Gratis verzending vanaf 50 euro!</div>
<header><h1>Mijn Blog</h1></header>
<article><h1>Over Wandelen</h1>
<p>Wandelen is de eenvoudigste vorm van beweging die er bestaat, en het helpt tegen stress.</p>
<section><h2>Reacties</h2>
<article><p>Mooi stuk! Ik wandel elke dag.</p></article>
<article><p>Dank je, heel herkenbaar.</p></article></section>
</article>
<div class="sidebar"><h3>Populaire berichten</h3><p>Tien tips voor beter slapen</p></div>
<footer>© 2024</footer></body></html>"""


def test_a_blog_post_with_its_comments_in_articles_is_cut_to_the_post(tmp_path: Path) -> None:
    # Comments marked up as <article>s inside the post's (as the HTML standard suggests)
    # made "more than one article": the whole page was taken, top bar and side bar too, and
    # the title was the file's name.
    source = tmp_path / "blog.html"
    source.write_text(BLOG, encoding="utf-8")
    book = parse_file(import_book(source, tmp_path / "book").book).book
    assert (book.config.title, book.config.language) == ("Over Wandelen", "nl")
    text = " ".join(block_text(b) for b in _blocks(book))
    assert "Wandelen is de eenvoudigste" in text and "Mooi stuk!" in text
    assert "verzending" not in text and "Populaire" not in text


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("notes.md", "# Code\n\nA first paragraph.\n\n```python\nprint('hoi')\n```\n"),
        (
            "notes.html",
            "<html><body><h1>Code</h1><p>A first paragraph.</p>"
            "<pre><code class=\"language-python\">print('hoi')</code></pre></body></html>",
        ),
    ],
)
def test_a_code_block_keeps_its_language(tmp_path: Path, name: str, text: str) -> None:
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    done = import_book(source, tmp_path / "book")
    blocks = [b for c in parse_file(done.book).book.chapters for b in c.blocks]
    [code] = [b for b in blocks if isinstance(b, m.CodeBlock)]
    assert (code.language, code.text.strip()) == ("python", "print('hoi')")
