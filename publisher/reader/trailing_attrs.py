"""A trailing ``{…}`` at the end of a block's text, read as attributes (``## Titel {#id}``,
``Wat denk je? {voice=nl-espeak-f3}``).

mdit-py-plugins' attrs plugin reads attributes after inline elements and on a line of their
own, but not at the end of a heading or a paragraph; and its line-of-its-own form would also
take lines that hold only braces (a block-level ``{pause=5}``) away from the rest of the
parser. This core rule adds the one place and reuses the plugin's own attribute parser, so
the syntax is the same everywhere. Only a trailing ``{…}`` after a space that parses whole as
attributes (and that ``accept`` wants) is taken; any other brace text stays text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.attrs.parse import ParseError, parse

_TRAILING = re.compile(r"[ \t]+(\{[^{}]*\})[ \t]*$")

Attrs = Mapping[str, object]


def trailing_attrs_plugin(
    md: MarkdownIt,
    *,
    name: str,
    open_type: str,
    meta_key: str,
    accept: Callable[[Attrs], bool] = lambda attrs: True,
) -> None:
    """Move a trailing ``{…}`` off the text of each ``open_type`` block (``heading_open``,
    ``paragraph_open``) into its attrs; the text as written goes in ``meta[meta_key]``."""

    def rule(state: StateCore) -> None:
        tokens = state.tokens
        for i, tok in enumerate(tokens[:-1]):
            if tok.type != open_type or tokens[i + 1].type != "inline":
                continue
            inline = tokens[i + 1]
            match = _TRAILING.search(inline.content)
            if match is None:
                continue
            try:
                end, attrs = parse(match.group(1))
            except ParseError:
                continue
            if end != len(match.group(1)) - 1 or not accept(attrs):
                continue
            inline.content = inline.content[: match.start()]
            tok.meta[meta_key] = match.group(1)
            tok.attrs.update(attrs)

    md.core.ruler.after("block", name, rule)
