"""The podcast target: ``build/feed.xml`` and ``build/chapters/<slug>.json``.

RSS 2.0 with the ``itunes``, ``content``, ``atom`` and ``podcast`` (Podcasting 2.0)
namespaces, one episode per chapter, written with lxml. Not feedgen: feedgen 1.0 has no
Podcasting 2.0 namespace (``podcast:guid``, ``podcast:locked``, ``podcast:transcript``,
``podcast:chapters``), accepts only yes/no/clean for ``itunes:explicit`` where Apple now asks
for true/false, and silently drops artwork URLs that do not end in .jpg/.png.

The feed owns ``feed.xml`` and ``chapters/`` at the build root: besides the feed it writes one
JSON Chapters 1.2 file per episode into ``chapters/`` (made from the audio timing's sections), because
``audio/`` belongs to the audio target. It reads, per chapter, ``audio/<slug>.mp3`` (for the
exact enclosure length) and ``audio/<slug>.json`` (duration, sections) via
:meth:`RenderContext.find`: this build's audio if it made any, else the published build's.

The output is a function of the source and the audio files only: ``lastBuildDate`` is the
newest episode's date, not the clock, so two builds are byte-identical.
"""

from __future__ import annotations

from html import escape

from lxml import etree

from publisher import __version__, outputs
from publisher.errors import Problem
from publisher.i18n import words_for
from publisher.infra.clock import build_now
from publisher.model import Book
from publisher.renderers.base import RenderContext, RenderResult, Target
from publisher.renderers.episodes import Episode, book_episodes
from publisher.renderers.feed.episodes import (
    ATOM,
    CONTENT,
    ITUNES,
    NSMAP,
    PODCAST,
    cover_problem,
    episode_guid,
    json_chapters,
    podcast_guid,
    rfc2822,
    served_at,
    url_for,
)
from publisher.renderers.feed.notes import (
    DESCRIPTION_CHARS,
    one_line,
    opening_html,
    opening_text,
)
from publisher.speech.disclosure import spoken, voices_of
from publisher.text import xml_safe

AI_CONTENT = "ai-content"
"""The ``podcast:txt`` purpose that says the content is made by AI (its value: ``true``)."""
PERSON_AUTHOR = {"group": "writing", "role": "author"}
PERSON_NARRATOR = {"group": "cast", "role": "narrator"}
"""``podcast:person`` roles, from the Podcast Taxonomy Project's list."""
PERSON_MAX = 128


def _el(
    parent: etree._Element, tag: str, text: str | None = None, attrs: dict[str, str] | None = None
) -> etree._Element:
    """A child element; text and attribute values are made XML-safe first."""
    safe = {k: xml_safe(v) for k, v in (attrs or {}).items()}
    element = etree.SubElement(parent, tag, safe)
    if text is not None:
        element.text = xml_safe(text)
    return element


def _ns(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


class FeedRenderer(Target):
    """Writes the podcast feed for the book's narrated chapters."""

    name = "feed"
    requires = ("audio", "cover")
    owns = (outputs.FEED, outputs.CHAPTER_MARKS)

    def render(self, ctx: RenderContext) -> RenderResult:
        """Write ``feed.xml`` and ``chapters/<slug>.json`` into ``ctx.out_dir``."""
        book = ctx.book
        base_url = served_at(ctx.options.base_url, book.config)
        episodes = self._episodes(ctx)
        cover = self._cover(ctx)
        made = [outputs.FEED]
        for episode in episodes:
            if episode.timing.sections:
                rel = outputs.chapter_marks(episode.chapter.slug)
                (ctx.root / rel).parent.mkdir(parents=True, exist_ok=True)
                (ctx.root / rel).write_bytes(json_chapters(episode.timing.sections))
                made.append(rel)
        # With a public address and the website on, the channel and each item link to its pages.
        site = book.config.site and base_url != outputs.LOCAL_BASE_URL
        xml = _build_feed(book, episodes, base_url, cover, site=site)
        (ctx.root / outputs.FEED).write_bytes(xml)
        return RenderResult(files=tuple(made), warnings=ctx.warnings())

    # -- inputs ------------------------------------------------------------------------------

    @staticmethod
    def _episodes(ctx: RenderContext) -> list[Episode]:
        """The episodes out at the build's moment (see ``build_now``), newest first, as
        podcast apps expect."""
        out = [e for e in book_episodes(ctx, build_now().date()) if e.released]
        return sorted(out, key=lambda e: (e.when, e.chapter.number), reverse=True)

    @staticmethod
    def _cover(ctx: RenderContext) -> tuple[str, int | None] | None:
        """The cover's file name at the build root and its width in pixels, warning when
        apps would refuse it."""
        from PIL import Image

        path = ctx.find(outputs.COVER)
        if path is None:
            _warn(
                ctx,
                f"no {outputs.COVER} in the build: the feed has no artwork, which Apple requires",
            )
            return None
        problem = cover_problem(path)
        if problem is not None:
            _warn(ctx, problem)
        try:
            with Image.open(path) as image:  # reads the header only
                return outputs.COVER, image.width
        except OSError:  # the warning above says why
            return outputs.COVER, None


def _build_feed(
    book: Book,
    episodes: list[Episode],
    base_url: str,
    cover: tuple[str, int | None] | None,
    *,
    site: bool = False,
) -> bytes:
    """The feed document as UTF-8 bytes, episodes in the order given; ``site``: link the
    website's pages (``index.html``, ``episodes/<slug>.html``)."""
    feed_url = url_for(base_url, outputs.FEED)
    rss = etree.Element("rss", {"version": "2.0"}, nsmap=NSMAP)
    channel = _el(rss, "channel")
    _channel(channel, book, episodes, base_url, cover, feed_url)
    _for_directories(channel, book, base_url, cover, feed_url)
    _what_it_is(channel, book, episodes, base_url, cover)

    for episode in episodes:
        _item(channel, book, episode, base_url, site=site)

    etree.indent(rss, space="  ")
    return bytes(etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _channel(
    channel: etree._Element,
    book: Book,
    episodes: list[Episode],
    base_url: str,
    cover: tuple[str, int | None] | None,
    feed_url: str,
) -> None:
    """The channel as RSS 2.0 describes it: title, link, description, dates, its own
    address (``atom:link``) and its image."""
    config = book.config
    link = config.podcast.link or base_url  # the website's book page when it is built
    title = one_line(config.title)
    _el(channel, "title", title)
    _el(channel, "link", link)
    _el(channel, "description", config.description or config.subtitle or title)
    _el(channel, "language", config.language)
    if config.rights:
        _el(channel, "copyright", config.rights)
    _el(channel, "generator", f"publisher {__version__}")
    if episodes:
        newest = rfc2822(max(e.when for e in episodes))
        _el(channel, "pubDate", newest)
        _el(channel, "lastBuildDate", newest)
    _el(
        channel,
        _ns(ATOM, "link"),
        attrs={"href": feed_url, "rel": "self", "type": "application/rss+xml"},
    )
    if cover is not None:
        image = _el(channel, "image")
        _el(image, "url", url_for(base_url, cover[0]))
        _el(image, "title", title)
        _el(image, "link", link)


def _for_directories(
    channel: etree._Element,
    book: Book,
    base_url: str,
    cover: tuple[str, int | None] | None,
    feed_url: str,
) -> None:
    """What podcast directories read of the channel: Apple's tags (author, artwork,
    category, owner) and the Podcasting 2.0 guid and lock."""
    podcast = book.config.podcast
    _el(channel, _ns(ITUNES, "author"), one_line(book.config.author))
    if cover is not None:
        _el(channel, _ns(ITUNES, "image"), attrs={"href": url_for(base_url, cover[0])})
    if podcast.category:
        category = _el(channel, _ns(ITUNES, "category"), attrs={"text": podcast.category})
        if podcast.subcategory:
            _el(category, _ns(ITUNES, "category"), attrs={"text": podcast.subcategory})
    _el(channel, _ns(ITUNES, "explicit"), "true" if podcast.explicit else "false")
    _el(channel, _ns(ITUNES, "type"), podcast.type)
    if podcast.owner_name or podcast.owner_email:
        owner = _el(channel, _ns(ITUNES, "owner"))
        if podcast.owner_name:
            _el(owner, _ns(ITUNES, "name"), podcast.owner_name)
        if podcast.owner_email:
            _el(owner, _ns(ITUNES, "email"), podcast.owner_email)
    _el(channel, _ns(PODCAST, "guid"), podcast.guid or podcast_guid(feed_url))
    locked = {"owner": podcast.owner_email} if podcast.owner_email else {}
    _el(channel, _ns(PODCAST, "locked"), "yes" if podcast.locked else "no", locked)


def _what_it_is(
    channel: etree._Element,
    book: Book,
    episodes: list[Episode],
    base_url: str,
    cover: tuple[str, int | None] | None,
) -> None:
    """What the feed is (Podcasting 2.0): a book read in episodes, by its author, in a
    synthetic voice (``podcast:txt purpose="ai-content"``, the narrator named as one), and
    its artwork described."""
    config = book.config
    words = words_for(config.language)
    _el(channel, _ns(PODCAST, "medium"), "audiobook")
    _el(channel, _ns(PODCAST, "txt"), "true", {"purpose": AI_CONTENT})
    _el(channel, _ns(PODCAST, "person"), _name(config.author), PERSON_AUTHOR)
    voices = voices_of(e.timing for e in sorted(episodes, key=lambda e: e.chapter.number))
    if voices:
        narrator = words.synthetic_voice.format(voice=", ".join(voices))
        _el(channel, _ns(PODCAST, "person"), _name(narrator), PERSON_NARRATOR)
    if cover is not None:
        name, width = cover
        alt = words.cover_alt.format(title=one_line(config.title), author=one_line(config.author))
        attrs = {"href": url_for(base_url, name), "alt": alt, "aspect-ratio": "1/1"}
        attrs |= {"width": str(width)} if width else {}
        attrs |= {"type": outputs.MEDIA_TYPES[".jpg"], "purpose": "artwork"}
        _el(channel, _ns(PODCAST, "image"), attrs=attrs)


def _name(text: str) -> str:
    """A ``podcast:person``'s name: one line, at most the 128 characters aggregators keep."""
    name = one_line(text)
    return name if len(name) <= PERSON_MAX else name[: PERSON_MAX - 1].rstrip() + "…"


def _item(
    channel: etree._Element, book: Book, episode: Episode, base_url: str, *, site: bool
) -> None:
    chapter = episode.chapter
    slug = chapter.slug
    title = one_line(chapter.title_text) or slug
    item = _el(channel, "item")
    _el(item, "title", title)
    if site:
        _el(item, "link", url_for(base_url, outputs.episode_page(slug)))
    _el(item, _ns(ITUNES, "title"), title)
    words = words_for(book.config.language)
    # Every episode's notes say, last, that no person reads it.
    notice = words.synthetic_notice.format(voices=spoken(book, [episode.timing])[1].agent)
    # The notice is part of the description's length: a list shows its first few lines.
    opening = opening_text(chapter, words, DESCRIPTION_CHARS - len(notice) - 2) or title
    _el(item, "description", f"{opening}\n\n{notice}")
    notes = opening_html(chapter, words)
    # Escaped rather than CDATA: the same to every XML parser, and no "]]>" in the text can
    # end it early.
    _el(item, _ns(CONTENT, "encoded"), f"{notes}\n<p>{escape(notice)}</p>".lstrip())
    _el(
        item,
        "enclosure",
        attrs={
            "url": url_for(base_url, outputs.mp3(slug)),
            "length": str(episode.audio.mp3.stat().st_size),
            "type": "audio/mpeg",
        },
    )
    _el(item, "guid", episode_guid(book.config.identifier, slug), {"isPermaLink": "false"})
    _el(item, "pubDate", rfc2822(episode.when))
    _el(item, _ns(ITUNES, "duration"), str(episode.timing.duration_seconds))
    _el(item, _ns(ITUNES, "episode"), str(chapter.number))
    _el(item, _ns(ITUNES, "episodeType"), "full")
    series = book.config.series
    # The book's place in its series, as a season (a whole number, as the tag wants).
    number = series.number if series is not None and series.name else None
    if series is not None and series.name and number is not None and number.is_integer():
        _el(item, _ns(PODCAST, "season"), str(int(number)), {"name": _name(series.name)})
    _el(item, _ns(PODCAST, "txt"), "true", {"purpose": AI_CONTENT})
    if episode.audio.captions is not None:
        vtt = url_for(base_url, outputs.captions(slug))
        attrs = {"url": vtt, "type": "text/vtt", "language": book.config.language}
        _el(item, _ns(PODCAST, "transcript"), attrs=attrs)
    if episode.timing.sections:
        marks = {"url": url_for(base_url, outputs.chapter_marks(slug))}
        _el(item, _ns(PODCAST, "chapters"), attrs=marks | {"type": "application/json+chapters"})


def _warn(ctx: RenderContext, message: str) -> None:
    """A warning about the book as a whole (the front matter's podcast settings)."""
    ctx.warn(Problem(path=ctx.book.source, line=None, severity="warning", message=message))
