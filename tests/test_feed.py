"""The podcast feed, read back by lxml, feedparser and podcastparser.

The audio target is not needed: :func:`fake_audio` writes what it would (a real MP3 of a sine
tone, the timing JSON, a WebVTT file) and the cover, so the feed is tested on its own.
Other feed tests (``test_serve``, ``test_gpodder``) import these helpers.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import struct
import uuid
from functools import cache
from pathlib import Path

import feedparser
import lameenc
import podcastparser
import pytest
from lxml import etree
from PIL import Image

from publisher.checks.validate import podcast_problems
from publisher.errors import BuildError, Problem
from publisher.infra.clock import episode_date
from publisher.model import Book, Heading
from publisher.reader.parse import parse_file, parse_text
from publisher.renderers.base import BuildOptions, RenderContext
from publisher.renderers.feed.episodes import podcast_guid
from publisher.renderers.feed.renderer import FeedRenderer
from publisher.speech.timing import TimedSection, TimedUtterance, TimingFile
from publisher.text.plain import plain_text

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "atom": "http://www.w3.org/2005/Atom",
    "podcast": "https://podcastindex.org/namespace/1.0",
}
BASE = "https://podcasts.example.org/boek/"
SEED = Path(__file__).parent.parent / "source" / "de-geneeskracht-van-knuffelen.md"

FRONT = """\
---
title: "Het Kleine Boek"
author: Anna de Vries
language: nl
description: Een klein boek om de feed mee te testen.
identifier: "urn:uuid:0f7c1f5e-4a43-4d0e-9a53-1f8a3c2b7d11"
rights: "© Anna de Vries"
chapter_level: 1
podcast:
  category: Health & Fitness
  subcategory: Mental Health
  owner_name: Anna de Vries
  owner_email: anna@example.org
  locked: true
  start: 2025-01-06
  interval: weekly
---
"""

CHAPTERS = {
    "een": "# Een Begin\n\nDit is het *begin* van het boek, met een [link](https://example.org).\n\n"
    "Tweede alinea.\n\n## Een Kop\n\nMeer tekst.\n",
    "twee": "# Het Midden\n\nHier gebeurt het **meeste**.\n\n💡 Wat denk jij?\n",
    "drie": "# Het Einde\n\nEn zo eindigt het.\n\n## Nawoord\n\nDank.\n",
}


def book_text(*chapters: str, front: str = FRONT) -> str:
    """A whole book from ``front`` and the named chapters of :data:`CHAPTERS` (or raw text)."""
    return front + "\n" + "\n".join(CHAPTERS.get(c, c) for c in chapters)


def make_book(text: str) -> Book:
    """Parse a book given as text."""
    return parse_text(text, "book.md").book


@cache
def sine_mp3(seconds: float, hz: float = 440.0, rate: int = 22050) -> bytes:
    """A real, small MP3 of a sine tone (CBR 32 kb/s mono)."""
    count = int(seconds * rate)
    pcm = struct.pack(
        f"<{count}h", *(int(8000 * math.sin(2 * math.pi * hz * i / rate)) for i in range(count))
    )
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(32)
    encoder.set_in_sample_rate(rate)
    encoder.set_channels(1)
    encoder.set_quality(7)
    return bytes(encoder.encode(pcm) + encoder.flush())


@cache
def cover_jpeg(size: int = 3000, width: int | None = None) -> bytes:
    """A plain JPEG cover (square unless ``width`` is given)."""
    buffer = io.BytesIO()
    Image.new("RGB", (width or size, size), (200, 120, 80)).save(buffer, "JPEG", quality=60)
    return buffer.getvalue()


def fake_audio(book: Book, root: Path, *, cover: bool = True) -> dict[str, bytes]:
    """Write what the audio target and the build would: per chapter an MP3, timing JSON and
    WebVTT in ``root/audio``, a playlist, and ``root/cover.jpg``. Returns slug → MP3 bytes."""
    audio = root / "audio"
    audio.mkdir(parents=True, exist_ok=True)
    out: dict[str, bytes] = {}
    for chapter in book.chapters:
        seconds = 0.5 + 0.25 * chapter.number
        data = sine_mp3(seconds, 330.0 + 55 * chapter.number)
        (audio / f"{chapter.slug}.mp3").write_bytes(data)
        duration = int(seconds * 1000)
        headings = [b for b in chapter.blocks if isinstance(b, Heading)]
        step = duration // (len(headings) + 1)
        sections = [
            TimedSection(title=chapter.title_text, start_ms=0, end_ms=step, block=chapter.slug)
        ] + [
            TimedSection(
                title=plain_text(h.children),
                start_ms=step * (i + 1),
                end_ms=step * (i + 2),
                block=h.id,
            )
            for i, h in enumerate(headings)
        ]
        timing = TimingFile(
            chapter=chapter.slug,
            number=chapter.number,
            title=chapter.title_text,
            duration_ms=duration,
            sections=tuple(sections),
            utterances=(
                TimedUtterance(
                    start_ms=0,
                    end_ms=step,
                    block=chapter.slug,
                    kind="title",
                    voice="nl-espeak",
                    text=chapter.title_text,
                ),
            ),
            pauses=(),
        )
        (audio / f"{chapter.slug}.json").write_bytes(timing.dump())
        (audio / f"{chapter.slug}.vtt").write_text(
            f"WEBVTT\n\n00:00:00.000 --> 00:00:00.{step:03d}\n{chapter.title_text}\n",
            encoding="utf-8",
        )
        out[chapter.slug] = data
    (audio / "playlist.m3u").write_text(
        "#EXTM3U\n" + "".join(f"{c.slug}.mp3\n" for c in book.chapters), encoding="utf-8"
    )
    if cover:
        (root / "cover.jpg").write_bytes(cover_jpeg())
    return out


def render_feed(
    book: Book,
    root: Path,
    *,
    base_url: str | None = BASE,
    published: Path | None = None,
    warnings: list[Problem] | None = None,
) -> bytes:
    """Run the feed target with ``root`` as the build root; return ``feed.xml``."""
    sink: list[Problem] = [] if warnings is None else warnings
    ctx = RenderContext(
        book=book,
        root=root,
        out_dir=root,
        published=published or root / "no-published-build",
        cache_dir=root / ".cache",
        options=BuildOptions(base_url=base_url),
    )
    sink.extend(FeedRenderer().render(ctx).warnings)
    return (root / "feed.xml").read_bytes()


def build(tmp_path: Path, text: str, name: str = "build", **kwargs: object) -> tuple[Book, bytes]:
    """Parse ``text``, fake its audio in ``tmp_path/name`` and render the feed there."""
    book = make_book(text)
    root = tmp_path / name
    fake_audio(book, root)
    return book, render_feed(book, root, **kwargs)  # type: ignore[arg-type]


def items_by_slug(feed: bytes) -> dict[str, tuple[str, str]]:
    """Enclosure file name → (guid, enclosure URL) for every item."""
    out = {}
    for item in etree.fromstring(feed).iter("item"):
        url = item.find("enclosure").get("url")
        out[url.rsplit("/", 1)[1]] = (item.findtext("guid"), url)
    return out


# --- real parsers read every episode ---------------------------------------------------------


def test_feedparser_sees_every_episode(tmp_path: Path) -> None:
    book, feed = build(tmp_path, book_text("een", "twee", "drie"))
    parsed = feedparser.parse(feed)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.feed.title == "Het Kleine Boek"
    assert len(parsed.entries) == 3
    sizes = {
        c.slug: (tmp_path / "build/audio" / f"{c.slug}.mp3").stat().st_size for c in book.chapters
    }
    for entry in parsed.entries:
        (enclosure,) = entry.enclosures
        slug = enclosure.href.rsplit("/", 1)[1].removesuffix(".mp3")
        assert enclosure.href == f"{BASE}audio/{slug}.mp3"
        assert int(enclosure.length) == sizes[slug]
        assert enclosure.type == "audio/mpeg"
        assert entry.id and entry.guidislink is False
        timing = TimingFile.load(tmp_path / "build/audio" / f"{slug}.json")
        assert int(entry.itunes_duration) == round(timing.duration_ms / 1000)
    published = [e.published_parsed for e in parsed.entries]
    assert published == sorted(published, reverse=True)  # newest first
    assert [e.itunes_episode for e in parsed.entries] == ["3", "2", "1"]


def test_podcastparser_sees_every_episode(tmp_path: Path) -> None:
    book, feed = build(tmp_path, book_text("een", "twee", "drie"))
    parsed = podcastparser.parse(BASE + "feed.xml", io.BytesIO(feed))
    assert parsed["title"] == "Het Kleine Boek"
    assert parsed["type"] == "serial"
    assert parsed["cover_url"] == BASE + "cover.jpg"
    episodes = parsed["episodes"]
    assert len(episodes) == len(book.chapters)
    guids = {e["guid"] for e in episodes}
    assert len(guids) == 3
    for episode in episodes:
        (enclosure,) = episode["enclosures"]
        name = enclosure["url"].rsplit("/", 1)[1]
        assert enclosure["file_size"] == (tmp_path / "build/audio" / name).stat().st_size
        assert enclosure["mime_type"] == "audio/mpeg"
        assert episode["total_time"] > 0
    # podcastparser lists a serial show oldest first; the dates follow the book's order.
    numbers = [e["number"] for e in episodes]
    assert numbers == [1, 2, 3]
    assert [e["published"] for e in episodes] == sorted(e["published"] for e in episodes)


def test_channel_and_item_tags(tmp_path: Path) -> None:
    _, feed = build(tmp_path, book_text("een", "twee", "drie"))
    rss = etree.fromstring(feed)
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    for prefix, uri in NS.items():
        assert rss.nsmap[prefix] == uri
    channel = rss.find("channel")
    for tag in ("title", "link", "description", "language", "copyright", "generator"):
        assert channel.findtext(tag), tag
    assert channel.findtext("lastBuildDate") == "Mon, 20 Jan 2025 00:02:00 +0000"
    self_link = channel.find("atom:link", NS)
    assert self_link.attrib == {
        "href": BASE + "feed.xml",
        "rel": "self",
        "type": "application/rss+xml",
    }
    assert channel.findtext("itunes:author", namespaces=NS) == "Anna de Vries"
    assert channel.find("itunes:image", NS).get("href") == BASE + "cover.jpg"
    category = channel.find("itunes:category", NS)
    assert category.get("text") == "Health & Fitness"
    assert category.find("itunes:category", NS).get("text") == "Mental Health"
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    assert channel.findtext("itunes:type", namespaces=NS) == "serial"
    assert channel.findtext("itunes:owner/itunes:email", namespaces=NS) == "anna@example.org"
    assert channel.findtext("itunes:owner/itunes:name", namespaces=NS) == "Anna de Vries"
    locked = channel.find("podcast:locked", NS)
    assert (locked.text, locked.get("owner")) == ("yes", "anna@example.org")
    assert channel.findtext("podcast:guid", namespaces=NS)
    items = channel.findall("item")
    assert len(items) == 3
    for item in items:
        for tag in ("title", "description", "guid", "pubDate"):
            assert item.findtext(tag), tag
        for tag in ("itunes:title", "itunes:duration", "itunes:episode", "itunes:episodeType"):
            assert item.findtext(tag, namespaces=NS), tag
        assert item.find("guid").get("isPermaLink") == "false"
        slug = item.find("enclosure").get("url").rsplit("/", 1)[1].removesuffix(".mp3")
        transcript = item.find("podcast:transcript", NS)
        assert transcript.get("url") == f"{BASE}audio/{slug}.vtt"
        assert transcript.get("type") == "text/vtt"
        chapters = item.find("podcast:chapters", NS)
        assert chapters.get("url") == f"{BASE}chapters/{slug}.json"
        assert chapters.get("type") == "application/json+chapters"
        data = json.loads((tmp_path / "build/chapters" / f"{slug}.json").read_text())
        assert data["version"] == "1.2.0"
        assert data["chapters"][0]["startTime"] == 0
        assert all(c["title"] for c in data["chapters"])


def test_episode_notes(tmp_path: Path) -> None:
    text = book_text(
        "# Gevaar\n\nTekst met <script>alert(1)</script> en *nadruk* en "
        "[intern](#anker) en [goed](https://example.org/?a=1&b=2). "
        + "Lang. " * 100
        + "\n\n## Later\n\nNiet in de notities.\n"
    )
    _, feed = build(tmp_path, text)
    item = etree.fromstring(feed).find("channel/item")
    description = item.findtext("description")
    assert description.startswith("Tekst met <script>alert(1)</script> en nadruk")
    opening, notice = description.split("\n\n")
    assert len(description) <= 501 and opening.endswith("…")
    assert notice.startswith("Voorgelezen door een synthetische stem")
    notes = item.findtext("content:encoded", namespaces=NS)
    assert notes.endswith(f"<p>{notice}</p>")
    assert "&lt;script&gt;" in notes and "<script>" not in notes
    assert "<em>nadruk</em>" in notes
    assert "intern" in notes and "#anker" not in notes
    assert '<a href="https://example.org/?a=1&amp;b=2">goed</a>' in notes
    assert "Niet in de notities" not in notes


# --- identity ----------------------------------------------------------------------------------


def test_podcast_guid_follows_the_spec(tmp_path: Path) -> None:
    namespace = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
    # The spec's own examples (Podcasting 2.0, docs/tags/guid.md).
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == (
        "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    )
    assert podcast_guid("http://podnews.net/rss//") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    _, feed = build(tmp_path, book_text("een"))
    value = etree.fromstring(feed).findtext("channel/podcast:guid", namespaces=NS)
    assert value == str(uuid.uuid5(namespace, "podcasts.example.org/boek/feed.xml"))


def test_identity_survives_edits_and_insertions(tmp_path: Path) -> None:
    _, first = build(tmp_path, book_text("een", "twee", "drie"), "a")
    _, again = build(tmp_path, book_text("een", "twee", "drie"), "b")
    edited_twee = CHAPTERS["twee"].replace("meeste", "allermeeste") + "\nNieuwe alinea.\n"
    _, edited = build(tmp_path, book_text("een", edited_twee, "drie"), "c")
    inserted = "# Een Nieuw Hoofdstuk\n\nIngevoegd.\n"
    _, moved = build(tmp_path, book_text(inserted, "een", "twee", "drie"), "d")
    base = items_by_slug(first)
    assert items_by_slug(again) == base
    assert items_by_slug(edited) == base
    after_insert = items_by_slug(moved)
    assert len(after_insert) == 4
    assert {k: after_insert[k] for k in base} == base
    # Episode numbers follow the book; the guid does not.
    numbers = {
        i.find("enclosure").get("url"): i.findtext("itunes:episode", namespaces=NS)
        for i in etree.fromstring(moved).iter("item")
    }
    assert numbers[BASE + "audio/een-begin.mp3"] == "2"


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    _, first = build(tmp_path, book_text("een", "twee", "drie"), "a")
    _, second = build(tmp_path, book_text("een", "twee", "drie"), "b")
    assert first == second
    for path in (tmp_path / "a/chapters").iterdir():
        assert path.read_bytes() == (tmp_path / "b/chapters" / path.name).read_bytes()


# --- hostile text ---------------------------------------------------------------------------

HOSTILE_FRONT = FRONT.replace(
    'title: "Het Kleine Boek"', 'title: "Tom & Jerry <b> \\"zegt\\" \'hoi\' !"'
).replace("author: Anna de Vries", 'author: "A & B <c>"')
HOSTILE_CHAPTER = "# Kat & Muis <i> \"aanhalingen\" 'enkel' \x08\x1b\x0b\x0c]]> klaar\n\nTekst \x1b[31m rood & <b>.\n"


def test_hostile_text_gives_a_feed_every_parser_reads(tmp_path: Path) -> None:
    book, feed = build(tmp_path, book_text(HOSTILE_CHAPTER, "een", front=HOSTILE_FRONT))
    # Control characters in the front matter are refused with their line (tests/data/bad/);
    # in the text they reach the writers, which must drop them.
    assert book.config.title == "Tom & Jerry <b> \"zegt\" 'hoi' !"
    channel_title = "Tom & Jerry <b> \"zegt\" 'hoi' !"
    chapter_title = "Kat & Muis <i> \"aanhalingen\" 'enkel' ]]> klaar"

    rss = etree.fromstring(feed)  # strict: raises on any forbidden character
    assert rss.findtext("channel/title") == channel_title
    assert rss.findtext("channel/itunes:author", namespaces=NS) == "A & B <c>"
    titles = [i.findtext("title") for i in rss.iter("item")]
    assert chapter_title in titles

    parsed = feedparser.parse(feed)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.feed.title == channel_title
    assert chapter_title in [e.title for e in parsed.entries]

    podcast = podcastparser.parse(BASE + "feed.xml", io.BytesIO(feed))
    assert podcast["title"] == channel_title
    assert chapter_title in [e["title"] for e in podcast["episodes"]]
    assert all(e["enclosures"] for e in podcast["episodes"])


# --- inputs, dates and warnings ---------------------------------------------------------------


def test_missing_audio_asks_for_the_audio_build(tmp_path: Path) -> None:
    book = make_book(book_text("een", "twee"))
    fake_audio(book, tmp_path)
    (tmp_path / "audio/het-midden.mp3").unlink()
    with pytest.raises(BuildError, match="build the audio target first") as caught:
        render_feed(book, tmp_path)
    assert "het-midden" in str(caught.value)


def test_a_timing_file_of_another_chapter_or_version_is_refused(tmp_path: Path) -> None:
    book = make_book(book_text("een", "twee"))
    fake_audio(book, tmp_path)
    audio = tmp_path / "audio"
    (audio / "het-midden.json").write_bytes((audio / "een-begin.json").read_bytes())
    with pytest.raises(BuildError, match="timing is for chapter 'een-begin', not 'het-midden'"):
        render_feed(book, tmp_path)
    stale = (
        TimingFile.load(audio / "een-begin.json").dump().replace(b'"version": 3', b'"version": 0')
    )
    (audio / "het-midden.json").write_bytes(stale)
    with pytest.raises(BuildError, match=r"het-midden\.json: not a version 3 timing file"):
        render_feed(book, tmp_path)


def test_reads_audio_of_the_published_build(tmp_path: Path) -> None:
    book = make_book(book_text("een"))
    published = tmp_path / "published"
    fake_audio(book, published)
    stage = tmp_path / "stage"
    stage.mkdir()
    feed = render_feed(book, stage, published=published)
    assert feedparser.parse(feed).entries[0].enclosures[0].href == BASE + "audio/een-begin.mp3"


def test_without_base_url_the_feed_is_for_local_preview(tmp_path: Path) -> None:
    book, feed = build(tmp_path, book_text("een"), base_url=None)
    warnings = podcast_problems(book, None)  # the validation says it, for check and build
    assert any("no podcast.base_url" in w.message for w in warnings)
    assert all(w.severity == "warning" for w in warnings)
    assert podcast_problems(book, BASE) == []
    url = feedparser.parse(feed).entries[0].enclosures[0].href
    assert url == "http://127.0.0.1:8000/audio/een-begin.mp3"


def test_base_url_option_wins_and_gets_a_slash(tmp_path: Path) -> None:
    front = FRONT.replace("podcast:\n", "podcast:\n  base_url: https://old.example.org/\n")
    _, feed = build(tmp_path, book_text("een", front=front), base_url="https://new.example.org/x")
    rss = etree.fromstring(feed)
    assert rss.find("channel/atom:link", NS).get("href") == "https://new.example.org/x/feed.xml"


def test_bad_cover_warns(tmp_path: Path) -> None:
    book = make_book(book_text("een"))
    fake_audio(book, tmp_path)
    (tmp_path / "cover.jpg").write_bytes(cover_jpeg(1400, width=1500))
    warnings: list[Problem] = []
    render_feed(book, tmp_path, warnings=warnings)
    assert any("square" in w.message for w in warnings)


def test_episode_dates() -> None:
    config = make_book(book_text("een")).config
    assert episode_date(config, "x", 1) == dt.datetime(2025, 1, 6, tzinfo=dt.UTC)
    assert episode_date(config, "x", 3).date() == dt.date(2025, 1, 20)
    monthly = make_book(
        book_text(
            "een",
            front=FRONT.replace("start: 2025-01-06", "start: 2025-01-31").replace(
                "weekly", "monthly"
            )
            + "",
        )
    ).config
    assert [episode_date(monthly, "x", n).date() for n in (1, 2, 3)] == [
        dt.date(2025, 1, 31),
        dt.date(2025, 2, 28),
        dt.date(2025, 3, 31),
    ]
    pinned = make_book(
        book_text("een", front=FRONT.replace("interval: weekly", "dates:\n    x: 2024-05-01"))
    ).config
    assert episode_date(pinned, "x", 7).date() == dt.date(2024, 5, 1)
    undated = make_book(
        book_text("een", front=FRONT.replace("  start: 2025-01-06\n", "") + "")
    ).config
    assert episode_date(undated, "x", 2) == dt.datetime(2000, 1, 1, 0, 1, tzinfo=dt.UTC)


def test_the_seed_book(tmp_path: Path) -> None:
    book = parse_file(SEED).book
    fake_audio(book, tmp_path)
    feed = render_feed(book, tmp_path)
    parsed = feedparser.parse(feed)
    assert parsed.bozo == 0
    assert len(parsed.entries) == len(book.chapters) > 1
    assert podcastparser.parse(BASE + "feed.xml", io.BytesIO(feed))["episodes"]


def test_dates_for_unknown_chapters_warn(tmp_path: Path) -> None:
    front = FRONT.replace("interval: weekly", "dates:\n    geen-hoofdstuk: 2024-05-01")
    book, _ = build(tmp_path, book_text("een", front=front))
    assert any("'geen-hoofdstuk'" in w.message for w in podcast_problems(book, BASE))


def test_without_cover_the_feed_warns_and_has_no_artwork(tmp_path: Path) -> None:
    book = make_book(book_text("een"))
    fake_audio(book, tmp_path, cover=False)
    warnings: list[Problem] = []
    feed = render_feed(book, tmp_path, warnings=warnings)
    assert any("no cover" in w.message for w in warnings)
    assert etree.fromstring(feed).find("channel/itunes:image", NS) is None
    assert feedparser.parse(feed).bozo == 0


# --- what the feed is, and that no person reads it ------------------------------------------


def test_the_feed_says_it_is_a_book_read_by_a_synthetic_voice(tmp_path: Path) -> None:
    front = FRONT.replace(
        "chapter_level: 1\n", "chapter_level: 1\nseries: {name: Kleine Boeken, number: 2}\n"
    )
    book, feed = build(tmp_path, book_text("een", "twee", front=front))
    channel = etree.fromstring(feed).find("channel")
    assert channel.findtext("podcast:medium", namespaces=NS) == "audiobook"
    (txt,) = channel.findall("podcast:txt", NS)
    assert (txt.get("purpose"), txt.text) == ("ai-content", "true")
    people = {
        p.get("role"): (p.get("group"), p.text) for p in channel.findall("podcast:person", NS)
    }
    assert people["author"] == ("writing", "Anna de Vries")
    group, narrator = people["narrator"]
    assert group == "cast" and narrator.startswith("synthetische stem ")
    voices = {
        u.voice
        for c in book.chapters
        for u in TimingFile.load(tmp_path / "build/audio" / f"{c.slug}.json").utterances
    }
    assert all(v in narrator for v in voices)
    image = channel.find("podcast:image", NS)
    assert image.get("href") == BASE + "cover.jpg"
    assert image.get("alt") == "Omslag van Het Kleine Boek, door Anna de Vries"
    assert (image.get("aspect-ratio"), image.get("width")) == ("1/1", "3000")
    for item in channel.findall("item"):
        (txt,) = item.findall("podcast:txt", NS)
        assert (txt.get("purpose"), txt.text) == ("ai-content", "true")
        season = item.find("podcast:season", NS)
        assert (season.text, season.get("name")) == ("2", "Kleine Boeken")
        assert "synthetische stem" in item.findtext("description").split("\n\n")[-1]
    # The real parsers still read it whole.
    parsed = feedparser.parse(feed)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert len(parsed.entries) == 2
    assert len(podcastparser.parse(BASE + "feed.xml", io.BytesIO(feed))["episodes"]) == 2


def test_a_series_number_that_is_no_whole_number_is_no_season(tmp_path: Path) -> None:
    front = FRONT.replace(
        "chapter_level: 1\n", "chapter_level: 1\nseries: {name: Reeks, number: 2.5}\n"
    )
    _, feed = build(tmp_path, book_text("een", front=front))
    assert etree.fromstring(feed).find("channel/item/podcast:season", NS) is None
