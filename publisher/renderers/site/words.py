"""What the website itself says (labels, dates, durations, sizes) in the book's language.

Typed beside the site rather than in :mod:`publisher.i18n`: these words appear only on the
web pages. They are read, as the book's are, from the ``[site]`` table of
``publisher/data/words/<language>.toml`` (see :mod:`publisher.i18n`).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from publisher.i18n import load_words, subtag


@dataclass(frozen=True, kw_only=True)
class SiteWords:
    """Labels of the website in one language."""

    skip: str
    by: str
    subscribe: str
    subscribe_help: str
    feed_address: str
    copy: str
    copied: str
    open_in_app: str
    downloads: str
    episodes: str
    episode_count: str  # "{n}" is filled in
    from_date: str  # a future episode: "{date}" is filled in
    published: str
    duration: str
    prompts: str
    player: str
    captions: str
    download_mp3: str
    show_notes: str
    transcript: str
    transcript_help: str  # shown once the script has made sentences clickable
    pause: str  # "{seconds}" is filled in
    previous: str
    next: str
    book: str
    epub: str
    narrated_epub: str
    audiobook: str
    accessibility: str  # the book page's section on the EPUBs' accessibility
    conforms_to: str  # "{standard}" is filled in
    read_along_access: str  # what the narrated EPUB adds: reading by ear, or with highlights
    certified_by: str  # "{name}": only when the author names a certifier
    certifier_credential: str  # "{credential}"
    months: tuple[str, ...]
    decimal: str


@functools.cache
def _site_words(code: str) -> SiteWords:
    return load_words(SiteWords, code, "site")


def site_words(language: str) -> SiteWords:
    """The site's words for a BCP 47 tag, by its primary subtag; English where we have none."""
    return _site_words(subtag(language))


def long_date(day: dt.date, words: SiteWords) -> str:
    """``day`` as a reader writes it: "6 januari 2025", "6 January 2025"."""
    return f"{day.day} {words.months[day.month - 1]} {day.year}"


def duration_text(ms: int) -> str:
    """A duration for people: "12 min 5 s" (minutes and seconds read the same in nl and en)."""
    minutes, seconds = divmod((ms + 500) // 1000, 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def duration_iso(ms: int) -> str:
    """A duration for machines (``<time datetime>``): ISO 8601 "PT725S"."""
    return f"PT{(ms + 500) // 1000}S"


def size_text(size: int, words: SiteWords) -> str:
    """A file size: "1,2 MB" or "840 kB" (decimal units, as file managers show them)."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB".replace(".", words.decimal)
    return f"{max(1, round(size / 1000))} kB"
