"""The M4B's tags, with mutagen's MP4 atoms, named as audiobook players read them.

Apple Books, BookPlayer and Audiobookshelf take the narrator from the composer atom
(``©wrt``), the iTunes convention for audiobooks; the freeform ``NARRATOR`` atom says the same
for tools that look for it by name. ``stik`` 2 marks the file as an audiobook.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from publisher.renderers.audiobook.m4b import BookTags

FREEFORM = "----:com.apple.iTunes:"
"""The prefix of iTunes' freeform atoms (mutagen's spelling)."""
AUDIOBOOK_KIND = 2
"""``stik`` (media kind) of an audiobook."""


def write_tags(path: Path, tags: BookTags) -> None:
    """Tag the M4B at ``path`` with ``tags`` (replacing what the muxer wrote)."""
    import mutagen.mp4

    mp4: Any = mutagen.mp4  # its classes are untyped: one Any-typed name, not an ignore each
    m4b = mp4.MP4(path)
    if m4b.tags is None:
        m4b.add_tags()
    atoms = m4b.tags
    atoms.clear()
    atoms["\xa9nam"] = [tags.title]
    atoms["\xa9alb"] = [tags.album]
    atoms["\xa9ART"] = [tags.author]
    atoms["aART"] = [tags.author]
    atoms["\xa9wrt"] = [tags.narrator]
    atoms["\xa9gen"] = ["Audiobook"]
    atoms["stik"] = [AUDIOBOOK_KIND]
    if tags.year is not None:
        atoms["\xa9day"] = [str(tags.year)]
    if tags.description:
        atoms["desc"] = [tags.description]
        atoms["ldes"] = [tags.description]
    if tags.cover is not None:
        kind = mp4.MP4Cover.FORMAT_PNG if tags.cover[:4] == b"\x89PNG" else mp4.MP4Cover.FORMAT_JPEG
        atoms["covr"] = [mp4.MP4Cover(tags.cover, imageformat=kind)]
    for name, value in (
        ("NARRATOR", tags.narrator),
        ("IDENTIFIER", tags.identifier),
        ("LANGUAGE", tags.language),
    ):
        atoms[FREEFORM + name] = [mp4.MP4FreeForm(value.encode("utf-8"))]
    m4b.save()
