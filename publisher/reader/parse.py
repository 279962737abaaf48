"""Markdown with YAML front matter → :class:`~publisher.model.Book`, once.

CommonMark (markdown-it-py) plus tables and footnotes. Raw HTML is off: it stays text and is
escaped by every renderer, so no markup or script of the source reaches a reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.footnote import footnote_plugin

from publisher import model as m
from publisher.errors import Problem, SourceError
from publisher.i18n import words_for
from publisher.model.config import Config
from publisher.model.slugs import chapter_slugs
from publisher.reader.blocks import BlockReader, ChapterState
from publisher.reader.config import load_config
from publisher.reader.source import normalise_newlines, read_source, split_front_matter
from publisher.reader.trailing_attrs import WARNINGS, attribute_lists_plugin
from publisher.text.plain import plain_text

# Emphasis, links and images inside each other: real prose needs a handful of levels; every
# stage after the parse walks them recursively, so a bound keeps a hostile file from crashing
# it with a RecursionError.
MAX_INLINE_DEPTH = 50


def markdown() -> MarkdownIt:
    """The one Markdown dialect publisher reads."""
    return (
        MarkdownIt("commonmark", {"html": False, "xhtml_out": True})
        .enable("table")
        .use(footnote_plugin)
        # ``[Привет]{lang=ru}`` only: no attributes after code, links or images, where
        # ordinary braces in the text would silently vanish.
        .use(attrs_plugin, spans=True, after=(), allowed=("lang",))
        .use(attribute_lists_plugin)
    )


@dataclass(frozen=True, kw_only=True)
class Parsed:
    """A parsed book and the warnings found on the way."""

    book: m.Book
    warnings: tuple[Problem, ...] = ()


def parse_file(path: Path) -> Parsed:
    """Parse the Markdown book at ``path``."""
    return parse_text(read_source(path), str(path), root=str(path.parent))


def parse_text(text: str, path: str, root: str = ".") -> Parsed:
    """Parse a whole book given as text; ``path`` is used in messages and block locations."""
    front, body, offset = split_front_matter(normalise_newlines(text), path)
    config, warnings = load_config(front, path, first_line=2)
    parser = _Parser(config=config, path=path, offset=offset)
    env: dict[str, list[tuple[int, str]]] = {}
    tokens = markdown().parse(body, env)
    warnings += [
        Problem(path=path, line=line + offset + 1, severity="warning", message=message)
        for line, message in env.get(WARNINGS, [])
    ]
    _check_depth(tokens, path, offset)
    chapters = parser.chapters(tokens)
    lexicon = None
    if config.narration.pls is not None:
        from publisher.reader import pls  # lxml only for a book that has a lexicon file

        line = config.line_of("narration.pls") or 1
        lexicon, found = pls.load(Path(root), config.narration.pls, path, line)
        warnings += found
    book = m.Book(
        config=config, chapters=tuple(chapters), source=path, root=root, pronunciation=lexicon
    )
    return Parsed(book=book, warnings=tuple(warnings + parser.warnings))


def _check_depth(tokens: Sequence[Token], path: str, offset: int) -> None:
    """Refuse inline markup nested deeper than :data:`MAX_INLINE_DEPTH`, at its line."""
    for tok in tokens:
        if tok.type == "inline" and tok.children:
            depth = max(child.level for child in tok.children)
            if depth > MAX_INLINE_DEPTH:
                line = (tok.map[0] if tok.map else 0) + offset + 1
                raise SourceError.at(
                    path,
                    line,
                    f"emphasis, links and images nest {depth} levels deep here; "
                    f"at most {MAX_INLINE_DEPTH} are allowed",
                )


_Group = tuple[Token | None, Token | None, list[Token]]
"""A chapter's opening heading token, its inline token, and the tokens of its body."""


class _Parser(BlockReader):
    """Splits the book into chapters (and their footnotes); :class:`BlockReader` reads each."""

    def __init__(self, *, config: Config, path: str, offset: int) -> None:
        super().__init__(config=config, path=path, offset=offset)
        self.footnote_tokens: dict[int, list[Token]] = {}
        self.footnote_labels: dict[int, str] = {}

    # -- splitting into chapters -----------------------------------------------------------

    def chapters(self, tokens: list[Token]) -> list[m.Chapter]:
        """The book's chapters: split at the chapter level, slugged, each read in full."""
        groups = self._groups(self._take_footnotes(tokens))
        titles = [
            self._heading_text(g[1]) if g[1] is not None else self.config.title for g in groups
        ]
        fixed = [self._id(g[0], chapter=True) if g[0] is not None else None for g in groups]
        self._check_unique_ids(groups, fixed)
        word = words_for(self.config.language).chapter
        slugs = [s.slug for s in chapter_slugs(titles, word, fixed)]
        chapters = [
            self._chapter(number, group, slug)
            for number, (group, slug) in enumerate(zip(groups, slugs, strict=True), 1)
        ]
        if not chapters:
            raise SourceError.at(self.path, self.offset + 1, "the book has no text")
        return chapters

    def _groups(self, tokens: list[Token]) -> list[_Group]:
        """The tokens of each chapter, with the heading that opens it (and its inline
        tokens): text before the first chapter heading is an opening chapter, titled by the
        book's title heading (an H1 above the chapter level, which is no chapter itself)."""
        level = self.config.chapter_level or self._default_level(tokens)
        groups: list[_Group] = [(None, None, [])]
        title_heading: Token | None = None
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.type == "heading_open" and tok.level == 0:
                hlevel = int(tok.tag[1])
                if hlevel < level and title_heading is None and not any(g[2] for g in groups):
                    title_heading = tokens[i + 1]  # the book's title: not a chapter of its own
                    i += 3
                    continue
                if hlevel <= level:
                    groups.append((tok, tokens[i + 1], []))
                    i += 3
                    continue
            groups[-1][2].append(tok)
            i += 1
        opening = groups.pop(0)
        if opening[2]:
            groups.insert(0, (None, title_heading, opening[2]))
        return groups

    def _check_unique_ids(self, groups: list[_Group], fixed: list[str | None]) -> None:
        """A ``{#id}`` given to two chapter headings is an error at the second."""
        seen: dict[str, int] = {}
        for (open_tok, _, _), given in zip(groups, fixed, strict=True):
            if given is not None and open_tok is not None:
                if given in seen:
                    raise SourceError.at(
                        self.path,
                        self._line(open_tok),
                        f"heading id {{#{given}}} is already used on line {seen[given]}",
                    )
                seen[given] = self._line(open_tok)

    def _chapter(self, number: int, group: _Group, slug: str) -> m.Chapter:
        """Chapter ``number`` of the book, read from its tokens."""
        open_tok, inline_tok, body = group
        state = ChapterState(slug=slug)
        title = (
            self.heading_inlines(self._tree(inline_tok.children or []), inline_tok, state)
            if inline_tok
            else (m.Text(text=self.config.title),)
        )
        blocks = self._blocks(self._tree(body), state)
        footnotes = self._footnotes(state)
        start = open_tok if open_tok is not None else (body[0] if body else None)
        line = self._line(start) if start is not None else 1
        return m.Chapter(
            slug=slug,
            title=title,
            number=number,
            path=self.path,
            line=line,
            end_line=max((b.end_line for b in blocks), default=line),
            blocks=tuple(blocks),
            footnotes=tuple(footnotes),
            title_text=plain_text(title).strip(),
        )

    def _default_level(self, tokens: list[Token]) -> int:
        """The level below a single leading title (H1), else the highest level used."""
        levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open" and t.level == 0]
        if not levels:
            return 1
        top = min(levels)
        if levels[0] == top and levels.count(top) == 1 and len(levels) > 1:
            return min(lv for lv in levels[1:])
        return top

    def _take_footnotes(self, tokens: list[Token]) -> list[Token]:
        """Remove the footnote block markdown-it appends; remember each definition's tokens."""
        out: list[Token] = []
        current: int | None = None
        inside = False
        for tok in tokens:
            if tok.type == "footnote_block_open":
                inside = True
            elif tok.type == "footnote_block_close":
                inside = False
            elif tok.type == "footnote_open":
                current = int(tok.meta["id"])
                self.footnote_tokens[current] = []
                self.footnote_labels[current] = str(tok.meta.get("label", current))
            elif tok.type == "footnote_close":
                current = None
            elif inside and current is not None:
                if tok.type == "footnote_anchor":
                    continue
                if tok.type == "inline" and tok.children:
                    tok.children = [c for c in tok.children if c.type != "footnote_anchor"]
                self.footnote_tokens[current].append(tok)
            elif not inside:
                out.append(tok)
        return out

    def _footnotes(self, state: ChapterState) -> list[m.Footnote]:
        out: list[m.Footnote] = []
        done: set[int] = set()
        # A footnote may refer to another; keep numbering until no new ones appear.
        while True:
            pending = [(fid, n) for fid, n in state.footnote_numbers.items() if fid not in done]
            if not pending:
                break
            for fid, number in sorted(pending, key=lambda p: p[1]):
                done.add(fid)
                note_id = state.block_id()
                toks = self.footnote_tokens.get(fid, [])
                blocks = self._blocks(self._tree(toks), state)
                line = blocks[0].line if blocks else 1
                out.append(
                    m.Footnote(
                        id=note_id,
                        path=self.path,
                        line=line,
                        end_line=max((b.end_line for b in blocks), default=line),
                        label=self.footnote_labels.get(fid, str(fid)),
                        number=number,
                        blocks=tuple(blocks),
                    )
                )
        return sorted(out, key=lambda f: f.number)
