"""The audiobook target on a small book narrated by the fake engine: chapter marks where the
timing files put the chapters, tags, the per-chapter cache, the switch, and errors.

The seed's M4B, checked with ffprobe, ffmpeg and pyloudnorm, is in test_seed_build.py.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from mutagen.mp4 import MP4
from PIL import Image

from publisher.errors import BuildError
from publisher.model import Book
from publisher.pipeline.board import Board
from publisher.renderers.audiobook import m4b, pieces
from publisher.renderers.audiobook.m4b import FRAME, Layout
from publisher.renderers.audiobook.pieces import Piece
from publisher.renderers.audiobook.renderer import AudiobookRenderer
from publisher.renderers.base import BuildOptions, RenderContext
from publisher.renderers.cover.draw import PORTRAIT
from tests import fakes
from tests.test_audio import SLUGS, SOURCE, make_book, render

pytestmark = pytest.mark.slow  # it encodes real AAC


def build_m4b(tmp: Path, book: Book | None = None) -> Path | None:
    """Render the audio (fake voice), then the audiobook; the M4B, or None if none was made."""
    book = book or make_book()
    render(tmp, book)
    root = tmp / "build"
    folder = root / "audiobook"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    ctx = RenderContext(
        book=book,
        root=root,
        out_dir=folder,
        published=root,
        cache_dir=tmp / "cache",
        options=BuildOptions(),
    )
    AudiobookRenderer().render(ctx)
    made = list(folder.iterdir())
    return made[0] if made else None


def decoded(path: Path) -> tuple[np.ndarray[Any, Any], int]:
    with av.open(str(path)) as f:
        stream = f.streams.audio[0]
        frames = [frame.to_ndarray()[0] for frame in f.decode(stream)]
        return np.concatenate(frames), stream.codec_context.sample_rate


def timings(tmp: Path) -> list[dict[str, Any]]:
    audio = tmp / "build" / "audio"
    return [json.loads((audio / f"{slug}.json").read_text()) for slug in SLUGS]


def test_one_mark_per_chapter_where_the_timing_files_put_it(tmp_path: Path) -> None:
    path = build_m4b(tmp_path)
    assert path is not None
    assert path.name == "klein-boek.m4b"
    chapters = MP4(path).chapters
    assert chapters is not None
    marks = list(chapters)
    files = timings(tmp_path)
    assert [c.title for c in marks] == [t["title"] for t in files]
    start = 0
    for chapter, timing in zip(marks, files, strict=True):
        assert abs(chapter.start * 1000 - start) <= 50, chapter.title
        start += timing["duration_ms"]
    samples, rate = decoded(path)
    assert abs(len(samples) / rate * 1000 - start) <= 50


def test_tags_name_the_book_the_synthetic_narrator_and_the_cover(tmp_path: Path) -> None:
    path = build_m4b(tmp_path)
    assert path is not None
    tags = MP4(path).tags
    assert tags is not None
    assert tags["\xa9nam"] == ["Klein Boek"]
    assert tags["\xa9alb"] == ["Klein Boek"]
    assert tags["\xa9ART"] == tags["aART"] == ["Ada Auteur"]
    assert tags["\xa9day"] == ["2024"]
    assert tags["\xa9gen"] == ["Audiobook"]
    assert "synthetic voice" in tags["\xa9wrt"][0]
    assert bytes(tags["----:com.apple.iTunes:IDENTIFIER"][0]) == b"urn:x"
    # The portrait cover, as on the EPUB (not the square podcast artwork).
    cover = Image.open(io.BytesIO(bytes(tags["covr"][0])))
    assert (cover.format, cover.size) == ("JPEG", (PORTRAIT.width, PORTRAIT.height))


def test_the_audio_is_the_chapters_at_their_loudness(tmp_path: Path) -> None:
    path = build_m4b(tmp_path)
    assert path is not None
    samples, rate = decoded(path)
    assert abs(fakes.reference_loudness(samples, rate) - (-19)) <= 1
    assert fakes.reference_true_peak_db(samples) <= -1


def test_a_second_build_encodes_nothing_and_an_edit_only_its_chapter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = m4b.encode_piece

    def counting(mp3: Path, bitrate: int, cache_dir: Path | None = None, key: str = "") -> Piece:
        calls.append(mp3.stem)
        return real(mp3, bitrate, cache_dir, key)

    monkeypatch.setattr(m4b, "encode_piece", counting)
    first = build_m4b(tmp_path)
    assert first is not None
    assert sorted(calls) == sorted(SLUGS)
    before = first.read_bytes()
    calls.clear()
    again = build_m4b(tmp_path)
    assert again is not None
    assert calls == []
    assert again.read_bytes() == before
    edited = build_m4b(tmp_path, make_book(SOURCE.replace("Tekst hier.", "Andere tekst hier.")))
    assert edited is not None
    assert calls == ["tweede"]
    assert edited.read_bytes() != before


def test_an_edit_encodes_only_the_aac_of_the_part_it_changed(tmp_path: Path) -> None:
    def parts() -> set[Path]:
        return set((tmp_path / "cache" / "audiobook-parts").glob("*/*"))

    first = build_m4b(tmp_path)
    assert first is not None
    before = parts()
    # The chapters are cut in their pauses: more parts than chapters.
    assert len(before) > len(SLUGS)
    edited = build_m4b(tmp_path, make_book(SOURCE.replace("Tekst hier.", "Andere tekst hier.")))
    assert edited is not None
    assert len(parts() - before) == 1
    # The joined parts still put each chapter mark where the timing files put the chapter.
    start = 0
    chapters = MP4(edited).chapters
    assert chapters is not None
    for chapter, timing in zip(list(chapters), timings(tmp_path), strict=True):
        assert abs(chapter.start * 1000 - start) <= 50, chapter.title
        start += timing["duration_ms"]


def test_audiobook_false_makes_none(tmp_path: Path) -> None:
    book = make_book(SOURCE.replace("date: 2024-05-06", "date: 2024-05-06\naudiobook: false"))
    assert build_m4b(tmp_path, book) is None


def test_without_the_chapter_audio_it_says_to_build_it(tmp_path: Path) -> None:
    book = make_book()
    root = tmp_path / "build"
    (root / "audiobook").mkdir(parents=True)
    ctx = RenderContext(
        book=book, root=root, out_dir=root / "audiobook", published=root, cache_dir=tmp_path
    )
    with pytest.raises(BuildError, match="build the audio target first"):
        AudiobookRenderer().render(ctx)


def test_marks_stay_within_half_a_packet_however_long_the_chapters() -> None:
    rng = np.random.default_rng(7)
    lengths = [int(n) for n in rng.integers(30_000, 3_000_000, size=60)]
    # As the encoder makes them: a priming packet, then enough to hold the signal and a flush.
    parts = [
        Piece(sample_rate=22050, samples=n, sizes=(1,) * (n // FRAME + 2), data=b"")
        for n in lengths
    ]
    steps = Layout()  # as the muxer lays them out, a chapter at a time
    start = 0
    for i, (n, piece) in enumerate(zip(lengths, parts, strict=True)):
        count, mark = steps.step(f"c{i}", piece, i == len(parts) - 1)
        assert abs(mark.start - start) <= FRAME // 2
        assert count <= len(piece.sizes)
        start += n
    assert abs(mark.end - start) <= FRAME // 2


def beside_the_audio(tmp: Path, book: Book, board: Board) -> RenderContext:
    """The audiobook's context in ``tmp/build`` with two workers, beside an audio target that
    announces its files on ``board``."""
    root = tmp / "build"
    return RenderContext(
        book=book,
        root=root,
        out_dir=root / "audiobook",
        published=root,
        cache_dir=tmp / "cache",
        options=BuildOptions(jobs=2),
        board=board,
    )


def test_beside_the_audio_encoding_waits_until_a_worker_is_idle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two workers, no chapter is encoded while two or more are still to be made (both
    cores are busy then, and the encoder's memory would add to the build's peak); then every
    chapter is, and the M4B is made."""
    import threading

    from publisher.renderers.audiobook import renderer as module

    book = make_book()
    render(tmp_path, book)  # the chapters' files, announced one by one below
    root = tmp_path / "build"
    (root / "audiobook").mkdir()
    board = Board()
    board.start("audio", ("audio/",))
    announced: list[int] = []
    calls: list[int] = []
    called = threading.Event()
    real = module.ensure_piece

    def ensure_piece(mp3: Path, bitrate: int, cache_dir: Path) -> bool:
        calls.append(len(announced))
        called.set()
        return real(mp3, bitrate, cache_dir)

    monkeypatch.setattr(module, "ensure_piece", ensure_piece)

    def audio() -> None:
        for slug in SLUGS:
            for ext in ("json", "vtt", "mp3"):
                board.made(f"audio/{slug}.{ext}")
            announced.append(1)
            called.wait(timeout=1)  # time for an encoding to start, if it would
        board.end("audio")

    ctx = beside_the_audio(tmp_path, book, board)
    thread = threading.Thread(target=audio)
    thread.start()
    made = AudiobookRenderer().render(ctx)
    thread.join()
    assert min(calls) == len(SLUGS) - 1  # the first encoding began with one chapter left
    assert len(calls) == len(SLUGS)
    assert made.files == (f"audiobook/{book.slug}.m4b",)


def test_a_stopped_build_encodes_no_chapter_still_queued(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the build stops (Ctrl-C or SIGTERM on the main thread, or another target failing)
    after the audio is done and while the chapters wait to be encoded, the encodings under way
    finish but no queued chapter is encoded after, and the target ends with an error instead
    of making the M4B."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from publisher.renderers.audiobook import renderer as module

    book = make_book()
    render(tmp_path, book)
    root = tmp_path / "build"
    (root / "audiobook").mkdir()
    board = Board()
    board.start("audio", ("audio/",))
    for slug in SLUGS:
        for ext in ("json", "vtt", "mp3"):
            board.made(f"audio/{slug}.{ext}")
    board.end("audio")  # every chapter's encoding is queued at once
    calls: list[Path] = []
    both = threading.Event()  # both workers encode: the last chapter has been queued
    stopped = threading.Event()
    real = module.ensure_piece

    def ensure_piece(mp3: Path, bitrate: int, cache_dir: Path) -> tuple[str, pieces.Piece]:
        calls.append(mp3)
        if len(calls) == 2:
            both.set()
        stopped.wait(timeout=20)  # under way until the build stops
        return real(mp3, bitrate, cache_dir)

    monkeypatch.setattr(module, "ensure_piece", ensure_piece)
    ctx = beside_the_audio(tmp_path, book, board)
    with ThreadPoolExecutor(1) as helper:  # the target runs beside the main thread's
        made = helper.submit(AudiobookRenderer().render, ctx)
        assert both.wait(timeout=20)
        board.stop()  # what the schedule does when the main thread is interrupted
        stopped.set()
        with pytest.raises(BuildError, match="stopped"):
            made.result(timeout=60)
    assert len(calls) == 2 < len(SLUGS)  # those under way, one per worker


def test_a_series_is_the_movement_that_apple_and_audiobookshelf_read(tmp_path: Path) -> None:
    from tests.test_audio import SOURCE

    source = SOURCE.replace(
        "date: 2024-05-06\n", "date: 2024-05-06\nseries: {name: Kleine Boeken, number: 3}\n"
    )
    m4b_path = build_m4b(tmp_path, make_book(source))
    assert m4b_path is not None
    tags = MP4(m4b_path).tags
    assert tags is not None
    assert tags["\xa9mvn"] == ["Kleine Boeken"] and tags["\xa9mvi"] == [3]
    assert bytes(tags["----:com.apple.iTunes:SERIES-PART"][0]) == b"3"
    half = source.replace("number: 3", "number: 3.5")
    tags = MP4(build_m4b(tmp_path / "half", make_book(half))).tags
    assert tags is not None and "\xa9mvi" not in tags  # a 16-bit whole number has no 3.5
    assert bytes(tags["----:com.apple.iTunes:SERIES-PART"][0]) == b"3.5"
