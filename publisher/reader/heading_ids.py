"""``## Titel {#mijn-id}``: an identity the author gives a heading, as in Pandoc and mdBook.

Read by :mod:`publisher.reader.trailing_attrs`, the attrs plugin's syntax at the end of a heading.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from publisher.errors import SourceError
from publisher.reader.trailing_attrs import trailing_attrs_plugin

_VALID_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ATTRS_META = "heading_attrs"  # the ``{…}`` text as written, kept for messages


def heading_attrs_plugin(md: MarkdownIt) -> None:
    """Move a trailing ``{#id}`` off each heading's text into its ``heading_open`` attrs."""
    trailing_attrs_plugin(md, name="heading_attrs", open_type="heading_open", meta_key=ATTRS_META)


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
