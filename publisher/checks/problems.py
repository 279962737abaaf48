"""Problems an author should fix that do not stop a build: ``publisher check``."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from publisher import model as m
from publisher.errors import Problem
from publisher.i18n import words_for
from publisher.model.slugs import made_up_slug, slugify
from publisher.renderers.feed.episodes import episode_guid
from publisher.text.plain import plain_text


def _warning(node: m.Node | m.Chapter, message: str) -> Problem:
    return Problem(path=node.path, line=node.line, severity="warning", message=message)


def check_book(book: m.Book, previous_feed: Path | None = None) -> list[Problem]:
    """Every warning about ``book``, in source order; ``previous_feed`` is the feed.xml of
    the last build, if any, to catch a renamed chapter that would become a new episode."""
    problems: list[Problem] = []
    word = words_for(book.config.language).chapter
    for chapter in book.chapters:
        problems += _chapter_problems(chapter, word)
        for block in m.blocks_of(chapter):
            problems += _block_problems(block)
    if previous_feed is not None and previous_feed.is_file():
        for chapter, old_slug, old_title in renamed(book, previous_feed):
            problems.append(
                _warning(
                    chapter,
                    f"chapter '{chapter.title_text}' replaces '{old_title}' of the last build: "
                    f"subscribers get it as a new episode; to keep the old one, end its heading "
                    f"with {{#{old_slug}}}",
                )
            )
    return sorted(problems, key=lambda p: (p.path, p.line or 0))


def _chapter_problems(chapter: m.Chapter, word: str) -> list[Problem]:
    """A made-up slug, a chapter with no text."""
    problems = []
    title = chapter.title_text
    if not slugify(title) and chapter.slug.startswith(made_up_slug(title, word)):
        problems.append(
            _warning(
                chapter,
                f"chapter '{title}' has nothing to spell in ASCII, so its file names and "
                f"episode use the made-up '{chapter.slug}'; give it one: {{#{word}-…}}",
            )
        )
    if not any(not isinstance(b, m.Heading) for b in chapter.blocks):
        problems.append(_warning(chapter, f"chapter '{title}' has no text"))
    return problems


def _block_problems(block: m.Block) -> list[Problem]:
    """Images without alt text (in a figure or inline), prompts that ask nothing."""
    problems = []
    images: list[m.Image | m.InlineImage] = [block] if isinstance(block, m.Image) else []
    images += [node for node in m.inlines_of(block) if isinstance(node, m.InlineImage)]
    for image in images:
        if not image.alt.strip():
            # The book claims "textual" suffices; an image without words breaks that claim.
            problems.append(
                _warning(block, f"image '{image.src}' has no alt text: describe it in ![…]")
            )
    if isinstance(block, m.Prompt):
        text = plain_text(block.children).strip()
        if not text:
            problems.append(_warning(block, "reflection prompt is empty"))
        elif "?" not in text:
            problems.append(_warning(block, "reflection prompt asks no question (no '?')"))
    return problems


def renamed(book: m.Book, feed: Path) -> list[tuple[m.Chapter, str, str]]:
    """``(chapter, old slug, old title)`` for each episode of ``feed`` that is gone, paired
    in order with each chapter that is new: most often one chapter whose title changed.

    Only a feed of this book counts (another book's, built into the same folder, renames
    nothing): each episode's ``guid`` is made from the book's identifier and the chapter's
    slug, so the feed is this book's when every episode's is the one this book would give it.
    """

    try:
        channel = ET.parse(feed).getroot().find("channel")
    except (ET.ParseError, OSError):
        return []
    old: list[tuple[str, str]] = []
    for item in channel.findall("item") if channel is not None else []:
        enclosure = item.find("enclosure")
        url = enclosure.get("url", "") if enclosure is not None else ""
        slug = PurePosixPath(urlsplit(url).path).stem
        # Only this book's episodes: the folder may hold another book's build (a check of
        # one book run where another was built warned that every chapter "replaces" one).
        if item.findtext("guid") == episode_guid(book.config.identifier, slug):
            old.append((slug, item.findtext("title") or ""))
    slugs = {c.slug for c in book.chapters}
    known = {slug for slug, _ in old}
    gone = [(slug, title) for slug, title in old if slug and slug not in slugs]
    new = [c for c in book.chapters if c.slug not in known]
    return [(c, slug, title) for c, (slug, title) in zip(new, gone, strict=False)]
