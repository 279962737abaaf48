"""The book's cover, in two shapes: the podcast artwork, a 3000×3000 square (``cover.jpg``,
also the art in every MP3), and the EPUB cover, 1600×2560 portrait as e-readers show books.

Each is the author's image padded to the shape, or drawn from the title, subtitle and author,
laid out for its shape. Text is set in Noto Sans (shipped in ``publisher/data/fonts`` with its
OFL licence: Latin with every Dutch, German and Nordic letter, Greek, Cyrillic, typographic
punctuation), after the author's ``cover_font`` if given. A character no font has is left out
with a warning, never drawn as a box. The bytes depend only on the input (no timestamps, no
EXIF), so an unchanged book rebuilds to an identical cover.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import NamedTuple

from PIL import Image, ImageDraw, ImageOps, ImageStat

from publisher.errors import Problem, SourceError
from publisher.model import Book
from publisher.model.config import Config
from publisher.reader.files import book_file
from publisher.reader.images import check_pixels
from publisher.renderers.cover.fonts import BOLD, REGULAR, cmap, font_problem, loaded_font

QUALITY = 90


@dataclass(frozen=True)
class Shape:
    """A cover's size and where its text goes (all in pixels)."""

    width: int
    height: int
    margin: int  # side margin; keeps text clear of the rounded corners podcast apps draw
    title_top: int
    title_size: int
    title_height: int  # the most the wrapped title may take
    subtitle_size: int
    author_size: int
    author_bottom: int  # the author's last line ends this far above the bottom edge


# A table of layouts, in pixels: width, height, side margin; the title's top, size and most
# height; the subtitle's size; the author's size and distance from the bottom edge.
SQUARE = Shape(3000, 3000, 300, 550, 300, 1300, 170, 160, 300)
"""The podcast artwork: Apple asks for 1400–3000 px square."""
PORTRAIT = Shape(1600, 2560, 150, 520, 190, 1050, 100, 95, 260)
"""The EPUB cover: the 1:1.6 of most e-reader screens."""

SIZE = SQUARE.width  # the artwork's side, which other targets check against

# (background, text) pairs, each with a contrast ratio above 10:1 (WCAG AAA asks for 7:1), so
# the title stays readable as a thumbnail. A book always gets the same pair (from its title).
PALETTE: tuple[tuple[tuple[int, int, int], tuple[int, int, int]], ...] = (
    ((0x1D, 0x35, 0x57), (0xF8, 0xF4, 0xE9)),
    ((0x26, 0x40, 0x27), (0xF4, 0xF1, 0xE8)),
    ((0x5B, 0x1F, 0x2A), (0xFB, 0xF3, 0xEA)),
    ((0x3A, 0x2E, 0x5C), (0xF6, 0xF2, 0xFB)),
    ((0x2B, 0x2D, 0x42), (0xF8, 0xF4, 0xE9)),
)


def make_cover(
    book: Book,
    dest: Path,
    shape: Shape = SQUARE,
    warn: Callable[[Problem], None] | None = None,
) -> Path:
    """Write the cover for ``book`` in ``shape`` to ``dest`` (a JPEG) and return ``dest``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(cover_jpeg(book, shape, warn))
    return dest


def cover_jpeg(
    book: Book, shape: Shape = SQUARE, warn: Callable[[Problem], None] | None = None
) -> bytes:
    """The cover of ``book`` in ``shape`` as JPEG bytes; ``warn`` hears of characters left out.

    ``config.cover`` (relative to the book's folder) is padded, never cropped, to the shape so
    text on it survives; without one a cover is drawn from the title, subtitle and author.
    """
    config = book.config
    if config.cover:
        source = cover_file(book)
        image = _padded(_open(source, book, shape), shape)
    else:
        drawn = draw_cover(config, shape, author_fonts(book))
        image = drawn.image
        for problem in missing_problems(book, drawn.missing):
            if warn is not None:
                warn(problem)
    buffer = io.BytesIO()
    # Chroma at half resolution (4:2:0): at 3000 px the letters' edges look the same as with
    # full chroma (4:4:4), the file is a quarter smaller, and the optimised encoding holds
    # half the coefficients (27 MB rather than 54 MB for the square: the build's memory
    # peaked there). No exif/icc arguments, so no metadata from the author's camera (or the
    # clock) reaches the file.
    image.save(buffer, "JPEG", quality=QUALITY, optimize=True, subsampling=2)
    return buffer.getvalue()


def cover_file(book: Book) -> Path:
    """The author's ``cover`` image file, checked to be a file in the book's folder."""
    name = book.config.cover or ""
    return book_file(book.root, name, book.source, book.config.line_of("cover"), "cover")


def author_fonts(book: Book) -> tuple[Path, ...]:
    """The author's ``cover_font``, checked to be a font file in the book's folder that can
    draw (:func:`font_problem`), or ()."""
    name = book.config.cover_font
    if not name:
        return ()
    line = book.config.line_of("cover_font")
    path = book_file(book.root, name, book.source, line, "cover_font")
    problem = font_problem(path)
    if problem is not None:
        raise SourceError.at(book.source, line, f"cover_font {name!r} {problem}")
    return (path,)


def missing_problems(book: Book, missing: dict[str, str]) -> list[Problem]:
    """One warning per front-matter key (title, author …) with characters no font can draw."""
    return [
        Problem(
            path=book.source,
            line=book.config.line_of(key),
            severity="warning",
            message=f"the cover leaves out {chars} of the {key}: no font has "
            + ("it" if len(chars) == 1 else "them"),
        )
        for key, chars in missing.items()
    ]


def _open(source: Path, book: Book, shape: Shape) -> Image.Image:
    """The author's cover at ``source``, decoded at about ``shape``'s size; a
    :class:`SourceError` at the line of ``cover:`` when it is no image or too large."""
    name, path, line = book.config.cover or "", book.source, book.config.line_of("cover")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # we check below
            opened = Image.open(source)
        with opened:
            # Decode a large JPEG at a fraction of its size (no smaller than the cover), and
            # refuse anything still too large before a pixel is read: bounded memory.
            opened.draft("RGB", (shape.width, shape.height))
            check_pixels(opened, name, path, line)
            # Honour the camera's rotation before the EXIF block is dropped.
            image = ImageOps.exif_transpose(opened)
            image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as e:
        why = f": {e.strerror}" if isinstance(e, OSError) and e.strerror else ""
        raise SourceError.at(path, line, f"cover {name!r} is not a readable image{why}") from e
    return image


def _padded(image: Image.Image, shape: Shape) -> Image.Image:
    """An RGB copy of ``image`` in ``shape``, scaled to fit and padded with the mean colour of the
    edges the padding continues (top and bottom of a wide image, the sides of a tall one)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        backdrop = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(backdrop, rgba)
    rgb = image.convert("RGB")
    width, height = rgb.size
    if width / height >= shape.width / shape.height:
        edges = [(0, 0, width, 1), (0, height - 1, width, height)]
    else:
        edges = [(0, 0, 1, height), (width - 1, 0, width, height)]
    means = [ImageStat.Stat(rgb.crop(box)).mean for box in edges]
    colour = tuple(round(sum(m[i] for m in means) / len(means)) for i in range(3))
    return ImageOps.pad(
        rgb, (shape.width, shape.height), method=Image.Resampling.LANCZOS, color=colour
    )


def palette_for(title: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """The (background, text) colours of a drawn cover: the same for the same title."""
    digest = hashlib.sha256(title.encode("utf-8")).digest()
    return PALETTE[digest[0] % len(PALETTE)]


class Run(NamedTuple):
    """Text drawn in one font: every character of ``text`` is in ``font``'s cmap."""

    text: str
    font: Path


@dataclass(frozen=True, kw_only=True)
class Drawn:
    """A drawn cover, the runs of text on it, and what was left out (front-matter key →
    the characters no font could draw)."""

    image: Image.Image
    runs: tuple[Run, ...]
    missing: dict[str, str]


def _drawable(char: str) -> bool:
    """Characters that draw nothing (joiners, variation selectors) need no glyph."""
    return unicodedata.category(char) not in ("Cf", "Mn") or unicodedata.combining(char) > 0


class _Setter:
    """Splits text into runs by the first font of a chain that has each character."""

    def __init__(self, chain: tuple[Path, ...]) -> None:
        self.chain = chain
        self.missing: set[str] = set()

    def clean(self, text: str) -> str:
        """``text`` without the characters no font of the chain has (remembered)."""
        kept = []
        for char in unicodedata.normalize("NFC", text):
            if char.isspace():
                kept.append(" ")
            elif any(ord(char) in cmap(p) for p in self.chain):
                kept.append(char)
            elif _drawable(char):
                self.missing.add(char)
        return " ".join("".join(kept).split())

    def runs(self, text: str) -> list[Run]:
        out: list[Run] = []
        for char in text:
            font = next((p for p in self.chain if ord(char) in cmap(p)), self.chain[-1])
            if char == " " and out:
                font = out[-1].font  # a space joins the run before it
            if out and out[-1].font == font:
                out[-1] = Run(text=out[-1].text + char, font=font)
            else:
                out.append(Run(text=char, font=font))
        return out

    def length(self, text: str, size: int) -> float:
        return sum(loaded_font(r.font, size).getlength(r.text) for r in self.runs(text))


def draw_cover(config: Config, shape: Shape = SQUARE, fonts: tuple[Path, ...] = ()) -> Drawn:
    """A typographic cover: the wrapped title, the subtitle under a rule, the author below.

    ``fonts`` are tried, in order, before Noto Sans for each character."""
    background, ink = palette_for(config.title)
    image = Image.new("RGB", (shape.width, shape.height), background)
    draw = ImageDraw.Draw(image)
    width = shape.width - 2 * shape.margin
    bold, regular = _Setter((*fonts, BOLD)), _Setter((*fonts, REGULAR))
    drawn: list[Run] = []

    title, subtitle = bold.clean(config.title), regular.clean(config.subtitle or "")
    if not config.subtitle and ": " in title:
        # "Main: the longer rest" reads as title and subtitle; set the rest smaller.
        title, subtitle = title.split(": ", 1)
    author = regular.clean(config.author)
    scale = shape.width / SQUARE.width
    title_size, title_lines = _fit(bold, title, width, shape.title_size, shape.title_height)
    sub_size, sub_lines = _fit(regular, subtitle, width, shape.subtitle_size, 600 * scale)
    author_size, author_lines = _fit(regular, author, width, shape.author_size, 400 * scale)

    y = shape.title_top
    y = _lines(draw, shape, bold, title_lines, title_size, y, ink, drawn)
    y += round(90 * scale)
    rule, half = round(14 * scale), round(200 * scale)
    draw.rectangle((shape.width // 2 - half, y, shape.width // 2 + half, y + rule), fill=ink)
    y += rule + round(110 * scale)
    _lines(draw, shape, regular, sub_lines, sub_size, y, ink, drawn)
    author_top = shape.height - shape.author_bottom - _line_height(author_size) * len(author_lines)
    _lines(draw, shape, regular, author_lines, author_size, author_top, ink, drawn)

    return Drawn(image=image, runs=tuple(drawn), missing=left_out(config, fonts))


def left_out(config: Config, fonts: tuple[Path, ...] = ()) -> dict[str, str]:
    """Front-matter key → the characters of it that no font (``fonts``, then Noto Sans) can
    draw, as a drawn cover leaves them out: known without drawing it."""
    bold, regular = _Setter((*fonts, BOLD)), _Setter((*fonts, REGULAR))
    keys = (
        ("title", config.title, bold),
        ("subtitle", config.subtitle or "", regular),
        ("author", config.author, regular),
    )
    shown = {}
    for key, text, setter in keys:
        setter.clean(text)
        chars = dict.fromkeys(sorted(c for c in text if c in setter.missing))
        shown[key] = " ".join(f"'{c}' (U+{ord(c):04X})" for c in chars)
    return {k: v for k, v in shown.items() if v}


def cover_problems(book: Book) -> list[Problem]:
    """What making the cover would say, without making it: :class:`SourceError` for a
    ``cover`` or ``cover_font`` that is not usable, warnings for characters left out."""
    config = book.config
    if config.cover:
        _open(cover_file(book), book, SQUARE).close()
        return []
    return missing_problems(book, left_out(config, author_fonts(book)))


def _line_height(size: int) -> int:
    return round(size * 1.22)


def _fit(
    setter: _Setter, text: str, width: int, start: int, max_height: float
) -> tuple[int, list[str]]:
    """The largest size (from ``start`` down) at which ``text`` wraps into the box."""
    size = start
    while True:
        lines = wrap(text, partial(setter.length, size=size), width)
        fits = all(setter.length(line, size) <= width for line in lines)
        if (fits and _line_height(size) * len(lines) <= max_height) or size <= 24:
            return size, lines
        size = int(size * 0.9)


def wrap(text: str, length: Callable[[str], float], width: int) -> list[str]:
    """Greedy word wrap of ``text`` into lines no wider than ``width`` where possible;
    ``length`` measures a line."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and length(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _lines(
    draw: ImageDraw.ImageDraw,
    shape: Shape,
    setter: _Setter,
    lines: list[str],
    size: int,
    y: int,
    ink: tuple[int, int, int],
    drawn: list[Run],
) -> int:
    """Draw centred lines from ``y`` down, run by run on one baseline; return the y below."""
    main = loaded_font(setter.chain[-1], size)
    for line in lines:
        x = (shape.width - setter.length(line, size)) / 2
        baseline = y + main.getmetrics()[0]
        for run in setter.runs(line):
            font = loaded_font(run.font, size)
            draw.text((x, baseline), run.text, font=font, fill=ink, anchor="ls")
            x += font.getlength(run.text)
            drawn.append(run)
        y += _line_height(size)
    return y
