"""What a podcast episode says about its chapter: the chapter's opening as plain text and HTML.

The opening is chosen here; its blocks are written by :mod:`publisher.text`, the same writer
as the EPUB's, in a plainer style (podcast apps show a small subset of HTML). Every string
that goes into the feed passes :func:`publisher.text.xml_safe` first.
"""

from __future__ import annotations

from typing import assert_never

from publisher import model as m
from publisher.text import Style, XhtmlWriter, block_text, collapse, xml_safe

# How much of a chapter's opening an episode shows: podcast apps show a few lines in a list
# and the whole text on the episode's page.
DESCRIPTION_CHARS = 500
OPENING_CHARS = 1200


def in_notes(block: m.Block) -> bool:
    """Whether show notes show ``block`` (at the top of the opening or inside another)."""
    match block:
        case m.Paragraph() | m.Prompt() | m.Example() | m.Quote() | m.CodeBlock():
            return True
        case m.ListBlock() | m.ListItem():
            return True
        case m.Heading():
            return False  # the opening ends at the first heading; the episode has a title
        case m.Image():
            return False  # images live in the EPUB; a feed cannot point into it
        case m.Table():
            return False  # podcast apps lay tables out badly, if at all
        case m.ThematicBreak() | m.Pause():
            return False  # a scene break or a pause means nothing in a few lines of notes
        case m.Footnote():
            return False  # footnotes are not in the notes, and neither are their marks
        case _:
            assert_never(block)


NOTES_STYLE = Style(newline="", footnote_refs=False, details=False, keep=in_notes)
"""Show notes' HTML: compact, no asides, images, in-book links or footnote marks."""


def one_line(text: str) -> str:
    """``text`` on one line: XML-safe, runs of white space collapsed, trimmed (for titles)."""
    return collapse(xml_safe(text))


def opening(chapter: m.Chapter, limit: int = OPENING_CHARS) -> tuple[m.Block, ...]:
    """The blocks that open ``chapter``: text before its first heading, at least one block,
    and no more once ``limit`` characters of text are reached."""
    out: list[m.Block] = []
    length = 0
    for block in chapter.blocks:
        if isinstance(block, m.Heading):
            if out:
                break
            continue
        text = block_text(block, in_notes).strip()
        if not text:
            continue
        if out and length + len(text) > limit:
            break
        out.append(block)
        length += len(text)
    return tuple(out)


def opening_text(chapter: m.Chapter, limit: int = DESCRIPTION_CHARS) -> str:
    """The chapter's opening as plain text, cut at a word near ``limit`` characters."""
    paragraphs = [block_text(b, in_notes) for b in opening(chapter)]
    text = xml_safe("\n\n".join(p for p in paragraphs if p))
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" \n,;:—–-") + "…"


def notes_html(chapter: m.Chapter, blocks: tuple[m.Block, ...]) -> str:
    """``blocks`` of ``chapter`` as show-notes HTML, one top-level block per line."""
    writer = XhtmlWriter(style=NOTES_STYLE, path=chapter.path, line=chapter.line)
    return xml_safe("\n".join(writer.block(b) for b in blocks if NOTES_STYLE.keep(b)))


def opening_html(chapter: m.Chapter) -> str:
    """The chapter's opening as HTML for ``content:encoded``."""
    return notes_html(chapter, opening(chapter))
