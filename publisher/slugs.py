"""Stable, readable, unique slugs for chapter files, anchors and the book itself."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_NON_WORD = re.compile(r"[^a-z0-9]+")
MAX_LENGTH = 60


def slugify(text: str) -> str:
    """ASCII, lower-case, hyphenated: "Creëert je Dagelijkse Leven" → "creeert-je-dagelijkse-leven".

    Accents are folded rather than dropped, so Dutch titles keep their words. Long titles are
    cut at a word boundary near :data:`MAX_LENGTH` characters.
    """
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    slug = _NON_WORD.sub("-", folded.lower()).strip("-")
    if len(slug) > MAX_LENGTH:
        cut = slug[:MAX_LENGTH]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug


def unique_slugs(titles: Iterable[str], fallback: str = "chapter") -> list[str]:
    """One slug per title, in order; repeats get ``-2``, ``-3`` … and an empty slug the
    ``fallback``. A slug depends only on its title and the titles before it with the same slug,
    never on position, so inserting a differently titled chapter changes no other slug."""
    seen: set[str] = set()
    # The last suffix tried per base: a suffix once taken stays taken, so the search resumes
    # there, and 20,000 equal titles take linear time instead of quadratic.
    suffix: dict[str, int] = {}
    out: list[str] = []
    for title in titles:
        base = slugify(title) or fallback
        n = suffix.get(base, 1)
        slug = base if n == 1 else f"{base}-{n}"
        while slug in seen:
            n += 1
            slug = f"{base}-{n}"
        suffix[base] = n
        seen.add(slug)
        out.append(slug)
    return out
