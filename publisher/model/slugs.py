"""Stable, readable, unique slugs for chapter files, anchors and the book itself.

Letters of any script are transliterated to ASCII with anyascii rather than python-slugify:
anyascii has no dependencies, a permissive (ISC) licence and per-character tables for nearly
every script, and it leaves the hyphenation and length rules to us, so the slugs of books
made before (folded accents, every other character a hyphen) stay exactly as they were.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from anyascii import anyascii

_NON_WORD = re.compile(r"[^a-z0-9]+")
MAX_LENGTH = 60
HASH_LENGTH = 8


def slugify(text: str) -> str:
    """ASCII, lower-case, hyphenated: "Creëert je Dagelijkse Leven" → "creeert-je-dagelijkse-leven",
    "Søren en de Straße" → "soren-en-de-strasse", "Привет" → "privet", "東京" → "dong-jing".

    Only letters and digits are transliterated: symbols such as emoji give nothing (see
    :func:`made_up_slug`). Long titles are cut at a word boundary near :data:`MAX_LENGTH`.
    """
    parts: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)
        if category[0] == "M":  # a mark NFC could not join to its letter: drop it, as before
            continue
        if category[0] not in "LN":
            parts.append(" ")
        elif char.isascii():
            parts.append(char)
        elif category == "Lo" and unicodedata.name(char, "").startswith("CJK"):
            # One ideograph is one syllable: keep syllables apart, as a reader would.
            parts.append(f" {anyascii(char)} ")
        else:
            parts.append(anyascii(char))
    return _shorten(_NON_WORD.sub("-", "".join(parts).lower()).strip("-"))


def _shorten(slug: str) -> str:
    if len(slug) > MAX_LENGTH:
        cut = slug[:MAX_LENGTH]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug


def made_up_slug(text: str, word: str) -> str:
    """A slug for a title with nothing to transliterate, made from the title itself: ``word``
    (the book language's "chapter") and the Unicode names of its symbols ("🤗" →
    ``hoofdstuk-hugging-face``), or a short hash of the title when they have no names.

    Unicode never changes a character's name, so the slug is as stable as the title.
    """
    names = [
        unicodedata.name(c, "")
        for c in text
        if unicodedata.category(c)[0] not in "MCZ"  # joiners, variation selectors, spaces
    ]
    named = _shorten(_NON_WORD.sub("-", f"{word} {' '.join(names)}".lower()).strip("-"))
    if any(names) and named != word:
        return named
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_LENGTH]
    return f"{word}-{digest}"


@dataclass(frozen=True, kw_only=True)
class Slug:
    """One chapter's slug and whether it had to be made up (no transliterable text)."""

    slug: str
    made_up: bool = False


def unique_slugs(titles: Iterable[str], fallback: str = "chapter") -> list[str]:
    """One slug per title, in order: see :func:`chapter_slugs`."""
    return [s.slug for s in chapter_slugs(titles, fallback)]


def chapter_slugs(
    titles: Iterable[str], word: str = "chapter", fixed: Iterable[str | None] = ()
) -> list[Slug]:
    """One slug per title, in order; repeats get ``-2``, ``-3`` …; a title with nothing to
    transliterate gets :func:`made_up_slug` with ``word``. ``fixed`` gives, per title, an id
    the author chose (``{#id}``), used as it is. A slug depends only on its title and the
    titles before it with the same slug, never on position, so inserting a differently titled
    chapter changes no other slug."""
    titles = list(titles)
    chosen = list(fixed)
    chosen += [None] * (len(titles) - len(chosen))
    seen: set[str] = {c for c in chosen if c}
    # The last suffix tried per base: a suffix once taken stays taken, so the search resumes
    # there, and 20,000 equal titles take linear time instead of quadratic.
    suffix: dict[str, int] = {}
    out: list[Slug] = []
    for title, explicit in zip(titles, chosen, strict=False):
        if explicit:
            out.append(Slug(slug=explicit))
            continue
        base = slugify(title)
        made_up = not base
        if made_up:
            base = made_up_slug(title, word)
        n = suffix.get(base, 1)
        slug = base if n == 1 else f"{base}-{n}"
        while slug in seen:
            n += 1
            slug = f"{base}-{n}"
        suffix[base] = n
        seen.add(slug)
        out.append(Slug(slug=slug, made_up=made_up))
    return out
