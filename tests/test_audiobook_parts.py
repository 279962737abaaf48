"""Where the audiobook cuts a chapter's decoded audio into AAC parts (no encoder needed)."""

from __future__ import annotations

import numpy as np

from publisher.renderers.audiobook.parts import LEAD, LEAST, split

FRAME = 1024


def sound(n: int, seed: int) -> np.ndarray:
    """``n`` samples of noise, never exactly zero."""
    rng = np.random.default_rng(seed)
    return (rng.uniform(0.1, 0.5, n) * rng.choice([-1, 1], n)).astype(np.float32)


def silence(n: int) -> np.ndarray:
    return np.zeros(n, np.float32)


def chapter(middle: np.ndarray) -> np.ndarray:
    """Silence, a paragraph, a long pause, ``middle``, a long pause, a paragraph, silence."""
    pause = silence(10 * FRAME)
    return np.concatenate(
        [silence(3000), sound(40_000, 1), pause, middle, pause, sound(30_000, 3), silence(5000)]
    )


def chunked(samples: np.ndarray, size: int) -> list[np.ndarray]:
    return [samples[i : i + size] for i in range(0, len(samples), size)]


def test_cuts_fall_lead_packets_before_the_sound_after_a_long_silence() -> None:
    audio = chapter(sound(20_000, 2))
    spans = split([audio], FRAME)
    assert [s.start for s in spans] == [
        0,
        3000 + 40_000 + 10 * FRAME - LEAD * FRAME,
        3000 + 40_000 + 20 * FRAME + 20_000 - LEAD * FRAME,
    ]
    assert sum(s.samples for s in spans) == len(audio)
    for span in spans[1:]:  # each part starts with LEAD packets of silence, then sound
        assert not audio[span.start : span.start + LEAD * FRAME].any()
        assert audio[span.start + LEAD * FRAME] != 0


def test_a_short_silence_or_the_opening_silence_is_not_cut() -> None:
    short = silence((LEAST - 1) * FRAME)
    audio = np.concatenate([silence(50 * FRAME), sound(9000, 4), short, sound(9000, 5)])
    assert len(split([audio], FRAME)) == 1


def test_how_the_audio_arrives_does_not_change_the_parts() -> None:
    audio = chapter(sound(20_000, 2))
    whole = split([audio], FRAME)
    for size in (576, 4096, 32_768):
        pieces = split(chunked(audio, size), FRAME)
        assert [(s.start, s.samples, s.digest) for s in pieces] == [
            (s.start, s.samples, s.digest) for s in whole
        ]


def test_an_edit_changes_only_its_own_part() -> None:
    before = split([chapter(sound(20_000, 2))], FRAME)
    after = split([chapter(sound(26_000, 7))], FRAME)
    assert len(before) == len(after) == 3
    assert before[0].digest == after[0].digest
    assert before[1].digest != after[1].digest
    assert before[2].digest == after[2].digest


def test_a_muxed_chapters_piece_is_let_go_before_the_next_is_muxed() -> None:
    """An 11-hour book's packet sizes are 30 MB: the muxer must not hold every chapter's."""
    import gc
    import weakref
    from concurrent.futures import Future

    from publisher.renderers.audiobook.pieces import Piece
    from publisher.renderers.audiobook.renderer import _taken

    pieces = [
        Piece(sample_rate=22050, samples=1024 * n, sizes=tuple(range(300, 300 + n)), data=b"")
        for n in (5, 6, 7)
    ]
    alive = [weakref.ref(piece) for piece in pieces]
    ready: list[Future[tuple[str, str, Piece]]] = []
    for n, piece in enumerate(pieces):
        slot: Future[tuple[str, str, Piece]] = Future()
        slot.set_result((f"chapter {n}", f"key {n}", piece))
        ready.append(slot)
    del pieces, piece, slot
    taken = _taken(ready)
    first = next(taken)
    assert first[2].samples == 5 * 1024
    del first
    second = next(taken)
    gc.collect()
    assert alive[0]() is None  # the first chapter's piece is gone
    assert alive[2]() is not None  # the third is still to come
    assert second[1] == "key 1"
