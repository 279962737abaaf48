"""The importer's Markdown writer: whatever the text, the parser reads back the same words
and the same kind of block (generated text, every character CommonMark treats as markup)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from publisher import model as m
from publisher.authoring.importer.document import Grid, Heading, ItemList, Para
from publisher.authoring.importer.markdown import write_blocks
from publisher.reader.parse import parse_text
from publisher.text.plain import plain_text

FRONT = "---\ntitle: T\nauthor: A\nlanguage: en\nidentifier: x\n---\n\n# T\n\n## Chapter\n\n"
# Markup characters, line starts that open blocks, entities, ordinary letters, and
# publisher's own attribute lists (a pause, a voice, a heading's id, a span's language),
# which in an imported text are text.
ATTRIBUTE_LISTS = ["{pause=5}", "{pause=9999}", "{voice=x}", "{#a}", "{: #a}", "{-}", "{.c}"]
ALPHABET = st.sampled_from(
    [
        *list("ab Z09#>-+*_`[]()<>!&;|\\{}=~.:'\""),
        *ATTRIBUTE_LISTS,
        "]{lang=ru}",
        "&amp;",
        "1.",
        "- ",
        "# ",
        "é",
        "💡",
    ]
)
TEXT = (
    st.lists(ALPHABET, min_size=1, max_size=30)
    .map("".join)
    .filter(lambda s: s.strip() and not s.strip().startswith("💡"))
)


def _read_back(blocks: list[Para | Heading | ItemList | Grid]) -> tuple[m.Block, ...]:
    text = FRONT + "\n".join(write_blocks(blocks).lines) + "\n"
    [chapter] = parse_text(text, "b.md").book.chapters
    return chapter.blocks


def _words(inlines: tuple[m.Inline, ...]) -> str:
    return " ".join(plain_text(inlines).split())


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_a_paragraph_comes_back_as_written(text: str) -> None:
    [block] = _read_back([Para(inlines=(m.Text(text=text),))])
    assert isinstance(block, m.Paragraph)
    assert _words(block.children) == " ".join(text.split())


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_a_heading_comes_back_as_written(text: str) -> None:
    [block] = _read_back([Heading(level=3, inlines=(m.Text(text=text),))])
    assert isinstance(block, m.Heading) and block.level == 3
    assert _words(block.children) == " ".join(text.split())


@settings(max_examples=150, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=4), TEXT, st.booleans())
def test_list_items_with_bold_and_breaks_come_back(
    items: list[str], tail: str, ordered: bool
) -> None:
    made = tuple(
        (Para(inlines=(m.Strong(children=(m.Text(text=t),)), m.LineBreak(), m.Text(text=tail))),)
        for t in items
    )
    [block] = _read_back([ItemList(ordered=ordered, start=3, items=made)])
    assert isinstance(block, m.ListBlock) and block.ordered == ordered
    assert len(block.items) == len(items)
    for item, text in zip(block.items, items, strict=True):
        [para] = item.blocks
        assert isinstance(para, m.Paragraph)
        # markdown-it leaves empty text around emphasis: not the writer's doing
        children = [c for c in para.children if c != m.Text(text="")]
        strong, br = children[0], children[1]
        assert isinstance(strong, m.Strong) and isinstance(br, m.LineBreak)
        assert _words(strong.children) == " ".join(text.split())
        assert _words(tuple(children[2:])) == " ".join(tail.split())


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(ATTRIBUTE_LISTS), TEXT)
def test_a_prompt_keeps_braces_after_its_glyph_as_text(attrs: str, text: str) -> None:
    [block] = _read_back([Para(inlines=(m.Text(text=f"💡{attrs} {text}"),))])
    assert isinstance(block, m.Prompt) and block.pause is None
    assert _words(block.children) == " ".join(f"{attrs} {text}".split())


@settings(max_examples=100, deadline=None)
@given(TEXT, TEXT)
def test_a_line_break_in_a_heading_or_a_table_cell_is_a_space(first: str, second: str) -> None:
    # Word's Shift+Enter in a heading, a break in a table cell: Markdown has no second line
    # there (the heading's second line was a paragraph, and the cell showed a backslash).
    broken = (m.Text(text=first), m.LineBreak(), m.Text(text=second))
    both = " ".join(f"{first} {second}".split())
    [heading] = _read_back([Heading(level=3, inlines=broken)])
    assert isinstance(heading, m.Heading) and _words(heading.children) == both
    [table] = _read_back([Grid(header=(broken, (m.Text(text="b"),)), rows=((broken, ()),))])
    assert isinstance(table, m.Table)
    assert _words(table.header[0].children) == _words(table.rows[0][0].children) == both
