"""The M4B's tags, with mutagen's MP4 atoms, named as audiobook players read them.

Apple Books, BookPlayer and Audiobookshelf take the narrator from the composer atom
(``©wrt``), the iTunes convention for audiobooks; the freeform ``NARRATOR`` atom says the same
for tools that look for it by name. ``stik`` 2 marks the file as an audiobook. A book in a
series carries the series as iTunes' movement name and number (``©mvn``, ``©mvi``), where
Apple's apps and tag editors look for it, and as a freeform ``SERIES`` / ``SERIES-PART`` pair,
which Audiobookshelf reads (through FFmpeg, which does not read the movement atoms). The speech's IPTC digital source type is a freeform atom and an XMP box
(:mod:`publisher.renderers.provenance`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from publisher.renderers.provenance import append_xmp, mp4_atoms

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
    named = [
        ("NARRATOR", tags.narrator),
        ("IDENTIFIER", tags.identifier),
        ("LANGUAGE", tags.language),
    ]
    if tags.series is not None:
        name, number = tags.series
        atoms["\xa9mvn"] = [name]
        named.append(("SERIES", name))
        if number is not None:
            named.append(("SERIES-PART", f"{number:g}"))
            if number.is_integer():  # a 16-bit whole number: 2.5 has no place there
                atoms["\xa9mvi"] = [int(number)]
    for name, value in named:
        atoms[FREEFORM + name] = [mp4.MP4FreeForm(value.encode("utf-8"))]
    if tags.synthetic is not None:
        atoms.update(mp4_atoms(tags.synthetic))
    m4b.save()
    if tags.synthetic is not None:
        append_xmp(path, tags.synthetic)
