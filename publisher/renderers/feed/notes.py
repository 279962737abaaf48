"""What a podcast episode says about its chapter: the chapter's opening as plain text and HTML,
then every prompt of the chapter under its label ("Reflectievraag"), wherever it is.

The opening is chosen here (a question-and-answer chapter keeps each question with its
answer); its blocks are written by :mod:`publisher.text`, the same writer
as the EPUB's, in a plainer style (podcast apps show a small subset of HTML). Every string
that goes into the feed passes :func:`publisher.text.xml_safe` first.
"""

from __future__ import annotations

import itertools
from typing import assert_never

from publisher import model as m
from publisher.i18n import Words
from publisher.text import Style, XhtmlWriter, block_text, collapse, plain_text, xml_safe

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


def in_opening(block: m.Block) -> bool:
    """Whether the opening shows ``block`` where it is: a prompt is not shown inside a list
    or quotation, since the notes list every prompt after the opening."""
    return in_notes(block) and not isinstance(block, m.Prompt)


def notes_style(words: Words) -> Style:
    """Show notes' HTML: compact, no asides, images, in-book links or footnote marks; a
    prompt is a paragraph that starts with its label in bold."""
    return Style(
        words=words, asides=False, newline="", footnote_refs=False, details=False, keep=in_opening
    )


def one_line(text: str) -> str:
    """``text`` on one line: XML-safe, runs of white space collapsed, trimmed (for titles)."""
    return collapse(xml_safe(text))


def is_question(block: m.Block) -> bool:
    """Whether ``block`` asks what the blocks after it answer: a heading, or a paragraph
    that is all bold (the two ways a question-and-answer chapter marks its questions)."""
    if isinstance(block, m.Heading):
        return True
    if not isinstance(block, m.Paragraph):
        return False
    shown = [n for n in block.children if not (isinstance(n, m.Text) and not n.text.strip())]
    return bool(shown) and all(isinstance(n, m.Strong) for n in shown)


def _size(block: m.Block) -> int:
    if isinstance(block, m.Heading):
        return len(collapse(plain_text(block.children)))
    return len(block_text(block, in_opening).strip())


def _units(blocks: list[m.Block]) -> list[list[m.Block]]:
    """``blocks`` in groups a cut may not split: a question (heading or bold paragraph) with
    the blocks that answer it. A question nothing answers is left out."""
    units: list[list[m.Block]] = []
    for block in blocks:
        if not units or is_question(block) or not is_question(units[-1][-1]):
            units.append([block])
        else:
            units[-1].append(block)
    return [u for u in units if not all(is_question(b) for b in u)]


def opening(chapter: m.Chapter, limit: int = OPENING_CHARS) -> tuple[m.Block, ...]:
    """The blocks that open ``chapter``: the text before its first heading, or, when the
    chapter starts with a heading (a question-and-answer chapter), its first sections with
    their headings; no more once ``limit`` characters of text are reached, but at least one
    question with its answer. Prompts are not part of it (:func:`prompts` lists them all)."""
    shown = [b for b in chapter.blocks if isinstance(b, m.Heading) or (in_opening(b) and _size(b))]
    intro = list(itertools.takewhile(lambda b: not isinstance(b, m.Heading), shown))
    out: list[m.Block] = []
    length = 0
    for unit in _units(intro or shown):
        size = sum(_size(b) for b in unit)
        if out and length + size > limit:
            break
        out += unit
        length += size
    return tuple(out)


def prompts(chapter: m.Chapter) -> tuple[m.Prompt, ...]:
    """Every prompt of ``chapter``, wherever it is (in a later section, in a list)."""
    return tuple(b for b in m.walk(chapter.blocks) if isinstance(b, m.Prompt))


def opening_text(chapter: m.Chapter, words: Words, limit: int = DESCRIPTION_CHARS) -> str:
    """The chapter's opening and its prompts (each after its label, ``words.prompt``) as
    plain text, cut at a word near ``limit`` characters."""
    label = words.prompt
    paragraphs = [
        collapse(plain_text(b.children)) if isinstance(b, m.Heading) else block_text(b, in_opening)
        for b in opening(chapter)
    ]
    paragraphs += [f"{label}: {block_text(p)}" for p in prompts(chapter)]
    text = xml_safe("\n\n".join(p for p in paragraphs if p))
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" \n,;:—–-") + "…"


def notes_html(chapter: m.Chapter, blocks: tuple[m.Block, ...], style: Style) -> str:
    """``blocks`` of ``chapter`` as show-notes HTML (one top-level block per line in a
    compact ``style``), leaving out those :func:`in_notes` does not show; a heading (a
    question, in a question-and-answer chapter) is a bold paragraph."""
    writer = XhtmlWriter(style=style, path=chapter.path, line=chapter.line)
    out = []
    for block in blocks:
        if isinstance(block, m.Heading):
            out.append(f"<p><strong>{writer.inlines(block.children)}</strong></p>{style.newline}")
        elif in_notes(block):
            out.append(writer.block(block))
    return xml_safe("".join(out) if style.newline else "\n".join(out))


def opening_html(chapter: m.Chapter, words: Words) -> str:
    """The chapter's show notes for ``content:encoded``: its opening, then every prompt of
    the chapter, each starting with its label."""
    return notes_html(chapter, opening(chapter) + prompts(chapter), notes_style(words))
