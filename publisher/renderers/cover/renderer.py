"""The cover target: ``build/cover.jpg``, made once per build and read by every other target.

The EPUB embeds it, the audio puts it in each MP3's tags and the feed points podcast apps at
it, so it is one declared step that they ``require`` rather than something each of them
draws. Drawing a 3000×3000 cover takes a moment, so the result is kept in the cache, keyed
by everything it is made from, in the checked store of :mod:`publisher.infra.cache` (an entry
emptied or cut short is found by its digest and drawn again, never published).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from pathlib import Path

from publisher import outputs
from publisher.errors import Problem
from publisher.infra.cache import BlobCache
from publisher.model import Book
from publisher.renderers.base import RenderContext, RenderResult, Target
from publisher.renderers.cover import draw as cover_module
from publisher.renderers.cover.draw import SQUARE, Shape


def cached_cover(
    book: Book,
    shape: Shape,
    cache_dir: Path,
    warn: Callable[[Problem], None] | None = None,
) -> bytes:
    """The cover of ``book`` in ``shape`` as JPEG bytes, from the cache or drawn and kept there.

    The key is everything the cover is made from: the drawing code, the shape, the title,
    subtitle and author, and the author's cover image and font. Characters left out are
    reported (to ``warn``) when the cover is drawn; the up-to-date record repeats them.
    """
    key = hashlib.sha256()
    # The drawing code is part of the key: a change to it must not reuse old covers.
    key.update(Path(cover_module.__file__).read_bytes())
    key.update(f"{shape.width}x{shape.height}\0".encode())
    for part in (book.config.title, book.config.subtitle or "", book.config.author):
        key.update(part.encode() + b"\0")
    for name in (book.config.cover, book.config.cover_font):
        if name:
            with contextlib.suppress(OSError):  # cover_jpeg reports a missing file
                key.update((Path(book.root) / name).read_bytes())
    blobs = BlobCache(cache_dir, "cover")
    cached = blobs.get(key.hexdigest())  # an emptied or truncated entry is None: drawn again
    if cached is not None:
        return cached
    data = cover_module.cover_jpeg(book, shape, warn)
    blobs.put(key.hexdigest(), data)
    return data


class CoverRenderer(Target):
    """Writes ``cover.jpg`` at the build root: the square podcast artwork (3000×3000), also
    the art in every MP3. The EPUB draws its own portrait cover with :func:`cached_cover`."""

    name = "cover"
    requires: tuple[str, ...] = ()
    owns = (outputs.COVER,)

    def problems(self, book: Book) -> list[Problem]:
        """The cover image and its font as the cover takes them in; letters of the title
        that no font has."""
        return cover_module.cover_problems(book)

    def render(self, ctx: RenderContext) -> RenderResult:
        """Copy the cover from the cache, or draw it and keep a copy there."""
        data = cached_cover(ctx.book, SQUARE, ctx.cache_dir, ctx.warn)
        (ctx.root / outputs.COVER).write_bytes(data)
        return RenderResult(files=(outputs.COVER,), warnings=ctx.warnings())
