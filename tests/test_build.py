"""The build engine: all-or-nothing publishing, untouched files on a no-op, one build at a time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from publisher.build.runner import BuildResult, build, build_lock
from publisher.errors import BuildError
from publisher.renderers.base import BuildOptions
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
from publisher.build.runner import build
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


def _epub_build(source: Path, out: Path) -> tuple[BuildResult, list[str]]:
    warned: list[str] = []
    options = BuildOptions(warn=lambda p: warned.append(str(p)))
    return build(source, out, only=["epub"], options=options), warned


def test_an_unchanged_book_is_up_to_date_and_says_its_warnings_again(
    source: Path, tmp_path: Path
) -> None:
    source.write_text(BOOK.replace("identifier: urn:x\n", ""))  # warns: no identifier
    out = tmp_path / "build"
    first, warned_first = _epub_build(source, out)
    assert first.changed and len(warned_first) == 1
    before = snapshot(out)
    second, warned_second = _epub_build(source, out)
    assert second.changed == () and warned_second == warned_first
    assert [t.files for t in second.targets] == [t.files for t in first.targets]
    assert snapshot(out) == before


def test_a_changed_input_beside_the_book_or_a_touched_output_rebuilds(
    source: Path, tmp_path: Path
) -> None:
    out = tmp_path / "build"
    _epub_build(source, out)
    epub = next((out / "epub").glob("*.epub"))
    good = epub.read_bytes()
    epub.write_bytes(b"damaged by hand")
    repaired, _ = _epub_build(source, out)
    assert repaired.changed == (epub.relative_to(out).as_posix(),)
    assert epub.read_bytes() == good
    (source.parent / "picture.png").write_bytes(b"new image beside the book")
    again, _ = _epub_build(source, out)
    assert again.targets[0].seconds > 0  # rebuilt: the image could be in the book
    assert second_build_was_skipped(source, out)
    assert again.changed == ()


def second_build_was_skipped(source: Path, out: Path) -> bool:
    """A build right after another reports its targets as done in no time: it did nothing."""
    result, _ = _epub_build(source, out)
    return all(t.seconds == 0.0 for t in result.targets)
