"""SVG by allowlist (publisher/reader/svg.py): the leaks of the blocklist it replaced, and
generated CSS after which no remote reference is left."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import tinycss2
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from publisher.errors import Problem
from publisher.pipeline.runner import build
from publisher.reader.svg import sanitize_svg
from tests.books import write_book
from tests.validators import epubcheck_problems

HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
RED_DOT = "data:image/png;base64,iVBORw0KGgo="


def clean(body: str) -> tuple[str, list[Problem]]:
    return clean_document(f"{HEAD}{body}</svg>".encode())


def clean_document(svg: bytes) -> tuple[str, list[Problem]]:
    warnings: list[Problem] = []
    data = sanitize_svg(svg, "x.svg", "book.md", 3, warnings.append)
    return data.decode(), warnings


@pytest.mark.parametrize(
    "body",
    [
        # Both kept a remote reference, with no warning, under the blocklist.
        "<style>rect { fill: image-set('https://t.example/a.png' 1x) }</style><rect/>",
        "<style>rect { background: u\\72l(https://t.example/b.png) }</style><rect/>",
        '<rect style="fill: image-set(&quot;https://t.example/a.png&quot; 1x)"/>',
        '<rect style="cursor: u\\72l(https://t.example/c.cur), auto"/>',
        '<rect fill="url(https://t.example/#g)"/>',
        '<rect filter="u\\72l(https://t.example/f.svg#f)"/>',
        "<style>@import 'https://t.example/x.css'; rect { fill: red }</style><rect/>",
        "<style>@font-face { src: url(https://t.example/f.woff) }</style>",
        '<image href="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=" width="1" height="1"/>',
        '<feImage xlink:href="https://t.example/i.png"/>',
        '<rect style="behavior: url(x.htc); -moz-binding: url(https://t.example/b.xml)"/>',
        '<html:img xmlns:html="http://www.w3.org/1999/xhtml" src="https://t.example/p.png"/>',
    ],
)
def test_every_remote_reference_goes_with_a_warning(body: str) -> None:
    text, warnings = clean(body)
    assert "t.example" not in text and "x.htc" not in text, text
    assert len(warnings) == 1 and warnings[0].line == 3


def test_a_css_escape_of_a_control_character_is_removed_not_a_crash() -> None:
    # Found by the generated CSS below: "\\1" decodes to U+0001, which lxml cannot write
    # (a ValueError, a traceback).
    text, warnings = clean('<style>rect { fill: \\1px }</style><rect style="fill: \\1px"/>')
    assert "\x01" not in text
    assert "CSS with characters XML cannot hold" in warnings[0].message


def test_what_a_drawing_needs_stays() -> None:
    body = (
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient>'
        '<clipPath id="c"><rect width="5" height="5"/></clipPath></defs>'
        "<style>.a { fill: url(#g); stroke: rgb(1, 2, 3) }</style>"
        '<g clip-path="url(#c)" transform="rotate(45)"><rect class="a" width="9" height="9" '
        'style="opacity: 0.5; transform: translate(1px, 2px)" aria-label="a square"/></g>'
        f'<image href="{RED_DOT}" width="1" height="1"/><use xlink:href="#c"/>'
        '<a href="https://example.org/"><text x="1" y="9">Hallo</text></a>'
    )
    text, warnings = clean(body)
    assert warnings == []
    for kept in ("url(#g)", "url(#c)", "rotate(45)", "translate(1px, 2px)", RED_DOT, "#c"):
        assert kept in text, kept
    assert "https://example.org/" in text and "aria-label" in text


def test_a_reference_to_a_part_the_image_does_not_have_goes() -> None:
    # EPUBCheck: RSC-012 "Fragment identifier is not defined".
    text, warnings = clean('<rect id="r"/><use xlink:href="#nowhere"/><rect fill="url(#gone)"/>')
    assert "nowhere" not in text and "gone" not in text
    assert "references to parts the image does not have" in warnings[0].message


def test_editor_data_goes_without_a_word() -> None:
    body = (
        '<sodipodi:namedview xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"/>'
        '<rect xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
        'inkscape:label="Layer 1" width="1" height="1"/>'
    )
    text, warnings = clean(body)
    assert warnings == [] and "inkscape" not in text and "sodipodi" not in text


def references(svg: str) -> Iterator[str]:
    """Every address the cleaned ``svg`` refers to, as a browser would read it: in
    attributes, in style attributes and in style sheets."""
    root = etree.fromstring(svg.encode())
    for element in root.iter():
        for name, value in element.attrib.items():
            if etree.QName(name).localname == "href":
                yield value
            else:
                yield from css_references(tinycss2.parse_component_value_list(value))
        if etree.QName(element).localname == "style":
            for rule in tinycss2.parse_stylesheet(element.text or ""):
                yield from css_references(getattr(rule, "content", None) or [])


def css_references(tokens: list[tinycss2.ast.Node]) -> Iterator[str]:
    for token in tokens:
        if token.type == "url":
            yield token.value
        elif token.type == "function":
            if token.lower_name != "url" and "image" in token.lower_name:
                yield f"{token.lower_name}()"
            strings = [t.value for t in token.arguments if t.type == "string"]
            if token.lower_name == "url":
                yield from strings or ["url() without a string"]
            yield from css_references(token.arguments)
        elif hasattr(token, "content") and isinstance(token.content, list):
            yield from css_references(token.content)


PROPERTIES = st.sampled_from(
    ["fill", "stroke", "background", "cursor", "filter", "mask", "clip-path", "behavior",
     "-moz-binding", "list-style-image", "content", "font-family", "FILL", "f\\69ll", "--x"]
)  # fmt: skip
ADDRESSES = st.sampled_from(
    ["https://t.example/a.png", "//t.example/b", "#g", "#nowhere", RED_DOT, "data:image/svg+xml,x",
     "javascript:x()", "  https://t.example/c  ", "ht\\74ps://t.example/d"]
)  # fmt: skip
FUNCTIONS = st.sampled_from(
    ["url", "u\\72l", "URL", "image-set", "-webkit-image-set", "image", "cross-fade", "element",
     "src", "rgb", "calc", "var", "expression", "translate"]
)  # fmt: skip
VALUES = st.one_of(
    st.tuples(FUNCTIONS, ADDRESSES, st.sampled_from(["'", '"', ""])).map(
        lambda p: f"{p[0]}({p[2]}{p[1]}{p[2]}) "
    ),
    st.sampled_from(["red", "1px", "#fff", "none", "!important", "/* c */", "\\", "'", "(", "}"]),
)
DECLARATIONS = st.lists(
    st.tuples(PROPERTIES, st.lists(VALUES, min_size=1, max_size=3)).map(
        lambda p: f"{p[0]}: {''.join(p[1])}"
    ),
    max_size=4,
).map("; ".join)


@settings(max_examples=300, deadline=None)
@given(style=DECLARATIONS, sheet=DECLARATIONS, attribute=VALUES)
def test_after_any_css_only_fragments_of_the_image_and_data_images_are_referred_to(
    style: str, sheet: str, attribute: str
) -> None:
    svg = "{http://www.w3.org/2000/svg}"
    root = etree.Element(f"{svg}svg", nsmap={None: svg[1:-1]})
    etree.SubElement(etree.SubElement(root, f"{svg}defs"), f"{svg}linearGradient", id="g")
    etree.SubElement(root, f"{svg}style").text = f"rect {{ {sheet} }}"
    etree.SubElement(root, f"{svg}rect", fill=attribute, style=style, width="1", height="1")
    text, _ = clean_document(etree.tostring(root))
    for address in references(text):
        assert address == "#g" or address.startswith("data:image/png"), (address, text)
    _, warnings = clean_document(text.encode())
    assert warnings == [], warnings  # what is left is clean by the same rule


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "1a", "a b", "", "x:y", "-a", "é", "_"]), max_size=6))
def test_ids_left_are_xml_names_each_given_once(ids: list[str]) -> None:
    # Duplicate ids, ids starting with a digit or holding a space: EPUBCheck refused the book
    # (RSC-005 'Duplicate "a"', 'value of attribute "id" is invalid').
    # And an xml:id "a" after them (libxml2 itself refuses an invalid or repeated xml:id).
    body = "".join(f'<rect id="{v}" width="1" height="1"/>' for v in ids)
    body += '<rect xml:id="a" width="1" height="1"/>'
    text, warnings = clean(body + "".join(f'<use href="#{v}"/>' for v in ids))
    ids = [*ids, "a"]
    root = etree.fromstring(text.encode())
    left = [v for e in root.iter() for k, v in e.attrib.items() if k.endswith("id")]
    assert len(left) == len(set(left)) and all(
        v and v[0] not in "1- " and ":" not in v for v in left
    )
    referred = [e.get("href") for e in root.iter("{*}use")]
    assert all(r[1:] in left for r in referred)  # what still points somewhere has its id
    if len(left) < len(ids):
        assert "ids that are no XML names or are given twice" in warnings[0].message


@pytest.mark.slow  # runs EPUBCheck
def test_an_svg_with_ids_a_drawing_program_writes_passes_epubcheck(tmp_path: Path) -> None:
    svg = (
        f'{HEAD}<rect id="a" width="5" height="5"/><rect id="a" x="5" width="5" height="5"/>'
        '<rect id="1a" width="1" height="1"/><rect id="a b" width="1" height="1"/>'
        '<use xlink:href="#a"/><use xlink:href="#1a"/></svg>'
    )
    source = write_book(
        tmp_path,
        "---\ntitle: T\nauthor: A\nlanguage: en\nidentifier: urn:x\n---\n\n# T\n\n"
        "![A drawing](drawing.svg)\n",
    )
    (source.parent / "drawing.svg").write_text(svg, encoding="utf-8")
    build(source, tmp_path / "out", only=["epub"])
    [epub] = (tmp_path / "out" / "epub").glob("*.epub")
    assert epubcheck_problems(epub, tmp_path) == []
