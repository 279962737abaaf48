"""Book → what the narrator says, and where the silences go. Used only by the audio target.

Each chapter becomes a :class:`ChapterScript`: an ordered list of :class:`Utterance` (one
sentence of one block, already normalised for speech) and :class:`Pause` items. The EPUB
never sees any of this; pure functions over the frozen model.

Reading order and choices:

* the chapter title, then every block in order: headings, paragraphs, examples (with their
  label word), prompts (after the spoken lead-in, "Reflectievraag."), list items, quotes,
  images (their description, after the word "Afbeelding"), tables (row by row, each cell
  with its column's header) and, at the end of the chapter, the footnotes ("Voetnoot 1. …").
  Code blocks are not read. A scene break (``---``) is a pause. A ``{pause=N}`` block is a
  pause of N seconds, in place of the paragraph's or heading's pause just before it.
* Each block is said sentence by sentence, so captions (WebVTT) can follow each sentence
  exactly; between two sentences of a block lies a :data:`SENTENCE_GAP`, about the pause
  espeak-ng makes at a full stop. The ``text`` is what is said, ``display`` what is written.
* Normalisation (:mod:`publisher.speech.speakable`): link targets and footnote markers are
  never read, addresses are said as their domain, emoji and markup shown as text go, the
  lexicon (the voice's, overridden by the book's ``narration.lexicon``) replaces whole words
  in text in the book's language (not in a span marked as another language, nor in another
  script: the lexicon says how to say words of the book's language), numbers and the like
  are said in words by the rules of the run's language, and every utterance ends in
  punctuation. A span in another language gets that language's rules and its word for "&"
  and "@".
* Voices (:mod:`publisher.speech.voicing`): each utterance has one; a sentence with text in
  another script or language is said in runs, each by a voice for its language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import assert_never

from publisher import model as m
from publisher.i18n import words_for
from publisher.model.config import Config, NarrationConfig
from publisher.speech import runs
from publisher.speech.items import ChapterScript as ChapterScript
from publisher.speech.items import Item as Item
from publisher.speech.items import Pause as Pause
from publisher.speech.items import Run as Run
from publisher.speech.items import Utterance as Utterance
from publisher.speech.lexicon import Lexicon, compiled
from publisher.speech.lexicon import voice_lexicon as voice_lexicon  # the audio target's import
from publisher.speech.memo import ScriptMemo
from publisher.speech.speakable import display_text
from publisher.speech.voicing import Cast, Voicing
from publisher.text import HARD_BREAK, plain_text

SENTENCE_GAP = 0.3
"""Seconds between two sentences of one block (espeak-ng pauses about this long at a '.')."""

UTTERANCE_KINDS = (
    "title",
    "heading",
    "paragraph",
    "prompt",
    "example",
    "list-item",
    "quote",
    "image",
    "table",
    "footnote",
    "lead-in",
)
"""The kinds an :class:`Utterance` can have (also written to the timing file)."""

PAUSE_KINDS = (
    "prompt",
    "paragraph",
    "heading",
    "list-item",
    "chapter-start",
    "chapter-end",
    "pause",
)
"""The kinds of :class:`Pause` written to the timing file; ``"sentence"`` gaps are not.
``"pause"`` is a ``{pause=N}`` block's, ``after`` its own id."""
_SHORT_PAUSES = ("paragraph", "heading", "list-item")
"""Pauses that a ``{pause=N}`` block right after them replaces: the author set the length."""


def _inline_text(inlines: tuple[m.Inline, ...]) -> str:
    """What is read of inline content: a link's text, not its target; no footnote markers
    (an autolink's text is its address, said as its domain by
    :func:`~publisher.speech.speakable.speakable`); spans in another language marked for
    their voice."""
    return plain_text(inlines, line_break=HARD_BREAK, span=runs.mark)


# --- the script -----------------------------------------------------------------------------


_TextBlock = m.Heading | m.Paragraph | m.Example | m.Image | m.Footnote
"""Blocks said as one text, with a heading's or a paragraph's pause after them."""


def _list_of(item: m.ListItem) -> m.ListBlock:
    """A list of just ``item``, for an item met outside its list."""
    return m.ListBlock(
        id=item.id,
        path=item.path,
        line=item.line,
        end_line=item.end_line,
        ordered=False,
        items=(item,),
    )


class _Writer:
    """Collects the items of one chapter."""

    def __init__(self, config: Config, voicing: Voicing) -> None:
        self.narration: NarrationConfig = config.narration
        self.words = words_for(config.language)
        self.voicing = voicing
        self.items: list[Item] = []
        self.voice: str | None = None  # the voice the block being said asked for

    def say(self, display: str, block: str, kind: str, line: int, *, split: bool = True) -> bool:
        """Add ``display`` as utterances (one per sentence); False if nothing was said."""
        said = False
        pieces = runs.sentences(display) if split else [" ".join(display.split())]
        voice = self.voicing.voice(kind, self.voice)
        for sentence in pieces:
            parts = self.voicing.runs(sentence, voice, line)
            if not parts:
                continue
            if said:
                self.pause(SENTENCE_GAP, block, "sentence")
            one = len({p.voice for p in parts}) == 1
            self.items.append(
                Utterance(
                    text=" ".join(p.text for p in parts),
                    display=display_text(sentence),
                    block=block,
                    kind=kind,
                    line=line,
                    voice=parts[0].voice if one else voice,
                    runs=() if one else tuple(parts),
                )
            )
            said = True
        return said

    def pause(self, seconds: float, after: str, kind: str) -> None:
        """Add a pause unless it is empty."""
        if seconds > 0:
            self.items.append(Pause(seconds=seconds, after=after, kind=kind))

    def block(self, block: m.Block, kind: str | None = None) -> None:
        """Add what ``block`` says and the pause after it; ``kind`` overrides a paragraph's."""
        asked = getattr(block, "voice", None)
        if asked is not None:
            outer, self.voice = self.voice, asked
            try:
                self._block(block, kind)
            finally:
                self.voice = outer
        else:
            self._block(block, kind)

    def _block(self, block: m.Block, kind: str | None = None) -> None:
        match block:
            case m.Heading() | m.Paragraph() | m.Example() | m.Image() | m.Footnote():
                self.text_block(block, kind)
            case m.Prompt():
                self.prompt(block)
            case m.Quote():
                for inner in block.blocks:
                    self.block(inner, kind="quote")
            case m.ListBlock():
                self.list_block(block)
            case m.ListItem():  # normally reached through its list
                self.list_block(_list_of(block))
            case m.Table():
                self.table(block)
            case m.ThematicBreak():
                self.pause(self.narration.heading_pause, block.id, "paragraph")
            case m.Pause():
                last = self.items[-1] if self.items else None
                if isinstance(last, Pause) and last.kind in _SHORT_PAUSES:
                    self.items.pop()
                self.pause(block.seconds, block.id, "pause")
            case m.CodeBlock():
                pass  # not read aloud
            case _:
                assert_never(block)

    def text_block(self, block: _TextBlock, kind: str | None = None) -> None:
        """A block said as one text, then a heading's or a paragraph's pause."""
        n = self.narration
        if isinstance(block, m.Heading):
            text = _inline_text(block.children)
            if self.say(text, block.id, "heading", block.line, split=False):
                self.pause(n.heading_pause, block.id, "heading")
            return
        text, kind = self.text_of(block, kind)
        if text and self.say(text, block.id, kind, block.line):
            self.pause(n.paragraph_pause, block.id, "paragraph")

    def text_of(
        self, block: m.Paragraph | m.Example | m.Image | m.Footnote, kind: str | None
    ) -> tuple[str, str]:
        """What ``block`` says (empty for an image without a description), and its kind."""
        match block:
            case m.Paragraph():
                return _inline_text(block.children), kind or "paragraph"
            case m.Example():
                return f"{block.label} {_inline_text(block.children)}", "example"
            case m.Image():
                described = block.alt.strip()
                return (f"{self.words.image}: {block.alt}" if described else ""), "image"
            case m.Footnote():
                text = HARD_BREAK.join(_leaf_text(b) for b in block.blocks)
                return f"{self.words.footnote} {block.number}. {text}", "footnote"
            case _:
                assert_never(block)

    def prompt(self, block: m.Prompt) -> None:
        """The lead-in ("Reflectievraag."), the question, and the time to think about it."""
        n = self.narration
        if n.prompt_lead_in:
            self.say(self.words.prompt_lead_in, block.id, "lead-in", block.line)
            self.pause(SENTENCE_GAP, block.id, "sentence")
        self.say(_inline_text(block.children), block.id, "prompt", block.line)
        pause = n.prompt_pause if block.pause is None else block.pause
        self.pause(pause, block.id, "prompt")

    def list_block(self, block: m.ListBlock) -> None:
        """Each item, a short pause between items and a paragraph pause after the list."""
        n = self.narration
        for index, item in enumerate(block.items):
            text = HARD_BREAK.join(_leaf_text(b) for b in item.blocks if not _is_container(b))
            said = self.say(text, item.id, "list-item", item.line)
            for inner in item.blocks:
                if isinstance(inner, m.ListBlock | m.Quote | m.Table | m.Image | m.Pause):
                    self.block(inner)
            last = index == len(block.items) - 1
            if said and not last:
                self.pause(n.list_item_pause, item.id, "list-item")
            elif said:
                self.pause(n.paragraph_pause, item.id, "paragraph")

    def table(self, table: m.Table) -> None:
        """Row by row; each cell after its column's header ("Header: value")."""
        n = self.narration
        headers = [_inline_text(c.children).strip() for c in table.header]
        for row in table.rows:
            cells = []
            for i, cell in enumerate(row):
                value = _inline_text(cell.children).strip()
                header = headers[i] if i < len(headers) else ""
                if value:
                    cells.append(f"{header}: {value}" if header else value)
            if self.say(", ".join(cells), table.id, "table", table.line, split=False):
                self.pause(n.list_item_pause, table.id, "list-item")
        if self.items and isinstance(self.items[-1], Pause) and self.items[-1].after == table.id:
            self.items[-1] = Pause(seconds=n.paragraph_pause, after=table.id, kind="paragraph")


def _is_container(block: m.Block) -> bool:
    return isinstance(block, m.ListBlock | m.Quote | m.Table | m.Image)


def _leaf_text(block: m.Block) -> str:
    """The text of a block that holds inline content, else ""."""
    if isinstance(block, m.Paragraph | m.Prompt | m.Heading):
        return _inline_text(block.children)
    if isinstance(block, m.Example):
        return f"{block.label} {_inline_text(block.children)}"
    return ""


def default_cast(config: Config) -> Cast:
    """The cast when the audio target gives none: the book's voice (its profile name, or
    ``"book"``) with the roles of the front matter, and no voice for other languages."""
    return Cast(book=config.narration.voice or "book", roles=config.narration.roles)


def chapter_script(
    chapter: m.Chapter,
    config: Config,
    voice_lexicon: Mapping[str, str] | None = None,
    cast: Cast | None = None,
) -> ChapterScript:
    """What is said in ``chapter``: start pause, title, blocks, footnotes, end pause.

    Made once per chapter of a build and shared by the targets that read it
    (:mod:`publisher.speech.memo`)."""
    lexicon = compiled(config, voice_lexicon)
    cast = cast or default_cast(config)

    def make(speaks: Callable[[str], str | None]) -> ChapterScript:
        return _chapter_script(chapter, config, lexicon, replace(cast, speaks=speaks))

    return _MEMO.get(chapter, config, lexicon, cast.book, cast.roles, cast.speaks, make)


_MEMO: ScriptMemo[ChapterScript] = ScriptMemo()


def _chapter_script(
    chapter: m.Chapter, config: Config, lexicon: Lexicon, cast: Cast
) -> ChapterScript:
    """:func:`chapter_script` made afresh."""
    voicing = Voicing(config.language, lexicon, cast, chapter.path)
    writer = _Writer(config, voicing)
    n = config.narration
    writer.pause(n.chapter_start_pause, chapter.slug, "chapter-start")
    if writer.say(chapter.title_text, chapter.slug, "title", chapter.line, split=False):
        writer.pause(n.heading_pause, chapter.slug, "heading")
    for block in chapter.blocks:
        writer.block(block)
    for footnote in chapter.footnotes:
        writer.block(footnote)
    items = writer.items
    # The last block's own short pause gives way to the chapter's end pause; a prompt's or a
    # {pause=N}'s is kept (it is time to reflect), and the end pause follows it.
    last = items[-1] if items else None
    after = chapter.slug
    if isinstance(last, Pause) and last.kind != "chapter-start":
        after = last.after
        if last.kind not in ("prompt", "pause"):
            items.pop()
    writer.pause(n.chapter_end_pause, after, "chapter-end")
    return ChapterScript(
        slug=chapter.slug,
        number=chapter.number,
        title=chapter.title_text,
        path=chapter.path,
        line=chapter.line,
        items=tuple(items),
        warnings=tuple(voicing.warnings),
    )


def book_script(
    book: m.Book, voice_lexicon: Mapping[str, str] | None = None, cast: Cast | None = None
) -> tuple[ChapterScript, ...]:
    """One :class:`ChapterScript` per chapter, in reading order."""
    return tuple(chapter_script(c, book.config, voice_lexicon, cast) for c in book.chapters)
