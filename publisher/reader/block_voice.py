"""``Wat denk je? {voice=nl-espeak-f3}``: the voice an author gives one paragraph or prompt.

mdit-py-plugins' attrs plugin reads ``{…}`` after inline elements and on a line of its own
(``attrs_block_plugin``), but the line of its own would also take other lines that hold only
braces (a block-level ``{pause=5}``) away from the rest of the parser. So, as for heading ids,
:mod:`publisher.reader.trailing_attrs` takes a trailing ``{voice=…}`` off a paragraph's last line.
Only ``{…}`` text that parses whole as attributes and names ``voice`` is taken.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from publisher.errors import SourceError
from publisher.reader.trailing_attrs import trailing_attrs_plugin

_VOICE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
VOICE_META = "block_voice"  # the ``{…}`` text as written, kept for messages


def block_voice_plugin(md: MarkdownIt) -> None:
    """Move a trailing ``{voice=name}`` off each paragraph into its ``paragraph_open`` attrs."""
    trailing_attrs_plugin(
        md,
        name="block_voice",
        open_type="paragraph_open",
        meta_key=VOICE_META,
        accept=lambda attrs: "voice" in attrs,
    )


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
