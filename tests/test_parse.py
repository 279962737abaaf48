"""Parsing: Markdown → the book model, checked against golden dumps and by behaviour."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher import model as m
from publisher.errors import SourceError
from publisher.reader.parse import parse_file, parse_text
from publisher.text.plain import plain_text
from tests.golden import assert_golden
from tests.modeldump import dump_book

FIXTURES = Path(__file__).parent / "fixtures" / "parse"
SEED_SOURCE = Path(__file__).parents[1] / "source" / "de-geneeskracht-van-knuffelen.md"

HEAD = "---\ntitle: T\nauthor: A\nlanguage: {lang}\nidentifier: urn:x\n---\n"


def book(body: str, lang: str = "en", **front: str) -> m.Book:
    head = HEAD.format(lang=lang)
    if front:
        extra = "".join(f"{k}: {v}\n" for k, v in front.items())
        head = head.replace("---\n", "---\n" + extra, 1)
    return parse_text(head + body, "book.md").book


@pytest.mark.parametrize("name", sorted(p.stem for p in FIXTURES.glob("*.md")))
def test_fixture_model_dump(name: str) -> None:
    parsed = parse_file(FIXTURES / f"{name}.md")
    assert_golden(f"model/{name}.txt", dump_book(parsed.book))


def test_seed_model_dump() -> None:
    assert_golden("model/seed.txt", dump_book(parse_file(SEED_SOURCE).book))


def test_seed_structure() -> None:
    chapters = parse_file(SEED_SOURCE).book.chapters
    assert len(chapters) == 11
    assert chapters[0].title_text == "De Geneeskracht van Knuffelen: Meer dan Alleen Warmte"
    depressie = chapters[3]
    heads = [plain_text(b.children) for b in depressie.blocks if isinstance(b, m.Heading)]
    assert heads == [
        "Stress en Angst Verminderen",
        "Eenzaamheid Doorbreken",
        "Positieve Emoties Versterken",
    ]
    blocks = [b for c in chapters for b in m.walk(c.blocks)]
    assert sum(isinstance(b, m.Prompt) for b in blocks) == 5
    assert sum(isinstance(b, m.Example) for b in blocks) == 3
    assert all(b.label == "Voorbeeld:" for b in blocks if isinstance(b, m.Example))


def test_chapters_split_below_the_title_and_opening_text_becomes_a_chapter() -> None:
    b = book("# Title\n\nIntro.\n\n## One\n\nA.\n\n### Sub\n\nB.\n\n## Two\n\nC.\n")
    assert [c.title_text for c in b.chapters] == ["Title", "One", "Two"]
    assert [c.number for c in b.chapters] == [1, 2, 3]
    assert isinstance(b.chapters[1].blocks[1], m.Heading)


def test_no_title_heading_splits_at_the_top_level() -> None:
    b = book("# One\n\nA.\n\n# Two\n\nB.\n")
    assert [c.slug for c in b.chapters] == ["one", "two"]


def test_chapter_level_is_configurable() -> None:
    b = book("# T\n\n## A\n\n### A1\n\nx\n\n### A2\n\ny\n", chapter_level="3")
    assert [c.title_text for c in b.chapters] == ["A", "A1", "A2"]


def test_slugs_are_unique_and_survive_insertion() -> None:
    before = book("## Alpha\n\nx\n\n## Beta\n\ny\n\n## Beta\n\nz\n")
    after = book("## New\n\nn\n\n## Alpha\n\nx\n\n## Beta\n\ny\n\n## Beta\n\nz\n")
    assert [c.slug for c in before.chapters] == ["alpha", "beta", "beta-2"]
    assert [c.slug for c in after.chapters] == ["new", "alpha", "beta", "beta-2"]


def test_prompts_and_examples() -> None:
    b = book(
        "## C\n\n💡 Why?\n\n💡{pause=12.5} Really?\n\n> 💡 Quoted?\n\nVoorbeeld: Een.\n\nExample: en\n",
        lang="nl",
    )
    blocks = list(m.walk(b.chapters[0].blocks))
    prompts = [x for x in blocks if isinstance(x, m.Prompt)]
    assert [plain_text(p.children) for p in prompts] == ["Why?", "Really?", "Quoted?"]
    assert [p.pause for p in prompts] == [None, 12.5, None]
    examples = [x for x in blocks if isinstance(x, m.Example)]
    assert len(examples) == 1 and plain_text(examples[0].children) == "Een."
    assert isinstance(blocks[-1], m.Paragraph)  # "Example:" is not the Dutch example word


def test_example_word_is_configurable() -> None:
    b = book("## C\n\nCase: one.\n", example_word="'Case:'")
    assert isinstance(b.chapters[0].blocks[0], m.Example)


def test_raw_html_stays_text() -> None:
    b = book("## C\n\n<script>alert(1)</script>\n\nA <b>bold</b> claim.\n")
    texts = [plain_text(x.children) for x in b.chapters[0].blocks if isinstance(x, m.Paragraph)]
    assert texts == ["<script>alert(1)</script>", "A <b>bold</b> claim."]


def test_blocks_carry_source_lines() -> None:
    b = book("## C\n\nfirst\n\nsecond\nline\n")
    first, second = b.chapters[0].blocks
    # front matter is lines 1-7 (HEAD has 6 lines); the heading is line 7.
    assert (b.chapters[0].line, first.line, second.line, second.end_line) == (7, 9, 11, 12)


def test_bad_prompt_attribute_names_its_line() -> None:
    with pytest.raises(SourceError) as e:
        book("## C\n\ntext\n\n💡{pauze=3} Why?\n")
    assert str(e.value).startswith("book.md:11: prompt attributes {pauze=3} not understood")


def test_missing_front_matter() -> None:
    with pytest.raises(
        SourceError, match=r"^book.md:1: the book must start with YAML front matter"
    ):
        parse_text("# Hello\n", "book.md")


def test_bad_encoding_is_an_error_with_a_line(tmp_path: Path) -> None:
    path = tmp_path / "b.md"
    path.write_bytes(HEAD.format(lang="en").encode() + b"## C\n\ncaf\xe9\n")
    with pytest.raises(SourceError, match=r"b.md:9: is not valid UTF-8"):
        parse_file(path)


def test_footnotes_number_per_chapter() -> None:
    b = book("## A\n\nx[^1] y[^2]\n\n## B\n\nz[^2]\n\n[^1]: one\n[^2]: two\n")
    a, bb = b.chapters
    assert [(f.label, f.number) for f in a.footnotes] == [("1", 1), ("2", 2)]
    assert [(f.label, f.number) for f in bb.footnotes] == [("2", 1)]
