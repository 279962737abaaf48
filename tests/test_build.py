"""The build engine: all-or-nothing publishing, untouched files on a no-op, one build at a time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from publisher.build import build, build_lock
from publisher.errors import BuildError
from tests.fake_renderers import FailingRenderer, WordsRenderer

ROOT = Path(__file__).parents[1]
BOOK = (
    "---\ntitle: T\nauthor: A\nlanguage: en\nidentifier: urn:x\n---\n\n## One\n\nx\n\n## Two\n\ny\n"
)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "book.md"
    path.write_text(BOOK)
    return path


def snapshot(out: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.relative_to(out).as_posix().startswith(".")
    }


def test_build_publishes_and_a_no_op_rebuild_touches_nothing(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    first = build(source, out, renderers=[WordsRenderer()])
    assert sorted(first.changed) == ["cover.jpg", "words/one.txt", "words/two.txt"]
    before = snapshot(out)
    time.sleep(0.01)
    second = build(source, out, renderers=[WordsRenderer()])
    assert second.changed == () and second.removed == ()
    assert snapshot(out) == before  # same bytes, same modification times
    assert not list(out.glob(".staging-*"))


def test_a_failed_build_leaves_the_previous_one(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    build(source, out, renderers=[WordsRenderer()])
    before = snapshot(out)
    source.write_text(BOOK.replace("## Two", "## Three"))
    with pytest.raises(RuntimeError, match="the target broke"):
        build(source, out, renderers=[WordsRenderer(), FailingRenderer()])
    assert snapshot(out) == before
    assert not list(out.glob(".staging-*"))


def test_files_a_target_no_longer_makes_are_removed(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    build(source, out, renderers=[WordsRenderer()])
    source.write_text(BOOK.replace("## Two", "## Three"))
    result = build(source, out, renderers=[WordsRenderer()])
    assert result.removed == ("words/two.txt",)
    assert sorted(p.name for p in (out / "words").iterdir()) == ["one.txt", "three.txt"]


def test_a_second_build_on_the_same_folder_is_refused(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    with (
        build_lock(out),
        pytest.raises(BuildError, match="another build is running in this folder"),
    ):
        build(source, out, renderers=[WordsRenderer()])
    build(source, out, renderers=[WordsRenderer()])  # released afterwards


KILL_SCRIPT = """
import sys
from pathlib import Path
from publisher.build import build
from tests.fake_renderers import SlowRenderer
build(Path(sys.argv[1]), Path(sys.argv[2]), renderers=[SlowRenderer(flag=sys.argv[3])])
"""


def test_sigkill_half_way_leaves_the_previous_build_and_the_next_is_correct(
    source: Path, tmp_path: Path
) -> None:
    out = tmp_path / "build"
    build(source, out, renderers=[WordsRenderer()])
    before = snapshot(out)
    source.write_text(BOOK.replace("## Two", "## Three"))
    flag = tmp_path / "flag"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(source), str(out), str(flag)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        deadline = time.monotonic() + 30
        while not flag.exists():
            assert proc.poll() is None, "the build ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        # The killed build had written its new files into staging, not into the build.
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert snapshot(out) == before
    result = build(source, out, renderers=[WordsRenderer()])  # the lock died with the process
    assert sorted(p.name for p in (out / "words").iterdir()) == ["one.txt", "three.txt"]
    assert result.removed == ("words/two.txt",)
    assert not list(out.glob(".staging-*"))
