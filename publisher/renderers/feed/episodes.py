"""Building blocks of the podcast feed: namespaces, identities, dates, JSON Chapters, cover.

Identity rules, because podcast apps key everything on them:

- The channel's ``podcast:guid`` follows the Podcasting 2.0 rule: UUIDv5, in the namespace
  ``ead4c236-bf58-58c6-a2c6-a6b28d128cb6``, of the feed URL with its scheme and trailing
  slashes stripped off (``https://example.org/feed.xml`` → ``example.org/feed.xml``).
- An episode's ``guid`` is UUIDv5 of the chapter's slug in a namespace made from the book's
  identifier. It never depends on the text, the clock or the chapter's position, so editing a
  chapter or inserting one before it changes no other episode's identity.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Sequence
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote

from publisher import outputs
from publisher.errors import BuildError
from publisher.model.config import Config
from publisher.renderers.feed.notes import one_line
from publisher.speech.timing import TimedSection
from publisher.urls import base_url

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
ATOM = "http://www.w3.org/2005/Atom"
PODCAST = "https://podcastindex.org/namespace/1.0"
NSMAP = {"itunes": ITUNES, "content": CONTENT, "atom": ATOM, "podcast": PODCAST}

PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def served_at(given: str | None, config: Config) -> str:
    """The base URL the feed and the website are written under: ``given`` (``--base-url``),
    else ``podcast.base_url``, as :func:`publisher.urls.base_url` writes it; without either,
    :data:`publisher.outputs.LOCAL_BASE_URL` (the validation warned)."""
    url = given or config.podcast.base_url
    if not url:
        return outputs.LOCAL_BASE_URL
    try:
        return base_url(url)
    except ValueError as e:  # the command line and the front matter refuse it first
        raise BuildError(str(e)) from e


def podcast_guid(feed_url: str) -> str:
    """The Podcasting 2.0 ``podcast:guid`` of the feed at ``feed_url``."""
    seed = _SCHEME.sub("", feed_url.strip()).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, seed))


def episode_guid(identifier: str, slug: str) -> str:
    """The ``guid`` of the episode made from the chapter ``slug`` of book ``identifier``."""
    book_namespace = uuid.uuid5(uuid.NAMESPACE_URL, identifier)
    return str(uuid.uuid5(book_namespace, slug))


def url_for(base_url: str, path: str) -> str:
    """The absolute URL of the published ``path`` (:mod:`publisher.outputs`) under
    ``base_url`` (which ends in ``/``), each part of the path URL-quoted."""
    return base_url + "/".join(quote(part) for part in path.split("/"))


# --- dates -----------------------------------------------------------------------------------


def rfc2822(when: dt.datetime) -> str:
    """``when`` as RSS writes dates (RFC 2822): ``Mon, 06 Jan 2025 00:00:00 +0000``."""
    return format_datetime(when.astimezone(dt.UTC))


# --- the audio target's timing files ------------------------------------------------------


def json_chapters(sections: Sequence[TimedSection]) -> bytes:
    """A JSON Chapters 1.2 file (Podcasting 2.0 ``podcast:chapters``) for the sections."""
    chapters = [
        {
            "startTime": s.start_ms / 1000,
            "endTime": s.end_ms / 1000,
            "title": one_line(s.title),
        }
        for s in sorted(sections, key=lambda s: s.start_ms)
    ]
    text = json.dumps({"version": "1.2.0", "chapters": chapters}, ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


# --- cover art ----------------------------------------------------------------------------

COVER_MIN, COVER_MAX = 1400, 3000


def cover_problem(path: Path) -> str | None:
    """Why Apple Podcasts would refuse the cover at ``path``, or None if it is fine.

    Apple asks for a square JPEG or PNG between 1400 and 3000 pixels a side, in RGB.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            kind, (width, height), mode = image.format, image.size, image.mode
    except (OSError, UnidentifiedImageError) as e:
        return f"cannot read the cover {path.name}: {e}"
    if kind not in ("JPEG", "PNG"):
        return f"the cover {path.name} is {kind}; podcast apps want JPEG or PNG"
    if width != height:
        return f"the cover {path.name} is {width}×{height}; podcast apps want a square"
    if not COVER_MIN <= width <= COVER_MAX:
        return (
            f"the cover {path.name} is {width}×{height}; podcast apps want "
            f"{COVER_MIN} to {COVER_MAX} pixels a side"
        )
    if mode != "RGB":
        return f"the cover {path.name} is in {mode} colour; podcast apps want RGB"
    return None
