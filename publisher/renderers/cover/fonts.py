"""The cover's fonts: Noto Sans (shipped in ``publisher/data/fonts`` with its OFL licence)
and the author's ``cover_font``, which is judged by its tables before anything is drawn."""

from __future__ import annotations

import struct
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError
from PIL import ImageFont

from publisher.errors import BuildError

FONTS = Path(__file__).parents[2] / "data" / "fonts"
BOLD = FONTS / "NotoSans-Bold.ttf"  # the title
REGULAR = FONTS / "NotoSans-Regular.ttf"  # subtitle and author

# The tables an outline font needs to be drawn (OpenType 1.9, "Required tables"), and the
# outlines: TrueType ('glyf' with 'loca') or CFF.
_REQUIRED_TABLES = ("cmap", "head", "hhea", "hmtx", "maxp")
_OUTLINES = (("glyf", "loca"), ("CFF ",), ("CFF2",))
# What fontTools raises on a file that is not a font or is damaged: it checks with assert and
# reads with struct, so its errors are of many kinds.
_UNREADABLE = (
    TTLibError, OSError, AssertionError, ValueError, KeyError, IndexError, TypeError,
    struct.error, ImportError, EOFError,
)  # fmt: skip


def font_problem(path: Path) -> str | None:
    """Why the file at ``path`` is not a font the cover can be set in; None if it is.

    Judged by its tables (fontTools), not its name: the required tables, outlines, and a
    character map with letters in it; then FreeType (through Pillow) must load it, as drawing
    will.
    """
    try:
        with path.open("rb") as f:
            # WOFF2 needs the brotli module to read, which publisher does not use.
            if f.read(4) == b"wOF2":
                return "is a WOFF2 font; give the TTF or OTF file"
        with TTFont(path, lazy=True, fontNumber=0) as font:
            tables = set(font.keys())
            missing = [t for t in _REQUIRED_TABLES if t not in tables]
            if missing or not any(all(t in tables for t in outline) for outline in _OUTLINES):
                lacking = ", ".join(missing) or "outlines (glyf or CFF)"
                return f"is not a font that can be drawn: it has no {lacking}"
            # Reading each table (lazy: on first use) fails on a file that is cut short.
            if any(font[t] is None for t in _REQUIRED_TABLES) or not font.getBestCmap():
                return "is not a font: it maps no characters"
    except _UNREADABLE:
        return "is not a font"
    try:
        ImageFont.truetype(str(path), 12)
    except (OSError, ValueError) as e:
        return f"is not a font FreeType can load ({e})"
    except ImportError:
        return None  # Pillow without FreeType: drawing says so (BuildError) for every font
    return None


@cache
def cmap(path: Path) -> frozenset[int]:
    """The code points ``path`` has glyphs for; empty when it is no font fontTools reads."""
    try:
        with TTFont(path, lazy=True, fontNumber=0) as font:
            return frozenset(font.getBestCmap() or {})
    except _UNREADABLE:
        return frozenset()


@cache
def loaded_font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    """The font at ``path`` in ``size`` pixels, loaded by FreeType once per process."""
    try:
        return ImageFont.truetype(str(path), size)
    except ImportError as e:  # Pillow without FreeType cannot load any outline font
        raise BuildError("Pillow was built without FreeType; it cannot draw a cover") from e
