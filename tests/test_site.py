"""The website target without a browser: what the pages say, their links, the transcript's
times, the front-matter switch and the feed's links to the pages.

The audio is faked, but its timing files are written by :mod:`publisher.speech.timing` from the
chapter's real script, as the audio target writes them.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from lxml import etree, html

from publisher.engines.base import SpokenWord
from publisher.engines.words import tokens
from publisher.errors import BuildError
from publisher.model import Book
from publisher.renderers.base import BuildOptions, RenderContext
from publisher.renderers.site.renderer import SiteRenderer
from publisher.speech.captions import webvtt
from publisher.speech.script import Utterance, chapter_script
from publisher.speech.timing import TimingFile
from tests.test_feed import BASE, book_text, cover_jpeg, make_book, render_feed, sine_mp3

FRONT_DATES = """\
---
title: "Het Boek"
author: Gerrit
language: nl
identifier: "urn:uuid:11111111-2222-3333-4444-555555555555"
podcast:
  start: 2025-01-06
  interval: weekly
{extra}---

# Het Boek
"""
CHAPTERS = (
    "## Eerste\n\nDit is zin een. Dit is zin twee.\n\n💡 Wat denk jij?\n",
    "## Tweede & Laatste\n\nVoorbeeld: Een voorbeeld.\n\n### Een Kop\n\n- een\n- twee\n",
    "## Derde\n\nNog een <b>tekst</b> met [een link](https://example.org/).\n",
)


def fake_timed_audio(book: Book, root: Path) -> None:
    """What the audio target writes per chapter, each item of the script lasting 1 s."""
    audio = root / "audio"
    audio.mkdir(parents=True, exist_ok=True)
    for chapter in book.chapters:
        script = chapter_script(chapter, book.config)
        spans = [(i * 1000, i * 1000 + 900) for i in range(len(script.items))]
        samples = len(spans) * 1000
        # The words of each utterance spread over its 900 ms as its characters are.
        words = [
            tuple(
                SpokenWord(
                    char_start=a,
                    char_end=b,
                    sample_start=start + 900 * a // len(item.text),
                    sample_end=start + 900 * b // len(item.text),
                )
                for a, b in tokens(item.text)
            )
            if isinstance(item, Utterance)
            else None
            for item, (start, _) in zip(script.items, spans, strict=True)
        ]
        timing = TimingFile.from_script(script, spans, 1000, samples, words)
        (audio / f"{chapter.slug}.json").write_bytes(timing.dump())
        (audio / f"{chapter.slug}.vtt").write_bytes(webvtt(timing))
        (audio / f"{chapter.slug}.mp3").write_bytes(sine_mp3(0.5))
    (root / "cover.jpg").write_bytes(cover_jpeg(1400))


def render_site(book: Book, root: Path, today: dt.date = dt.date(2030, 1, 1)) -> Path:
    """Run the site target with ``root`` as the build root."""
    ctx = RenderContext(
        book=book,
        root=root,
        out_dir=root,
        published=root / "none",
        cache_dir=root / ".cache",
        options=BuildOptions(),
    )
    SiteRenderer(today=today).render(ctx)
    return root


def site(
    tmp_path: Path, extra: str = "", today: dt.date = dt.date(2030, 1, 1)
) -> tuple[Book, Path]:
    book = make_book(book_text(*CHAPTERS, front=FRONT_DATES.format(extra=extra)))
    root = tmp_path / "build"
    fake_timed_audio(book, root)
    (root / "epub").mkdir()
    (root / "epub" / "het-boek.epub").write_bytes(b"PK" * 600)
    return book, render_site(book, root, today)


def test_the_book_page_lists_episodes_in_order_and_the_future_unlinked(tmp_path: Path) -> None:
    _book, root = site(tmp_path, today=dt.date(2025, 1, 13))
    page = html.parse(str(root / "index.html")).getroot()
    assert page.get("lang") == "nl"
    items = page.cssselect("li.episode")
    assert [" ".join(li.cssselect("h3")[0].text_content().split()) for li in items] == [
        "Eerste",
        "Tweede & Laatste",
        "Derde",
    ]
    links = [li.cssselect("h3 a") for li in items]
    assert [a[0].get("href") if a else None for a in links] == [
        "episodes/eerste.html",
        "episodes/tweede-laatste.html",
        None,
    ]
    assert "vanaf 20 januari 2025" in " ".join(items[2].text_content().split())
    assert items[0].cssselect("time")[0].get("datetime") == "2025-01-06"
    # The light bulb is drawn by the stylesheet: no emoji for a browser without an emoji font.
    assert items[0].cssselect("ul.prompts li")[0].text_content().strip() == "Wat denk jij?"
    downloads = page.cssselect("ul.downloads a")
    assert [(a.get("href"), a.text_content()) for a in downloads] == [
        ("epub/het-boek.epub", "EPUB")
    ]
    assert "(1 kB)" in page.cssselect("ul.downloads li")[0].text_content()
    assert page.cssselect("#feed-url")[0].text_content() == "http://127.0.0.1:8000/feed.xml"
    apps = [a.get("href") for a in page.cssselect("ul.apps a")]
    assert apps == ["podcast://127.0.0.1:8000/feed.xml", "pcast://127.0.0.1:8000/feed.xml"]
    # The next episode links only to one that is out.
    second = html.parse(str(root / "episodes/tweede-laatste.html")).getroot()
    assert [a.get("rel") for a in second.cssselect("nav.pager a")] == ["prev", None]


def test_the_transcript_has_every_sentence_at_its_time(tmp_path: Path) -> None:
    book, root = site(tmp_path)
    for chapter in book.chapters:
        page = html.parse(str(root / f"episodes/{chapter.slug}.html")).getroot()
        script = chapter_script(chapter, book.config)
        expected = [
            (item.display, str(i * 1000), str(i * 1000 + 900))
            for i, item in enumerate(script.items)
            if isinstance(item, Utterance)
        ]
        spans = page.cssselect("#transcript .s")
        assert [
            (s.text_content(), s.get("data-start"), s.get("data-end")) for s in spans
        ] == expected
    first = html.parse(str(root / "episodes/eerste.html")).getroot()
    prompt = first.cssselect("#transcript aside.prompt")[0]
    assert prompt.get("aria-label") == "Reflectievraag"
    assert [s.text_content() for s in prompt.cssselect(".s")] == [
        "Reflectievraag.",
        "Wat denk jij?",
    ]
    assert prompt.cssselect(".pause")[0].text_content() == "(pauze, 1 s)"
    audio = first.cssselect("audio")[0]
    assert audio.get("src") == "../audio/eerste.mp3"
    assert audio.cssselect("track")[0].get("src") == "../audio/eerste.vtt"
    second = html.parse(str(root / "episodes/tweede-laatste.html")).getroot()
    assert [h.text_content() for h in second.cssselect("#transcript h3")] == ["Een Kop"]


def test_each_word_heard_is_marked_inside_its_sentence(tmp_path: Path) -> None:
    book, root = site(tmp_path)
    for chapter in book.chapters:
        page = html.parse(str(root / f"episodes/{chapter.slug}.html")).getroot()
        timing = TimingFile.load(root / "audio" / f"{chapter.slug}.json")
        sentences = page.cssselect("#transcript .s")
        assert len(sentences) == len(timing.utterances)
        for element, u in zip(sentences, timing.utterances, strict=True):
            words = element.cssselect(".w")
            assert [w.text_content() for w in words] == [u.word_text(w) for w in u.words]
            # Lit one after the other, from the sentence's start to its end; no ARIA on them.
            starts = [int(w.get("data-start")) for w in words]
            ends = [int(w.get("data-end")) for w in words]
            assert starts[0] == u.start_ms and ends[-1] == u.end_ms
            assert starts[1:] == ends[:-1] == [w.start_ms for w in u.words[1:]]
            assert not any(k.startswith("aria") or k == "tabindex" for w in words for k in w.attrib)
    escaped = (root / "episodes/tweede-laatste.html").read_text(encoding="utf-8")
    assert '<span class="w" data-start="' in escaped


def test_text_is_escaped_and_links_are_relative(tmp_path: Path) -> None:
    book, root = site(tmp_path)
    render_feed(book, root)  # the book page links the feed
    third = (root / "episodes/derde.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;tekst&lt;/b&gt;" in third and "<b>" not in third
    for page in [root / "index.html", *sorted((root / "episodes").glob("*.html"))]:
        for target in re.findall(r'(?:href|src)="([^"]*)"', page.read_text(encoding="utf-8")):
            if target.startswith("#"):
                continue  # within the page
            if not target.startswith(("https://example.org/", "podcast://", "pcast://")):
                assert not target.startswith(("/", "http:", "https:")), (page.name, target)
                assert (page.parent / target.split("#")[0]).resolve().is_file(), (page, target)


def test_the_front_matter_can_switch_the_site_off(tmp_path: Path) -> None:
    book, root = site(tmp_path, extra="site: false\n")
    assert book.config.site is False
    assert not (root / "index.html").exists()
    assert not (root / "episodes").exists()


def test_stale_timing_is_reported(tmp_path: Path) -> None:
    _book, root = site(tmp_path)
    edited = make_book(
        book_text(
            *CHAPTERS[:2], "## Derde\n\nEen. Twee. Drie.\n", front=FRONT_DATES.format(extra="")
        )
    )
    with pytest.raises(BuildError, match="rebuild the audio"):
        render_site(edited, root)


def test_missing_audio_asks_for_the_audio_build(tmp_path: Path) -> None:
    book = make_book(book_text(*CHAPTERS, front=FRONT_DATES.format(extra="")))
    with pytest.raises(BuildError, match="build the audio target first"):
        render_site(book, tmp_path)


def test_the_feed_links_the_pages_when_it_has_an_address(tmp_path: Path) -> None:
    book, root = site(tmp_path)
    feed = etree.fromstring(render_feed(book, root))
    links = {i.findtext("title"): i.findtext("link") for i in feed.iter("item")}
    assert links["Eerste"] == f"{BASE}episodes/eerste.html"
    assert feed.find("channel").findtext("link") == BASE
    local = etree.fromstring(render_feed(book, root, base_url=None))
    assert [i.findtext("link") for i in local.iter("item")] == [None] * 3
    off = make_book(book_text(*CHAPTERS, front=FRONT_DATES.format(extra="site: false\n")))
    assert [i.findtext("link") for i in etree.fromstring(render_feed(off, root)).iter("item")] == [
        None
    ] * 3


# --- the synthetic voice and the accessibility statements ------------------------------------


def _text(element: etree._Element) -> str:
    return " ".join(element.text_content().split())


def test_every_episode_page_says_a_synthetic_voice_reads_it(tmp_path: Path) -> None:
    book, root = site(tmp_path)
    for chapter in book.chapters:
        page = html.parse(str(root / f"episodes/{chapter.slug}.html")).getroot()
        (line,) = page.cssselect("section.player p.synthetic")
        voices = {u.voice for u in TimingFile.load(root / f"audio/{chapter.slug}.json").utterances}
        assert _text(line).startswith("Voorgelezen door een synthetische stem")
        assert all(voice in _text(line) for voice in voices)


def test_the_book_page_says_what_the_epubs_package_says_about_accessibility(
    tmp_path: Path,
) -> None:
    _, root = site(tmp_path)
    page = html.parse(str(root / "index.html")).getroot()
    (section,) = [s for s in page.cssselect("section") if s.cssselect("h2#accessibility")]
    said = [_text(p) for p in section.cssselect("p")]
    assert said[0] == "De EPUB-bestanden voldoen aan EPUB Accessibility 1.1 - WCAG 2.2 Level AA."
    assert said[1].startswith("Dit boek volgt EPUB Accessibility 1.1 en WCAG 2.2 niveau AA")
    assert said[1].endswith("niemand anders heeft het gecertificeerd.")  # nobody certified it
    assert not any("Gecertificeerd door" in p for p in said)
    assert not any("alleen met het oor" in p for p in said)  # no narrated EPUB offered


def test_a_certifier_the_author_names_is_on_the_book_page(tmp_path: Path) -> None:
    extra = (
        "accessibility_certified_by: Dedicon\naccessibility_credential: DAISY Ace-gecertificeerd\n"
    )
    _, root = site(tmp_path, extra=extra)
    (root / "epub" / "het-boek.narrated.epub").write_bytes(b"PK" * 600)
    book = make_book(book_text(*CHAPTERS, front=FRONT_DATES.format(extra=extra)))
    render_site(book, root)
    page = html.parse(str(root / "index.html")).getroot()
    (section,) = [s for s in page.cssselect("section") if s.cssselect("h2#accessibility")]
    said = [_text(p) for p in section.cssselect("p")]
    assert "Gecertificeerd door Dedicon. Erkenning: DAISY Ace-gecertificeerd." in said
    assert not any("niemand anders" in p for p in said)
    assert any("alleen met het oor" in p for p in said)
