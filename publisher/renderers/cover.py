"""The book's cover: a square 3000×3000 JPEG, from the author's image or drawn from the title.

Podcast directories ask for 1400–3000 px square artwork and EPUB readers show the same image,
so one file serves both. The bytes depend only on the input (no timestamps, no EXIF), so an
unchanged book rebuilds to an identical cover.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image, ImageDraw, ImageFont, ImageOps, ImageStat

from publisher.config import Config
from publisher.errors import BuildError, SourceError
from publisher.model import Book
from publisher.renderers.images import check_pixels

SIZE = 3000
QUALITY = 90
MARGIN = 300  # keeps text clear of the rounded corners podcast apps draw

# (background, text) pairs, each with a contrast ratio above 10:1 (WCAG AAA asks for 7:1), so
# the title stays readable as a thumbnail. A book always gets the same pair (from its title).
PALETTE: tuple[tuple[tuple[int, int, int], tuple[int, int, int]], ...] = (
    ((0x1D, 0x35, 0x57), (0xF8, 0xF4, 0xE9)),
    ((0x26, 0x40, 0x27), (0xF4, 0xF1, 0xE8)),
    ((0x5B, 0x1F, 0x2A), (0xFB, 0xF3, 0xEA)),
    ((0x3A, 0x2E, 0x5C), (0xF6, 0xF2, 0xFB)),
    ((0x2B, 0x2D, 0x42), (0xF8, 0xF4, 0xE9)),
)


def make_cover(book: Book, dest: Path) -> Path:
    """Write the cover for ``book`` to ``dest`` (a JPEG) and return ``dest``.

    ``config.cover`` (relative to the book's folder) is padded, never cropped, to a square so
    text on it survives; without one a cover is drawn from the title, subtitle and author.
    """
    config = book.config
    if config.cover:
        source = book_path(book, config.cover, book.source, None, "cover")
        image = _padded(_open(source, config.cover, book.source))
    else:
        image = draw_cover(config)
    buffer = io.BytesIO()
    # 4:4:4 chroma keeps the edges of coloured letters sharp; no exif/icc arguments, so no
    # metadata from the author's camera (or the clock) reaches the file.
    image.save(buffer, "JPEG", quality=QUALITY, optimize=True, subsampling=0)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(buffer.getvalue())
    return dest


def book_path(book: Book, relative: str, path: str, line: int | None, what: str) -> Path:
    """The file ``relative`` names inside the book's folder, or a :class:`SourceError` at
    ``path:line`` when it is remote, absolute, outside that folder or missing."""
    if urlsplit(relative).scheme or relative.startswith("//"):
        raise SourceError.at(
            path, line, f"{what} {relative!r} is remote; use a file beside the book"
        )
    root = Path(book.root).resolve()
    candidate = Path(relative)
    if candidate.is_absolute():
        raise SourceError.at(
            path, line, f"{what} {relative!r} is an absolute path; give it relative to the book"
        )
    # resolve() follows symlinks too, so a link pointing out of the folder is caught as well.
    resolved = (root / candidate).resolve()
    if not resolved.is_relative_to(root):
        raise SourceError.at(path, line, f"{what} {relative!r} is outside the book's folder")
    if not resolved.is_file():
        raise SourceError.at(path, line, f"{what} {relative!r} not found")
    return resolved


def _open(source: Path, name: str, path: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # we check below
            opened = Image.open(source)
        with opened:
            # Decode a large JPEG at a fraction of its size (no smaller than the cover), and
            # refuse anything still too large before a pixel is read: bounded memory.
            opened.draft("RGB", (SIZE, SIZE))
            check_pixels(opened, name, path, None)
            # Honour the camera's rotation before the EXIF block is dropped.
            image = ImageOps.exif_transpose(opened)
            image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as e:
        why = f": {e.strerror}" if isinstance(e, OSError) and e.strerror else ""
        raise SourceError.at(path, None, f"cover {name!r} is not a readable image{why}") from e
    return image


def _padded(image: Image.Image) -> Image.Image:
    """A square RGB copy of ``image``, scaled to fit and padded with the mean colour of the
    edges the padding continues (top and bottom of a wide image, the sides of a tall one)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        backdrop = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(backdrop, rgba)
    rgb = image.convert("RGB")
    width, height = rgb.size
    if width >= height:
        edges = [(0, 0, width, 1), (0, height - 1, width, height)]
    else:
        edges = [(0, 0, 1, height), (width - 1, 0, width, height)]
    means = [ImageStat.Stat(rgb.crop(box)).mean for box in edges]
    colour = tuple(round(sum(m[i] for m in means) / len(means)) for i in range(3))
    return ImageOps.pad(rgb, (SIZE, SIZE), method=Image.Resampling.LANCZOS, color=colour)


def palette_for(title: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """The (background, text) colours of a drawn cover: the same for the same title."""
    digest = hashlib.sha256(title.encode("utf-8")).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def draw_cover(config: Config) -> Image.Image:
    """A typographic cover: the wrapped title, the subtitle under a rule, the author below."""
    background, ink = palette_for(config.title)
    image = Image.new("RGB", (SIZE, SIZE), background)
    draw = ImageDraw.Draw(image)
    width = SIZE - 2 * MARGIN

    title, subtitle = config.title, config.subtitle
    if subtitle is None and ": " in title:
        # "Main: the longer rest" reads as title and subtitle; set the rest smaller.
        title, subtitle = title.split(": ", 1)
    title_font, title_lines = _fit(title, width, start=300, max_height=1300)
    sub_font, sub_lines = (
        _fit(subtitle, width, start=170, max_height=600) if subtitle else (None, [])
    )
    author_font, author_lines = _fit(config.author, width, start=160, max_height=400)

    y = MARGIN + 250
    y = _lines(draw, title_lines, title_font, y, ink)
    y += 90
    draw.rectangle((SIZE // 2 - 200, y, SIZE // 2 + 200, y + 14), fill=ink)
    y += 14 + 110
    if sub_font is not None:
        _lines(draw, sub_lines, sub_font, y, ink)
    author_height = _line_height(author_font) * len(author_lines)
    _lines(draw, author_lines, author_font, SIZE - MARGIN - author_height, ink)
    return image


def _font(size: int) -> ImageFont.FreeTypeFont:
    # Pillow ≥ 10.1 embeds a scalable font (Aileron), so no system font is needed; without
    # FreeType it falls back to a tiny bitmap font, which would make an unreadable cover.
    font = ImageFont.load_default(size=size)
    if not isinstance(font, ImageFont.FreeTypeFont):
        raise BuildError("Pillow was built without FreeType; it cannot draw a readable cover")
    return font


def _line_height(font: ImageFont.FreeTypeFont) -> int:
    return round(font.size * 1.22)


def _fit(
    text: str, width: int, *, start: int, max_height: int
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest font (from ``start`` down) at which ``text`` wraps into the box."""
    size = start
    while True:
        font = _font(size)
        lines = wrap(text, font, width)
        fits = all(font.getlength(line) <= width for line in lines)
        if (fits and _line_height(font) * len(lines) <= max_height) or size <= 40:
            return font, lines
        size = int(size * 0.9)


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap of ``text`` into lines no wider than ``width`` pixels where possible."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and font.getlength(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _lines(
    draw: ImageDraw.ImageDraw,
    lines: list[str],
    font: ImageFont.FreeTypeFont,
    y: int,
    ink: tuple[int, int, int],
) -> int:
    """Draw centred lines from ``y`` down; return the y below the last one."""
    for line in lines:
        draw.text((SIZE // 2, y), line, font=font, fill=ink, anchor="ma")
        y += _line_height(font)
    return y
