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
from collections.abc import Callable, Sequence
from typing import BinaryIO

from publisher.renderers.audiobook.boxes import (
    LIMIT,
    MOVIE_SCALE,
    box,
    chpl,
    chunk_offsets,
    data_information,
    descriptor,
    edit_list,
    full_box,
    handler,
    media_header,
    movie_header,
    scaled,
    swapped,
    text_track,
    title_sample,
    track_header,
)

FRAME = 1024
"""Samples per AAC-LC packet."""
CHUNK = 1024
"""Packets per chunk of the audio's sample table (about 47 s at 22050 Hz): as few chunk
offsets as is reasonable, while a player that reads a chunk at a time reads little."""
_BLOCK = 1 << 18
"""Bytes copied at a time: a chapter's packets never wait whole in memory."""


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
        titles = [title_sample(title) for title, _ in chapters]
        text_offset = self.offset
        for sample in titles:
            self.f.write(sample)
        end = text_offset + sum(len(t) for t in titles)
        self._close_mdat(end)
        large = end > LIMIT
        packets = len(self.sizes)
        signal = (packets - 1) * FRAME  # the priming packet is not heard
        length = scaled(signal, self.rate, MOVIE_SCALE)
        starts = [scaled(start, self.rate, MOVIE_SCALE) for _, start in chapters]
        ends = [*starts[1:], length]
        audio = self._audio_track(length, large)
        text = text_track(
            length,
            [max(1, e - s) for s, e in zip(starts, ends, strict=True)],
            [len(t) for t in titles],
            text_offset,
            large,
        )
        nero = [(scaled(start, self.rate, 10_000_000), t.encode()) for t, start in chapters]
        moov = box(
            b"moov",
            movie_header(length, next_track=3),
            audio,
            text,
            box(b"udta", chpl(nero)),
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
        table = self.sizes if sys.byteorder == "big" else swapped(self.sizes)
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
            chunk_offsets(self.chunks, large),
            # Each packet needs the one before it decoded first (AAC's overlapping windows).
            full_box(b"sgpd", 1, 0, b"roll", struct.pack(">IIh", 2, 1, -1)),
            full_box(b"sbgp", 0, 0, b"roll", struct.pack(">III", 1, packets, 1)),
        )
        media = box(
            b"mdia",
            media_header(self.rate, packets * FRAME, language=0x55C4),  # "und"
            handler(b"soun", b"SoundHandler"),
            box(
                b"minf",
                full_box(b"smhd", 0, 0, bytes(4)),
                data_information(),
                sample_table,
            ),
        )
        return box(
            b"trak",
            track_header(1, length, enabled=True, group=1, volume=0x100),
            edit_list(length, FRAME),
            box(b"tref", box(b"chap", struct.pack(">I", 2))),
            media,
        )

    def _mp4a(self) -> list[bytes]:
        """The AAC sample entry: mono, 16-bit, with its decoder configuration (``esds``:
        MPEG-4 audio, the largest packet, the peak and average bit rates)."""
        config = descriptor(5, self.config)
        peak, average = self._bitrates()
        head = bytes([0x40, 0x15]) + max(self.sizes).to_bytes(3, "big")  # AAC, audio, buffer
        decoder = descriptor(4, head + struct.pack(">II", peak, average) + config)
        es = descriptor(3, struct.pack(">HB", 1, 0) + decoder + descriptor(6, b"\x02"))
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
