"""Every path a build publishes, and the address of the local preview: the one place that
spells them.

Paths are relative to the build root with ``/`` separators, as renderers return them in
:class:`~publisher.renderers.base.RenderResult` and as they appear in URLs under the base
URL. A renderer, the feed, the website, validation and ``serve`` all ask here, so a file's
name cannot drift between the one that writes it and the ones that link to it. Audio names
carry the chapter's slug and never its position: a chapter inserted before another changes
no other episode's URL.
"""

from __future__ import annotations

from dataclasses import dataclass

COVER = "cover.jpg"
"""The square podcast artwork, also the MP3s' art."""
FEED = "feed.xml"
"""The podcast feed."""
INDEX = "index.html"
"""The website's book page."""

AUDIO = "audio/"
"""The audio target's folder: a chapter's MP3, timing file and captions (WebVTT and SubRip),
the playlist."""
PLAYLIST = "audio/playlist.m3u"
"""The chapters in reading order."""
EPUBS = "epub/"
"""The EPUBs' folder."""
NARRATED_EPUBS = "epub/*.narrated.epub"
"""The read-along EPUB's pattern in the EPUBs' folder (its own target writes it), Kobo's
edition included."""
AUDIOBOOKS = "audiobook/"
"""The audiobook's folder."""
CHAPTER_MARKS = "chapters/"
"""JSON Chapters files, one per episode, for podcast apps."""
EPISODES = "episodes/"
"""The website's episode pages."""
ASSETS = "assets/"
"""The website's stylesheet and script."""

MEDIA_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4b": "audio/mp4",
    ".m4a": "audio/mp4",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".epub": "application/epub+zip",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".m3u": "audio/x-mpegurl",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
"""The media types of what a build holds, by suffix (others: the standard library's table)."""

PREVIEW_HOST = "127.0.0.1"
PREVIEW_PORT = 8000
LOCAL_BASE_URL = f"http://{PREVIEW_HOST}:{PREVIEW_PORT}/"
"""Where ``publisher serve`` answers by default: a feed without a public address points here."""


@dataclass(frozen=True)
class Named:
    """A published file named after a slug (a chapter's, or the book's for the EPUBs and
    the audiobook): ``folder`` + slug + ``suffix``. Called with the slug, it gives the path."""

    folder: str
    suffix: str

    def __call__(self, slug: str) -> str:
        return f"{self.folder}{slug}{self.suffix}"


mp3 = Named(AUDIO, ".mp3")
"""A chapter's narration (also its path inside the read-along EPUB)."""
timing = Named(AUDIO, ".json")
"""When a chapter's utterances and pauses start and end (:mod:`publisher.speech.timing`)."""
captions = Named(AUDIO, ".vtt")
"""A chapter's WebVTT captions."""
subtitles = Named(AUDIO, ".srt")
"""The same captions as SubRip, for players that read no WebVTT."""
chapter_marks = Named(CHAPTER_MARKS, ".json")
"""A chapter's JSON Chapters file."""
episode_page = Named(EPISODES, ".html")
"""A chapter's page on the website."""
epub = Named(EPUBS, ".epub")
"""The EPUB, named after the book's slug."""
narrated_epub = Named(EPUBS, ".narrated.epub")
"""The read-along EPUB (matches :data:`NARRATED_EPUBS`)."""
kobo_narrated_epub = Named(EPUBS, ".kobo.narrated.epub")
"""The read-along EPUB's edition for Kobo's app (``narrated_epub: kobo``), with AAC audio in
place of the MP3s (matches :data:`NARRATED_EPUBS` too)."""
chapter_aac = Named(AUDIO, ".m4a")
"""A chapter's narration as AAC in MP4, inside Kobo's read-along EPUB (laid out beside where
the MP3 would be; not published on its own)."""
audiobook = Named(AUDIOBOOKS, ".m4b")
"""The M4B."""


def read_along(kobo: bool) -> Named:
    """The read-along EPUB's name: Kobo's edition when the book asks for it."""
    return kobo_narrated_epub if kobo else narrated_epub


def name(path: str) -> str:
    """The file name of a published ``path`` (its last part)."""
    return path.rsplit("/", 1)[-1]
