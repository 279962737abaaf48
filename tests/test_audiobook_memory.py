"""The M4B is made a frame and a packet at a time, so a long book's chapters are never held.

Measured with tracemalloc, which counts what Python and numpy allocate (not FFmpeg's own
buffers): a chapter decoded whole would be a float array of 5 MB a minute, read whole from
the cache its AAC packets (0.5 MB a minute at 64 kbps), twice over. The bounds are in those
units, so they hold on any machine; nothing here is timed.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import lameenc
import numpy as np
import pytest

from publisher.renderers.audiobook import m4b, pieces
from publisher.renderers.audiobook.m4b import BookTags, ChapterSource
from publisher.renderers.audiobook.tags import write_tags

pytestmark = pytest.mark.slow  # it encodes minutes of real AAC

RATE = 22050
MINUTES = 4
BITRATE = 64
T = TypeVar("T")


@pytest.fixture(scope="module")
def long_mp3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four minutes of noise as a mono MP3 (noise: every AAC packet is full-sized)."""
    return noise_mp3(tmp_path_factory.mktemp("long") / "long.mp3", MINUTES)


def noise_mp3(path: Path, minutes: int) -> Path:
    """``minutes`` of noise as a mono MP3 at ``path``: no silence, so one AAC part."""
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(BITRATE)
    encoder.set_in_sample_rate(RATE)
    encoder.set_channels(1)
    encoder.set_quality(7)
    rng = np.random.default_rng(3)
    with path.open("wb") as f:
        for _ in range(minutes * 6):  # ten seconds at a time
            block = (rng.standard_normal(RATE * 10) * 3000).astype(np.int16)
            f.write(encoder.encode(block.tobytes()))
        f.write(encoder.flush())
    return path


def traced_peak(action: Callable[[], T]) -> tuple[T, int]:
    """What ``action`` returns, and the most memory tracemalloc saw allocated while it ran."""
    tracemalloc.start()
    try:
        result = action()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_long_chapter_is_encoded_without_holding_it_decoded(long_mp3: Path) -> None:
    piece, peak = traced_peak(lambda: m4b.encode_piece(long_mp3, BITRATE))
    assert piece.samples >= MINUTES * 60 * RATE
    decoded = piece.samples * 4  # the chapter as float32, as the decoder gives it
    # The packets (once, and their sizes) and some change; a decoded chapter is 10 times more.
    assert peak < 2.5 * len(piece.data) < decoded / 4


def test_a_long_chapter_goes_to_the_cache_part_by_part_without_its_packets_held(
    long_mp3: Path, tmp_path: Path
) -> None:
    """With a cache, each part's packets go to a file and the cache as they are made, and the
    chapter's entry is copied from the parts' entries a block at a time: the chapter's AAC is
    not held (it was, two or three times over), and the entry is the chapter's packets."""
    longer = noise_mp3(tmp_path / "longer.mp3", 3 * MINUTES)  # one part of 5.8 MB of AAC
    whole = m4b.encode_piece(longer, BITRATE)
    key = m4b.piece_key(m4b.audio_digest(longer), BITRATE)
    cache = tmp_path / "cache"
    light, peak = traced_peak(lambda: m4b.encode_piece(longer, BITRATE, cache, key))
    assert light.data == b"" and list(light.sizes) == list(whole.sizes)
    stored_pieces = pieces.PieceCache(cache)
    stored = stored_pieces.light(key)
    assert stored is not None
    with stored_pieces.reading(key, stored) as read:  # as the muxer reads it, checked whole
        assert read(len(whole.data)) == whole.data
    # Its sizes, a megabyte in the spooled file before it goes to disk, a block or two on
    # their way to the cache: 2.5 MB, whatever the chapter's length (it was 3 to 4 times
    # the chapter's packets).
    assert peak < 0.6 * len(whole.data)


def test_the_book_is_muxed_from_the_cache_a_packet_at_a_time(
    long_mp3: Path, tmp_path: Path
) -> None:
    chapters = [ChapterSource(title=f"Hoofdstuk {n}", mp3=long_mp3) for n in (1, 2, 3)]
    tags = BookTags(
        title="Lang",
        author="Iemand",
        album="Lang",
        narrator="Synthetic",
        year=None,
        description=None,
        identifier="urn:uuid:00000000-0000-4000-8000-000000000001",
        language="nl",
        cover=None,
    )

    def write() -> list[m4b.Mark]:
        """The book as the audiobook target writes it: each chapter's piece encoded into the
        cache unless it is there, then the pieces muxed in order, then the tags."""
        dest, cache = tmp_path / "book.m4b", tmp_path / "cache"
        keyed = [(c.title, *m4b.ensure_piece(c.mp3, BITRATE, cache)) for c in chapters]
        marks = m4b.mux(dest, iter(keyed), len(chapters), bitrate=BITRATE, cache_dir=cache)
        write_tags(dest, tags)
        return marks

    write()  # the piece is encoded and cached (the same MP3 three times: one piece)
    marks, peak = traced_peak(write)
    assert [mark.title for mark in marks] == [c.title for c in chapters]
    piece = m4b.encode_piece(long_mp3, BITRATE)
    assert marks[-1].end >= 3 * piece.samples - m4b.FRAME
    # Three chapters' packets pass through, never a chapter's whole (read whole from the
    # cache, a chapter's packets were held twice: 2.5 times this bound with the rest).
    assert peak < 1.5 * len(piece.data)
