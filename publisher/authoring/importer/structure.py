"""The rules that find a book's structure in a :class:`~.document.Document`, whatever format
it was read from: the title, chapters and their sections, prompts and examples, quotes,
lists, questions and answers, and the web page's leftovers.

Plain text knows no headings: a heading is a short line without closing punctuation between
paragraphs (:func:`.shapes.heading_like`). Headings a word processor or a web page marked
keep their levels. Every guess leaves a note on its block for the author to check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from publisher import model as m
from publisher.authoring.importer import leftovers, shapes
from publisher.authoring.importer.document import (
    Block,
    BlockQuote,
    Document,
    Heading,
    ItemList,
    Para,
    notes_in,
)
from publisher.authoring.importer.frontmatter import one_line
from publisher.reader.blocks import PROMPT_GLYPH
from publisher.text.plain import plain_text

CHAPTER = 2
"""The level chapters are written at; the title is level 1."""
_TEASERS = "looks like a web page's teasers for other articles; their links were lost"
_SIGNATURE = "looks like a signature from the web page; keep it or delete it"
# Two sentences run together where a web page's blocks met ("vergroten.De Kracht"): a word
# of lower-case letters, its full stop, and a capitalised word with no space between.
_RUN_ON = re.compile(r"(?<=[a-zà-ÿ]{3}[.!?])(?=[A-ZÀ-Þ][a-zà-ÿ])")


@dataclass(frozen=True, kw_only=True)
class Found:
    """What the structure finder made of a document."""

    title: str
    subtitle: str | None
    author: str | None
    title_notes: tuple[str, ...] = ()
    author_note: str | None = None
    blocks: tuple[Block, ...] = ()


def find_structure(doc: Document, example_word: str, fallback_title: str) -> Found:
    """The book in ``doc``: its title (or ``fallback_title``), author and blocks, with level
    1 the title and :data:`CHAPTER` the chapters."""
    blocks, ran_on = _split_run_ons(_drop_empty(list(doc.blocks)))
    blocks = [_unwrap_label(b, example_word) for b in blocks]
    title, title_notes, blocks, ran_on = _title(doc, blocks, ran_on, fallback_title)
    title = one_line(title) or fallback_title  # a title field of control characters alone
    reader = _Reader(blocks=blocks, ran_on=ran_on, word=example_word)
    body = reader.read()
    subtitle = doc.subtitle
    line = " ".join(title.split())
    if subtitle is None and ": " in line:
        line, subtitle = (part.strip() for part in line.split(": ", 1))
    author, author_note = doc.author, None
    if author is None and reader.signed_by is not None:
        author = reader.signed_by
        author_note = f"took the author from the signature ('{author}')"
    heading = Heading(level=1, inlines=(m.Text(text=" ".join(title.split())),), notes=title_notes)
    return Found(
        title=line,
        subtitle=subtitle,
        author=author,
        author_note=author_note,
        title_notes=title_notes,
        blocks=(heading, *body),
    )


def _drop_empty(blocks: list[Block]) -> list[Block]:
    """The blocks without paragraphs and headings left empty (an image that was left out,
    an empty line in a heading style: a book has no empty heading), also inside quotes and
    list items; their notes go to the next block, or the last. A quote left empty goes too."""
    out: list[Block] = []
    pending: tuple[str, ...] = ()
    for block in blocks:
        if isinstance(block, BlockQuote):
            kept = _drop_empty(list(block.blocks))
            lost = () if kept else notes_in(block.blocks)
            block = replace(block, blocks=tuple(kept), notes=block.notes + lost)
        elif isinstance(block, ItemList):
            items = [_drop_empty(list(item)) for item in block.items]
            pairs = zip(block.items, items, strict=True)
            lost = tuple(n for old, new in pairs if not new for n in notes_in(old))
            block = replace(block, items=tuple(map(tuple, items)), notes=block.notes + lost)
        if isinstance(block, BlockQuote) and not block.blocks:
            empty = True
        else:
            empty = isinstance(block, Para | Heading) and not plain_text(block.inlines).strip()
        if empty:
            pending += block.notes
            continue
        out.append(replace(block, notes=pending + block.notes) if pending else block)
        pending = ()
    if pending and out:
        out[-1] = replace(out[-1], notes=out[-1].notes + pending)
    return out


def _split_run_ons(blocks: list[Block]) -> tuple[list[Block], set[int]]:
    """Paragraphs that ran together split apart; the set holds the index of each first part."""
    out: list[Block] = []
    ran_on: set[int] = set()
    for block in blocks:
        parts = _run_on_parts(block) if isinstance(block, Para) else [block]
        for i, part in enumerate(parts):
            if i < len(parts) - 1:
                ran_on.add(len(out))
            out.append(part)
    return out, ran_on


def _run_on_parts(para: Para) -> list[Block]:
    if len(para.inlines) != 1 or not isinstance(para.inlines[0], m.Text):
        return [para]
    pieces = _RUN_ON.split(para.inlines[0].text)
    # An address is no run-on ("www.Example.com", "a.b@Example.org").
    if len(pieces) == 1 or any(re.search(r"\S*[/@]\S*$|www\.$", p) for p in pieces[:-1]):
        return [para]
    return [Para(inlines=(m.Text(text=p.strip()),), notes=para.notes) for p in pieces]


def _unwrap_label(block: Block, word: str) -> Block:
    """A prompt or example whose 💡 or example word is in bold (as word processors have it)
    with the glyph or word as plain text, the way the parser recognises them."""
    if not isinstance(block, Para) or not block.inlines:
        return block
    first, rest = block.inlines[0], block.inlines[1:]
    if isinstance(first, m.Text):
        stripped = first.text.lstrip()
        return replace(block, inlines=(m.Text(text=stripped), *rest)) if stripped else block
    if not isinstance(first, m.Strong | m.Emphasis):
        return block
    label = plain_text(first.children).strip()
    if not (label.startswith(PROMPT_GLYPH) or label.lower().startswith(word.lower())):
        return block
    after = rest[0] if rest and isinstance(rest[0], m.Text) else None
    glued = label + (after.text if after else " ")
    tail = rest[1:] if after else rest
    return replace(block, inlines=(m.Text(text=glued), *tail))


def _title(
    doc: Document, blocks: list[Block], ran_on: set[int], fallback: str
) -> tuple[str, tuple[str, ...], list[Block], set[int]]:
    """The book's title and the blocks after it: the file's own title (Word's Title style),
    else the first block if it is a heading above all others or a heading-like line, else
    ``fallback``."""
    first = blocks[0] if blocks else None
    first_line = (
        shapes.text(Para(inlines=first.inlines)) if isinstance(first, Para | Heading) else None
    )
    rest, shifted = blocks[1:], {i - 1 for i in ran_on if i > 0}
    if doc.title:
        if first_line == " ".join(doc.title.split()):
            return doc.title, (), rest, shifted  # the title repeated as the first line
        return doc.title, (), blocks, ran_on
    levels = [b.level for b in rest if isinstance(b, Heading)]
    if isinstance(first, Heading) and all(level > first.level for level in levels):
        return shapes.text(Para(inlines=first.inlines)), (), rest, shifted
    if isinstance(first, Para) and shapes.one_line(first) and shapes.heading_like(first_line or ""):
        return shapes.text(first), ("took the first line as the book's title",), rest, shifted
    return fallback, ("the text has no title line: the file's name stands in",), blocks, ran_on


@dataclass(kw_only=True)
class _Reader:
    """One pass over the blocks after the title, in order, remembering the chapter it is in."""

    blocks: list[Block]
    ran_on: set[int]
    word: str
    out: list[Block] = field(default_factory=list)
    signed_by: str | None = None
    faq: bool = False  # the current chapter holds questions and answers
    teasers: bool = False  # the current chapter holds teasers for other articles
    explicit: bool = False  # the document marks its own headings
    section: int = CHAPTER + 1  # the level of a section in the current chapter

    def read(self) -> list[Block]:
        levels = [b.level for b in self.blocks if isinstance(b, Heading)]
        self.explicit = bool(levels)
        top = min(levels, default=CHAPTER)
        i = 0
        while i < len(self.blocks):
            block = self.blocks[i]
            if isinstance(block, Heading):
                level = min(6, CHAPTER + block.level - top)
                self._heading(replace(block, level=level))
                i += 1
            elif isinstance(block, Para):
                i = self._para(i, block)
            else:
                if isinstance(block, ItemList) and self.teasers:
                    self.teasers = False
                    block = replace(block, notes=(*block.notes, _TEASERS))
                self.out.append(block)
                i += 1
        return self.out

    # -- helpers ------------------------------------------------------------------------------

    def _para_at(self, i: int) -> Para | None:
        block = self.blocks[i] if 0 <= i < len(self.blocks) else None
        return block if isinstance(block, Para) else None

    def _line_at(self, i: int) -> str | None:
        para = self._para_at(i)
        return shapes.text(para) if para is not None and shapes.one_line(para) else None

    def _heading(self, heading: Heading) -> None:
        line = shapes.text(Para(inlines=heading.inlines))
        if heading.level <= CHAPTER:
            self.faq, self.teasers = leftovers.faq_heading(line), leftovers.teaser_heading(line)
            self.section = heading.level + 1
        self.out.append(heading)

    def _text_para(self, para: Para, i: int) -> None:
        notes = list(para.notes) + leftovers.notes(shapes.text(para))
        if i in self.ran_on:
            notes.append("this line ran into the next on the web page; split here")
        self.out.append(replace(para, notes=tuple(notes)))

    # -- paragraphs ---------------------------------------------------------------------------

    def _para(self, i: int, para: Para) -> int:
        line = shapes.text(para)
        single = shapes.one_line(para)
        if shapes.is_prompt(para) or shapes.is_example(para, self.word):
            self._text_para(para, i)
            return i + 1
        if single and shapes.quoted(line):
            self.out.append(BlockQuote(blocks=(para,)))
            return i + 1
        if single and leftovers.greeting(line):
            return self._signature(i, para)
        if not single and _signed(para) is not None:
            self.signed_by = _signed(para)
            self.out.append(replace(para, notes=(*para.notes, _SIGNATURE)))
            return i + 1
        if single and shapes.marker(line):
            return self._marked(i)
        if single and self._question(i, line):
            note = "took the question as the heading of a question-and-answer section"
            self.out.append(Heading(level=self.section, inlines=para.inlines, notes=(note,)))
            return i + 1
        if single and self.teasers and shapes.heading_like(line) and self._para_at(i + 1):
            return self._teasers(i)
        if single and _label_line(line, self.word) and _label_line(self._line_at(i + 1), self.word):
            return self._labels(i)
        if single and self._heading_line(i, line):
            level = self.section if self.explicit else CHAPTER
            what = "chapter" if level == CHAPTER else "section"
            note = f"took this line as a {what} heading (a short line without closing punctuation)"
            self._heading(Heading(level=level, inlines=para.inlines, notes=(note,)))
            return i + 1
        self._text_para(para, i)
        return i + 1

    def _heading_line(self, i: int, line: str) -> bool:
        """A heading-like line with a paragraph after it that is not another such line."""
        if not (shapes.heading_like(line) or leftovers.teaser_heading(line)):
            return False
        after = self._para_at(i + 1)
        if after is None:
            return isinstance(self.blocks[i + 1] if i + 1 < len(self.blocks) else None, ItemList)
        following = self._line_at(i + 1)
        return following is None or not shapes.heading_like(following)

    def _question(self, i: int, line: str) -> bool:
        """A short question followed by its answer, in a chapter of questions and answers or
        as one of two such pairs in a row."""
        answer = self._line_at(i + 1)
        if not shapes.question_like(line) or self._para_at(i + 1) is None:
            return False
        if answer is not None and shapes.question_like(answer):
            return False
        if self.faq:
            return True
        paired = [self._line_at(i + 2), self._line_at(i - 2)]
        return any(p is not None and shapes.question_like(p) for p in paired)

    def _signature(self, i: int, para: Para) -> int:
        name = _name(self._line_at(i + 1))
        if name is None:
            self._text_para(para, i)
            return i + 1
        self.signed_by = name
        signed = Para(
            inlines=(*para.inlines, m.LineBreak(), m.Text(text=name)),
            notes=(_SIGNATURE,),
        )
        self.out.append(signed)
        return i + 2

    def _marked(self, i: int) -> int:
        """Lines with list markers: a list, or, where each stands over a paragraph like a
        heading, section headings (a web page's styled subheadings)."""
        first = shapes.marker(self._line_at(i) or "")
        assert first is not None
        after, over = self._line_at(i + 1), self._para_at(i + 1) is not None
        if shapes.heading_like(first.rest) and over and not (after and shapes.marker(after)):
            note = "took this list line as a section heading: it stands over a paragraph"
            heading = Heading(level=self.section, inlines=(m.Text(text=first.rest),), notes=(note,))
            self.out.append(heading)
            return i + 1
        items: list[tuple[Block, ...]] = []
        while (line := self._line_at(i)) is not None and (found := shapes.marker(line)):
            if found.ordered != first.ordered:
                break
            items.append((Para(inlines=_strip_marker(self.blocks[i], found.rest)),))
            i += 1
        self.out.append(ItemList(ordered=first.ordered, start=first.number, items=tuple(items)))
        return i

    def _labels(self, i: int) -> int:
        """ "Label: text" lines in a row: a list with each label in bold."""
        items: list[tuple[Block, ...]] = []
        while (found := _label_line(self._line_at(i), self.word)) is not None:
            name, rest = found
            para = Para(
                inlines=(m.Strong(children=(m.Text(text=name + ":"),)), m.Text(text=" " + rest))
            )
            items.append((para,))
            i += 1
        self.out.append(ItemList(ordered=False, items=tuple(items)))
        return i

    def _teasers(self, i: int) -> int:
        """Teasers for other articles: a title line and its excerpt each, the excerpt run into
        the next title where the page's blocks met. One list item each."""
        items: list[tuple[Block, ...]] = []
        while True:
            title, excerpt = self._para_at(i), self._para_at(i + 1)
            assert title is not None and excerpt is not None
            inlines = (m.Strong(children=title.inlines), m.LineBreak(), *excerpt.inlines)
            items.append(
                (Para(inlines=inlines, notes=tuple(leftovers.notes(shapes.text(excerpt)))),)
            )
            i += 2
            nxt = self._line_at(i)
            if i - 1 not in self.ran_on or nxt is None or not shapes.heading_like(nxt):
                break
            if self._para_at(i + 1) is None:
                break
        self.teasers = False  # a page's teasers come in one run; what follows is text again
        self.out.append(ItemList(ordered=False, items=tuple(items), notes=(_TEASERS,)))
        return i


def _signed(para: Para) -> str | None:
    """The name under a greeting, in a paragraph of the two lines ("Groet,", "Gerrit")."""
    lines = plain_text(para.inlines).split("\n")
    if len(lines) != 2 or not leftovers.greeting(lines[0].strip()):
        return None
    return _name(lines[1].strip())


def _name(line: str | None) -> str | None:
    """``line`` if it can be a name: a few words without closing punctuation."""
    if line is None or not 0 < len(line.split()) <= 4 or line.endswith(shapes.CLOSING):
        return None
    return line


def _label_line(line: str | None, word: str) -> tuple[str, str] | None:
    """A "Label: text" line that is no example and no heading."""
    if line is None or line.lower().startswith(word.lower()) or shapes.heading_like(line):
        return None
    return shapes.label(line)


def _strip_marker(block: Block, rest: str) -> tuple[m.Inline, ...]:
    """The list line's inlines without its marker (plain text at its start, or else the
    line's text alone)."""
    assert isinstance(block, Para)
    first = block.inlines[0] if block.inlines else None
    if isinstance(first, m.Text):
        return (m.Text(text=shapes.strip_marker(first.text)), *block.inlines[1:])
    return (m.Text(text=rest),)
