"""The M4B's container, written here: an MP4 file (ISO/IEC 14496-12 and -14, with Apple's
chapter track) around AAC packets that are already encoded and cached.

**Why not a library.** PyAV (FFmpeg's ``ipod`` muxer) wrote it before. FFmpeg keeps an index
entry of about 74 bytes for every packet until the file is closed: 63 MB for an 11-hour book,
at the very end of its build, where the build's memory peaked. And every packet went through
the interpreter on its way (4 µs each, 0.35 s of every edit's rebuild). mutagen only edits
tags, and the MP4 libraries on PyPI build whole box trees in memory. Here a chapter's packets
are copied from the cache to the file in large blocks, and the sample table keeps 4 bytes a
packet (an ``array``), so the index of an 11-hour book is 4 MB.

**The file**, box for box as FFmpeg's ``ipod`` muxer laid it out, which players know:

* ``ftyp`` (M4A), then an 8-byte ``free`` box that becomes the 16-byte header of the
  ``mdat`` box should the media pass 4 GiB;
* ``mdat``: the AAC packets in reading order, then the chapter titles;
* ``moov``:

  - ``mvhd``, the movie (timescale 1000);
  - the audio ``trak``: an edit list that hides the priming packet, a ``chap`` reference to
    the chapter track, and its sample table (``stsz`` 4 bytes a packet, chunks of
    :data:`CHUNK` packets, a ``roll`` sample group: each AAC packet needs the one before);
  - the chapter ``trak``: a disabled QuickTime text track, one sample (a title) per chapter.
    Apple Books, iOS and FFmpeg read chapters from it;
  - ``udta/chpl``: the same marks as Nero chapters, which mutagen and many Android players
    read.

Every time stamp in the file is zero, so two builds give the same bytes. The tags are added
afterwards by mutagen (:mod:`.tags`).
"""

from __future__ import annotations

import array
import struct
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import BinaryIO

FRAME = 1024
"""Samples per AAC-LC packet."""
CHUNK = 1024
"""Packets per chunk of the audio's sample table (about 47 s at 22050 Hz): as few chunk
offsets as is reasonable, while a player that reads a chunk at a time reads little."""
LIMIT = 1 << 32
"""Past this many bytes, offsets and sizes need 64 bits (``co64``, a 64-bit ``mdat``)."""
MOVIE_SCALE = 1000
"""The movie's (and the chapter track's) timescale: milliseconds."""

_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
"""The identity transform every ``mvhd`` and ``tkhd`` carries."""
_TEXT_ENTRY = bytes.fromhex(
    "000000010000000000000000000000000000000000000001000000000000"  # flags … font
    "0000000d667461620001000100"  # ftab: one font, unnamed
)
"""The chapter track's QuickTime text sample description, after its data reference index
(display flags, justification, colours, text box, font table): the properties QuickTime
needs to take a text track for chapters, as FFmpeg writes them."""
_TEXT_MEDIA_HEADER = bytes.fromhex(
    "00000018676d696e00000000004080008000800000000000"  # gmin: graphics mode, opcolor
    "0000002c74657874" + _MATRIX.hex()  # text: its matrix
)
"""The chapter track's ``gmhd`` contents (a base media header, for a text track)."""
_BLOCK = 1 << 18
"""Bytes copied at a time: a chapter's packets never wait whole in memory."""
_ENCODING = struct.pack(">I4sI", 12, b"encd", 0x100)
"""Ends each title sample: the text is UTF-8."""
_TITLE_MAX = 255
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


class Mp4Writer:
    """Writes one mono AAC track and its chapters to ``f``, an open, empty, seekable file:
    :meth:`write` each run of packets in order, then :meth:`finish` once.

    ``rate`` is the sample rate; ``config`` the AAC decoder configuration (the encoder's
    extradata, an AudioSpecificConfig); the first packet is the encoder's priming, which the
    edit list hides."""

    def __init__(self, f: BinaryIO, rate: int, config: bytes) -> None:
        self.f = f
        self.rate = rate
        self.config = config
        self.sizes = array.array("I")  # bytes of each packet
        if self.sizes.itemsize != 4:  # pragma: no cover - 'I' is 32 bits on every platform we run
            self.sizes = array.array("L")
        self.chunks: list[int] = []  # where each chunk of CHUNK packets starts, in the file
        f.write(b"".join(box(b"ftyp", b"M4A ", struct.pack(">I", 0x200), b"M4A isomiso2")))
        self.mdat = f.tell()
        f.write(b"".join(box(b"free")))  # room for a 64-bit mdat header
        f.write(struct.pack(">I4s", 0, b"mdat"))  # its size is written by finish
        self.offset = f.tell()  # where the next packet goes

    def write(self, read: Callable[[int], bytes], sizes: Sequence[int]) -> None:
        """Append packets of ``sizes`` bytes, taken in order from what ``read(n)`` gives
        (up to ``n`` bytes a call, as from a file), copied in blocks of :data:`_BLOCK`."""
        offset = self.offset
        for size in sizes:
            if len(self.sizes) % CHUNK == 0:
                self.chunks.append(offset)
            self.sizes.append(size)
            offset += size
        remaining = offset - self.offset
        self.offset = offset
        while remaining:
            block = read(min(remaining, _BLOCK))
            if not block:
                raise EOFError(f"the packets end {remaining} bytes short")
            self.f.write(block)
            remaining -= len(block)

    def finish(self, chapters: Sequence[tuple[str, int]]) -> None:
        """Write the chapter titles and the ``moov`` box, and close the ``mdat`` box.
        ``chapters`` are the marks in order: each title, and where it starts in samples of
        the audio (after the priming)."""
        if not self.sizes:
            raise ValueError("an MP4 without packets")
        titles = [_title_sample(title) for title, _ in chapters]
        text_offset = self.offset
        for sample in titles:
            self.f.write(sample)
        end = text_offset + sum(len(t) for t in titles)
        self._close_mdat(end)
        large = end > LIMIT
        packets = len(self.sizes)
        signal = (packets - 1) * FRAME  # the priming packet is not heard
        length = _scaled(signal, self.rate, MOVIE_SCALE)
        starts = [_scaled(start, self.rate, MOVIE_SCALE) for _, start in chapters]
        ends = [*starts[1:], length]
        audio = self._audio_track(length, large)
        text = _text_track(
            length,
            [max(1, e - s) for s, e in zip(starts, ends, strict=True)],
            [len(t) for t in titles],
            text_offset,
            large,
        )
        nero = [(_scaled(start, self.rate, 10_000_000), t.encode()) for t, start in chapters]
        moov = box(
            b"moov",
            _movie_header(length, next_track=3),
            audio,
            text,
            box(b"udta", _chpl(nero)),
        )
        self.f.writelines(moov)

    def _close_mdat(self, end: int) -> None:
        """Write the ``mdat`` box's size, in its 64-bit form (over the ``free`` box) if it
        must."""
        here = self.f.tell()
        size = end - (self.mdat + 8)
        if size < LIMIT:
            self.f.seek(self.mdat + 8)
            self.f.write(struct.pack(">I", size))
        else:
            self.f.seek(self.mdat)
            self.f.write(struct.pack(">I4sQ", 1, b"mdat", end - self.mdat))
        self.f.seek(here)

    def _audio_track(self, length: int, large: bool) -> list[bytes]:
        """The audio ``trak`` box: the AAC's description and sample table."""
        packets = len(self.sizes)
        table = self.sizes if sys.byteorder == "big" else _swapped(self.sizes)
        per_chunk = [(1, min(CHUNK, packets))]
        last = packets - (len(self.chunks) - 1) * CHUNK
        if len(self.chunks) > 1 and last != CHUNK:
            per_chunk.append((len(self.chunks), last))
        sample_table = box(
            b"stbl",
            full_box(b"stsd", 0, 0, struct.pack(">I", 1), self._mp4a()),
            full_box(b"stts", 0, 0, struct.pack(">III", 1, packets, FRAME)),
            full_box(
                b"stsc",
                0,
                0,
                struct.pack(">I", len(per_chunk)),
                *(struct.pack(">III", first, count, 1) for first, count in per_chunk),
            ),
            full_box(b"stsz", 0, 0, struct.pack(">II", 0, packets), table.tobytes()),
            _chunk_offsets(self.chunks, large),
            # Each packet needs the one before it decoded first (AAC's overlapping windows).
            full_box(b"sgpd", 1, 0, b"roll", struct.pack(">IIh", 2, 1, -1)),
            full_box(b"sbgp", 0, 0, b"roll", struct.pack(">III", 1, packets, 1)),
        )
        media = box(
            b"mdia",
            _media_header(self.rate, packets * FRAME, language=0x55C4),  # "und"
            _handler(b"soun", b"SoundHandler"),
            box(
                b"minf",
                full_box(b"smhd", 0, 0, bytes(4)),
                _data_information(),
                sample_table,
            ),
        )
        return box(
            b"trak",
            _track_header(1, length, enabled=True, group=1, volume=0x100),
            _edit_list(length, FRAME),
            box(b"tref", box(b"chap", struct.pack(">I", 2))),
            media,
        )

    def _mp4a(self) -> list[bytes]:
        """The AAC sample entry: mono, 16-bit, with its decoder configuration (``esds``:
        MPEG-4 audio, the largest packet, the peak and average bit rates)."""
        config = _descriptor(5, self.config)
        peak, average = self._bitrates()
        head = bytes([0x40, 0x15]) + max(self.sizes).to_bytes(3, "big")  # AAC, audio, buffer
        decoder = _descriptor(4, head + struct.pack(">II", peak, average) + config)
        es = _descriptor(3, struct.pack(">HB", 1, 0) + decoder + _descriptor(6, b"\x02"))
        return box(
            b"mp4a",
            bytes(6),
            struct.pack(">HII", 1, 0, 0),  # data reference 1; version, revision, vendor
            struct.pack(">HHHHI", 1, 16, 0, 0, self.rate << 16),
            full_box(b"esds", 0, 0, es),
        )

    def _bitrates(self) -> tuple[int, int]:
        """The stream's peak bit rate over any whole second's packets, and its average."""
        second = max(1, self.rate // FRAME)
        bits = 8 * self.rate / (second * FRAME)  # a second's bytes to bits a second
        packets = len(self.sizes)
        peak = max(sum(self.sizes[i : i + second]) for i in range(0, packets, second))
        average = 8 * sum(self.sizes) * self.rate / (packets * FRAME)
        return round(peak * bits), round(average)


def _title_sample(title: str) -> bytes:
    """A chapter track's sample: the title's length, the title in UTF-8, its encoding."""
    text = _cut_utf8(title.encode("utf-8"), 0xFFFF)
    return struct.pack(">H", len(text)) + text + _ENCODING


def _text_track(
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
            box(b"text", bytes(6), struct.pack(">H", 1), _TEXT_ENTRY),
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
        _chunk_offsets([offset], large),
    )
    media = box(
        b"mdia",
        _media_header(MOVIE_SCALE, length, language=0),
        _handler(b"text", b"SubtitleHandler"),
        box(b"minf", box(b"gmhd", _TEXT_MEDIA_HEADER), _data_information(), sample_table),
    )
    return box(
        b"trak",
        _track_header(2, length, enabled=False, group=0, volume=0),
        _edit_list(length, 0),
        media,
    )


def _chpl(chapters: Iterable[tuple[int, bytes]]) -> list[bytes]:
    """Nero's chapter list: each start (in 100 ns) and title (at most 255 bytes, cut
    whole characters)."""
    entries = [(start, _cut_utf8(title, _TITLE_MAX)) for start, title in chapters]
    return full_box(
        b"chpl",
        1,
        0,
        bytes(4),
        struct.pack(">B", min(len(entries), 255)),
        *(struct.pack(">QB", start, len(t)) + t for start, t in entries[:255]),
    )


def _cut_utf8(text: bytes, limit: int) -> bytes:
    """``text`` cut to at most ``limit`` bytes, between characters."""
    if len(text) <= limit:
        return text
    return text[:limit].decode("utf-8", "ignore").encode("utf-8")


def _movie_header(length: int, next_track: int) -> list[bytes]:
    """``mvhd``: the movie's timescale and length, normal rate and volume."""
    version, times = _times(length)
    return full_box(
        b"mvhd",
        version,
        0,
        times(MOVIE_SCALE),
        struct.pack(">IH10x", 0x10000, 0x100),
        _MATRIX,
        bytes(24),
        struct.pack(">I", next_track),
    )


def _track_header(
    track: int, length: int, *, enabled: bool, group: int, volume: int
) -> list[bytes]:
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
        _MATRIX,
        struct.pack(">II", 0, 0),
    )


def _media_header(scale: int, length: int, language: int) -> list[bytes]:
    """``mdhd``: a track's own timescale and length, and its language (packed ISO 639-2)."""
    version, times = _times(length)
    return full_box(b"mdhd", version, 0, times(scale), struct.pack(">HH", language, 0))


def _times(length: int) -> tuple[int, Callable[[int], bytes]]:
    """The version a header with a length of ``length`` needs, and how to pack its
    creation and modification times (zero), timescale and that length."""
    if length >= LIMIT:
        return 1, lambda scale: struct.pack(">QQIQ", 0, 0, scale, length)
    return 0, lambda scale: struct.pack(">IIII", 0, 0, scale, length)


def _handler(kind: bytes, name: bytes) -> list[bytes]:
    """``hdlr``: what kind of media a track holds."""
    return full_box(b"hdlr", 0, 0, bytes(4), kind, bytes(12), name + b"\0")


def _data_information() -> list[bytes]:
    """``dinf``: the media is in this file."""
    url = full_box(b"url ", 0, 1)
    return box(b"dinf", full_box(b"dref", 0, 0, struct.pack(">I", 1), url))


def _edit_list(length: int, skip: int) -> list[bytes]:
    """``edts``: play ``length`` (movie timescale) of the media from ``skip`` (its own)."""
    if length >= LIMIT:
        entry = full_box(b"elst", 1, 0, struct.pack(">IQqI", 1, length, skip, 0x10000))
    else:
        entry = full_box(b"elst", 0, 0, struct.pack(">IIiI", 1, length, skip, 0x10000))
    return box(b"edts", entry)


def _chunk_offsets(offsets: Sequence[int], large: bool) -> list[bytes]:
    """``stco`` (or ``co64`` when the file passes 4 GiB): where each chunk starts."""
    if large:
        return full_box(b"co64", 0, 0, struct.pack(f">I{len(offsets)}Q", len(offsets), *offsets))
    return full_box(b"stco", 0, 0, struct.pack(f">I{len(offsets)}I", len(offsets), *offsets))


def _descriptor(tag: int, body: bytes) -> bytes:
    """An MPEG-4 descriptor (ISO/IEC 14496-1): its tag, its length in four 7-bit bytes."""
    size = len(body)
    length = bytes(((size >> s) & 0x7F) | (0x80 if s else 0) for s in (21, 14, 7, 0))
    return bytes([tag]) + length + body


def _scaled(samples: int, rate: int, scale: int) -> int:
    """``samples`` at ``rate`` in units of ``scale`` a second, rounded to the nearest."""
    return (samples * scale + rate // 2) // rate


def _swapped(values: array.array[int]) -> array.array[int]:
    """A big-endian copy of ``values`` (MP4 tables are big-endian)."""
    copy = array.array(values.typecode, values)
    copy.byteswap()
    return copy
