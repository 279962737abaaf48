"""The boxes of the M4B's MP4 container (ISO/IEC 14496-12 and -14, Apple's chapter
track, Nero's ``chpl``), each as a list of byte strings to write one after another:
what :class:`~publisher.renderers.audiobook.mp4.Mp4Writer` puts around the packets."""

from __future__ import annotations

import array
import struct
from collections.abc import Callable, Iterable, Sequence

LIMIT = 1 << 32
"""Past this many bytes, offsets and sizes need 64 bits (``co64``, a 64-bit ``mdat``)."""
MOVIE_SCALE = 1000
"""The movie's (and the chapter track's) timescale: milliseconds."""

MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
"""The identity transform every ``mvhd`` and ``tkhd`` carries."""
TEXT_ENTRY = bytes.fromhex(
    "000000010000000000000000000000000000000000000001000000000000"  # flags … font
    "0000000d667461620001000100"  # ftab: one font, unnamed
)
"""The chapter track's QuickTime text sample description, after its data reference index
(display flags, justification, colours, text box, font table): the properties QuickTime
needs to take a text track for chapters, as FFmpeg writes them."""
TEXT_MEDIA_HEADER = bytes.fromhex(
    "00000018676d696e00000000004080008000800000000000"  # gmin: graphics mode, opcolor
    "0000002c74657874" + MATRIX.hex()  # text: its matrix
)
"""The chapter track's ``gmhd`` contents (a base media header, for a text track)."""
ENCODING = struct.pack(">I4sI", 12, b"encd", 0x100)
"""Ends each title sample: the text is UTF-8."""
TITLE_MAX = 255
"""Bytes of a title a Nero ``chpl`` entry holds."""


def box(kind: bytes, *parts: bytes | list[bytes]) -> list[bytes]:
    """An MP4 box of ``kind`` around ``parts`` (bytes, or boxes as this returns them), as
    a list of byte strings to write one after another (a large table is not copied)."""
    flat: list[bytes] = []
    for part in parts:
        if isinstance(part, bytes):
            flat.append(part)
        else:
            flat.extend(part)
    size = 8 + sum(len(p) for p in flat)
    if size >= LIMIT:  # pragma: no cover - a moov of 4 GiB is a billion packets
        raise ValueError(f"MP4 box {kind!r} too large")
    return [struct.pack(">I4s", size, kind), *flat]


def full_box(kind: bytes, version: int, flags: int, *parts: bytes | list[bytes]) -> list[bytes]:
    """An MP4 "full box": one with a version and 24 bits of flags."""
    return box(kind, struct.pack(">I", (version << 24) | flags), *parts)


def title_sample(title: str) -> bytes:
    """A chapter track's sample: the title's length, the title in UTF-8, its encoding."""
    text = cut_utf8(title.encode("utf-8"), 0xFFFF)
    return struct.pack(">H", len(text)) + text + ENCODING


def text_track(
    length: int, durations: Sequence[int], sizes: Sequence[int], offset: int, large: bool
) -> list[bytes]:
    """The chapter ``trak``: a disabled text track, each title a sample lasting its chapter
    (in milliseconds), all of them one chunk at ``offset``."""
    count = len(durations)
    sample_table = box(
        b"stbl",
        full_box(
            b"stsd",
            0,
            0,
            struct.pack(">I", 1),
            box(b"text", bytes(6), struct.pack(">H", 1), TEXT_ENTRY),
        ),
        full_box(
            b"stts",
            0,
            0,
            struct.pack(">I", count),
            *(struct.pack(">II", 1, d) for d in durations),
        ),
        full_box(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, count, 1)),
        full_box(
            b"stsz", 0, 0, struct.pack(">II", 0, count), *(struct.pack(">I", s) for s in sizes)
        ),
        chunk_offsets([offset], large),
    )
    media = box(
        b"mdia",
        media_header(MOVIE_SCALE, length, language=0),
        handler(b"text", b"SubtitleHandler"),
        box(b"minf", box(b"gmhd", TEXT_MEDIA_HEADER), data_information(), sample_table),
    )
    return box(
        b"trak",
        track_header(2, length, enabled=False, group=0, volume=0),
        edit_list(length, 0),
        media,
    )


def chpl(chapters: Iterable[tuple[int, bytes]]) -> list[bytes]:
    """Nero's chapter list: each start (in 100 ns) and title (at most 255 bytes, cut
    whole characters)."""
    entries = [(start, cut_utf8(title, TITLE_MAX)) for start, title in chapters]
    return full_box(
        b"chpl",
        1,
        0,
        bytes(4),
        struct.pack(">B", min(len(entries), 255)),
        *(struct.pack(">QB", start, len(t)) + t for start, t in entries[:255]),
    )


def cut_utf8(text: bytes, limit: int) -> bytes:
    """``text`` cut to at most ``limit`` bytes, between characters."""
    if len(text) <= limit:
        return text
    return text[:limit].decode("utf-8", "ignore").encode("utf-8")


def movie_header(length: int, next_track: int) -> list[bytes]:
    """``mvhd``: the movie's timescale and length, normal rate and volume."""
    version, times = time_fields(length)
    return full_box(
        b"mvhd",
        version,
        0,
        times(MOVIE_SCALE),
        struct.pack(">IH10x", 0x10000, 0x100),
        MATRIX,
        bytes(24),
        struct.pack(">I", next_track),
    )


def track_header(track: int, length: int, *, enabled: bool, group: int, volume: int) -> list[bytes]:
    """``tkhd``: a track's number and length (in the movie's timescale)."""
    flags = 0x2 | (0x1 if enabled else 0)  # in the movie; enabled or not
    version = 1 if length >= LIMIT else 0
    times = struct.pack(">QQIIQ" if version else ">IIIII", 0, 0, track, 0, length)
    return full_box(
        b"tkhd",
        version,
        flags,
        times,
        struct.pack(">8xhhH2x", 0, group, volume),
        MATRIX,
        struct.pack(">II", 0, 0),
    )


def media_header(scale: int, length: int, language: int) -> list[bytes]:
    """``mdhd``: a track's own timescale and length, and its language (packed ISO 639-2)."""
    version, times = time_fields(length)
    return full_box(b"mdhd", version, 0, times(scale), struct.pack(">HH", language, 0))


def time_fields(length: int) -> tuple[int, Callable[[int], bytes]]:
    """The version a header with a length of ``length`` needs, and how to pack its
    creation and modification times (zero), timescale and that length."""
    if length >= LIMIT:
        return 1, lambda scale: struct.pack(">QQIQ", 0, 0, scale, length)
    return 0, lambda scale: struct.pack(">IIII", 0, 0, scale, length)


def handler(kind: bytes, name: bytes) -> list[bytes]:
    """``hdlr``: what kind of media a track holds."""
    return full_box(b"hdlr", 0, 0, bytes(4), kind, bytes(12), name + b"\0")


def data_information() -> list[bytes]:
    """``dinf``: the media is in this file."""
    url = full_box(b"url ", 0, 1)
    return box(b"dinf", full_box(b"dref", 0, 0, struct.pack(">I", 1), url))


def edit_list(length: int, skip: int) -> list[bytes]:
    """``edts``: play ``length`` (movie timescale) of the media from ``skip`` (its own)."""
    if length >= LIMIT:
        entry = full_box(b"elst", 1, 0, struct.pack(">IQqI", 1, length, skip, 0x10000))
    else:
        entry = full_box(b"elst", 0, 0, struct.pack(">IIiI", 1, length, skip, 0x10000))
    return box(b"edts", entry)


def chunk_offsets(offsets: Sequence[int], large: bool) -> list[bytes]:
    """``stco`` (or ``co64`` when the file passes 4 GiB): where each chunk starts."""
    if large:
        return full_box(b"co64", 0, 0, struct.pack(f">I{len(offsets)}Q", len(offsets), *offsets))
    return full_box(b"stco", 0, 0, struct.pack(f">I{len(offsets)}I", len(offsets), *offsets))


def descriptor(tag: int, body: bytes) -> bytes:
    """An MPEG-4 descriptor (ISO/IEC 14496-1): its tag, its length in four 7-bit bytes."""
    size = len(body)
    length = bytes(((size >> s) & 0x7F) | (0x80 if s else 0) for s in (21, 14, 7, 0))
    return bytes([tag]) + length + body


def scaled(samples: int, rate: int, scale: int) -> int:
    """``samples`` at ``rate`` in units of ``scale`` a second, rounded to the nearest."""
    return (samples * scale + rate // 2) // rate


def swapped(values: array.array[int]) -> array.array[int]:
    """A big-endian copy of ``values`` (MP4 tables are big-endian)."""
    copy = array.array(values.typecode, values)
    copy.byteswap()
    return copy
