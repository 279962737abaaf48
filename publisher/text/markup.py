"""The one place that makes text safe for XML and decides which links may be followed.

Every output that writes XML (the EPUB's documents, the feed, later a website) takes these:
two copies of the forbidden-characters pattern or of the link check drift apart, and the
output that kept the older copy is the one an attacker or a stray control character reaches.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from publisher.urls import WEB_OR_MAIL, link_problem

# Code points XML 1.0 forbids even escaped (C0 controls but tab/newline/return, surrogates,
# U+FFFE/U+FFFF): one of them makes the whole document ill-formed, and lxml refuses to write
# them at all. They carry nothing a reader would see, so they are dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})

SAFE_SCHEMES = WEB_OR_MAIL
"""Link schemes a reader may follow; anything else (``javascript:``, ``file:``, relative paths
into files the output does not have) keeps its text and loses the link."""


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids."""
    return _NOT_XML.sub("", text)


def esc(text: str) -> str:
    """``text`` as XML character data (XML-safe, ``& < >`` escaped)."""
    return xml_safe(text).translate(_ESCAPES)


def attr(text: str) -> str:
    """``text`` as a double-quoted XML attribute value."""
    return xml_safe(text).translate(_ATTR_ESCAPES)


def unsafe_link(href: str) -> str:
    """The warning for a link :func:`safe_href` drops (the validation and the EPUB say it)."""
    why = link_problem(href) if not href.startswith("#") else None
    if why is None or why.startswith("must start with"):
        why = "is not a web, mail or in-book link"
    return f"link {href!r} {why}; the EPUB keeps its text only"


def safe_href(href: str, anchors: Mapping[str, str] | None = None) -> str | None:
    """The href to write for a link to ``href``, or None when it must not be a link.

    A web or mail link that :func:`publisher.urls.link_problem` accepts is kept as written.
    A ``#fragment`` is an in-book link: ``anchors`` maps it to where that heading is in this
    output; without ``anchors`` (an output that holds no headings to point at) or when it
    names no heading, it is not a link.
    """
    if href.startswith("#"):
        return (anchors or {}).get(href)
    return href if link_problem(href) is None else None
