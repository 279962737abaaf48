"""The book's content as plain text: what a reader sees, without markup.

One walker serves every output that needs words rather than markup: titles and labels,
heading slugs, alt text, an episode's description, and what the narrator reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import assert_never

from publisher import model as m

_SPACES = re.compile(r"\s+")


def plain_text(
    inlines: tuple[m.Inline, ...],
    *,
    line_break: str = "\n",
    span: Callable[[str, str], str] | None = None,
) -> str:
    """The text a reader sees, without markup, link targets or footnote markers.

    ``line_break`` stands for a hard line break (speech uses one that ends a sentence).
    ``span(lang, text)``, if given, writes the text of a span marked as another language
    (speech marks it for another voice).
    """
    out: list[str] = []

    def inner(children: tuple[m.Inline, ...]) -> str:
        return plain_text(children, line_break=line_break, span=span)

    for node in inlines:
        match node:
            case m.Text() | m.Code():
                out.append(node.text)
            case m.Emphasis() | m.Strong():
                out.append(inner(node.children))
            case m.Span():
                text = inner(node.children)
                out.append(span(node.lang, text) if span is not None else text)
            case m.Link():
                out.append(inner(node.children))
            case m.LineBreak():
                out.append(line_break)
            case m.InlineImage():
                out.append(node.alt)
            case m.FootnoteRef():
                pass  # the mark is a pointer to other text, not text
            case _:
                assert_never(node)
    return "".join(out)


def collapse(text: str) -> str:
    """``text`` with every run of white space made one space, trimmed."""
    return _SPACES.sub(" ", text).strip()


def block_text(block: m.Block, keep: Callable[[m.Block], bool] = lambda block: True) -> str:
    """A block as plain text on one line; a list has one line per item, each after "• ".

    Blocks for which ``keep`` is False, and the blocks inside them, give no text.
    """
    if not keep(block):
        return ""

    def inner(blocks: tuple[m.Block, ...]) -> str:
        return collapse(" ".join(block_text(b, keep) for b in blocks))

    match block:
        case m.Heading() | m.Paragraph() | m.Prompt():
            return collapse(plain_text(block.children))
        case m.Example():
            return collapse(f"{block.label} {plain_text(block.children)}")
        case m.Quote() | m.ListItem() | m.Footnote():
            return inner(block.blocks)
        case m.ListBlock():
            return "\n".join("• " + inner(item.blocks) for item in block.items if keep(item))
        case m.CodeBlock():
            return collapse(block.text)
        case m.ThematicBreak() | m.Pause():
            return ""
        case m.Image():
            return collapse(block.alt)
        case m.Table():
            rows = (block.header, *block.rows)
            return collapse(" ".join(plain_text(c.children) for row in rows for c in row))
        case _:
            assert_never(block)
