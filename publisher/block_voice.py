"""``Wat denk je? {voice=nl-espeak-f3}``: the voice an author gives one paragraph or prompt.

mdit-py-plugins' attrs plugin reads ``{…}`` after inline elements and on a line of its own
(``attrs_block_plugin``), but the line of its own would also take other lines that hold only
braces (a block-level ``{pause=5}``) away from the rest of the parser. So, as for heading ids
(:mod:`publisher.heading_ids`), a core rule takes a trailing ``{voice=…}`` off a paragraph's
last line and puts it in the paragraph's attributes, parsed by the plugin's own attribute
parser, so the syntax is the same everywhere. Only ``{…}`` text that parses whole as
attributes and names ``voice`` is taken; any other brace text stays text.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.attrs.parse import ParseError, parse

from publisher.errors import SourceError

_TRAILING = re.compile(r"[ \t]+(\{[^{}]*\})[ \t]*$")
_VOICE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
VOICE_META = "block_voice"  # the ``{…}`` text as written, kept for messages


def block_voice_plugin(md: MarkdownIt) -> None:
    """Move a trailing ``{voice=name}`` off each paragraph into its ``paragraph_open`` attrs."""
    md.core.ruler.after("block", "block_voice", _block_voice)


def _block_voice(state: StateCore) -> None:
    tokens = state.tokens
    for i, tok in enumerate(tokens[:-1]):
        if tok.type != "paragraph_open" or tokens[i + 1].type != "inline":
            continue
        inline = tokens[i + 1]
        match = _TRAILING.search(inline.content)
        if match is None:
            continue
        try:
            end, attrs = parse(match.group(1))
        except ParseError:
            continue
        if end != len(match.group(1)) - 1 or "voice" not in attrs:
            continue
        inline.content = inline.content[: match.start()]
        tok.meta[VOICE_META] = match.group(1)
        tok.attrs.update(attrs)


def block_voice(
    attrs: dict[str, str | int | float], written: str, path: str, line: int
) -> str | None:
    """The voice profile name an author gave a paragraph, checked; ``None`` without one."""
    unknown = sorted(k for k in attrs if k != "voice")
    if unknown:
        raise SourceError.at(
            path, line, f"paragraph attributes {written} not understood; write {{voice=name}}"
        )
    value = str(attrs["voice"])
    if not _VOICE_NAME.match(value):
        raise SourceError.at(
            path, line, f"{{voice={value}}} must name a voice profile, e.g. {{voice=nl-espeak-f3}}"
        )
    return value
