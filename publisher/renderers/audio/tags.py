"""ID3v2.4 tags for a chapter's MP3, written with mutagen, the same bytes for the same input.

Title, album (the book), artist and album artist (the author), track n/N, language (ISO
639-2), the narrator (the voices used, as synthetic, in a ``TMCL`` musician credit), the
IPTC digital source type of the speech (:mod:`publisher.renderers.provenance`), year,
the front cover (scaled down, see :data:`ART_SIZE`), and a chapter table: one
``CHAP`` frame per section (the chapter title and each heading, with start and end in ms)
and a top-level, ordered ``CTOC`` listing them in reading order (mutagen writes ``CHAP``
frames in size order; readers that list chapters in frame order rely on the ``CTOC``)."""

from __future__ import annotations

import functools
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mutagen.id3

from publisher.infra.cache import BlobCache, cache_key
from publisher.renderers.provenance import id3_frames
from publisher.speech.disclosure import Synthetic
from publisher.speech.timing import TimedSection

# mutagen's frame classes are untyped; go through one Any-typed name rather than an ignore
# comment on every call.
id3: Any = mutagen.id3

# ISO 639-1 → ISO 639-2/T (the terminology codes, as ISO 639-3 and MusicBrainz use them:
# "nld" rather than the bibliographic "dut").
ISO_639_2 = {
    "af": "afr", "ar": "ara", "bg": "bul", "ca": "cat", "cs": "ces", "cy": "cym",
    "da": "dan", "de": "deu", "el": "ell", "en": "eng", "eo": "epo", "es": "spa",
    "et": "est", "eu": "eus", "fa": "fas", "fi": "fin", "fr": "fra", "fy": "fry",
    "ga": "gle", "gl": "glg", "he": "heb", "hi": "hin", "hr": "hrv", "hu": "hun",
    "id": "ind", "is": "isl", "it": "ita", "ja": "jpn", "ko": "kor", "la": "lat",
    "lb": "ltz", "lt": "lit", "lv": "lav", "mk": "mkd", "ms": "msa", "mt": "mlt",
    "nb": "nob", "nl": "nld", "nn": "nno", "no": "nor", "pl": "pol", "pt": "por",
    "ro": "ron", "ru": "rus", "sk": "slk", "sl": "slv", "sq": "sqi", "sr": "srp",
    "sv": "swe", "sw": "swa", "th": "tha", "tr": "tur", "uk": "ukr", "ur": "urd",
    "vi": "vie", "zh": "zho",
}  # fmt: skip


ART_SIZE = 600
"""Largest side, in pixels, of the cover embedded in each MP3. The build's cover is 3000 px
for podcast directories (about 300 kB); players show a thumbnail, and a full-size copy in
every chapter would make a one-minute episode twice as large."""


@functools.lru_cache(maxsize=4)
def cover_art(jpeg: bytes) -> bytes:
    """``jpeg`` as it goes into the tags: scaled down to :data:`ART_SIZE` if larger.

    Pillow's JPEG decoder and encoder are deterministic, so the same cover gives the same
    bytes. Cached: every chapter of a book carries the same art.
    """
    from PIL import Image

    with Image.open(io.BytesIO(jpeg)) as image:
        if max(image.size) <= ART_SIZE:
            return jpeg
        # Let the JPEG decoder scale by 1/2, 1/4 or 1/8 on the way (no smaller than the
        # art): a 3000 px cover decodes to 750 px, 2 MB, rather than 27 MB at full size.
        image.draft("RGB", (ART_SIZE, ART_SIZE))
        small = image.convert("RGB")
        small.thumbnail((ART_SIZE, ART_SIZE), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        small.save(out, "JPEG", quality=85, optimize=True)
        return out.getvalue()


def stored_cover_art(jpeg: bytes, cache_dir: Path) -> bytes:
    """:func:`cover_art` of ``jpeg``, kept in ``cache_dir`` from one build to the next:
    scaling a 3000 px cover down takes 0.2 s, a tenth of rebuilding an edited chapter."""
    cache = BlobCache(cache_dir, "art")
    key = cache_key("art", ART_SIZE, hashlib.sha256(jpeg).hexdigest())
    art = cache.get(key)
    if art is None:
        art = cover_art(jpeg)
        cache.put(key, art)
    return art


def iso_639_2(language: str) -> str:
    """The ISO 639-2 code for a BCP 47 tag (``"nl-BE"`` → ``"nld"``); ``"und"`` if unknown."""
    primary = language.split("-", 1)[0].lower()
    if len(primary) == 3 and primary.isalpha():
        return primary
    return ISO_639_2.get(primary, "und")


@dataclass(frozen=True, kw_only=True)
class TrackInfo:
    """Everything the tags say about one chapter's MP3."""

    title: str
    album: str
    artist: str
    track: int
    total: int
    language: str  # BCP 47, as in the front matter
    year: int | None
    cover: bytes | None  # JPEG
    sections: Sequence[TimedSection]
    narrator: str | None = None  # the voices, named as synthetic
    synthetic: Synthetic | None = None  # how the speech was made: its digital source type


def build_tags(info: TrackInfo) -> Any:
    """The ID3 frames for ``info``."""
    tags = id3.ID3()
    tags.add(id3.TIT2(encoding=id3.Encoding.UTF8, text=[info.title]))
    tags.add(id3.TALB(encoding=id3.Encoding.UTF8, text=[info.album]))
    tags.add(id3.TPE1(encoding=id3.Encoding.UTF8, text=[info.artist]))
    tags.add(id3.TPE2(encoding=id3.Encoding.UTF8, text=[info.artist]))
    tags.add(id3.TRCK(encoding=id3.Encoding.UTF8, text=[f"{info.track}/{info.total}"]))
    tags.add(id3.TLAN(encoding=id3.Encoding.UTF8, text=[iso_639_2(info.language)]))
    if info.narrator:
        # ID3v2.4's musician credits (role, name): the narrator is the chapter's performer.
        tags.add(id3.TMCL(encoding=id3.Encoding.UTF8, people=[["narrator", info.narrator]]))
    for frame in id3_frames(info.synthetic) if info.synthetic is not None else ():
        tags.add(frame)  # the IPTC digital source type, as text and as XMP
    if info.year is not None:
        tags.add(id3.TDRC(encoding=id3.Encoding.UTF8, text=[id3.ID3TimeStamp(f"{info.year:04d}")]))
    if info.cover:
        tags.add(
            id3.APIC(
                encoding=id3.Encoding.UTF8,
                mime="image/jpeg",
                type=id3.PictureType.COVER_FRONT,
                desc="",
                data=cover_art(info.cover),
            )
        )
    ids = [f"chp{i}" for i in range(len(info.sections))]
    for element_id, section in zip(ids, info.sections, strict=True):
        tags.add(
            id3.CHAP(
                element_id=element_id,
                start_time=section.start_ms,
                end_time=section.end_ms,
                start_offset=0xFFFFFFFF,  # "use the times"
                end_offset=0xFFFFFFFF,
                sub_frames=[id3.TIT2(encoding=id3.Encoding.UTF8, text=[section.title])],
            )
        )
    if ids:
        tags.add(
            id3.CTOC(
                element_id="toc",
                flags=id3.CTOCFlags.TOP_LEVEL | id3.CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[id3.TIT2(encoding=id3.Encoding.UTF8, text=[info.title])],
            )
        )
    return tags


def tag_bytes(info: TrackInfo) -> bytes:
    """The ID3v2.4 tag for ``info`` as it goes in front of the MP3 stream; no padding, so it
    is reproducible. Written apart from the stream, which is then not copied."""
    buffer = io.BytesIO()
    build_tags(info).save(buffer, v2_version=4, v1=0, padding=lambda _info: 0)
    return buffer.getvalue()
