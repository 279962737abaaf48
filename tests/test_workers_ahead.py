"""Chapter workers started as the build begins: up while earlier targets run, gone however the
build ends."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image

from publisher.build.registry import Entry
from publisher.build.runner import build
from publisher.errors import BuildError
from publisher.renderers.audio.renderer import AudioRenderer
from publisher.renderers.base import BuildOptions, RenderContext, RenderResult
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
class Early:
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
    # Two chapters to make on two jobs: both workers were up while the cover was made.
    assert len(early.seen[0] - before) == 2
    assert children() - before == set()
