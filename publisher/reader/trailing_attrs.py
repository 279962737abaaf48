"""Attribute lists in the forms Pandoc and kramdown accept, read where a block's text ends:
``## Titel {#id}``, ``## General options {.options}``, ``{#id .class key=value}``,
``{: #id}`` (kramdown, also on the line after a heading), ``### Titel ### {#id}`` (the
closing hashes go), ``Wat denk je? {voice=nl-espeak-f3}``.

What publisher uses is taken (a heading's id, a paragraph's voice); the rest is ignored
with one warning that names it. An attribute list must not be shown and read aloud as text
without a word: a second list before the one read, or a list on a line of its own that
belongs to no heading, is reported at its line (``env["attribute_warnings"]``).

Hand-written, not mdit-py-plugins' attribute parser (which still reads ``[Привет]{lang=ru}``
spans): that one follows markdown-it-attrs, and refuses kramdown's ``{:`` , Pandoc's ``{-}``
and ids with a full stop (``{#sec.intro}``), so real books' headings kept their braces as
text. The grammar is Pandoc's (its manual, "Heading identifiers" and "Extension: attributes").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

META = "attribute_list"
"""Where a block's :class:`AttributeList` is kept in its opening token's ``meta``."""
WARNINGS = "attribute_warnings"
"""The ``env`` key of ``(line from 0, message)`` warnings about attribute lists."""

_ITEM = re.compile(
    r"""\s*(?:
      \#(?P<id>[^\s{}#."'=]+(?:\.[^\s{}#."'=]+)*)
    | \.(?P<cls>[^\s{}#."'=]+)
    | (?P<key>[A-Za-z_][\w.:-]*)=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s{}"']+))
    | (?P<dash>-)(?=\s|\})
    )""",
    re.VERBOSE,
)
_TRAILING = re.compile(r"(?:^|[ \t]+)(\{[^{}\n]*\})[ \t]*$")
_OWN_LINE = re.compile(r"(?:^|\n)[ \t]*(\{[^{}\n]*\})[ \t]*$")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")


@dataclass(frozen=True, kw_only=True)
class AttributeList:
    """One ``{…}`` as the author wrote it, and what it says."""

    written: str
    ids: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()

    def get(self, key: str) -> str | None:
        """The first value given for ``key`` (``"id"`` is the first ``#id``)."""
        if key == "id":
            return self.ids[0] if self.ids else None
        return next((v for k, v in self.pairs if k == key), None)

    def ignored(self, honoured: str) -> tuple[str, ...]:
        """Everything the list says but the first ``honoured`` key, as written."""
        out = [f"#{i}" for i in (self.ids[1:] if honoured == "id" else self.ids)]
        out += [f".{c}" for c in self.classes]
        seen = False
        for key, value in self.pairs:
            if key == honoured and not seen:
                seen = True
            else:
                out.append(f"{key}={value}")
        return tuple(out)


def parse_attribute_list(text: str) -> AttributeList | None:
    """``text`` (a whole ``{…}``) as an attribute list with at least one item; None when it
    is not one (then it is text)."""
    if not (text.startswith("{") and text.endswith("}")):
        return None
    inner = text[1:-1]
    pos = 1 if inner.startswith(":") else 0  # kramdown's inline attribute list
    ids: list[str] = []
    classes: list[str] = []
    pairs: list[tuple[str, str]] = []
    while inner[pos:].strip():
        match = _ITEM.match(inner + "}", pos)
        if match is None or match.end() > len(inner):
            return None
        pos = match.end()
        if match["id"]:
            ids.append(match["id"])
        elif match["cls"]:
            classes.append(match["cls"])
        elif match["dash"]:
            classes.append("unnumbered")  # Pandoc's {-}
        else:
            value = match["dq"] if match["dq"] is not None else match["sq"]
            pairs.append((match["key"], value if value is not None else match["bare"]))
    if not (ids or classes or pairs):
        return None
    return AttributeList(written=text, ids=tuple(ids), classes=tuple(classes), pairs=tuple(pairs))


def attribute_lists_plugin(md: MarkdownIt) -> None:
    """Read attribute lists off headings and paragraphs into their opening token's
    ``meta[META]`` (see the module docstring)."""
    md.core.ruler.after("block", "attribute_lists", _rule)


def _rule(state: StateCore) -> None:
    tokens = state.tokens
    warnings: list[tuple[int, str]] = state.env.setdefault(WARNINGS, [])
    drop: set[int] = set()
    for i, tok in enumerate(tokens[:-1]):
        if tokens[i + 1].type != "inline" or i in drop:
            continue
        if tok.type == "heading_open":
            _heading(tokens, i, warnings, drop)
        elif tok.type == "paragraph_open":
            _paragraph(tokens, i, warnings, drop)
    if drop:
        state.tokens = [t for i, t in enumerate(tokens) if i not in drop]


def _heading(tokens: list[Token], i: int, warnings: list[tuple[int, str]], drop: set[int]) -> None:
    """A heading's own list, its closing hashes, a kramdown list on the next line."""
    tok, inline = tokens[i], tokens[i + 1]
    line = tok.map[0] if tok.map else 0
    found = _take(inline, _TRAILING)
    if found is not None and tok.markup.startswith("#"):
        inline.content = _CLOSING_HASHES.sub("", inline.content)
    after = _own_line_after(tokens, i + 2)
    if after is not None:
        if found is not None:
            warnings.append((line, _twice(found.written, after[0].written)))
        found = after[0]
        drop.update(after[1])
    if found is None:
        return
    leftover = _take(inline, _TRAILING, keep=True)
    if leftover is not None:
        warnings.append((line, _twice(leftover.written, found.written)))
    tok.meta[META] = found
    if found.ignored("id"):
        what = ", ".join(found.ignored("id"))
        warnings.append((line, f"heading attributes {what} ignored: publisher reads an {{#id}}"))


def _paragraph(
    tokens: list[Token], i: int, warnings: list[tuple[int, str]], drop: set[int]
) -> None:
    """A paragraph's ``{voice=…}``, a kramdown list on its last line, or a paragraph that is
    only an attribute list (which belongs to no heading here)."""
    tok, inline = tokens[i], tokens[i + 1]
    line = tok.map[0] if tok.map else 0
    whole = parse_attribute_list(inline.content.strip())
    if whole is not None:
        if whole.get("pause") is None:  # {pause=N} is a pause block (publisher.reader.parse)
            warnings.append(
                (line, f"attribute list {whole.written} belongs to no heading; ignored")
            )
            drop.update(range(i, i + 3))
        return
    found = _take(inline, _OWN_LINE) or _take(inline, _TRAILING, want="voice")
    if found is None:
        return
    tok.meta[META] = found
    if found.ignored("voice"):
        what = ", ".join(found.ignored("voice"))
        warnings.append(
            (line, f"paragraph attributes {what} ignored: publisher reads a {{voice=…}}")
        )


def _take(
    inline: Token, pattern: re.Pattern[str], *, want: str | None = None, keep: bool = False
) -> AttributeList | None:
    """The attribute list ``pattern`` finds at the end of ``inline`` (with the key ``want``,
    if given), cut off the text unless ``keep``."""
    match = pattern.search(inline.content)
    found = parse_attribute_list(match.group(1)) if match else None
    if found is None or match is None or (want is not None and found.get(want) is None):
        return None
    if not keep:
        inline.content = inline.content[: match.start()].rstrip()
    return found


def _own_line_after(tokens: Sequence[Token], j: int) -> tuple[AttributeList, range] | None:
    """The attribute list alone on the line right after the heading that closes at
    ``tokens[j]`` (kramdown's block attribute list), with the tokens of its paragraph."""
    if j + 3 >= len(tokens) or tokens[j + 1].type != "paragraph_open":
        return None
    close, opening = tokens[j], tokens[j + 1]
    heading = tokens[j - 2].map
    heading_end = heading[1] if heading else None
    if opening.map is None or opening.map[0] != heading_end or close.type != "heading_close":
        return None
    found = parse_attribute_list(tokens[j + 2].content.strip())
    return (found, range(j + 1, j + 4)) if found is not None else None


def _twice(first: str, second: str) -> str:
    return f"{first} before {second} is shown and read aloud as text: give one attribute list"
