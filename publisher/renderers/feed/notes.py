"""What a podcast episode says about its chapter: the chapter's opening as plain text and HTML.

Every string that goes into the feed passes :func:`xml_safe` first. XML 1.0 forbids most C0
control characters (U+0000-U+001F except tab, line feed and carriage return), lone surrogates
and U+FFFE/U+FFFF; one of them anywhere makes the whole feed unreadable to a strict parser,
and lxml refuses to write them at all. They carry nothing a listener would see, so they go.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from publisher import model as m

# Characters XML 1.0 does not allow in a document, even escaped.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")

# How much of a chapter's opening an episode shows: podcast apps show a few lines in a list
# and the whole text on the episode's page.
DESCRIPTION_CHARS = 500
OPENING_CHARS = 1200

# Link targets an episode's notes may point at; anything else (javascript:, relative paths
# into the EPUB) keeps its text and loses the link.
_SAFE_SCHEMES = ("http", "https", "mailto")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids."""
    return _XML_FORBIDDEN.sub("", text)


def one_line(text: str) -> str:
    """``text`` on one line: XML-safe, runs of white space collapsed, trimmed (for titles)."""
    return _SPACES.sub(" ", xml_safe(text)).strip()


def _safe_href(href: str) -> bool:
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        return False
    return scheme in _SAFE_SCHEMES


def inline_html(nodes: tuple[m.Inline, ...]) -> str:
    """Inline content as HTML; every piece of text is escaped."""
    out: list[str] = []
    for node in nodes:
        if isinstance(node, m.Text):
            out.append(html.escape(node.text, quote=False))
        elif isinstance(node, m.Code):
            out.append(f"<code>{html.escape(node.text, quote=False)}</code>")
        elif isinstance(node, m.Emphasis):
            out.append(f"<em>{inline_html(node.children)}</em>")
        elif isinstance(node, m.Strong):
            out.append(f"<strong>{inline_html(node.children)}</strong>")
        elif isinstance(node, m.Link):
            inner = inline_html(node.children)
            if _safe_href(node.href):
                out.append(f'<a href="{html.escape(node.href)}">{inner}</a>')
            else:
                out.append(inner)
        elif isinstance(node, m.LineBreak):
            out.append("<br/>")
        elif isinstance(node, m.InlineImage):
            out.append(html.escape(node.alt, quote=False))
        # FootnoteRef: the footnote itself is not in the episode notes, so neither is its mark.
    return "".join(out)


def _block_html(block: m.Block) -> str:
    if isinstance(block, m.Paragraph | m.Prompt):
        return f"<p>{inline_html(block.children)}</p>"
    if isinstance(block, m.Example):
        label = html.escape(block.label, quote=False)
        return f"<p><strong>{label}</strong> {inline_html(block.children)}</p>"
    if isinstance(block, m.Quote):
        inner = "".join(_block_html(b) for b in block.blocks)
        return f"<blockquote>{inner}</blockquote>"
    if isinstance(block, m.ListBlock):
        tag = "ol" if block.ordered else "ul"
        items = "".join(
            f"<li>{''.join(_block_html(b) for b in item.blocks)}</li>" for item in block.items
        )
        start = f' start="{block.start}"' if block.ordered and block.start != 1 else ""
        return f"<{tag}{start}>{items}</{tag}>"
    if isinstance(block, m.CodeBlock):
        return f"<pre><code>{html.escape(block.text, quote=False)}</code></pre>"
    return ""


def _collapse(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _block_text(block: m.Block) -> str:
    """A block as plain text on one line; a list has one line per item."""
    if isinstance(block, m.Paragraph | m.Prompt):
        return _collapse(m.plain_text(block.children))
    if isinstance(block, m.Example):
        return _collapse(f"{block.label} {m.plain_text(block.children)}")
    if isinstance(block, m.Quote):
        return _collapse(" ".join(_block_text(b) for b in block.blocks))
    if isinstance(block, m.ListBlock):
        return "\n".join(
            "• " + _collapse(" ".join(_block_text(b) for b in item.blocks)) for item in block.items
        )
    if isinstance(block, m.CodeBlock):
        return _collapse(block.text)
    return ""


def opening(chapter: m.Chapter, limit: int = OPENING_CHARS) -> tuple[m.Block, ...]:
    """The blocks that open ``chapter``: text before its first heading, at least one block,
    and no more once ``limit`` characters of text are reached."""
    out: list[m.Block] = []
    length = 0
    for block in chapter.blocks:
        if isinstance(block, m.Heading):
            if out:
                break
            continue
        text = _block_text(block).strip()
        if not text:
            continue
        if out and length + len(text) > limit:
            break
        out.append(block)
        length += len(text)
    return tuple(out)


def opening_text(chapter: m.Chapter, limit: int = DESCRIPTION_CHARS) -> str:
    """The chapter's opening as plain text, cut at a word near ``limit`` characters."""
    paragraphs = [_block_text(b) for b in opening(chapter)]
    text = xml_safe("\n\n".join(p for p in paragraphs if p))
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" \n,;:—–-") + "…"


def opening_html(chapter: m.Chapter) -> str:
    """The chapter's opening as HTML for ``content:encoded``."""
    return xml_safe("\n".join(_block_html(b) for b in opening(chapter)))
