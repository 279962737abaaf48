"""The EPUB target: checked by EPUBCheck and Ace, against golden files and by behaviour."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
import shutil
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from lxml import etree

from publisher import model as m
from publisher.checks.validate import validate
from publisher.errors import BuildError, Problem, SourceError
from publisher.i18n import words_for
from publisher.pipeline.registry import every
from publisher.reader.parse import parse_file, parse_text
from publisher.renderers.accessibility import CONFORMS_TO
from publisher.renderers.base import RenderContext
from publisher.renderers.cover.draw import PORTRAIT, cover_jpeg
from publisher.renderers.cover.renderer import CoverRenderer
from publisher.renderers.epub.container import modified
from publisher.renderers.epub.renderer import EpubRenderer
from publisher.renderers.epub.xhtml import ChapterWriter
from publisher.text import safe_href, sentences
from tests.golden import assert_golden
from tests.validators import ace_violations, epubcheck_problems

REPO = Path(__file__).parents[1]
SEED_SOURCE = REPO / "source" / "de-geneeskracht-van-knuffelen.md"
EVERY_BLOCK = Path(__file__).parent / "fixtures" / "every-block.md"
# The author's article as exported (plain text), kept in the repository so a fresh clone
# runs every test.
SEED_TEXT = Path(__file__).parent / "fixtures" / "seed-original.txt"
PLS_BOOK = Path(__file__).parent / "fixtures" / "pls" / "book.md"  # links a PLS lexicon
BOOKS = {"seed": SEED_SOURCE, "every-block": EVERY_BLOCK, "pls": PLS_BOOK}

NS = {
    "h": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def build(source: Path, folder: Path) -> Path:
    """Render the cover and ``source`` as the build would (without the build) and return the
    EPUB's path."""
    book = parse_file(source).book
    root = folder / "staging"
    out = root / "epub"
    out.mkdir(parents=True)
    ctx = RenderContext(
        book=book, root=root, out_dir=out, published=folder / "published", cache_dir=folder / "c"
    )
    CoverRenderer().render(dataclasses.replace(ctx, out_dir=root))
    EpubRenderer().render(ctx)
    return out / f"{book.slug}.epub"


@pytest.fixture(scope="module")
def epubs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each test book built once for the module."""
    return {name: build(src, tmp_path_factory.mktemp(name)) for name, src in BOOKS.items()}


def members(epub: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(epub) as z:
        return {name: z.read(name) for name in z.namelist()}


def xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def documents(epub: Path) -> Iterator[tuple[str, etree._Element]]:
    """Every XHTML document in the package, parsed."""
    files = members(epub)
    for name, data in files.items():
        if name.endswith(".xhtml"):
            yield name, xml(data)


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# -- validators ------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BOOKS))
def test_epubcheck_finds_no_errors_or_warnings(
    name: str, epubs: dict[str, Path], tmp_path: Path
) -> None:
    problems = epubcheck_problems(epubs[name], tmp_path)
    assert problems == [], "\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BOOKS))
def test_ace_reports_no_violations(name: str, epubs: dict[str, Path], tmp_path: Path) -> None:
    outcome, violations = ace_violations(epubs[name], tmp_path)
    assert violations == [], "\n".join(violations)
    assert outcome == "pass"


# -- the author's words ----------------------------------------------------------------------


def seed_sentences(text: str) -> list[str]:
    """The seed's sentences, cut by the toolkit's own splitter, with bullets removed."""
    out: list[str] = []
    for line in text.splitlines():
        line = re.sub(r"^\s*-\s+", "", line)
        # The export glued "vergroten.De Kracht" together where two list items met: a
        # sentence end before a capital with no space at all gets its space back first.
        line = re.sub(r"(?<=[a-z][.?!])(?=[A-Z])", " ", line)
        out.extend(normalised(sentence) for sentence in sentences(line))
    return out


def test_seed_sentence_splitting_handles_glued_sentences() -> None:
    assert seed_sentences("- Kan vergroten.De Kracht van Vasthouden\nEen. Twee? Drie!") == [
        "Kan vergroten.",
        "De Kracht van Vasthouden",
        "Een.",
        "Twee?",
        "Drie!",
    ]


def test_every_seed_sentence_is_in_the_epub(epubs: dict[str, Path]) -> None:
    text = " ".join(
        normalised("".join(doc.find("h:body", NS).itertext()))
        for _, doc in documents(epubs["seed"])
    )
    # A prompt's 💡 is drawn by the stylesheet now; its label is written where it stood.
    seed = SEED_TEXT.read_text(encoding="utf-8").replace("💡 ", "Reflectievraag ")
    sentences = seed_sentences(seed)
    assert len(sentences) > 100
    missing = [s for s in sentences if s not in text]
    assert missing == []


# -- golden files ----------------------------------------------------------------------------


def _normalise_package(text: str) -> str:
    """The OPF/NCX with the values that identify one build replaced (mdBook's ``[ROOT]``)."""
    text = re.sub(r"(<dc:identifier[^>]*>)[^<]*", r"\1[IDENTIFIER]", text)
    text = re.sub(r'(name="dtb:uid" content=")[^"]*', r"\1[IDENTIFIER]", text)
    return re.sub(r'(property="dcterms:modified">)[^<]*', r"\1[MODIFIED]", text)


@pytest.mark.parametrize("name", sorted(BOOKS))
def test_package_documents_match_golden(name: str, epubs: dict[str, Path]) -> None:
    files = members(epubs[name])
    assert_golden(f"epub/{name}.opf", _normalise_package(files["EPUB/content.opf"].decode()))
    assert_golden(f"epub/{name}-nav.xhtml", files["EPUB/nav.xhtml"].decode())
    assert_golden(f"epub/{name}-toc.ncx", _normalise_package(files["EPUB/toc.ncx"].decode()))


def test_chapters_match_golden(epubs: dict[str, Path]) -> None:
    files = members(epubs["every-block"])
    chapters = sorted(n for n in files if n.startswith("EPUB/text/"))
    assert len(chapters) == 3
    for chapter in chapters:
        assert_golden(f"epub/every-block-{Path(chapter).name}", files[chapter].decode())
    seed = members(epubs["seed"])
    first = "EPUB/text/oxytocine-het-knuffelhormoon.xhtml"
    assert_golden("epub/seed-oxytocine-het-knuffelhormoon.xhtml", seed[first].decode())


# -- escaping and links ----------------------------------------------------------------------


def test_raw_html_in_the_source_comes_out_as_text(epubs: dict[str, Path]) -> None:
    files = members(epubs["every-block"])
    raw = files["EPUB/text/inline-text-markup.xhtml"].decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert "&lt;b&gt;not bold&lt;/b&gt;" in raw
    assert "Fish &amp; chips cost &lt; 3 euros &gt; 2 euros." in raw
    for _, doc in documents(epubs["every-block"]):
        assert doc.xpath("//h:script | //h:b | //h:i", namespaces=NS) == []
    doc = xml(files["EPUB/text/inline-text-markup.xhtml"])
    assert "<script>alert(1)</script>" in "".join(doc.itertext())


def test_only_safe_links_are_links(epubs: dict[str, Path]) -> None:
    doc = xml(members(epubs["every-block"])["EPUB/text/inline-text-markup.xhtml"])
    hrefs = doc.xpath("//h:a/@href", namespaces=NS)
    assert hrefs == [
        "https://example.org/",
        "tables-and-code.xhtml",  # an in-book #fragment, pointed at the right document
        "mailto:someone@example.org",
    ]
    text = normalised("".join(doc.itertext()))
    assert "a phone and a file." in text  # the words of a dropped link stay


@pytest.mark.parametrize(
    "href",
    ["javascript:alert(1)", " JavaScript:alert(1)", "vbscript:x", "file:///etc/passwd", "data:x"],
)
def test_unsafe_link_targets_are_neutralised(href: str) -> None:
    assert safe_href(href, {}) is None
    chapter = parse_text("---\ntitle: T\nauthor: A\nlanguage: en\n---\n# T\n", "b.md").book
    writer = ChapterWriter(
        chapter=chapter.chapters[0],
        words=words_for("en"),
        lang="en",
        css="x.css",
        image_href=lambda src, path, line: src,
        anchors={},
    )
    link = m.Link(href=href, children=(m.Text(text="click <me>"),))
    assert writer.writer().link(link) == "click &lt;me&gt;"


def test_safe_link_targets_are_kept() -> None:
    assert safe_href("https://x.org/a?b=1&c=2", {}) == "https://x.org/a?b=1&c=2"
    assert safe_href("#sec", {"#sec": "ch.xhtml#sec"}) == "ch.xhtml#sec"
    assert safe_href("#nowhere", {}) is None


# -- structure and metadata ------------------------------------------------------------------


def test_two_builds_are_byte_identical(epubs: dict[str, Path], tmp_path: Path) -> None:
    again = build(EVERY_BLOCK, tmp_path)
    assert again.read_bytes() == epubs["every-block"].read_bytes()
    with zipfile.ZipFile(again) as z:
        infos = z.infolist()
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert {i.date_time for i in infos} == {(2025, 2, 3, 0, 0, 0)}  # the front matter's date


@pytest.mark.parametrize(("name", "lang"), [("seed", "nl"), ("every-block", "en")])
def test_language_is_on_the_package_and_every_document(
    name: str, lang: str, epubs: dict[str, Path]
) -> None:
    files = members(epubs[name])
    opf = xml(files["EPUB/content.opf"])
    assert opf.get(XML_LANG) == lang
    assert opf.findtext("opf:metadata/dc:language", namespaces=NS) == lang
    assert xml(files["EPUB/toc.ncx"]).get(XML_LANG) == lang
    docs = dict(documents(epubs[name]))
    assert {"EPUB/cover.xhtml", "EPUB/nav.xhtml", "EPUB/titlepage.xhtml"} <= set(docs)
    for doc_name, doc in docs.items():
        assert (doc.get("lang"), doc.get(XML_LANG)) == (lang, lang), doc_name


def _metas(epub: Path) -> dict[str, list[str]]:
    opf = xml(members(epub)["EPUB/content.opf"])
    out: dict[str, list[str]] = {}
    for meta in opf.iterfind("opf:metadata/opf:meta[@property]", NS):
        if meta.get("refines") is None:
            out.setdefault(meta.get("property"), []).append(meta.text)
    return out


def test_accessibility_metadata(epubs: dict[str, Path]) -> None:
    seed = _metas(epubs["seed"])
    assert seed["schema:accessMode"] == ["textual"]
    assert seed["schema:accessModeSufficient"] == ["textual"]
    for feature in ("structuralNavigation", "tableOfContents", "readingOrder"):
        assert feature in seed["schema:accessibilityFeature"]
    assert "displayTransformability" in seed["schema:accessibilityFeature"]
    assert "alternativeText" not in seed["schema:accessibilityFeature"]
    assert seed["schema:accessibilityHazard"] == ["none"]
    words = words_for("nl")
    assert seed["schema:accessibilitySummary"] == [
        f"{words.accessibility_summary} {words.uncertified}"
    ]
    assert "EPUBCheck" in words.accessibility_summary and "Ace" in words.accessibility_summary
    assert (
        seed["dcterms:conformsTo"]
        == [CONFORMS_TO]
        == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    )
    assert "a11y:certifiedBy" not in seed  # the book does not certify itself
    assert seed["dcterms:modified"] == ["2025-01-01T00:00:00Z"]
    with_images = _metas(epubs["every-block"])
    assert with_images["schema:accessMode"] == ["textual", "visual"]
    assert "alternativeText" in with_images["schema:accessibilityFeature"]


def test_package_metadata(epubs: dict[str, Path]) -> None:
    opf = xml(members(epubs["every-block"])["EPUB/content.opf"])
    md = opf.find("opf:metadata", NS)

    def dc(name: str) -> list[str]:
        return [e.text for e in md.iterfind(f"dc:{name}", NS)]

    assert dc("identifier") == ["urn:uuid:6c0e7d9a-3f0b-4d8e-9a55-5d2f0c9b7a10"]
    assert dc("title") == ["Every Block: A Test Book", "For the EPUB renderer"]
    assert md.xpath("opf:meta[@refines='#subtitle']/text()", namespaces=NS) == ["subtitle"]
    assert dc("creator") == ["Test Author"]
    assert dc("publisher") == ["Test Press"]
    assert dc("date") == ["2025-02-03"]
    assert dc("rights") == ["CC BY 4.0"]
    assert dc("description")[0].startswith("A book that uses every block type")


def test_prompts_and_examples_are_named_in_the_books_language(epubs: dict[str, Path]) -> None:
    docs = dict(documents(epubs["seed"]))
    prompts = [
        prompt
        for _, doc in sorted(docs.items())
        for prompt in doc.xpath("//h:aside[@class='prompt']", namespaces=NS)
    ]
    assert len(prompts) == 5  # every 💡 paragraph of the seed
    for prompt in prompts:
        # The label is the first thing a reader sees, and the aside's one name.
        label = prompt[0]
        assert label.get("class") == "label"
        assert "".join(label.itertext()).strip() == "Reflectievraag"
        assert prompt.get("role") == "note" and prompt.get("aria-label") is None
        assert prompt.get("aria-labelledby") == label.get("id")
        assert "".join(prompt[1].itertext()).strip().endswith("?")
        # The bulb is drawn by the stylesheet; no emoji that needs a font is left.
        assert "💡" not in "".join(prompt.itertext())
    css = members(epubs["seed"])["EPUB/style/epub.css"].decode()
    assert 'aside.prompt p.label::before {\n  content: "";' in css
    example = docs["EPUB/text/oxytocine-het-knuffelhormoon.xhtml"].xpath(
        "//h:aside[@class='example']", namespaces=NS
    )[0]
    assert (example.get("role"), example.get("aria-label")) == ("note", "Voorbeeld")
    assert example.findtext(".//h:strong", namespaces=NS) == "Voorbeeld:"


def test_headings_start_at_h1_and_never_skip_a_level(epubs: dict[str, Path]) -> None:
    for name in BOOKS:
        for doc_name, doc in documents(epubs[name]):
            if doc_name == "EPUB/cover.xhtml":
                continue  # only the image: its alt text names the book
            tags = [f"{{{NS['h']}}}h{n}" for n in range(1, 7)]
            levels = [int(h.tag[-1]) for h in doc.iter(*tags)]
            assert levels[:1] == [1], doc_name
            assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), doc_name
    doc = dict(documents(epubs["every-block"]))["EPUB/text/inline-text-markup.xhtml"]
    assert doc.xpath("//h:h2/@id | //h:h3/@id", namespaces=NS) == ["a-section", "a-subsection"]
    section = doc.find("h:body/h:section", NS)
    assert section.get(f"{{{NS['epub']}}}type") == "chapter"
    assert section.get("role") == "doc-chapter"


def test_nav_has_the_nested_toc_and_landmarks(epubs: dict[str, Path]) -> None:
    nav = xml(members(epubs["seed"])["EPUB/nav.xhtml"])
    (toc,) = nav.xpath("//h:nav[@epub:type='toc']", namespaces=NS)
    assert toc.get("role") == "doc-toc"
    assert toc.findtext("h:h1", namespaces=NS) == "Inhoudsopgave"
    nested = toc.xpath("h:ol/h:li/h:ol/h:li/h:a/@href", namespaces=NS)
    assert "text/knuffelen-als-ondersteuning-bij-depressie.xhtml#eenzaamheid-doorbreken" in nested
    (marks,) = nav.xpath("//h:nav[@epub:type='landmarks']", namespaces=NS)
    assert [a.get(f"{{{NS['epub']}}}type") for a in marks.iterfind(".//h:a", NS)] == [
        "cover",
        "toc",
        "bodymatter",
    ]
    assert marks.findtext("h:h2", namespaces=NS) == "Oriëntatiepunten"


def test_footnotes_link_both_ways(epubs: dict[str, Path]) -> None:
    doc = dict(documents(epubs["every-block"]))["EPUB/text/lists-and-structure.xhtml"]
    refs = doc.xpath("//h:a[@role='doc-noteref']", namespaces=NS)
    assert [(a.get("href"), a.get("id")) for a in refs] == [
        ("#fn-1", "fnref-1"),
        ("#fn-2", "fnref-2"),
        ("#fn-1", "fnref-1-2"),  # cited twice: a second id, so ids stay unique
    ]
    note = doc.xpath("//h:aside[@id='fn-1']", namespaces=NS)[0]
    assert note.get(f"{{{NS['epub']}}}type") == "footnote"
    assert note.get("role") == "doc-footnote"
    backs = note.xpath(".//h:a[@role='doc-backlink']/@href", namespaces=NS)
    assert backs == ["#fnref-1", "#fnref-1-2"]


def test_images_are_copied_with_their_alt_text(epubs: dict[str, Path]) -> None:
    files = members(epubs["every-block"])
    assert (
        files["EPUB/images/every-block.png"]
        == (EVERY_BLOCK.parent / "every-block.png").read_bytes()
    )
    doc = xml(files["EPUB/text/lists-and-structure.xhtml"])
    (img,) = doc.xpath("//h:figure/h:img", namespaces=NS)
    assert img.get("src") == "../images/every-block.png"
    assert img.get("alt") == "A red rectangle with a blue border"
    (inline,) = doc.xpath("//h:p/h:img[@class='inline']", namespaces=NS)
    assert (inline.get("src"), inline.get("alt")) == ("../images/every-block.png", "small red mark")
    assert sorted(n for n in files if n.startswith("EPUB/images/")) == [
        "EPUB/images/cover.jpg",
        "EPUB/images/every-block.png",  # used twice, stored once
    ]
    cover = xml(files["EPUB/cover.xhtml"]).xpath("//h:img", namespaces=NS)[0]
    assert cover.get("alt") == "Cover of Every Block: A Test Book, by Test Author"


def test_the_epub_has_its_own_portrait_cover_not_the_square_artwork(tmp_path: Path) -> None:
    book = parse_file(EVERY_BLOCK).book
    (tmp_path / "epub").mkdir()
    (tmp_path / "cover.jpg").write_bytes(b"\xff\xd8 stand-in")  # the podcast artwork
    ctx = RenderContext(
        book=book, root=tmp_path, out_dir=tmp_path / "epub", published=tmp_path, cache_dir=tmp_path
    )
    EpubRenderer().render(ctx)
    files = members(tmp_path / "epub" / f"{book.slug}.epub")
    assert files["EPUB/images/cover.jpg"] == cover_jpeg(book, PORTRAIT)


def test_dropped_links_are_reported_to_the_author(tmp_path: Path) -> None:
    book = parse_file(EVERY_BLOCK).book
    (tmp_path / "epub").mkdir()
    (tmp_path / "cover.jpg").write_bytes(b"\xff\xd8 stand-in")
    ctx = RenderContext(
        book=book, root=tmp_path, out_dir=tmp_path / "epub", published=tmp_path, cache_dir=tmp_path
    )
    warnings = EpubRenderer().render(ctx).warnings
    assert [(p.line, p.severity, p.message.split(" is ")[0]) for p in warnings] == [
        (22, "warning", "link 'tel:123'"),
        (22, "warning", "link 'other.md'"),
    ]


def test_a_book_without_a_date_gets_a_fixed_modified_date() -> None:
    book = parse_text("---\ntitle: T\nauthor: A\nlanguage: en\n---\n# T\n", "b.md").book
    assert modified(book) == dt.datetime(1980, 1, 1)  # the zip epoch: plainly "no date"
    assert modified(parse_file(SEED_SOURCE).book) == dt.datetime(2025, 1, 1)


# -- errors ----------------------------------------------------------------------------------


def _render(tmp_path: Path, body: str, warn: Callable[[Problem], None] = print) -> None:
    text = "---\ntitle: T\nauthor: A\nlanguage: en\nidentifier: urn:x\n---\n# T\n\n" + body
    book = parse_text(text, str(tmp_path / "book" / "book.md"), root=str(tmp_path / "book")).book
    out = tmp_path / "build" / "epub"
    out.mkdir(parents=True)
    (out.parent / "cover.jpg").write_bytes(b"\xff\xd8 stand-in")
    ctx = RenderContext(book=book, root=out.parent, out_dir=out, published=out, cache_dir=out)
    for warning in EpubRenderer().render(ctx).warnings:
        warn(warning)


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("missing.png", "image 'missing.png' not found"),
        ("../outside.png", "image '../outside.png' is outside the book's folder"),
        ("notes.txt", "image 'notes.txt': EPUB readers show only"),
        ("broken.png", "image 'broken.png' is not a readable image"),
    ],
)
def test_bad_images_are_source_errors_at_their_line(tmp_path: Path, src: str, message: str) -> None:
    (tmp_path / "book").mkdir()
    shutil.copy(EVERY_BLOCK.parent / "every-block.png", tmp_path / "outside.png")
    (tmp_path / "book" / "notes.txt").write_text("not an image")
    (tmp_path / "book" / "broken.png").write_bytes(b"\x89PNG broken")
    with pytest.raises(SourceError) as caught:
        _render(tmp_path, f"Text.\n\n![alt]({src})\n")
    assert str(caught.value).startswith(f"{tmp_path / 'book' / 'book.md'}:11: {message}")


def test_disk_errors_are_not_swallowed(tmp_path: Path) -> None:
    book = parse_file(EVERY_BLOCK).book
    (tmp_path / "cover.jpg").write_bytes(b"\xff\xd8 stand-in")
    ctx = RenderContext(
        book=book,
        root=tmp_path,
        out_dir=tmp_path / "no" / "such" / "folder",
        published=tmp_path,
        cache_dir=tmp_path,
    )
    with pytest.raises(BuildError, match="cannot write the EPUB"):
        EpubRenderer().render(ctx)


def test_an_image_without_alt_text_is_reported(tmp_path: Path) -> None:
    (tmp_path / "book").mkdir()
    shutil.copy(EVERY_BLOCK.parent / "every-block.png", tmp_path / "book" / "p.png")
    warnings: list[Problem] = []
    _render(tmp_path, "Text.\n\n![](p.png)\n", warn=warnings.append)
    assert warnings == []  # the validation says it, once, for check and build alike
    text = "---\ntitle: T\nauthor: A\nlanguage: en\nidentifier: urn:x\n---\n# T\n\nText.\n\n![](p.png)\n"
    book = tmp_path / "book"
    found = validate(parse_text(text, str(book / "book.md"), root=str(book)), every()).warnings
    assert (11, "image 'p.png' has no alt text: describe it in ![…]") in [
        (p.line, p.message) for p in found
    ]


@pytest.mark.slow  # runs EPUBCheck
def test_a_certifier_and_a_series_the_author_gives(tmp_path: Path) -> None:
    source = tmp_path / "src" / "book.md"
    source.parent.mkdir()
    text = SEED_SOURCE.read_text(encoding="utf-8").replace(
        "date: 2025-01-01\n",
        "date: 2025-01-01\naccessibility_certified_by: Dedicon\n"
        "accessibility_credential: Keurmerk Toegankelijk\n"
        "series: {name: Knuffelreeks, number: 2}\n",
    )
    source.write_text(text, encoding="utf-8")
    epub = build(source, tmp_path / "out")
    metadata = xml(members(epub)["EPUB/content.opf"]).find("opf:metadata", NS)

    def refined(prop: str, target: str) -> list[str]:
        return metadata.xpath(
            f"opf:meta[@property='{prop}'][@refines='#{target}']/text()", namespaces=NS
        )

    (certifier,) = metadata.iterfind("opf:meta[@property='a11y:certifiedBy']", NS)
    assert certifier.text == "Dedicon"
    assert refined("a11y:certifierCredential", certifier.get("id")) == ["Keurmerk Toegankelijk"]
    (summary,) = metadata.xpath(
        "opf:meta[@property='schema:accessibilitySummary']/text()", namespaces=NS
    )
    assert summary == words_for("nl").accessibility_summary  # no "nobody certified it"
    (series,) = metadata.iterfind("opf:meta[@property='belongs-to-collection']", NS)
    assert series.text == "Knuffelreeks"
    assert refined("collection-type", series.get("id")) == ["series"]
    assert refined("group-position", series.get("id")) == ["2"]
    assert epubcheck_problems(epub, tmp_path) == []
