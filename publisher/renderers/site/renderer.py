"""The website target: ``index.html`` (the book), ``episodes/<slug>.html`` (one per chapter)
and ``assets/`` (one stylesheet, one small script), all at the build root.

Pages are Jinja2 templates with autoescape on; the book's own content (show notes) is
written by :mod:`publisher.text`, the transcript from the chapter's script and the audio's
timing (:mod:`.transcript`). Every link is relative, so the folder works from
``publisher serve``, any static host under any path, and a file system. The pages work
without script; ``site.js`` adds the highlight that follows the voice, seeking by sentence
and the copy button.

The site needs the audio (its durations and timing): like the feed, it reads this build's
audio if it made any, else the published build's.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import jinja2
from markupsafe import Markup

from publisher import model as m
from publisher import outputs
from publisher.i18n import words_for
from publisher.infra.clock import build_now
from publisher.model.config import Config
from publisher.renderers.accessibility import CONFORMS_TO, accessibility_summary
from publisher.renderers.base import RenderContext, RenderResult, Target
from publisher.renderers.episodes import book_episodes
from publisher.renderers.feed.episodes import served_at, url_for
from publisher.renderers.feed.notes import in_opening, notes_html, opening, prompts
from publisher.renderers.site import words as w
from publisher.renderers.site.transcript import transcript
from publisher.speech.casting import book_cast
from publisher.speech.disclosure import spoken
from publisher.speech.timing import TimingFile
from publisher.text import Style, collapse, plain_text, xml_safe

STATIC = ("site.css", "site.js")


class Download(NamedTuple):
    """A file the book page offers, with its size: a row of the downloads list."""

    label: str
    href: str
    size: str


@dataclass(frozen=True, kw_only=True)
class Episode:
    """What the pages say about one chapter's episode."""

    chapter: m.Chapter
    title: str
    href: str  # from the build root
    date: dt.date
    date_text: str
    published: bool
    timing: TimingFile
    timing_path: Path
    captions: bool
    duration: str
    duration_iso: str
    prompts: tuple[str, ...]
    mp3_size: str
    voice_notice: str  # who reads it: a synthetic voice, named


class Accessibility(NamedTuple):
    """What the book page says about the EPUBs' accessibility: what their package metadata
    says (:mod:`publisher.renderers.accessibility`), in the book's language."""

    conforms_to: str
    summary: str
    read_along: bool  # the narrated EPUB is offered: it can be read by ear alone
    certified_by: str | None
    credential: str | None


def _environment() -> jinja2.Environment:
    templates = resources.files("publisher.renderers.site") / "templates"
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.globals["paths"] = outputs  # every published path, spelt in one place
    return env


class SiteRenderer(Target):
    """Writes the book's website. ``today`` decides which episodes are out yet (default:
    the date the build runs, in UTC)."""

    name = "site"
    requires = ("audio", "cover")
    # Not required, but its book page lists their downloads: it waits for those built with it.
    after = ("epub", "narrated-epub", "audiobook")
    owns = (outputs.INDEX, outputs.EPISODES, outputs.ASSETS)

    def __init__(self, today: dt.date | None = None) -> None:
        self.today = today

    def render(self, ctx: RenderContext) -> RenderResult:
        """Write ``index.html``, ``episodes/*.html`` and ``assets/*`` into ``ctx.out_dir``."""
        book = ctx.book
        if not book.config.site:
            return RenderResult(files=())
        today = self.today or build_now().date()
        words = w.site_words(book.config.language)
        episodes = _episodes(ctx, words, today)
        env = _environment()
        common: dict[str, Any] = {
            "lang": book.config.language,
            "title": collapse(xml_safe(book.config.title)),
            "author": collapse(xml_safe(book.config.author)),
            "words": words,
            "book_words": words_for(book.config.language),
            "episodes": episodes,
        }
        made = [_index_page(ctx, env, words, episodes, common)]
        made += _episode_pages(ctx, env, episodes, common)
        made += _copy_assets(ctx.root)
        return RenderResult(files=tuple(made), warnings=ctx.warnings())


def _index_page(
    ctx: RenderContext,
    env: jinja2.Environment,
    words: w.SiteWords,
    episodes: list[Episode],
    common: dict[str, Any],
) -> str:
    """Write the book's page (``index.html``): the book, its feed for podcast apps, its
    downloads and what they offer in accessibility; its path."""
    book = ctx.book
    feed_url = url_for(_base_url(ctx), outputs.FEED)
    without_scheme = feed_url.split("://", 1)[1]
    downloads = _downloads(ctx, words)
    index = env.get_template("index.html.j2").render(
        root="",
        accessibility=_accessibility(book.config, words, [d.href for d in downloads]),
        voice_notice=_voice_notice(book, [e.timing for e in episodes]) if episodes else None,
        subtitle=collapse(xml_safe(book.config.subtitle or "")),
        description=xml_safe(book.config.description or ""),
        cover=ctx.find(outputs.COVER) is not None,
        feed_url=feed_url,
        podcast_url=f"podcast://{without_scheme}",
        pcast_url=f"pcast://{without_scheme}",
        downloads=downloads,
        **common,
    )
    (ctx.root / outputs.INDEX).write_text(index, encoding="utf-8")
    return outputs.INDEX


def _episode_pages(
    ctx: RenderContext, env: jinja2.Environment, episodes: list[Episode], common: dict[str, Any]
) -> list[str]:
    """Write each episode's page (show notes, transcript, links to the episodes before and
    after it that are out); their paths."""
    book = ctx.book
    made = []
    (ctx.root / outputs.EPISODES).mkdir(parents=True, exist_ok=True)
    cast = book_cast(book) if episodes else None  # the audio's voices (see transcript)
    for i, episode in enumerate(episodes):
        before = episodes[i - 1] if i > 0 else None
        after = episodes[i + 1] if i + 1 < len(episodes) else None
        page = env.get_template("episode.html.j2").render(
            root="../",
            episode=episode,
            notes=Markup(_notes(episode.chapter, book.config.language)),
            parts=transcript(
                episode.chapter, book.config, episode.timing, episode.timing_path, cast
            ),
            previous=before if before is not None and before.published else None,
            next=after if after is not None and after.published else None,
            captions=episode.captions,
            **common,
        )
        page_path = outputs.episode_page(episode.chapter.slug)
        (ctx.root / page_path).write_text(page, encoding="utf-8")
        made.append(page_path)
    return made


def _copy_assets(root: Path) -> list[str]:
    """Copy the stylesheet and the script into ``assets/``; their paths."""
    assets = root / outputs.ASSETS
    assets.mkdir(parents=True, exist_ok=True)
    static = resources.files("publisher.renderers.site") / "static"
    made = []
    for name in STATIC:
        with resources.as_file(static / name) as source:
            shutil.copyfile(source, assets / name)
        made.append(f"{outputs.ASSETS}{name}")
    return made


def _base_url(ctx: RenderContext) -> str:
    """Where the build is served: the feed's address is shown and linked for apps."""
    return served_at(ctx.options.base_url, ctx.book.config)


def _episodes(ctx: RenderContext, words: w.SiteWords, today: dt.date) -> list[Episode]:
    """Every chapter's episode in reading order; a chapter without audio is an error."""
    out: list[Episode] = []
    for episode in book_episodes(ctx, today):
        chapter, timing = episode.chapter, episode.timing
        day = episode.when.date()
        prompts = tuple(
            collapse(plain_text(b.children))
            for b in m.walk(chapter.blocks)
            if isinstance(b, m.Prompt)
        )
        out.append(
            Episode(
                chapter=chapter,
                title=collapse(xml_safe(chapter.title_text)) or chapter.slug,
                href=outputs.episode_page(chapter.slug),
                date=day,
                date_text=w.long_date(day, words),
                published=episode.released,
                timing=timing,
                timing_path=episode.audio.timing_path,
                captions=episode.audio.captions is not None,
                duration=w.duration_text(timing.duration_ms),
                duration_iso=w.duration_iso(timing.duration_ms),
                prompts=prompts,
                mp3_size=w.size_text(episode.audio.mp3.stat().st_size, words),
                voice_notice=_voice_notice(ctx.book, [timing]),
            )
        )
    return out


def _voice_notice(book: m.Book, timings: list[TimingFile]) -> str:
    """The sentence that says a synthetic voice reads, naming it (as the feed's notes do)."""
    agent = spoken(book, timings)[1].agent
    return words_for(book.config.language).synthetic_notice.format(voices=agent)


def _accessibility(config: Config, words: w.SiteWords, offered: list[str]) -> Accessibility | None:
    """The book page's accessibility statements, when it offers the EPUB (``offered``: the
    downloads' paths)."""
    if not any(p.startswith(outputs.EPUBS) for p in offered):
        return None
    return Accessibility(
        conforms_to=words.conforms_to.format(standard=CONFORMS_TO),
        summary=accessibility_summary(config),
        read_along=any(fnmatch.fnmatchcase(p, outputs.NARRATED_EPUBS) for p in offered),
        certified_by=(
            words.certified_by.format(name=config.accessibility_certified_by)
            if config.accessibility_certified_by
            else None
        ),
        credential=(
            words.certifier_credential.format(credential=config.accessibility_credential)
            if config.accessibility_certified_by and config.accessibility_credential
            else None
        ),
    )


def _downloads(ctx: RenderContext, words: w.SiteWords) -> list[Download]:
    """The EPUB, the read-along EPUB and the audiobook, those there are, with their sizes."""
    slug = ctx.book.slug
    offered = (
        (words.epub, outputs.epub(slug)),
        (words.narrated_epub, outputs.read_along(ctx.book.config.kobo)(slug)),
        (words.audiobook, outputs.audiobook(slug)),
    )
    found: list[Download] = []
    for label, rel in offered:
        path = ctx.find(rel)
        if path is not None:
            found.append(
                Download(label=label, href=rel, size=w.size_text(path.stat().st_size, words))
            )
    return found


def _notes(chapter: m.Chapter, language: str) -> str:
    """The chapter's show notes as the feed chooses them (its opening, then every prompt),
    with prompts and examples marked as in the EPUB (the site, unlike podcast apps, shows
    asides)."""
    style = Style(words=words_for(language), footnote_refs=False, details=False, keep=in_opening)
    return notes_html(chapter, opening(chapter) + prompts(chapter), style)
