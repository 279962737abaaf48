"""The drawn cover draws every letter with a real glyph, in the shape each target wants."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from publisher.errors import Problem, SourceError
from publisher.model import Book
from publisher.reader.parse import parse_text
from publisher.renderers.base import BuildOptions, RenderContext
from publisher.renderers.cover.draw import (
    BOLD,
    PORTRAIT,
    SQUARE,
    Shape,
    cover_jpeg,
    draw_cover,
    make_cover,
)
from publisher.renderers.epub.renderer import EpubRenderer

TITLE = "Creëer rust in één café"
SUBTITLE = "Ελληνικά και Русский: «ёлка» — „Straße“ · Ærø Øst Åse ĳs"
AUTHOR = "Zoë Müller – Ñoño"


def book(tmp_path: Path, author: str = AUTHOR, **front: str) -> Book:
    extra = "".join(f"{k}: {v}\n" for k, v in front.items())
    text = (
        f'---\ntitle: "{TITLE}"\nsubtitle: "{SUBTITLE}"\nauthor: {author}\n{extra}'
        "language: nl\nidentifier: urn:x\n---\n# T\n\nTekst.\n"
    )
    source = tmp_path / "book.md"
    tmp_path.mkdir(parents=True, exist_ok=True)
    source.write_text(text, encoding="utf-8")
    return parse_text(text, str(source), root=str(tmp_path)).book


@pytest.mark.parametrize("shape", [SQUARE, PORTRAIT], ids=["square", "portrait"])
def test_every_character_has_a_glyph_in_the_font_that_drew_it(tmp_path: Path, shape: Shape) -> None:
    drawn = draw_cover(book(tmp_path).config, shape)
    assert drawn.missing == {}
    assert drawn.image.size == (shape.width, shape.height)
    for run in drawn.runs:
        cmap = TTFont(run.font).getBestCmap()
        assert [c for c in run.text if ord(c) not in cmap] == [], run
    # Nothing was dropped: every letter of title, subtitle and author is on the cover.
    on_cover = "".join(r.text for r in drawn.runs).replace(" ", "")
    assert sorted(on_cover) == sorted((TITLE + SUBTITLE + AUTHOR).replace(" ", ""))


def test_a_character_no_font_has_is_left_out_with_a_warning_not_a_box(tmp_path: Path) -> None:
    plain = book(tmp_path / "a")
    with_cjk = book(tmp_path / "b", author=AUTHOR + " 東京🤗")
    warnings: list[Problem] = []
    assert cover_jpeg(with_cjk, SQUARE, warnings.append) == cover_jpeg(plain, SQUARE)
    assert [str(w) for w in warnings] == [
        f"{with_cjk.source}:4: warning: the cover leaves out '京' (U+4EAC) '東' (U+6771) "
        "'🤗' (U+1F917) of the author: no font has them"
    ]


def test_the_epub_cover_is_portrait_and_the_artwork_square(tmp_path: Path) -> None:
    b = book(tmp_path)
    artwork = make_cover(b, tmp_path / "build" / "cover.jpg")
    with Image.open(artwork) as image:
        assert image.size == (3000, 3000)
    out = tmp_path / "build" / "epub"
    out.mkdir()
    ctx = RenderContext(
        book=b,
        root=tmp_path / "build",
        out_dir=out,
        published=tmp_path / "none",
        cache_dir=tmp_path / ".cache",
        options=BuildOptions(),
    )
    EpubRenderer().render(ctx)
    with zipfile.ZipFile(out / f"{b.slug}.epub") as z:
        data = z.read("EPUB/images/cover.jpg")
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size) == ("JPEG", (1600, 2560))


def test_the_authors_font_comes_first_and_noto_fills_in(tmp_path: Path) -> None:
    # A font that has Latin only stands in for the author's: Greek falls back to Noto Sans.
    from fontTools import subset

    mine = TTFont(BOLD)
    options = subset.Options()
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz ")
    subsetter.subset(mine)
    mine.save(tmp_path / "mine.ttf")
    drawn = draw_cover(
        book(tmp_path, cover_font="mine.ttf").config, SQUARE, (tmp_path / "mine.ttf",)
    )
    fonts = {r.font.name for r in drawn.runs}
    assert fonts == {"mine.ttf", "NotoSans-Bold.ttf", "NotoSans-Regular.ttf"}
    assert next(r for r in drawn.runs if "λ" in r.text).font.name.startswith("NotoSans")
    assert next(r for r in drawn.runs if r.text.startswith("Cre")).font.name == "mine.ttf"


def test_cover_font_must_be_a_font_beside_the_book(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a font")
    with pytest.raises(SourceError, match=r"book.md:5: cover_font 'notes.txt' is not a font"):
        cover_jpeg(book(tmp_path, cover_font="notes.txt"))
    shutil.copy(BOLD, tmp_path / "ok.ttf")
    with pytest.raises(SourceError, match=r"cover_font 'gone\.ttf' not found"):
        cover_jpeg(book(tmp_path, cover_font="gone.ttf"))
    assert cover_jpeg(book(tmp_path, cover_font="ok.ttf"))[:2] == b"\xff\xd8"
