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
* Normalisation: link targets are never read; a web address in the text (bare or an
  autolink) is said as its domain ("example.org"), an e-mail address with the language's word
  for "@"; HTML tags shown as text (``<b>``) are not read; emoji and pictographs go (espeak
  reads 💡 as "gloeilamp"), "&" becomes the language's "and", footnote markers go, whitespace
  collapses, the lexicon (the voice's, overridden by the book's ``narration.lexicon``)
  replaces whole words regardless of case in text in the book's language (not in a span
  marked as another language, nor in another script: the lexicon says how to say words of
  the book's language), numbers, dates, amounts, units and abbreviations are said in words
  by the rules of the run's language (:mod:`publisher.speech.normalise`), and every
  utterance ends in punctuation, so a heading does not run into the next sentence. A span in
  another language gets that language's rules and its word for "&" and "@".
* Voices: each utterance has one (a voice profile's name): the block's own
  (``{voice=name}``), else its kind's (``narration.roles``), else the book's. A sentence
  with text in another script (or a span marked ``{lang=…}``) is said in runs
  (:mod:`publisher.speech.runs`), each by a voice for its language; a run no voice speaks is
  left out with a warning naming the line, never spelled out letter by letter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import assert_never
from urllib.parse import urlsplit

from publisher import model as m
from publisher.engine_input import as_text, phonemes
from publisher.engines.base import PHONEME_ALPHABETS, VoiceProfile
from publisher.errors import Problem
from publisher.i18n import Words, languages, words_for
from publisher.model.config import Config, NarrationConfig
from publisher.speech import runs
from publisher.speech.items import ChapterScript as ChapterScript
from publisher.speech.items import Item as Item
from publisher.speech.items import Pause as Pause
from publisher.speech.items import Run as Run
from publisher.speech.items import Utterance as Utterance
from publisher.speech.lexicon import EMPTY, Lexicon
from publisher.speech.memo import ScriptMemo
from publisher.speech.normalise import normalise
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


ROLE_OF_KIND = {
    "title": "heading",
    "heading": "heading",
    "prompt": "prompt",
    "lead-in": "prompt",
    "example": "example",
    "quote": "quote",
    "footnote": "footnote",
}
"""The ``narration.roles`` entry that gives an utterance of each kind its voice."""


@dataclass(frozen=True, kw_only=True)
class Cast:
    """Who speaks: the book's voice, a voice per role, and a voice per language.

    ``speaks(language)`` is the name of a voice for that language, or None if there is
    none; the audio target fills it from the voice profiles and the engine's voices.
    """

    book: str
    roles: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    speaks: Callable[[str], str | None] = lambda _language: None


# --- normalisation --------------------------------------------------------------------------

_URL = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)\S+", re.IGNORECASE)
_URL_TAIL = re.compile(r"[.,;:!?)\]}'\"”’»]+$")  # sentence punctuation after an address
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]+)@([\w-]+(?:\.[\w-]+)+)")
# Markup shown as text ("Tekst <b>vet</b>", "<br/>", "<!-- … -->"): an HTML tag or comment as
# HTML's own syntax spells it (a name, then attributes), so "3 < 5 > 2" is still read.
_MARKUP = re.compile(
    r"<!--.*?-->"
    r"|</?[A-Za-z][A-Za-z0-9-]*"
    r"""(?:\s+[A-Za-z_:][\w:.-]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*"""
    r"\s*/?>",
    re.DOTALL,
)
_EMOJI = re.compile(
    "["
    "\U0001f000-\U0001faff"  # mahjong … symbols and pictographs extended-A
    "\U00002600-\U000027bf"  # miscellaneous symbols, dingbats
    "\U00002300-\U000023ff"  # miscellaneous technical (⌚ ⏰ ⏳)
    "\U00002b00-\U00002bff"  # arrows and stars (⭐ ⬆)
    "\U0001f1e6-\U0001f1ff"  # regional indicators (flags)
    "\ufe0e\ufe0f\u200d\u20e3"  # variation selectors, joiner, keycap
    "\U000e0020-\U000e007f"  # tag characters (subdivision flags)
    "\u3030\u303d\u3297\u3299"
    "]+"
)
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?…])")
_FINAL = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
_SPEAKABLE = re.compile(r"\w")
_AMPERSAND = re.compile(r"&(?![^\[\]]*\]\])")  # not inside a lexicon's [[phonemes]]


def domain(url: str) -> str:
    """The host a web address names, without ``www.`` ("https://www.example.org/x" →
    "example.org"); the address itself when it names none."""
    try:
        host = urlsplit(url if "://" in url else f"http://{url}").hostname or ""
    except ValueError:
        host = ""
    return host.removeprefix("www.") or url


def say_addresses(text: str, words: Words) -> str:
    """Web addresses in ``text`` as their domain, which a listener can remember and type
    (the path and query are noise read aloud), and e-mail addresses with the language's
    word for "@" ("a@b.org" → "a apenstaartje b.org"), so no engine spells the sign."""

    def web(match: re.Match[str]) -> str:
        url = match.group(0)
        tail = _URL_TAIL.search(url)
        end = tail.start() if tail else len(url)
        return f"{domain(url[:end])}{url[end:]}"

    text = _URL.sub(web, text)
    return _EMAIL.sub(lambda match: f"{match[1]} {words.at_word} {match[2]}", text)


def remove_markup(text: str) -> str:
    """``text`` without HTML tags and comments written as text: what a reader sees as
    ``<b>`` the narrator must not read as "kleiner dan b groter dan"."""
    return _MARKUP.sub(" ", text)


def remove_emoji(text: str) -> str:
    """``text`` without emoji, pictographs and their joiners and selectors."""
    return _EMOJI.sub(" ", text)


def speakable(
    text: str,
    words: Words,
    lexicon: Lexicon | Mapping[str, str],
    *,
    language: str,
    final: bool = True,
) -> str:
    """``text`` as the engine should get it (see the module docstring), in ``language``
    (a BCP 47 tag: the numbers' rules); ``""`` if nothing in it can be said. ``final`` adds
    a full stop when the text ends without punctuation."""
    text = say_addresses(remove_markup(text), words)
    text = remove_emoji(text)
    # "[[" starts phonemes for espeak-ng: only a lexicon's may (publisher.engine_input).
    text = as_text(text)
    text = (lexicon if isinstance(lexicon, Lexicon) else Lexicon(lexicon)).respell(text)
    # After the lexicon, whose entries see the text as written (publisher.speech.normalise).
    text = normalise(text, language)
    text = _AMPERSAND.sub(f" {words.and_word} ", text)
    text = " ".join(text.split())
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text).strip(" ,;")
    if not _SPEAKABLE.search(text):
        return ""
    if final and not _FINAL.search(text):
        text += "."
    return text


def _inline_text(inlines: tuple[m.Inline, ...]) -> str:
    """What is read of inline content: a link's text, not its target; no footnote markers
    (an autolink's text is its address, said as its domain by :func:`speakable`); spans in
    another language marked for their voice."""
    return plain_text(inlines, line_break=HARD_BREAK, span=runs.mark)


# --- the script -----------------------------------------------------------------------------


def primary_language(tag: str) -> str:
    """A BCP 47 tag's primary language subtag, lowercased ("nl-BE" → "nl")."""
    return tag.split("-", 1)[0].lower()


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

    def __init__(self, config: Config, lexicon: Lexicon, cast: Cast, path: str) -> None:
        self.narration: NarrationConfig = config.narration
        self.language = config.language
        self.primary = primary_language(config.language)
        self.words = words_for(config.language)
        self.lexicon = lexicon
        self.cast = cast
        self.path = path
        self.items: list[Item] = []
        self.warnings: list[Problem] = []
        self.voice: str | None = None  # the voice the block being said asked for

    def say(self, display: str, block: str, kind: str, line: int, *, split: bool = True) -> bool:
        """Add ``display`` as utterances (one per sentence); False if nothing was said."""
        said = False
        pieces = runs.sentences(display) if split else [" ".join(display.split())]
        role = ROLE_OF_KIND.get(kind)
        voice = self.voice or (self.cast.roles.get(role) if role else None) or self.cast.book
        for sentence in pieces:
            parts = self.runs(sentence, voice, line)
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

    def runs(self, sentence: str, voice: str, line: int) -> list[Run]:
        """``sentence`` as spoken runs, each with its voice (module docstring)."""
        out: list[Run] = []
        for piece in runs.split(sentence, self.language):
            language = piece.language or self.language
            # A span's own "and" and "at" where its language has words, else the book's.
            known = language.split("-", 1)[0].lower() in languages()
            words = words_for(language) if known else self.words
            own = piece.script is None and (
                piece.language is None or primary_language(piece.language) == self.primary
            )  # the book's language: its lexicon's (module docstring)
            lexicon = self.lexicon if own else EMPTY
            text = speakable(piece.text, words, lexicon, language=language, final=False)
            if not text:
                continue
            who = voice if piece.language is None and piece.script is None else None
            if piece.language is not None:
                who = self.cast.speaks(piece.language)
            if who is None:
                what = f"language {piece.language!r}" if piece.language else "script"
                name = piece.script or piece.language
                self.warnings.append(
                    Problem(
                        path=self.path,
                        line=line,
                        severity="warning",
                        message=f"no voice speaks {text!r} ({what} {name}); "
                        "the narration leaves it out",
                    )
                )
                continue
            if out and out[-1].voice == who:
                out[-1] = Run(text=f"{out[-1].text} {text}", voice=who)
            else:
                out.append(Run(text=text, voice=who))
        if out and not _FINAL.search(out[-1].text):
            out[-1] = Run(text=out[-1].text + ".", voice=out[-1].voice)
        return out

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


def display_text(text: str) -> str:
    """A sentence as written, for captions and the read-along EPUB: one line, no emoji
    (an :attr:`Utterance.display`). Addresses and markup stay as written: the captions show
    the text, the voice says what :func:`speakable` makes of it."""
    text = runs.unmark(text)
    return _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(remove_emoji(text).split()))


def voice_lexicon(book: m.Book, voice: VoiceProfile) -> dict[str, str]:
    """The voice's lexicon with the book's PLS file (``narration.pls``) over it: its aliases,
    or its phonemes where the voice's engine reads their alphabet. The inline
    ``narration.lexicon`` goes over both (:func:`merged_lexicon`)."""
    merged = {word: as_text(said) for word, said in voice.lexicon.items()}
    if book.pronunciation is not None:
        found = book.pronunciation.respellings(PHONEME_ALPHABETS.get(voice.engine))
        # An alias is text; phonemes (checked by the reader) are what espeak-ng reads as such.
        merged.update(
            (word, as_text(said) if kind == "alias" else phonemes(said))
            for word, (kind, said) in found.items()
        )
    return merged


def merged_lexicon(config: Config, voice_lexicon: Mapping[str, str]) -> dict[str, str]:
    """The voice's lexicon with the book's entries over it (keys compared ignoring case)."""
    merged = {k.lower(): v for k, v in voice_lexicon.items()}
    merged.update({k.lower(): as_text(v) for k, v in config.narration.lexicon.items()})
    return merged


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
    lexicon = _compiled(config, voice_lexicon)
    cast = cast or default_cast(config)

    def make(speaks: Callable[[str], str | None]) -> ChapterScript:
        return _chapter_script(chapter, config, lexicon, replace(cast, speaks=speaks))

    return _MEMO.get(chapter, config, lexicon, cast.book, cast.roles, cast.speaks, make)


_MEMO: ScriptMemo[ChapterScript] = ScriptMemo()
_LAST: list[tuple[Config, Mapping[str, str] | None, Lexicon]] = []
"""The lexicons last compiled, with the settings and voice lexicon they came from (held, so
that comparing by identity is sound): a book's chapters share one."""


def _compiled(config: Config, voice_lexicon: Mapping[str, str] | None) -> Lexicon:
    """The merged lexicon (:func:`merged_lexicon`) made ready for lookup, once for all the
    chapters a target asks for with the same settings and voice lexicon objects: merging
    and compiling a lexicon of 60,000 words per chapter cost more than the lookup itself."""
    for known_config, known_voice, compiled in _LAST:
        if known_config is config and known_voice is voice_lexicon:
            return compiled
    compiled = Lexicon(merged_lexicon(config, voice_lexicon or {}))
    _LAST[:] = [(config, voice_lexicon, compiled), *_LAST[:3]]
    return compiled


def _chapter_script(
    chapter: m.Chapter, config: Config, lexicon: Lexicon, cast: Cast
) -> ChapterScript:
    """:func:`chapter_script` made afresh."""
    writer = _Writer(config, lexicon, cast, chapter.path)
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
        warnings=tuple(writer.warnings),
    )


def book_script(
    book: m.Book, voice_lexicon: Mapping[str, str] | None = None, cast: Cast | None = None
) -> tuple[ChapterScript, ...]:
    """One :class:`ChapterScript` per chapter, in reading order."""
    return tuple(chapter_script(c, book.config, voice_lexicon, cast) for c in book.chapters)
