"""Chapters made in the build's own process (``--jobs 1``) use one BLAS thread, as workers do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from threadpoolctl import threadpool_info

from publisher.renderers.audio import pool
from tests import fakes
from tests.test_audio import render


def _blas_threads() -> list[int]:
    return [int(lib["num_threads"]) for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_chapters_made_in_process_use_one_blas_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[list[int]] = []
    real = pool.make_chapter

    def spying(*args: Any, **kwargs: Any) -> Any:
        seen.append(_blas_threads())
        return real(*args, **kwargs)

    monkeypatch.setattr(pool, "make_chapter", spying)
    before = _blas_threads()
    render(tmp_path, jobs=1)
    assert seen, "no chapter was made in this process"
    assert all(threads == [1] * len(threads) and threads for threads in seen), seen
    assert _blas_threads() == before  # the build's own limit ends with the chapters
    fakes.reset()
