"""``## Titel {#mijn-id}``: an identity the author gives a heading, as in Pandoc and mdBook.

Read by :mod:`publisher.reader.trailing_attrs` in every attribute-list form Pandoc and
kramdown accept; the id is checked here.
"""

from __future__ import annotations

import re

from publisher.errors import SourceError
from publisher.reader.trailing_attrs import AttributeList

SLUG_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
"""A chapter's id: it names the chapter's files, its URLs and its episode."""
SECTION_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_:.-]{0,99}$")
"""A section's id: Pandoc's identifiers (a letter, then letters, digits, ``_ : . -``), in
ASCII, so a ``#fragment`` link names it as written."""
RESERVED_ID = re.compile(r"^(?:fn-\d+|fnref-\d+(?:-\d+)?|[slb]_.*|\w+_title)$")
"""The ids publisher writes itself in a chapter's document (footnotes and their marks, the
narration's sentences, labels and blocks, titles): a heading may not take one."""


def heading_id(found: AttributeList, path: str, line: int, *, chapter: bool) -> str | None:
    """The id an author gave a heading, checked (:data:`SLUG_ID` for a ``chapter``'s,
    :data:`SECTION_ID` for a section's); ``None`` without one."""
    value = found.get("id")
    if value is None:
        return None
    if chapter and not SLUG_ID.match(value):
        raise SourceError.at(
            path,
            line,
            f"chapter id {{#{value}}} names the chapter's files and episode: it must be "
            "lower-case ASCII letters, digits and hyphens, e.g. {#mijn-hoofdstuk}",
        )
    if not SECTION_ID.match(value):
        raise SourceError.at(
            path,
            line,
            f"heading id {{#{value}}} must be an ASCII letter, then letters, digits, "
            "'-', '_', ':' or '.' (at most 100), e.g. {#mijn-sectie}",
        )
    if RESERVED_ID.match(value):
        raise SourceError.at(
            path, line, f"heading id {{#{value}}} is one publisher writes itself; choose another"
        )
    return value
