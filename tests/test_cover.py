"""The cover: square 3000×3000 JPEGs, drawn or from the author's image, with stable bytes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from publisher.errors import SourceError
from publisher.model import Book
from publisher.reader.parse import parse_text
from publisher.renderers.cover.draw import PALETTE, SIZE, make_cover, palette_for


def book(tmp_path: Path, **front: str) -> Book:
    lines = "".join(f"{k}: {v}\n" for k, v in front.items())
    text = f"---\ntitle: A Title Long Enough to Wrap Over Lines\nauthor: Ann Author\n{lines}"
    text += "language: en\nidentifier: urn:x\n---\n# T\n\nText.\n"
    return parse_text(text, str(tmp_path / "book.md"), root=str(tmp_path)).book


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_drawn_cover_is_a_square_rgb_jpeg_without_metadata(tmp_path: Path) -> None:
    dest = make_cover(book(tmp_path, subtitle="And a subtitle"), tmp_path / "out" / "cover.jpg")
    with Image.open(dest) as image:
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (SIZE, SIZE))
        assert "exif" not in image.info and "icc_profile" not in image.info
        background, ink = palette_for("A Title Long Enough to Wrap Over Lines")
        data = image.resize((300, 300), Image.Resampling.NEAREST).tobytes()
        pixels = [data[i : i + 3] for i in range(0, len(data), 3)]
        # The title, subtitle and author are drawn in the ink colour: plenty of it, not a speck.
        inked = sum(1 for p in pixels if max(abs(a - b) for a, b in zip(p, ink, strict=True)) < 40)
        assert inked > 1000
        assert image.getpixel((5, 5)) == pytest.approx(background, abs=4)


def test_drawn_cover_colours_have_strong_contrast() -> None:
    for background, ink in PALETTE:
        assert contrast(background, ink) >= 7  # WCAG AAA for text, so thumbnails stay legible


def test_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    b = book(tmp_path)
    first = make_cover(b, tmp_path / "1.jpg").read_bytes()
    assert make_cover(b, tmp_path / "2.jpg").read_bytes() == first
    other = make_cover(book(tmp_path, subtitle="Different"), tmp_path / "3.jpg").read_bytes()
    assert other != first


def test_author_image_is_padded_to_a_square_not_cropped(tmp_path: Path) -> None:
    # A wide image with markers at both ends: cropping to a square would cut them off.
    wide = Image.new("RGB", (600, 200), (255, 255, 255))
    for columns in (range(0, 20), range(580, 600)):
        for px in columns:
            for py in range(60, 140):
                wide.putpixel((px, py), (0, 0, 255))
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    wide.save(buffer, "JPEG", exif=exif, quality=95)
    (tmp_path / "art").mkdir()
    (tmp_path / "art" / "front.jpg").write_bytes(buffer.getvalue())
    dest = make_cover(book(tmp_path, cover="art/front.jpg"), tmp_path / "cover.jpg")
    with Image.open(dest) as image:
        assert image.size == (SIZE, SIZE) and image.mode == "RGB"
        assert "exif" not in image.info
        middle = SIZE // 2
        for x in (10, SIZE - 10):  # both blue markers survive at the edges
            r, g, b = image.getpixel((x, middle))  # type: ignore[misc]  # RGB: a 3-tuple
            assert b > 200 and r < 60 and g < 60
        # Above the picture: padding in its (white) border colour, not stretched content.
        assert image.getpixel((middle, 100)) == pytest.approx((255, 255, 255), abs=6)


def test_transparent_author_image_gets_a_white_backdrop(tmp_path: Path) -> None:
    Image.new("RGBA", (100, 100), (0, 0, 0, 0)).save(tmp_path / "clear.png")
    dest = make_cover(book(tmp_path, cover="clear.png"), tmp_path / "cover.jpg")
    with Image.open(dest) as image:
        assert image.getpixel((SIZE // 2, SIZE // 2)) == pytest.approx((255, 255, 255), abs=3)


@pytest.mark.parametrize(
    ("cover", "message"),
    [
        ("missing.jpg", "cover 'missing.jpg' not found"),
        ("../outside.jpg", "cover '../outside.jpg' is outside the book's folder"),
        ("notes.jpg", "cover 'notes.jpg' is not a readable image"),
    ],
)
def test_bad_cover_is_a_source_error(tmp_path: Path, cover: str, message: str) -> None:
    folder = tmp_path / "book"
    folder.mkdir()
    Image.new("RGB", (10, 10)).save(tmp_path / "outside.jpg")
    (folder / "notes.jpg").write_text("not a picture")
    with pytest.raises(SourceError) as caught:
        make_cover(book(folder, cover=cover), tmp_path / "cover.jpg")
    # At the line of 'cover:' (they had none before).
    assert str(caught.value).startswith(f"{folder / 'book.md'}:4: {message}")
    assert not (tmp_path / "cover.jpg").exists()


def test_remote_cover_is_refused_at_its_line(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        book(tmp_path, cover="https://x.org/a.jpg")
    assert str(caught.value) == (
        f"{tmp_path / 'book.md'}:4: 'cover' 'https://x.org/a.jpg' is remote; "
        "use an image file beside the book"
    )
