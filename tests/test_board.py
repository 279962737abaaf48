"""The board's stop reaches targets that wait on their own threads, not on the board."""

from __future__ import annotations

import threading

import pytest

from publisher.errors import BuildError
from publisher.pipeline.board import Board


def test_a_stop_calls_the_watchers_of_the_moment_on_the_stopping_thread() -> None:
    board = Board()
    calls: list[str] = []

    def watcher(name: str) -> None:
        calls.append(f"{name} on {threading.current_thread().name}")

    with board.watching(lambda: watcher("left")):
        pass
    with board.watching(lambda: watcher("watching")):
        stopper = threading.Thread(target=board.stop, name="stopper")
        stopper.start()
        stopper.join()
    assert calls == ["watching on stopper"]
    with pytest.raises(BuildError, match="stopped"):
        board.wait("audio/a.mp3")


def test_a_watcher_that_comes_after_the_stop_is_called_at_once() -> None:
    board = Board()
    board.stop()
    calls: list[str] = []
    with board.watching(lambda: calls.append("called")):
        assert calls == ["called"]
