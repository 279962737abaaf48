"""The book's images, judged by their bytes: the media type they really have, a bound on their
pixels, and SVG with nothing active or remote left in it (:mod:`publisher.reader.svg`).

A name can lie (JPEG bytes called ``.png``), a 48 kB PNG can claim 20000×20000 pixels, and an
SVG can carry scripts, event handlers and tracking images. Raster images are opened with
Pillow (header only) to learn their format and size; SVG is cleaned by allowlist.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote

from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from publisher.errors import Problem, SourceError
from publisher.model import Book
from publisher.reader.files import book_file
from publisher.reader.svg import sanitize_svg

# 50 million pixels: a 8000×6000 photo fits; decoding one takes about 200 MB, so bigger ones
# (and decompression bombs, which claim billions) are refused before any pixel is read.
MAX_PIXELS = 50_000_000
RASTER_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
SVG_TYPE = "image/svg+xml"
SUFFIXES = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    SVG_TYPE: ".svg",
}

# EPUB 3.3 core media types for images, by file name (anything else needs a fallback that
# EPUBCheck rejects); the bytes are checked too (:func:`check_image`).
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": SVG_TYPE,
}


class CheckedImage(NamedTuple):
    """What :func:`check_image` returns: an image's bytes as they may go into the book, and
    its real media type."""

    data: bytes
    media_type: str

    @property
    def suffix(self) -> str:
        """The file name suffix that matches the content."""
        return SUFFIXES[self.media_type]


def image_file(book: Book, src: str, path: str, line: int | None) -> Path:
    """The file the image ``src`` (a link destination, percent-encoded) of ``path:line``
    names in the book's folder (:func:`publisher.reader.files.book_file`)."""
    return book_file(book.root, unquote(src), path, line, "image")


def book_image(
    book: Book, src: str, path: str, line: int | None, warn: Callable[[Problem], None]
) -> tuple[Path, CheckedImage]:
    """The file an image of the book (``src`` at ``path:line``) names, and its checked bytes.

    Raises :class:`SourceError` when it is remote, outside the book's folder, missing, of a
    kind EPUB readers do not show, or fails :func:`check_image`: what the EPUB and the
    validation (:mod:`publisher.checks.validate`) both ask of every image.
    """
    file = image_file(book, src, path, line)
    if file.suffix.lower() not in IMAGE_TYPES:
        known = ", ".join(sorted(IMAGE_TYPES))
        raise SourceError.at(path, line, f"image {src!r}: EPUB readers show only {known} images")
    return file, check_image(file, src, path, line, warn)


def check_image(
    file: Path, src: str, path: str, line: int | None, warn: Callable[[Problem], None]
) -> CheckedImage:
    """The image at ``file`` (written ``src`` at ``path:line``), checked by its content.

    Raises :class:`SourceError` for an unreadable image, one over :data:`MAX_PIXELS`, or an
    SVG that is not well-formed; ``warn`` hears what was removed from an SVG.
    """
    try:
        data = file.read_bytes()
    except OSError as e:
        raise SourceError.at(path, line, f"image {src!r} cannot be read: {e.strerror}") from e
    media_type = raster_type(file, src, path, line)
    if media_type is not None:
        return CheckedImage(data=data, media_type=media_type)
    if file.suffix.lower() == ".svg" or data.lstrip()[:1] == b"<":
        return CheckedImage(data=sanitize_svg(data, src, path, line, warn), media_type=SVG_TYPE)
    raise SourceError.at(path, line, f"image {src!r} is not a readable image")


def raster_type(file: Path, src: str, path: str, line: int | None) -> str | None:
    """The media type of the raster image at ``file`` (None when Pillow cannot open it),
    after checking its size and its integrity."""
    try:
        with warnings.catch_warnings():
            # Pillow warns above its own limit; ours is lower and gives the author a message.
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            opened = PILImage.open(file)
        with opened as image:
            check_pixels(image, src, path, line)
            media_type = RASTER_TYPES.get(str(image.format))
            image.verify()
    except PILImage.DecompressionBombError as e:
        raise SourceError.at(path, line, _too_big(src)) from e
    except UnidentifiedImageError:
        return None
    except (OSError, ValueError, SyntaxError) as e:
        raise SourceError.at(path, line, f"image {src!r} is not a readable image") from e
    if media_type is None:
        raise SourceError.at(
            path,
            line,
            f"image {src!r} is a {image.format} image; EPUB readers show PNG, JPEG, GIF, WebP and SVG",
        )
    return media_type


def check_pixels(image: PILImage.Image, src: str, path: str | None, line: int | None) -> None:
    """Refuse ``image`` (opened, not yet decoded) when it has more than :data:`MAX_PIXELS`."""
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise SourceError.at(path or src, line, _too_big(src, f" ({width}×{height})"))


def _too_big(src: str, size: str = "") -> str:
    return (
        f"image {src!r} has too many pixels{size}; at most {MAX_PIXELS // 1_000_000} million "
        "are allowed: scale it down"
    )
