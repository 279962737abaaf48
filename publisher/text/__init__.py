"""The book's content as text for every output: XHTML, plain text, sentences, and the one
definition of what is safe to put in XML (:mod:`.markup`).

Renderers import from here rather than walking the model's inline and block nodes
themselves; see :mod:`.xhtml` for why.
"""

from publisher.text.markup import SAFE_SCHEMES, attr, esc, safe_href, xml_safe
from publisher.text.plain import block_text, collapse, plain_text
from publisher.text.sentences import HARD_BREAK, sentences
from publisher.text.xhtml import FOOTNOTES_ID, ImageHref, Style, XhtmlWriter, heading_levels

__all__ = [
    "FOOTNOTES_ID",
    "HARD_BREAK",
    "SAFE_SCHEMES",
    "ImageHref",
    "Style",
    "XhtmlWriter",
    "attr",
    "block_text",
    "collapse",
    "esc",
    "heading_levels",
    "plain_text",
    "safe_href",
    "sentences",
    "xml_safe",
]
