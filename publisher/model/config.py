"""The book's settings as typed, frozen data: what the front matter may say.

Read from the front matter by :mod:`publisher.reader.config` (which checks every value
against the types and ``metadata["range"]`` here); read by every stage after it. Data only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

INTERVALS = {"daily": 1, "weekly": 7, "biweekly": 14, "monthly": 30}
# The longest pause, in seconds, anywhere (front matter or a prompt's {pause=…}): a minute of
# silence is already long; ten is surely a typo, and an absurd one would make the build spin.
MAX_PAUSE = 600.0
PAUSE = {"range": (0.0, MAX_PAUSE)}
# The dates a book and its episodes may carry: every output (EPUB, ID3, RSS) can write these.
FIRST_DATE = dt.date(1000, 1, 1)
LAST_DATE = dt.date(9000, 12, 31)
# What a meant pause (a prompt's, a {pause=N} block) sounds like: see
# publisher/renderers/audio/pauses.py. Room tone is the default: "trim silence" keeps it.
PAUSE_SOUNDS = ("silence", "room", "chime")
# How finely the read-along follows the voice (the read-along EPUB): each word where the
# engine says where words are, else each sentence; "sentence" asks for sentences throughout.
READALONG = ("word", "sentence")
MP3_BITRATES = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192)
ROLES = ("prompt", "example", "quote", "heading", "footnote")
"""The kinds of text ``narration.roles`` can give a voice of their own."""
KOBO = "kobo"
"""``narrated_epub: kobo``: the read-along EPUB made for Kobo's app (AAC audio, no MP3)."""
# A series number: 1, 2, 2.5 (a novella between two books); Apple's movement number is 16 bits.
SERIES_NUMBER = {"range": (0.0, 65535.0)}


@dataclass(frozen=True, kw_only=True)
class NarrationConfig:
    """``narration:`` in the front matter. Pauses are in seconds."""

    voice: str | None = None
    prompt_pause: float = field(default=8.0, metadata=PAUSE)
    paragraph_pause: float = field(default=0.7, metadata=PAUSE)
    heading_pause: float = field(default=1.2, metadata=PAUSE)
    list_item_pause: float = field(default=0.4, metadata=PAUSE)
    chapter_start_pause: float = field(default=0.5, metadata=PAUSE)
    chapter_end_pause: float = field(default=2.0, metadata=PAUSE)
    prompt_lead_in: bool = True
    pause_sound: str = "room"  # one of PAUSE_SOUNDS
    readalong: str = "word"  # one of READALONG
    lexicon: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    pls: str | None = None  # a W3C PLS lexicon file, relative to the book
    bitrate: int = 64
    # LUFS: -40 is barely audible, -6 already clips speech; podcasts aim at -16 to -19.
    loudness: float = field(default=-19.0, metadata={"range": (-40.0, -6.0)})
    # Kind of text (ROLES) → voice profile name, e.g. {prompt: nl-espeak-f3}.
    roles: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, kw_only=True)
class PodcastConfig:
    """``podcast:`` in the front matter."""

    base_url: str | None = None
    # Set it to keep the podcast's identity when the feed moves (default: from the feed URL).
    guid: str | None = None
    link: str | None = None
    category: str | None = None
    subcategory: str | None = None
    explicit: bool = False
    type: str = "serial"
    owner_name: str | None = None
    owner_email: str | None = None
    locked: bool = False
    start: dt.date | None = None
    interval: str = "weekly"
    dates: Mapping[str, dt.date] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, kw_only=True)
class SeriesConfig:
    """``series:`` in the front matter: the series the book belongs to, and its place in it
    (the EPUB's ``belongs-to-collection``, the M4B's movement, the feed)."""

    name: str | None = None  # required when ``series`` is given (the loader says so)
    number: float | None = field(default=None, metadata=SERIES_NUMBER)


@dataclass(frozen=True, kw_only=True)
class CredentialsConfig:
    """``credentials:`` in the front matter: the files that sign the audio's content
    credential (C2PA), relative to the book. ``PUBLISHER_C2PA_CERTIFICATE`` and
    ``PUBLISHER_C2PA_KEY`` in the environment stand in for them (see
    :mod:`publisher.reader.credentials`)."""

    certificate: str | None = None  # PEM: the signer's certificate, then its issuers
    key: str | None = None  # PEM: the signer's private key (keep it out of version control)


@dataclass(frozen=True, kw_only=True)
class Config:
    """Everything the front matter says about the book."""

    title: str
    author: str
    language: str
    subtitle: str | None = None
    description: str | None = None
    identifier: str
    publisher: str | None = None
    date: dt.date | None = None
    rights: str | None = None
    cover: str | None = None
    cover_font: str | None = None  # a font file beside the book, tried before Noto Sans
    accessibility_summary: str | None = None
    # Who evaluated the accessibility claim, and their credential: only what the author
    # gives (a book does not certify itself).
    accessibility_certified_by: str | None = None
    accessibility_credential: str | None = None
    chapter_level: int | None = field(default=None, metadata={"range": (1, 6)})
    example_word: str | None = None
    audiobook: bool = True  # false: no build/audiobook/<slug>.m4b
    # The read-along EPUB, built with the audio: true, false, or KOBO (AAC audio for Kobo).
    narrated_epub: bool | str = True
    series: SeriesConfig | None = None
    credentials: CredentialsConfig = field(default_factory=CredentialsConfig)
    narration: NarrationConfig = field(default_factory=NarrationConfig)
    podcast: PodcastConfig = field(default_factory=PodcastConfig)
    site: bool = True  # `site: false` builds no website (index.html, episodes/)
    # Where each key was written: dotted key ("narration.roles.prompt") → its line in the
    # source, kept by the loader so that any later stage can say `book.md:LINE:` of a
    # setting. Not a setting: two configs that say the same are equal wherever they say it.
    key_lines: Mapping[str, int] = field(
        default_factory=lambda: MappingProxyType({}),
        compare=False,
        repr=False,
        metadata={"internal": True},  # no front-matter key: the loader fills it
    )

    @property
    def kobo(self) -> bool:
        """Whether the read-along EPUB is made for Kobo (``narrated_epub: kobo``)."""
        return self.narrated_epub == KOBO

    def line_of(self, key: str) -> int | None:
        """The line of the dotted ``key`` in the front matter, else of the nearest key
        above it that is written (``narration`` for an unwritten ``narration.voice``), else
        None."""
        parts = key.split(".")
        for end in range(len(parts), 0, -1):
            line = self.key_lines.get(".".join(parts[:end]))
            if line is not None:
                return line
        return None


def setting_fields(cls: type[object]) -> tuple[dataclasses.Field[object], ...]:
    """The fields of a settings class (:class:`Config` or one of its tables) that the front
    matter may give: every one but those the loader fills itself (``key_lines``)."""
    return tuple(f for f in dataclasses.fields(cls) if not f.metadata.get("internal"))  # type: ignore[arg-type]
