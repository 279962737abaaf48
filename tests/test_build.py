"""The build engine: all-or-nothing publishing, the renderer contract, the build folder holding
only outputs, untouched files on a no-op, one build at a time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from publisher.errors import BuildError, Problem, SourceError
from publisher.pipeline.registry import REGISTRY, Entry, plan
from publisher.pipeline.runner import BuildResult, build, build_lock, state_folder
from tests.books import write_book
from tests.fake_renderers import FailingRenderer, SlowRenderer, TrespassingRenderer, registry

ROOT = Path(__file__).parents[1]
BOOK = (
    "---\ntitle: T\nauthor: A\nlanguage: en\nidentifier: urn:x\n---\n\n## One\n\nx\n\n## Two\n\ny\n"
)
WORDS = registry()


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return write_book(tmp_path, BOOK)


def snapshot(out: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def test_build_publishes_and_a_no_op_rebuild_touches_nothing(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    first = build(source, out, only=["words"], registry=WORDS)
    assert sorted(first.changed) == ["words/one.txt", "words/two.txt"]
    assert not first.up_to_date
    before = snapshot(out)
    time.sleep(0.01)
    second = build(source, out, only=["words"], registry=WORDS)
    assert second.up_to_date  # custom renderers are checked for being up to date too
    assert second.changed == () and second.removed == ()
    assert snapshot(out) == before  # same bytes, same modification times


def test_the_build_folder_holds_only_outputs(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    build(source, out, only=["words"], registry=WORDS)
    build(source, out, only=["words"], registry=WORDS)
    listing = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert listing == ["words", "words/one.txt", "words/two.txt"]  # no dotfile, no cache
    state = state_folder(source)
    assert state == source.parent / ".publisher" and (state / "lock").is_file()
    assert len(list((state / "published").glob("*.json"))) == 1  # one record per folder


def test_a_failed_build_leaves_the_previous_one(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    build(source, out, only=["words"], registry=WORDS)
    before = snapshot(out)
    source.write_text(BOOK.replace("## Two", "## Three"))
    failing = registry(failing=Entry(lambda: FailingRenderer(RuntimeError("the target broke"))))
    with pytest.raises(BuildError) as caught:
        build(source, out, only=["words", "failing"], registry=failing)
    assert str(caught.value) == "failing: the target broke"
    assert snapshot(out) == before
    assert not list(out.glob(".staging-*"))


def test_an_os_error_in_a_renderer_is_a_build_error_naming_the_target(
    source: Path, tmp_path: Path
) -> None:
    error = OSError(28, "No space left on device", "/disk/x.mp3")
    failing = registry(failing=Entry(lambda: FailingRenderer(error)))
    with pytest.raises(BuildError) as caught:
        build(source, tmp_path / "build", only=["failing"], registry=failing)
    assert str(caught.value) == "failing: /disk/x.mp3: No space left on device"
    assert caught.value.__cause__ is error


def test_a_renderer_writing_outside_what_it_owns_fails_the_build(
    source: Path, tmp_path: Path
) -> None:
    out = tmp_path / "build"
    build(source, out, only=["words"], registry=WORDS)
    before = snapshot(out)
    source.write_text(BOOK + "\nmore\n")
    bad = registry(trespassing=Entry(TrespassingRenderer))
    with pytest.raises(BuildError, match=r"^trespassing: wrote 'words/one.txt', outside"):
        build(source, out, only=["trespassing"], registry=bad)
    assert snapshot(out) == before


def test_files_a_target_no_longer_makes_are_removed(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    build(source, out, only=["words"], registry=WORDS)
    source.write_text(BOOK.replace("## Two", "## Three"))
    result = build(source, out, only=["words"], registry=WORDS)
    assert result.removed == ("words/two.txt",)
    assert sorted(p.name for p in (out / "words").iterdir()) == ["one.txt", "three.txt"]


def test_a_required_target_is_built_first_or_read_from_the_published_build(
    source: Path, tmp_path: Path
) -> None:
    out = tmp_path / "build"
    with pytest.raises(BuildError, match=r"count: needs the words target's output \(words/\)"):
        build(source, out, only=["count"], registry=WORDS)
    result = build(source, out, only=["count", "words"], registry=WORDS)
    assert [t.name for t in result.targets] == ["words", "count"]  # the order of `requires`
    assert (out / "count.txt").read_text() == "2\n"
    source.write_text(BOOK + "\n## Three\n\nz\n")
    again = build(source, out, only=["count"], registry=WORDS)  # reads the published words/
    assert [t.name for t in again.targets] == ["count"]
    assert (out / "count.txt").read_text() == "2\n"


def test_the_built_in_order_and_what_only_may_name() -> None:
    order = [r.name for r in plan(list(REGISTRY)).run]
    assert order == ["cover", "epub", "audio", "feed", "narrated-epub", "audiobook", "site"]
    feed_only = plan(["feed"])
    # The cover is cheap and could be stale: made whenever needed; the audio is read.
    assert [r.name for r in feed_only.run] == ["cover", "feed"]
    assert [r.name for r in feed_only.published] == ["audio"]
    for bad, message in (([], "names no target"), (["pdf"], "unknown target 'pdf'")):
        with pytest.raises(SourceError, match=message):
            plan(bad)


def test_a_second_build_of_the_same_book_is_refused(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    with (
        build_lock(state_folder(source)),
        pytest.raises(BuildError, match="another build of this book is running"),
    ):
        build(source, out, only=["words"], registry=WORDS)
    build(source, out, only=["words"], registry=WORDS)  # released afterwards


KILL_SCRIPT = """
import sys
from pathlib import Path
from publisher.pipeline.registry import Entry
from publisher.pipeline.runner import build
from tests.fake_renderers import SlowRenderer
slow = {"words": Entry(lambda: SlowRenderer(flag=sys.argv[3]))}
build(Path(sys.argv[1]), Path(sys.argv[2]), registry=slow)
"""


def test_sigkill_half_way_leaves_the_previous_build_and_the_next_is_correct(
    source: Path, tmp_path: Path
) -> None:
    assert SlowRenderer.owns == ("words/",)
    out = tmp_path / "build"
    build(source, out, only=["words"], registry=WORDS)
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
    assert {k: v for k, v in snapshot(out).items() if not k.startswith(".staging-")} == before
    result = build(source, out, only=["words"], registry=WORDS)  # the lock died with it
    assert sorted(p.name for p in (out / "words").iterdir()) == ["one.txt", "three.txt"]
    assert result.removed == ("words/two.txt",)
    assert not list(out.glob(".staging-*"))


def _epub_build(source: Path, out: Path) -> tuple[BuildResult, list[str]]:
    warned: list[Problem] = []
    result = build(source, out, only=["epub"], on_warning=warned.append)
    assert list(result.warnings) == warned
    return result, [str(p) for p in warned]


def test_an_unchanged_book_is_up_to_date_and_says_its_warnings_again(
    source: Path, tmp_path: Path
) -> None:
    source.write_text(BOOK.replace("identifier: urn:x\n", ""))  # warns: no identifier
    out = tmp_path / "build"
    first, warned_first = _epub_build(source, out)
    assert any("identifier" in w for w in warned_first)
    assert any("no podcast.base_url" in w for w in warned_first)  # the validation's, too
    assert first.changed and len(warned_first) == 2 and not first.up_to_date
    assert [t.name for t in first.targets] == ["epub"]  # the EPUB draws its own portrait cover
    before = snapshot(out)
    second, warned_second = _epub_build(source, out)
    assert second.up_to_date and second.changed == () and warned_second == warned_first
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
    assert not repaired.up_to_date
    assert repaired.changed == (epub.relative_to(out).as_posix(),)
    assert epub.read_bytes() == good
    (source.parent / "picture.png").write_bytes(b"new image beside the book")
    again, _ = _epub_build(source, out)
    assert not again.up_to_date  # rebuilt: the image could be in the book
    assert again.changed == ()
    assert _epub_build(source, out)[0].up_to_date
