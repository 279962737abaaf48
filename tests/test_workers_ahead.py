"""Chapter workers started as the build begins: up while earlier targets run, gone however the
build ends; with two jobs, one share of the chapters made in the build process itself."""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image

from publisher.errors import BuildError, EngineError
from publisher.pipeline.registry import Entry
from publisher.pipeline.runner import build
from publisher.renderers.audio.renderer import AudioRenderer
from publisher.renderers.base import BuildOptions, RenderContext, RenderResult, Target
from publisher.speech.normalise import normalise
from publisher.text import sentences
from tests import fakes
from tests.books import write_book
from tests.fakes import FAKE_VOICE, FakeFactory
from tests.helpers import require

BOOK = (
    "---\ntitle: T\nauthor: A\nlanguage: nl\n---\n\n## Een\n\nHallo daar.\n\n## Twee\n\nNog een.\n"
)


def children() -> set[int]:
    """This process's live child processes."""
    found: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        found |= {int(pid) for pid in (task / "children").read_text().split()}
    return {pid for pid in found if Path(f"/proc/{pid}").exists() and not _zombie(pid)}


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in "ZX"
    except OSError:
        return True


@dataclass
class Early(Target):
    """The cover, which the audio waits for: notes the children alive while it runs, then
    fails (or makes a small cover)."""

    fail: bool
    name: str = "cover"
    requires: tuple[str, ...] = ()
    owns: tuple[str, ...] = ("cover.jpg",)
    seen: list[set[int]] = field(default_factory=list)

    def render(self, ctx: RenderContext) -> RenderResult:
        self.seen.append(children())
        if self.fail:
            raise BuildError("cover: broken on purpose")
        Image.new("RGB", (16, 16), "teal").save(ctx.root / "cover.jpg")
        return RenderResult(files=("cover.jpg",))


@pytest.mark.parametrize("fail", [False, True])
def test_workers_start_before_the_audio_and_none_outlives_the_build(
    tmp_path: Path, fail: bool
) -> None:
    require(sys.platform.startswith("linux"), "reads /proc")
    source = write_book(tmp_path, BOOK)
    early = Early(fail=fail)
    registry = {
        "cover": Entry(lambda: early),
        "audio": Entry(lambda: AudioRenderer(FakeFactory(), FAKE_VOICE)),
    }
    before = children()
    options = BuildOptions(jobs=2)
    if fail:
        with pytest.raises(BuildError, match="broken on purpose"):
            build(source, tmp_path / "out", registry=registry, options=options)
    else:
        build(source, tmp_path / "out", registry=registry, options=options)
        assert (tmp_path / "out" / "audio" / "een.mp3").is_file()
    # Two chapters to make on two jobs: the worker was up while the cover was made (the
    # build process makes the other share itself).
    assert len(early.seen[0] - before) == 1
    assert children() - before == set()
    assert chapter_threads() == []


def chapter_threads() -> list[threading.Thread]:
    """The build process's chapter threads still alive."""
    return [t for t in threading.enumerate() if t.name == "chapters"]


LONG = " ".join(f"Zin nummer {n} van het lange hoofdstuk." for n in range(1, 13))
THREE = (
    "---\ntitle: T\nauthor: A\nlanguage: nl\n---\n\n"
    f"## Kort\n\nEven kort.\n\n## Lang\n\n{LONG}\n\n## Midden\n\nWat langer dan kort, dit.\n"
)


def build_three(tmp_path: Path, factory: FakeFactory) -> None:
    registry = {
        "cover": Entry(lambda: Early(fail=False)),
        "audio": Entry(lambda: AudioRenderer(factory, FAKE_VOICE)),
    }
    source = write_book(tmp_path, THREE)
    build(source, tmp_path / "out", registry=registry, options=BuildOptions(jobs=2))


def test_with_two_jobs_the_build_process_makes_one_share(tmp_path: Path) -> None:
    # The fake counts what it says in this process: the build's share, not the worker's.
    fakes.calls.clear()
    build_three(tmp_path, FakeFactory())
    said = set(fakes.calls)
    # Longest first: the build process took the long chapter, the worker the middle one
    # (whose sentences the engine is given with their numbers in words).
    assert {normalise(s, "nl") for s in sentences(LONG)} <= said
    assert "Zin nummer twaalf van het lange hoofdstuk." in said
    assert "Wat langer dan kort, dit." not in said
    assert {p.name for p in (tmp_path / "out" / "audio").glob("*.mp3")} == {
        "kort.mp3",
        "lang.mp3",
        "midden.mp3",
    }
    assert chapter_threads() == []


def test_an_engine_error_in_the_build_process_share_is_a_workers_error(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match=r"book\.md:\d+: chapter 'Lang': fake: service"):
        build_three(tmp_path, FakeFactory(fail_on="Zin nummer vijf "))
    assert chapter_threads() == []
