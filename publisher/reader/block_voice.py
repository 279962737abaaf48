"""``Wat denk je? {voice=nl-espeak-f3}``: the voice an author gives one paragraph or prompt.

Read by :mod:`publisher.reader.trailing_attrs`: a trailing ``{…}`` that names ``voice``, or
an attribute list on the paragraph's last line; the name is checked here.
"""

from __future__ import annotations

import re

from publisher.errors import SourceError
from publisher.reader.trailing_attrs import AttributeList

_VOICE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,99}$")


def block_voice(found: AttributeList, path: str, line: int) -> str | None:
    """The voice profile name an author gave a paragraph, checked; ``None`` without one."""
    value = found.get("voice")
    if value is None:
        return None
    if not _VOICE_NAME.match(value):
        raise SourceError.at(
            path, line, f"{{voice={value}}} must name a voice profile, e.g. {{voice=nl-espeak-f3}}"
        )
    return value
