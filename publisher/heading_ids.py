"""``## Titel {#mijn-id}``: an identity the author gives a heading, as in Pandoc and mdBook.

mdit-py-plugins' attrs plugin reads attributes after inline elements and on a line of their
own, but not at the end of a heading; this core rule adds that one place and reuses the
plugin's own attribute parser, so the syntax is the same everywhere. Only a trailing ``{…}``
after a space that parses whole as attributes is taken; any other brace text stays text.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.attrs.parse import ParseError, parse

from publisher.errors import SourceError

_TRAILING = re.compile(r"[ \t]+(\{[^{}]*\})[ \t]*$")
_VALID_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ATTRS_META = "heading_attrs"  # the ``{…}`` text as written, kept for messages


def heading_attrs_plugin(md: MarkdownIt) -> None:
    """Move a trailing ``{#id}`` off each heading's text into its ``heading_open`` attrs."""
    md.core.ruler.after("block", "heading_attrs", _heading_attrs)


def _heading_attrs(state: StateCore) -> None:
    tokens = state.tokens
    for i, tok in enumerate(tokens[:-1]):
        if tok.type != "heading_open" or tokens[i + 1].type != "inline":
            continue
        inline = tokens[i + 1]
        match = _TRAILING.search(inline.content)
        if match is None:
            continue
        try:
            end, attrs = parse(match.group(1))
        except ParseError:
            continue
        if end != len(match.group(1)) - 1:
            continue
        inline.content = inline.content[: match.start()]
        tok.meta[ATTRS_META] = match.group(1)
        for key, value in attrs.items():
            tok.attrs[key] = value


def heading_id(
    attrs: dict[str, str | int | float], written: str, path: str, line: int
) -> str | None:
    """The id an author gave a heading, checked: lower-case ASCII letters, digits and single
    hyphens, so it can be a file name, a URL and an anchor as it is; ``None`` without one."""
    unknown = sorted(k for k in attrs if k != "id")
    if unknown:
        raise SourceError.at(
            path, line, f"heading attributes {written} not understood; write {{#an-id}}"
        )
    if "id" not in attrs:
        return None
    value = str(attrs["id"])
    if not _VALID_ID.match(value):
        raise SourceError.at(
            path,
            line,
            f"heading id {{#{value}}} must be lower-case ASCII letters, digits and hyphens, "
            "e.g. {#mijn-hoofdstuk}",
        )
    return value
