"""Property tests: whatever the author writes, publisher answers with a message, never a
traceback, and what it accepts makes XHTML, an OPF and a feed that parse."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree
from PIL import Image

from publisher.errors import SourceError
from publisher.reader.config import load_config
from publisher.reader.parse import parse_text
from publisher.renderers.epub.renderer import write_epub
from tests.generated_books import (
    answered,
    books,
    build_in_process_of_its_own,
    decode_problems,
    try_book,
)
from tests.helpers import require
from tests.test_feed import fake_audio, render_feed
from tests.validators import EpubCheckBatch, epubcheck_problems

BOUNDED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEAD = "title: T\nauthor: A\nlanguage: nl\nidentifier: urn:x\n"
KEYS = [
    "title", "author", "language", "subtitle", "description", "identifier", "publisher", "date",
    "rights", "cover", "chapter_level", "example_word", "narration", "podcast",
    "voice", "prompt_pause", "loudness", "bitrate", "lexicon", "start", "dates", "link",
    "base_url", "explicit", "interval", "owner_email", "locked", "category",
]  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.dates(),
    st.datetimes(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)
    ),
    max_leaves=12,
)
MARKDOWN_PIECES = [
    "*", "_", "**", "~", "[", "](", ")", "![", "](x.png)", "#", "## ", "\n", "\n\n", "> ", "- ",
    "1. ", "`", "```", "|", "| --- |", "---", "[^1]", "[^1]: ", "💡", "💡{pause=3} ", "<b>",
    "&amp;", "&", "<", ">", "\x00", "\u2028", "\x0c", "é", "word", "Word?", " ", "    ",
    "http://x.y", "<http://a.b/c>", "[l](javascript:alert(1))", "[l](#c)", "\t", "\\", "\"", "'",
    "\ud7ff", "\ufffd", "\U0001f600",
]  # fmt: skip
MARKDOWN = st.lists(st.sampled_from(MARKDOWN_PIECES), max_size=60).map("".join)


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "JPEG")
    return buffer.getvalue()


COVER = jpeg()


@BOUNDED
@given(st.text(max_size=200))
def test_any_front_matter_text_gives_a_config_or_a_source_error(text: str) -> None:
    try:
        load_config(HEAD + text, "book.md")
    except SourceError as e:
        assert all(line.startswith("book.md:") for line in e.lines())
        assert all("\n" not in line for line in e.lines())


@BOUNDED
@given(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=6))
def test_any_front_matter_structure_gives_a_config_or_a_source_error(
    values: dict[str, object],
) -> None:
    text = HEAD + yaml.safe_dump(values, allow_unicode=True) if values else HEAD
    try:
        load_config(text, "book.md")
    except SourceError as e:
        assert all(line.startswith("book.md:") for line in e.lines())


@BOUNDED
@given(MARKDOWN)
def test_any_markdown_parses_or_gives_a_source_error_and_its_xhtml_is_xml(body: str) -> None:
    text = f"---\n{HEAD}---\n# Chapter\n\n{body}\n"
    with tempfile.TemporaryDirectory() as folder:
        try:
            book = parse_text(text, str(Path(folder) / "book.md"), root=folder).book
            dest = Path(folder) / "book.epub"
            write_epub(book, COVER, dest)
        except SourceError as e:
            assert all(line.startswith(str(Path(folder) / "book.md")) for line in e.lines())
            return
        with zipfile.ZipFile(dest) as z:
            for name in z.namelist():
                if name.endswith(".xhtml"):
                    etree.fromstring(z.read(name))  # raises on anything that is not XML


# Text an author may give (controls and lone surrogates are refused, as the corpus tests show).
CHARACTERS = st.characters(exclude_categories=("Cc", "Cs"), exclude_characters="\ufffe\uffff")
TEXT = st.text(CHARACTERS | st.sampled_from("\n\t"), min_size=1, max_size=40).filter(str.strip)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXT, author=TEXT, description=TEXT)
def test_any_accepted_title_and_author_round_trip_through_the_opf_and_the_feed(
    title: str, author: str, description: str
) -> None:
    front = yaml.safe_dump(
        {
            "title": title,
            "author": author,
            "description": description,
            "language": "nl",
            "identifier": "urn:x",
            "date": dt.date(1925, 4, 10),
            "podcast": {"start": dt.date(2025, 1, 6)},
        },
        allow_unicode=True,
    )
    try:
        book = parse_text(f"---\n{front}---\n# Chapter\n\nText.\n", "book.md").book
    except SourceError:
        assume(False)
        return
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_epub(book, COVER, root / "book.epub")
        with zipfile.ZipFile(root / "book.epub") as z:
            opf = etree.fromstring(z.read("EPUB/content.opf"))
        dc = "{http://purl.org/dc/elements/1.1/}"
        assert [e.text or "" for e in opf.iter(f"{dc}title")] == [book.config.title]
        assert [e.text or "" for e in opf.iter(f"{dc}creator")] == [book.config.author]
        assert [e.text or "" for e in opf.iter(f"{dc}description")] == [book.config.description]
        fake_audio(book, root)
        feed = etree.fromstring(render_feed(book, root))
        channel = feed.find("channel")
        assert channel is not None
        assert channel.findtext("title") == book.config.title
        assert (
            channel.findtext("{http://www.itunes.com/dtds/podcast-1.0.dtd}author")
            == book.config.author
        )


# --- generated books (tests/generated_books.py): the whole way, checked by real tools ---------


@pytest.fixture(scope="module")
def epubcheck(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EpubCheckBatch]:
    batch = EpubCheckBatch(tmp_path_factory.mktemp("epubcheck"))
    yield batch
    batch.close()


GENERATED = settings(
    max_examples=int(os.environ.get("GENERATED_BOOKS", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.slow
@GENERATED
@given(books())
def test_a_generated_book_builds_an_epub_epubcheck_accepts_or_fails_at_its_line(
    epubcheck: EpubCheckBatch, text: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tried = try_book(Path(folder), text)
        assert answered(tried) == [], text
        epubs = [path for path in tried.outputs if path.suffix == ".epub"]
        assert len(epubs) == (1 if tried.build_exit == 0 else 0)
        for epub in epubs:
            assert epubcheck.problems(epub) == [], text


@pytest.mark.slow
@settings(
    max_examples=int(os.environ.get("GENERATED_AUDIO_BOOKS", "3")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(books(max_blocks=5))
def test_a_generated_book_narrated_decodes_and_its_read_along_epub_passes(
    epubcheck: EpubCheckBatch, text: str
) -> None:
    require(shutil.which("ffmpeg"), "ffmpeg is not installed")
    with tempfile.TemporaryDirectory() as folder:
        tried = build_in_process_of_its_own(Path(folder), text, "epub,audio,narrated-epub")
        assert answered(tried) == [], text
        mp3s = [path for path in tried.outputs if path.suffix == ".mp3"]
        assert bool(mp3s) == (tried.build_exit == 0)
        for mp3 in mp3s:
            assert decode_problems(mp3) == [], text
        for epub in (path for path in tried.outputs if path.suffix == ".epub"):
            assert epubcheck.problems(epub) == [], text


# --- classes the generators found, each kept as a test ------------------------------------

FOUND_HEAD = "---\ntitle: T\nauthor: A\nlanguage: nl\nidentifier: urn:x\n---\n\n# T\n\n"


def test_an_image_in_a_chapter_title_is_checked_as_the_epub_takes_it_in(tmp_path: Path) -> None:
    # Found: check exited 0 and build 2 (check did not look at a chapter title's images).
    tried = try_book(tmp_path, FOUND_HEAD + "## Kop ![x](../outside.png)\n\nTekst.\n")
    assert answered(tried) == []
    assert (tried.check_exit, tried.build_exit) == (2, 2)
    assert f"{tried.source}:10: image '../outside.png' is outside the book's folder" in (
        tried.check_output
    )


@pytest.mark.slow
def test_a_link_in_a_link_makes_valid_xhtml(tmp_path: Path) -> None:
    # Found: <a> inside <a> (EPUBCheck RSC-005) from an autolink in a link's text.
    body = "## Een\n\nZie [<https://example.org/a> *en* meer](https://example.org/b).\n"
    tried = try_book(tmp_path, FOUND_HEAD + body)
    assert answered(tried) == [] and tried.build_exit == 0
    assert epubcheck_problems(tried.outputs[0], tmp_path) == []
    with zipfile.ZipFile(tried.outputs[0]) as z:
        xhtml = z.read("EPUB/text/een.xhtml").decode()
    assert '<a href="https://example.org/b">https://example.org/a <em>en</em> meer</a>' in xhtml
