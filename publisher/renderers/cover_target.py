"""The cover target: ``build/cover.jpg``, made once per build and read by every other target.

The EPUB embeds it, the audio puts it in each MP3's tags and the feed points podcast apps at
it, so it is one declared step that they ``require`` rather than something each of them
draws. Drawing a 3000×3000 cover takes a moment, so the result is kept in the cache, keyed
by everything it is made from.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from pathlib import Path

from publisher.renderers import cover as cover_module
from publisher.renderers.base import RenderContext, RenderResult

COVER_FILE = "cover.jpg"


class CoverRenderer:
    """Writes ``cover.jpg`` at the build root (see :func:`publisher.renderers.cover.make_cover`)."""

    name = "cover"
    requires: tuple[str, ...] = ()
    owns = (COVER_FILE,)

    def render(self, ctx: RenderContext) -> RenderResult:
        """Copy the cover from the cache, or make it and keep a copy there."""
        book = ctx.book
        dest = ctx.root / COVER_FILE
        key = hashlib.sha256()
        # The drawing code is part of the key: a change to it must not reuse old covers.
        key.update(Path(cover_module.__file__).read_bytes())
        for part in (book.config.title, book.config.subtitle or "", book.config.author):
            key.update(part.encode() + b"\0")
        if book.config.cover:
            image = Path(book.root) / book.config.cover
            with contextlib.suppress(OSError):  # make_cover reports a missing image
                key.update(image.read_bytes())
        cached = ctx.cache_dir / "cover" / f"{key.hexdigest()}.jpg"
        if cached.is_file():
            shutil.copyfile(cached, dest)
        else:
            cover_module.make_cover(book, dest)
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".tmp{os.getpid()}")
            shutil.copyfile(dest, tmp)
            os.replace(tmp, cached)
        return RenderResult(files=(COVER_FILE,))
