"""SVG images cleaned by allowlist: what :mod:`publisher.reader.svg_allowlist` names stays,
everything else goes, and every address that is not a ``#fragment`` of the image itself or
a ``data:`` raster image is removed (a link of an ``<a>`` is judged by the one URL rule).

A blocklist leaks: a CSS ``image-set('https://…')`` or an escaped ``u\\72l(…)`` kept a remote
reference without a word. Here CSS is read by tinycss2 (a CSS Syntax Level 3 tokenizer, so
escapes are decoded as a browser decodes them) and every declaration is judged by its
property and every function and address in its value; the XML by lxml, with no network,
no DTD and no entities. What is removed is named in one warning; data an editor keeps in
its own namespaces (Inkscape, Sodipodi, RDF metadata, Adobe) goes without one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import tinycss2
from lxml import etree

from publisher.errors import Problem, SourceError
from publisher.reader.svg_allowlist import (
    ATTRIBUTES,
    CSS_FUNCTIONS,
    CSS_PROPERTIES,
    DATA_IMAGE_TYPES,
    ELEMENTS,
    XLINK_ATTRIBUTES,
    XML_ATTRIBUTES,
)
from publisher.text.markup import xml_safe
from publisher.urls import link_problem

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_EDITORS = (
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://purl.org/dc/elements/1.1/",
    "http://creativecommons.org/ns#",
    "http://ns.adobe.com/",
)
_DATA_IMAGE = re.compile(
    rf"^data:(?:{'|'.join(re.escape(t) for t in DATA_IMAGE_TYPES)})[;,]", re.IGNORECASE
)
_LOADERS = {"image-set", "-webkit-image-set", "image", "cross-fade", "element", "src"}
_EXTERNAL = "external references"
_MISSING = "references to parts the image does not have"
_NOT_XML = "CSS with characters XML cannot hold"


def sanitize_svg(
    data: bytes, src: str, path: str, line: int | None, warn: Callable[[Problem], None]
) -> bytes:
    """``data`` (an SVG document) with only what the allowlists keep; refused when it is not
    well-formed XML, declares a DOCTYPE or is not SVG. ``warn`` hears what was removed."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        message = str(e.msg).splitlines()[0] if e.msg else "not well-formed"
        raise SourceError.at(path, line, f"image {src!r} is not well-formed SVG: {message}") from e
    if root.getroottree().docinfo.internalDTD is not None:
        raise SourceError.at(path, line, f"image {src!r} declares a DOCTYPE; remove it")
    if root.tag != f"{{{SVG_NS}}}svg":
        raise SourceError.at(path, line, f"image {src!r} is not an SVG image (no <svg> root)")
    removed = clean(root)
    if removed:
        message = f"image {src!r}: removed {', '.join(sorted(removed))}"
        warn(Problem(path=path, line=line, severity="warning", message=message))
    return bytes(etree.tostring(root, encoding="utf-8", xml_declaration=True))


def clean(root: etree._Element) -> set[str]:
    """Keep in ``root`` only what the allowlists name, in place; what was removed, named."""
    removed: set[str] = set()
    _prune(root, removed)
    ids = _names(root, removed)
    for element in list(root.iter()):
        _clean_attributes(element, ids, removed)
        local = etree.QName(element).localname.lower()
        if local == "style":
            kind = element.get("type", "text/css").strip().lower()
            text = "".join(element.itertext())
            for child in list(element):
                element.remove(child)
            element.text = _stylesheet(text, ids, removed) if kind == "text/css" else ""
        if local in ("image", "feimage", "use") and not _href(element):
            element.getparent().remove(element)  # nothing left to show
    etree.cleanup_namespaces(root)
    return removed


def _names(root: etree._Element, removed: set[str]) -> set[str]:
    """The ids of ``root`` that EPUBCheck accepts, each an XML name without a colon given
    once (an id or an xml:id); the others are removed, so that a reference to one is a
    reference to a part the image does not have. Drawing programs write "1", "a b" and the
    same id twice; EPUBCheck refused the book (RSC-005)."""
    names: set[str] = set()
    for element in root.iter():
        for key in ("id", f"{{{XML_NS}}}id"):
            value = element.get(key)
            if value is None:
                continue
            if _is_name(value) and value not in names:
                names.add(value)
            else:
                del element.attrib[key]
                removed.add("ids that are no XML names or are given twice")
    return names


def _is_name(value: str) -> bool:
    """Whether ``value`` is an XML name without a colon (an NCName), as libxml2 judges one."""
    try:
        etree.QName(value)
    except ValueError:
        return False
    return True


def _prune(parent: etree._Element, removed: set[str]) -> None:
    """Remove from ``parent`` every child the allowlist does not keep, with all inside it."""
    for child in list(parent):
        if _allowed_element(child, removed):
            _prune(child, removed)
        else:
            parent.remove(child)


def _allowed_element(element: etree._Element, removed: set[str]) -> bool:
    """Whether ``element`` may stay (noting in ``removed`` what may not)."""
    if not isinstance(element.tag, str):  # an entity reference left unresolved
        removed.add("an entity reference")
        return False
    name = etree.QName(element)
    if name.namespace == SVG_NS and name.localname.lower() in ELEMENTS:
        return True
    if not (name.namespace or "").startswith(_EDITORS):
        removed.add(f"<{name.localname}>")
    return False


def _href(element: etree._Element) -> str | None:
    found = element.get("href") or element.get(f"{{{XLINK_NS}}}href")
    return str(found) if found is not None else None


def _clean_attributes(element: etree._Element, ids: set[str], removed: set[str]) -> None:
    """Remove the attributes of ``element`` the allowlists do not keep, and the addresses
    and CSS they do not allow."""
    local = etree.QName(element).localname.lower()
    for name, value in list(element.attrib.items()):
        qname = etree.QName(name)
        attribute, namespace = qname.localname.lower(), qname.namespace
        reason: str | None = None
        if namespace is None and attribute.startswith("on"):
            reason = "event handlers"
        elif (namespace is None and (attribute in ATTRIBUTES or attribute.startswith("aria-"))) or (
            namespace == XLINK_NS and attribute in XLINK_ATTRIBUTES
        ):
            reason = _value_problem(local, attribute, value, ids)
        elif namespace == XML_NS and attribute in XML_ATTRIBUTES:
            reason = None
        elif namespace is not None and namespace.startswith(_EDITORS):
            reason = ""  # an editor's own data: removed without a word
        else:
            reason = f"the attribute {qname.localname!r}"
        if reason is not None:
            del element.attrib[name]
            if reason:
                removed.add(reason)
        elif attribute == "style" and namespace is None:
            style = _declarations(value, ids, removed)
            if style:
                element.set(name, style)
            else:
                del element.attrib[name]


def _value_problem(element: str, attribute: str, value: str, ids: set[str]) -> str | None:
    """Why the value of a kept attribute must go (an address, CSS); None if it may stay."""
    if attribute == "href":
        if element == "a" and not value.strip().startswith("#"):
            return None if link_problem(value.strip()) is None else _EXTERNAL
        return _address_problem(value, ids, images=element in ("image", "feimage"))
    if attribute in CSS_PROPERTIES and attribute != "style":
        return _css_value_problem(tinycss2.parse_component_value_list(value), ids)
    return None


def _address_problem(url: str, ids: set[str], *, images: bool = True) -> str | None:
    """Why ``url`` may not be referred to from the image; None for a ``#fragment`` the image
    has and (where ``images``) a ``data:`` raster image."""
    url = url.strip()
    if url.startswith("#"):
        return None if url[1:] in ids else _MISSING
    if images and _DATA_IMAGE.match(url):
        return None
    return _EXTERNAL


def _css_value_problem(tokens: Iterable[tinycss2.ast.Node], ids: set[str]) -> str | None:
    """Why a CSS value (its component values) may not stay; None if it may."""
    for token in tokens:
        problem: str | None = None
        if token.type == "url":
            problem = _address_problem(token.value, ids)
        elif token.type == "function":
            name = token.lower_name
            if name in _LOADERS:
                problem = _EXTERNAL
            elif name not in CSS_FUNCTIONS:
                problem = f"the CSS function {name}()"
            elif name == "url":
                words = [t for t in token.arguments if t.type not in ("whitespace", "comment")]
                whole = len(words) == 1 and words[0].type == "string"
                problem = _address_problem(words[0].value, ids) if whole else _EXTERNAL
            else:
                problem = _css_value_problem(token.arguments, ids)
        elif token.type in ("() block", "[] block", "{} block"):
            problem = _css_value_problem(token.content, ids)
        elif token.type in ("error", "at-keyword"):
            problem = "CSS that does not parse"
        if problem is not None:
            return problem
    return None


def _declarations(text: str, ids: set[str], removed: set[str]) -> str:
    """The declarations of ``text`` (a ``style`` attribute, a rule's body) that stay."""
    kept = []
    for node in tinycss2.parse_declaration_list(text, skip_comments=True, skip_whitespace=True):
        if node.type == "declaration":
            problem = (
                _css_value_problem(node.value, ids)
                if node.lower_name in CSS_PROPERTIES
                else f"the CSS property {node.name!r}"
            )
            important = " !important" if node.important else ""
            written = f"{node.name}: {tinycss2.serialize(node.value).strip()}{important}"
            if problem is None and xml_safe(written) != written:
                problem = _NOT_XML  # an escape such as \1 decodes to a control character
            if problem is None:
                kept.append(written)
            else:
                removed.add(problem)
        else:
            removed.add(_not_kept(node))
    return "; ".join(kept)


def _stylesheet(text: str, ids: set[str], removed: set[str]) -> str:
    """The rules of the style sheet ``text`` that stay, each with the declarations that do;
    at-rules (``@import``, ``@font-face``) go."""
    out = []
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule":
            body = _declarations(tinycss2.serialize(rule.content), ids, removed)
            selector = tinycss2.serialize(rule.prelude).strip()
            if xml_safe(selector) == selector:
                out.append(f"{selector} {{ {body} }}")
            else:
                removed.add(_NOT_XML)
        else:
            removed.add(_not_kept(rule))
    return "\n".join(out)


def _not_kept(node: tinycss2.ast.Node) -> str:
    """What a CSS node other than a rule or a declaration is called in the warning."""
    return f"@{node.at_keyword}" if node.type == "at-rule" else "CSS that does not parse"
