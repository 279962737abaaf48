"""What the website itself says (labels, dates, durations, sizes) in the book's language.

Kept beside the site rather than in :mod:`publisher.i18n`: these words appear only on the web
pages, and English stands in for a language that has none here, as it does there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


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
    months: tuple[str, ...]
    decimal: str


WORDS: dict[str, SiteWords] = {
    "nl": SiteWords(
        skip="Naar de inhoud",
        by="door",
        subscribe="Abonneren",
        subscribe_help="Plak dit adres in je podcast-app, of open het er direct in:",
        feed_address="Adres van de feed",
        copy="Kopieer het adres",
        copied="Gekopieerd",
        open_in_app="Open in je podcast-app",
        downloads="Downloads",
        episodes="Afleveringen",
        episode_count="{n} afleveringen",
        from_date="vanaf {date}",
        published="Verschenen",
        duration="Duur",
        prompts="Reflectievragen",
        player="Speler",
        captions="Ondertiteling",
        download_mp3="Download de MP3",
        show_notes="Over deze aflevering",
        transcript="Uitgeschreven tekst",
        transcript_help="Klik op een zin, of druk er op Enter, om vanaf daar te luisteren.",
        pause="pauze, {seconds} s",
        previous="Vorige",
        next="Volgende",
        book="Het boek",
        epub="EPUB",
        narrated_epub="EPUB met voorgelezen tekst",
        audiobook="Luisterboek (M4B)",
        months=(
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ),
        decimal=",",
    ),
    "en": SiteWords(
        skip="Skip to content",
        by="by",
        subscribe="Subscribe",
        subscribe_help="Paste this address into your podcast app, or open it there directly:",
        feed_address="Feed address",
        copy="Copy the address",
        copied="Copied",
        open_in_app="Open in your podcast app",
        downloads="Downloads",
        episodes="Episodes",
        episode_count="{n} episodes",
        from_date="from {date}",
        published="Published",
        duration="Duration",
        prompts="Reflection prompts",
        player="Player",
        captions="Captions",
        download_mp3="Download the MP3",
        show_notes="About this episode",
        transcript="Transcript",
        transcript_help="Click a sentence, or press Enter on it, to listen from there.",
        pause="pause, {seconds} s",
        previous="Previous",
        next="Next",
        book="The book",
        epub="EPUB",
        narrated_epub="Narrated EPUB",
        audiobook="Audiobook (M4B)",
        months=(
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
        decimal=".",
    ),
}


def site_words(language: str) -> SiteWords:
    """The site's words for a BCP 47 tag, by its primary subtag; English where we have none."""
    return WORDS.get(language.split("-")[0].lower(), WORDS["en"])


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
