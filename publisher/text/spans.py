"""Cutting a block's inline content at sentence boundaries, for sentence-by-sentence markup.

The narration says a block sentence by sentence (the text that :func:`.sentences` cuts from
the block's plain text). To highlight each sentence while it is read, the XHTML needs one
element per sentence; but a sentence may start inside an emphasis and end after a link, and
XML elements cannot overlap. So the inline tree is cut at the sentence boundaries, measured
in that same plain text, and each piece is written on its own: an emphasis that crosses a
boundary becomes two, one on each side, and every other node stays as it was.

Hand-written because no library cuts this project's inline model; it is two small walks.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import assert_never

from publisher import model as m
from publisher.text.plain import plain_text
from publisher.text.sentences import HARD_BREAK


@dataclass(frozen=True, kw_only=True)
class Narration:
    """What the narration says of each block, so the writer can mark it sentence by sentence.

    ``said`` maps the id of the block an utterance belongs to (a list item for its
    paragraphs) to the sentences said for it, in order, as written (the script's
    ``display``); ``display`` turns a sentence cut from the block's text into that form.
    A sentence of the text that is not the next one said (nothing in it can be read aloud)
    gets no element: text and audio cannot drift apart, they only fail to pair.
    """

    said: Mapping[str, Sequence[str]]
    display: Callable[[str], str]
    words: Mapping[str, Sequence[Sequence[tuple[int, int]]]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    """Per block, per sentence said (as in ``said``), or per heading (and the chapter's slug
    for its title) as its one sentence: each word heard, as ``(offset, length)`` in the
    sentence as written. Each becomes a ``<span>`` inside its sentence's (:func:`word_id`)
    for a word-level overlay; a block without entries is marked sentence by sentence."""


def spoken_text(nodes: tuple[m.Inline, ...]) -> str:
    """The plain text the narration cuts into sentences (as the speech script reads it)."""
    return plain_text(nodes, line_break=HARD_BREAK)


def locate(text: str, pieces: Sequence[str]) -> list[tuple[int, int]]:
    """Where each of ``pieces`` (cut from ``text`` by the splitter, which collapses white
    space) lies in ``text``: ``(start, end)`` offsets, in order. ValueError if one is not
    there, which would mean the pieces were not cut from this text."""
    out: list[tuple[int, int]] = []
    pos = 0
    for piece in pieces:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        start = pos
        for char in piece:
            if char.isspace():
                while pos < len(text) and text[pos].isspace():
                    pos += 1
            elif pos < len(text) and text[pos] == char:
                pos += 1
            else:
                raise ValueError(f"sentence {piece!r} is not in the text at {start}")
        out.append((start, pos))
    return out


def word_id(block: str, sentence: int, number: int) -> str:
    """Id of the ``number``-th word (from 1) of the ``sentence``-th sentence said for
    ``block`` (1 for a heading or the chapter's title)."""
    return f"w_{block}_{sentence}_{number}"


def locate_words(
    text: str, shown: str, words: Sequence[tuple[int, int]]
) -> list[tuple[int, int]] | None:
    """Where the ``words`` (``(offset, length)`` in ``shown``) lie in ``text``, which
    ``shown`` was made from by leaving characters out and collapsing white space (emoji
    dropped, spaces before punctuation removed): ``(start, end)`` offsets in ``text``, or
    None if ``shown`` is not such a form of ``text``."""
    positions: list[int] = []
    pos = 0
    for char in shown:
        while pos < len(text) and not (
            text[pos] == char or (char.isspace() and text[pos].isspace())
        ):
            pos += 1
        if pos == len(text):
            return None
        positions.append(pos)
        pos += 1
    return [(positions[o], positions[o + n - 1] + 1) for o, n in words if n > 0]


def text_leaves(nodes: tuple[m.Inline, ...]) -> list[tuple[int, int]]:
    """Where each text node (text, code) of ``nodes`` lies in their plain text, in order."""
    out: list[tuple[int, int]] = []
    offset = 0

    def walk(items: tuple[m.Inline, ...]) -> None:
        nonlocal offset
        for node in items:
            if isinstance(node, m.Text | m.Code):
                out.append((offset, offset + len(node.text)))
                offset += len(node.text)
            elif isinstance(node, m.Emphasis | m.Strong | m.Link | m.Span):
                walk(node.children)
            else:
                offset += _length(node)

    walk(nodes)
    return out


def _length(node: m.Inline) -> int:
    return len(spoken_text((node,)))


def cut(nodes: tuple[m.Inline, ...], bounds: Sequence[int]) -> list[tuple[m.Inline, ...]]:
    """``nodes`` cut at the plain-text offsets ``bounds`` (increasing, inside the text):
    ``len(bounds) + 1`` pieces whose texts, joined, are the whole text.

    A node without spoken text (a footnote mark) goes with the text before it, so "sentence.¹" keeps its mark; a line break or an inline image is not cut.
    """
    edges = [0, *bounds]
    out: list[list[m.Inline]] = [[] for _ in edges]

    def holding(offset: int) -> int:
        # The piece holding the character at ``offset``.
        return bisect.bisect_right(edges, offset) - 1

    def before(offset: int) -> int:
        # The piece a zero-width node at ``offset`` joins: the one whose text ends there.
        return max(0, bisect.bisect_left(edges, offset) - 1)

    def walk(items: tuple[m.Inline, ...], offset: int) -> list[tuple[int, m.Inline]]:
        # Every piece this subtree falls into, as (piece, node cut to it).
        parts: list[tuple[int, m.Inline]] = []
        for node in items:
            size = _length(node)
            parts += split(node, offset, size)
            offset += size
        return parts

    def split(node: m.Inline, offset: int, size: int) -> list[tuple[int, m.Inline]]:
        if size == 0:
            return [(before(offset), node)]
        match node:
            case m.Text() | m.Code():
                parts: list[tuple[int, m.Inline]] = []
                for i in range(holding(offset), holding(offset + size - 1) + 1):
                    lo = max(edges[i], offset) - offset
                    hi = min(edges[i + 1], offset + size) if i + 1 < len(edges) else offset + size
                    parts.append((i, dataclasses.replace(node, text=node.text[lo : hi - offset])))
                return parts
            case m.Emphasis() | m.Strong() | m.Link() | m.Span():
                grouped: dict[int, list[m.Inline]] = {}
                for i, child in walk(node.children, offset):
                    grouped.setdefault(i, []).append(child)
                return [
                    (i, dataclasses.replace(node, children=tuple(kids)))
                    for i, kids in grouped.items()
                ]
            case m.LineBreak() | m.InlineImage() | m.FootnoteRef():
                return [(holding(offset), node)]
            case _:
                assert_never(node)

    for index, node in walk(nodes, 0):
        out[index].append(node)
    return [tuple(piece) for piece in out]
