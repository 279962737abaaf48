"""One chapter's media overlay (SMIL 3.0, EPUB 3 Media Overlays), from its timing file.

Each piece said becomes a ``<par>``: a ``<text>`` pointing at what is written (a sentence's
span, a heading, a table row, a figure, a footnote) and an ``<audio>`` clip of the chapter's
MP3. The pieces of a table or a list sit in a ``<seq>`` named after it, so a reader can skip
it (escapability); footnotes' pars are marked so a reader can skip them (skippability).

Note references get no par of their own. The narration does not say them: a mark stays in
the sentence it follows (so it is highlighted with that sentence), and the note itself is
read at the chapter's end, where its par is marked ``footnote``. A par for the mark would
have nothing honest to play: without ``<audio>``, reading systems fall back to their own
text-to-speech (Thorium does), which would read "1" in another voice; a clip cut from the
silence after the sentence would pair the mark with nothing said. Skipping it would skip
nothing, so there is nothing to mark ``noteref``.

Meant pauses (a prompt's, a ``{pause=N}`` block's) run on in the clip said before them.

Word by word. Where the timing file has a sentence's words (and ``narration.readalong`` is
``word``), its par becomes a ``<seq>`` pointing at the sentence, holding a par per word
(pointing at the word's span): a reading system highlights each word as it is said, and can
still move sentence by sentence (a seq per sentence). The word clips follow each other
without a gap, from the sentence's start to its end (the first starts with the sentence, each
ends where the next begins), so the listener hears what the sentence-level overlay plays.
The title and headings are marked word by word too; an image's description, a table row,
a footnote and the prompt's lead-in are said over text they do not follow word for word
(the description is not on the page; a row is read with its column's header) and stay
whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from publisher import model as m
from publisher import outputs
from publisher.errors import BuildError
from publisher.renderers.epub.xhtml import TITLE_ID
from publisher.speech.script import ChapterScript, Utterance
from publisher.speech.timing import TimedUtterance, TimingFile
from publisher.text import attr
from publisher.text.spans import spoken_text, word_id
from publisher.text.xhtml import element_id, label_id, sentence_id

_SPEAKABLE = re.compile(r"\w")


@dataclass(frozen=True, kw_only=True)
class Word:
    """One word of a par said word by word: its span, and when its clip begins (it ends
    where the next word's begins, the last where the par ends)."""

    fragment: str
    begin_ms: int


@dataclass(frozen=True, kw_only=True)
class Par:
    """One piece said: where it is written (a fragment of the chapter) and when it is said;
    ``words``, when it is said word by word."""

    fragment: str
    begin_ms: int
    end_ms: int
    kind: str = ""  # epub:type of the par ("footnote" marks it skippable)
    container: tuple[str, str] | None = None  # (epub:type, fragment) of its table or list
    words: tuple[Word, ...] = ()


WORD_KINDS = frozenset({"title", "heading", "paragraph", "prompt", "example", "list-item", "quote"})
"""The utterances a word-level overlay follows word by word (module docstring)."""


def clock(ms: int) -> str:
    """A SMIL full clock value: ``h:mm:ss.fff``."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _containers(blocks: tuple[m.Block, ...]) -> dict[str, tuple[str, str]]:
    """Block id → (epub:type, element id) of the outermost table or list it is part of."""
    out: dict[str, tuple[str, str]] = {}
    for block in blocks:
        if isinstance(block, m.Table):
            out[block.id] = ("table", element_id(block.id))
        elif isinstance(block, m.ListBlock):
            outer = ("list", element_id(block.id))
            for inner in m.walk((block,)):
                out[inner.id] = outer
        elif isinstance(block, m.Quote):
            out.update(_containers(block.blocks))
    return out


def _said_rows(table: m.Table) -> list[int]:
    """The body rows (from 1) that the narration reads: those with words in them."""
    return [
        i
        for i, row in enumerate(table.rows, start=1)
        if any(_SPEAKABLE.search(spoken_text(c.children)) for c in row)
    ]


def _words(u: TimedUtterance, block: str, sentence: int, marked: set[str]) -> tuple[Word, ...]:
    """The word clips of ``u`` (the ``sentence``-th said for ``block``) whose spans the
    XHTML has: a word without one is heard in the clip of the word before it."""
    out: list[Word] = []
    for n, word in enumerate(u.words, start=1):
        fragment = word_id(block, sentence, n)
        if fragment in marked:
            out.append(Word(fragment=fragment, begin_ms=u.start_ms if not out else word.start_ms))
    return tuple(out)


@dataclass(frozen=True, kw_only=True)
class _Written:
    """Where each piece said is written in a chapter's XHTML (``marked``: the sentence and
    word ids it has)."""

    chapter: m.Chapter
    script: ChapterScript
    marked: set[str]
    blocks: dict[str, m.Block]
    notes: dict[str, m.Footnote]

    def fragment(self, said: Utterance, u: TimedUtterance, count: int) -> str:
        """The fragment of ``u`` (said as ``said``), the ``count``-th piece of its block."""
        block, kind = u.block, u.kind
        if kind == "lead-in":
            return label_id(block)  # "Reflectievraag.": the prompt's visible label
        if kind == "title":
            return TITLE_ID
        if kind == "heading":
            heading = self.blocks[block]
            assert isinstance(heading, m.Heading)
            return heading.anchor
        if kind == "footnote":
            return f"fn-{self.notes[block].number}"
        if kind == "image":
            return element_id(block)
        if kind == "table":
            table = self.blocks[block]
            assert isinstance(table, m.Table)
            rows = _said_rows(table)
            row = rows[count - 1] if len(rows) == count_of(self.script, block) else None
            return element_id(block, row)
        fragment = sentence_id(block, count - _lead_ins(self.script, block))
        if fragment not in self.marked:
            raise BuildError(
                f"{self.chapter.path}:{said.line}: narrated-epub: the sentence "
                f"{said.display!r} is said but not found in the text"
            )
        return fragment


def pars(
    chapter: m.Chapter,
    script: ChapterScript,
    timing: TimingFile,
    marked: set[str],
    by_word: bool = False,
) -> list[Par]:
    """The chapter's pars in reading order (``marked``: the sentence and word ids its XHTML
    has); with ``by_word``, word by word where the timing file has the words."""
    written = _Written(
        chapter=chapter,
        script=script,
        marked=marked,
        blocks={b.id: b for b in m.walk(chapter.blocks)},
        notes={n.id: n for n in chapter.footnotes},
    )
    containers = _containers(chapter.blocks)
    counts: dict[str, int] = {}
    out: list[Par] = []
    last: dict[str, int] = {}  # block id → index of its last par
    for said, u in zip(script.utterances, timing.utterances, strict=True):
        block, kind = u.block, u.kind
        count = counts[block] = counts.get(block, 0) + 1
        fragment = written.fragment(said, u, count)
        if kind in ("image", "footnote") and out and last.get(block) == len(out) - 1:
            out[-1] = replace(out[-1], end_ms=u.end_ms)  # one clip for the whole description
            continue
        last[block] = len(out)
        words: tuple[Word, ...] = ()
        if by_word and kind in WORD_KINDS:
            sentence = 1 if kind in ("title", "heading") else count - _lead_ins(script, block)
            words = _words(u, block, sentence, marked)
        out.append(
            Par(
                fragment=fragment,
                begin_ms=u.start_ms,
                end_ms=u.end_ms,
                kind="footnote" if kind == "footnote" else "",
                container=containers.get(block),
                words=words,
            )
        )
    _hold_meant_pauses(out, timing, last)
    return out


def _hold_meant_pauses(out: list[Par], timing: TimingFile, last: dict[str, int]) -> None:
    """Stretch the clip before each meant pause (a prompt's, a ``{pause=N}`` block's) over
    it: a reading system skips what lies between clips, and this pause is meant to be heard.
    ``last``: block id → index in ``out`` of its last par."""
    for pause in timing.pauses:
        index = last.get(pause.after) if pause.kind == "prompt" else None
        if pause.kind == "pause":
            # A {pause=N} block has no text of its own to point at: its pause belongs to the
            # clip said before it (the last one that ends by its start).
            index = _clip_before(out, pause.start_ms)
        if index is not None:
            out[index] = replace(out[index], end_ms=max(out[index].end_ms, pause.end_ms))


def _clip_before(items: Sequence[Par], ms: int) -> int | None:
    """Index of the last par that ends by ``ms``, or None if none does."""
    ends = [i for i, par in enumerate(items) if par.end_ms <= ms]
    return max(ends, key=lambda i: (items[i].end_ms, i)) if ends else None


def count_of(script: ChapterScript, block: str) -> int:
    """How many utterances ``block`` has in ``script``."""
    return sum(1 for u in script.utterances if u.block == block)


def _lead_ins(script: ChapterScript, block: str) -> int:
    return sum(1 for u in script.utterances if u.block == block and u.kind == "lead-in")


def document(slug: str, items: Sequence[Par], audio: str | None = None) -> str:
    """The SMIL document of chapter ``slug`` (it lives in ``smil/``, the chapter in ``text/``);
    ``audio``: the path in the package of the sound it plays (default: the chapter's MP3)."""
    text = f"../text/{slug}.xhtml"
    # The narrated EPUB lays its audio out as the build does.
    audio = f"../{audio or outputs.mp3(slug)}"
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<smil xmlns="http://www.w3.org/ns/SMIL" xmlns:epub="http://www.idpf.org/2007/ops"'
        ' version="3.0">',
        f'<body epub:textref="{attr(text)}">',
    ]
    open_container: tuple[str, str] | None = None
    number = 0  # of the pars written, for their ids
    for par in items:
        if par.container != open_container:
            if open_container is not None:
                lines.append("</seq>")
            if par.container is not None:
                kind, fragment = par.container
                lines.append(f'<seq epub:type="{kind}" epub:textref="{attr(text)}#{fragment}">')
            open_container = par.container
        kind = f' epub:type="{par.kind}"' if par.kind else ""
        if not par.words:
            number += 1
            lines.append(_par(number, kind, text, par.fragment, audio, par.begin_ms, par.end_ms))
            continue
        lines.append(f'<seq{kind} epub:textref="{attr(text)}#{attr(par.fragment)}">')
        ends = [w.begin_ms for w in par.words[1:]] + [par.end_ms]
        for word, end in zip(par.words, ends, strict=True):
            number += 1
            lines.append(_par(number, "", text, word.fragment, audio, word.begin_ms, end))
        lines.append("</seq>")
    if open_container is not None:
        lines.append("</seq>")
    lines += ["</body>", "</smil>", ""]
    return "\n".join(lines)


def _par(number: int, kind: str, text: str, fragment: str, audio: str, begin: int, end: int) -> str:
    """One ``<par>``: the text at ``fragment`` and its clip from ``begin`` to ``end`` ms."""
    return (
        f'<par id="par{number}"{kind}><text src="{attr(text)}#{attr(fragment)}"/>'
        f'<audio src="{attr(audio)}" clipBegin="{clock(begin)}" clipEnd="{clock(end)}"/></par>'
    )
