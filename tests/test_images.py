"""Images judged by their bytes: real media types, bounded pixels, SVG with nothing active."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from publisher.errors import Problem, SourceError
from publisher.model import Book
from publisher.reader.images import MAX_PIXELS, check_image
from publisher.reader.parse import parse_text
from publisher.renderers.cover.draw import make_cover
from publisher.renderers.epub.renderer import write_epub

SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="10" height="10" onload="alert(1)">
  <style>@import url(https://tracker.example/x.css); rect { fill: red }</style>
  <script>alert(2)</script>
  <rect id="r" width="10" height="10" onclick="alert(3)" fill="url(https://evil.example/#g)"/>
  <text x="1" y="9">Hallo</text>
  <use xlink:href="#r"/>
  <image href="https://tracker.example/pixel.png" width="1" height="1"/>
  <image xlink:href="http://tracker.example/p.png" width="1" height="1"/>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>
  <a href="javascript:alert(4)"><text>link</text></a>
  <set attributeName="href" to="javascript:alert(5)"/>
</svg>
"""


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims ``width``×``height`` pixels in a few dozen bytes (a "bomb")."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1000)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def check(tmp_path: Path, name: str, data: bytes) -> tuple[bytes, str, list[Problem]]:
    file = tmp_path / name
    file.write_bytes(data)
    warnings: list[Problem] = []
    image = check_image(file, name, "book.md", 7, warnings.append)
    return image.data, image.media_type, warnings


def test_svg_keeps_shapes_and_text_and_loses_everything_active_or_remote(tmp_path: Path) -> None:
    data, media_type, warnings = check(tmp_path, "x.svg", SVG)
    assert media_type == "image/svg+xml"
    root = etree.fromstring(data)
    text = data.decode()
    for gone in ("alert", "tracker.example", "evil.example", "foreignObject", "<script", "<set"):
        assert gone not in text, gone
    names = {etree.QName(e).localname for e in root.iter()}
    assert {"rect", "text", "use"} <= names
    assert "image" not in names
    assert (
        root.find("{http://www.w3.org/2000/svg}use").get("{http://www.w3.org/1999/xlink}href")
        == "#r"
    )
    assert "Hallo" in text
    assert len(warnings) == 1 and warnings[0].line == 7 and "<script>" in warnings[0].message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>", "is not well-formed SVG"),
        (
            b"<?xml version='1.0'?><!DOCTYPE svg [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;'>]>"
            b"<svg xmlns='http://www.w3.org/2000/svg'><text>&b;</text></svg>",
            "declares a DOCTYPE",
        ),
        (b"<html xmlns='http://www.w3.org/1999/xhtml'/>", "is not an SVG image"),
    ],
)
def test_bad_svg_is_refused_at_its_line(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(SourceError) as e:
        check(tmp_path, "x.svg", data)
    assert str(e.value).startswith("book.md:7: image 'x.svg' ")
    assert message in str(e.value)


def test_an_image_is_typed_by_its_content_not_its_name(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "JPEG")
    _, media_type, _ = check(tmp_path, "photo.png", buffer.getvalue())
    assert media_type == "image/jpeg"


def test_a_decompression_bomb_is_refused(tmp_path: Path) -> None:
    bomb = png_header(20000, 20000)
    assert len(bomb) < 1000
    with pytest.raises(SourceError, match=r"^book.md:7: image 'bomb.png' has too many pixels"):
        check(tmp_path, "bomb.png", bomb)


def test_an_image_just_over_the_pixel_limit_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="too many pixels"):
        check(tmp_path, "big.png", png_header(MAX_PIXELS // 1000 + 1, 1000))


def _book(tmp_path: Path, front: str = "", body: str = "Text.\n") -> Book:
    text = f"---\ntitle: T\nauthor: A\nlanguage: en\nidentifier: urn:x\n{front}---\n# C\n\n{body}"
    return parse_text(text, str(tmp_path / "book.md"), root=str(tmp_path)).book


def test_a_huge_cover_is_refused_without_decoding_it(tmp_path: Path) -> None:
    (tmp_path / "huge.png").write_bytes(png_header(12000, 12000))
    with pytest.raises(SourceError, match=r"cover|image 'huge.png' has too many pixels"):
        make_cover(_book(tmp_path, "cover: huge.png\n"), tmp_path / "cover.jpg")


def test_a_large_jpeg_cover_is_decoded_at_a_reduced_size(tmp_path: Path) -> None:
    # 7200×7200 is over the pixel limit; JPEG's draft mode decodes it at 3600×3600, so it is
    # accepted, and never held at full size.
    Image.new("L", (7200, 7200), 128).save(tmp_path / "big.jpg", "JPEG")
    dest = make_cover(_book(tmp_path, "cover: big.jpg\n"), tmp_path / "cover.jpg")
    with Image.open(dest) as cover:
        assert cover.size == (3000, 3000)


def test_the_epub_carries_the_real_media_type_and_a_clean_svg(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "JPEG")
    (tmp_path / "photo.png").write_bytes(buffer.getvalue())
    (tmp_path / "drawing.svg").write_bytes(SVG)
    book = _book(tmp_path, body="![a red square](photo.png)\n\n![a drawing](drawing.svg)\n")
    warnings: list[Problem] = []
    dest = tmp_path / "book.epub"
    write_epub(book, buffer.getvalue(), dest, warn=warnings.append)
    with zipfile.ZipFile(dest) as z:
        opf = etree.fromstring(z.read("EPUB/content.opf"))
        items = {
            i.get("href"): i.get("media-type")
            for i in opf.iter("{http://www.idpf.org/2007/opf}item")
        }
        svg = z.read("EPUB/images/drawing.svg").decode()
    assert items["images/photo.jpg"] == "image/jpeg"
    assert items["images/drawing.svg"] == "image/svg+xml"
    assert "alert" not in svg and "tracker" not in svg
    assert any("drawing.svg" in w.message for w in warnings)


def test_a_book_dated_before_1980_gets_zip_times_of_1980(tmp_path: Path) -> None:
    book = _book(tmp_path, "date: 1925-04-10\n")
    dest = tmp_path / "old.epub"
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "JPEG")
    write_epub(book, buffer.getvalue(), dest)
    with zipfile.ZipFile(dest) as z:
        assert {i.date_time[:3] for i in z.infolist()} == {(1980, 1, 1)}
        assert b"1925-04-10" in z.read("EPUB/content.opf")
