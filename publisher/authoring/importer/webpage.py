"""The part of a saved web page that is the text: its ``<main>`` or ``<article>``, without
the site's navigation, scripts and forms.

lxml's HTML parser (already a dependency) reads the page as browsers do; pandoc then reads
what is left. pandoc alone would keep a menu's links and a cookie banner's text as
paragraphs of the book.
"""

from __future__ import annotations

import lxml.html

# Parts of a page that are the site around the text, never the text.
_CHROME = ("script", "style", "noscript", "template", "nav", "form", "iframe", "svg", "button")
_SITE = ("header", "footer", "aside")


def main_content(html: str) -> str:
    """``html`` cut to its text: the only outermost ``<main>`` or ``<article>`` if there is
    one (else the body without the page's header, footer and side bars), with no scripts,
    styles, menus or forms. The page's ``<title>`` stays for the book's title only on a page without
    an ``<h1>``."""
    if not html.strip():
        return html
    page = lxml.html.document_fromstring(html)
    for element in page.iter(*_CHROME):
        element.drop_tree()
    for link in page.iter("a"):
        href = (link.get("href") or "").strip()
        if (not href or href.lower().startswith("javascript:")) and link.text_content().strip():
            link.set("href", "#")  # a link that goes nowhere: the importer notes it as lost
    body = page.find("body")
    if body is None:
        return html
    title = page.find(".//title")
    if title is not None and page.find(".//body//h1") is not None:
        # The first heading is the title; a <title> often adds the site's name ("… | Blog").
        title.drop_tree()
    main = _only(page, "main")
    if main is None:
        main = _only(page, "article")
    if main is not None:
        main.tail = None
        body.clear()  # the element itself lives on while ``main`` refers to it
        body.append(main)
    else:
        for element in list(body.iter(*_SITE)):
            if element.getparent() is body:
                element.drop_tree()
    return str(lxml.html.tostring(page, encoding="unicode", doctype="<!DOCTYPE html>"))


def _only(page: lxml.html.HtmlElement, tag: str) -> lxml.html.HtmlElement | None:
    """The one outermost ``tag`` of the page, if there is one: the others inside it (a
    blog's comments, each an ``<article>`` in the post's, as the HTML standard suggests)
    are part of it, not other texts."""
    found = page.findall(f".//{tag}")
    outermost = [e for e in found if not any(a.tag == tag for a in e.iterancestors())]
    return outermost[0] if len(outermost) == 1 else None
