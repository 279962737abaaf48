"""With two jobs, a target that is ready does not wait for an earlier one still running
beside it: it starts on the main thread (where the audio must run, for Ctrl-C), and the
targets are still reported, and their errors raised, in the plan's order."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from publisher.errors import BuildError
from publisher.pipeline.registry import Entry
from publisher.pipeline.runner import build
from publisher.renderers.base import BuildOptions, RenderContext, RenderResult, Target
from tests.books import write_book

BOOK = "---\ntitle: T\nauthor: A\nlanguage: en\nidentifier: urn:x\n---\n\n## One\n\nx\n"

EVENTS: list[tuple[str, str, float]] = []  # (target, "start"/"end", time)


@dataclass
class Step(Target):
    """Writes ``<name>.txt`` after ``seconds``, noting when it starts and ends and where."""

    name: str
    requires: tuple[str, ...] = ()
    seconds: float = 0.0
    fail: bool = False

    @property
    def owns(self) -> tuple[str, ...]:
        return (f"{self.name}.txt",)

    def render(self, ctx: RenderContext) -> RenderResult:
        where = "main" if threading.current_thread() is threading.main_thread() else "helper"
        EVENTS.append((self.name, f"start on {where}", time.monotonic()))
        time.sleep(self.seconds)
        if self.fail:
            raise RuntimeError(f"{self.name} broke")
        (ctx.root / f"{self.name}.txt").write_text(self.name)
        EVENTS.append((self.name, "end", time.monotonic()))
        return RenderResult(files=(f"{self.name}.txt",))


def registry(*, fail: tuple[str, ...] = ()) -> dict[str, Entry]:
    # The plan's order: first, slow (beside it, on a helper), heavy (needs first only).
    return {
        "first": Entry(lambda: Step("first", fail="first" in fail)),
        "slow": Entry(lambda: Step("slow", seconds=1.0, fail="slow" in fail)),
        "heavy": Entry(lambda: Step("heavy", requires=("first",), fail="heavy" in fail)),
    }


@pytest.fixture
def source(tmp_path: Path) -> Path:
    EVENTS.clear()
    return write_book(tmp_path, BOOK)


def _when(name: str, what: str) -> float:
    return next(t for n, w, t in EVENTS if n == name and w.startswith(what))


def test_a_ready_target_runs_on_the_main_thread_while_an_earlier_one_runs_beside(
    source: Path, tmp_path: Path
) -> None:
    lines: list[str] = []
    build(
        source,
        tmp_path / "out",
        registry=registry(),
        options=BuildOptions(jobs=2),
        on_target=lambda r: lines.append(r.name),
    )
    assert ("heavy", "start on main") in [(n, w) for n, w, _ in EVENTS]
    assert _when("heavy", "end") < _when("slow", "end")  # it did not wait for "slow"
    assert lines == ["first", "slow", "heavy"]  # reported in the plan's order
    assert (tmp_path / "out" / "heavy.txt").read_text() == "heavy"


def test_errors_are_raised_in_the_plan_s_order(source: Path, tmp_path: Path) -> None:
    with pytest.raises(BuildError, match=r"^heavy: heavy broke$"):
        build(
            source, tmp_path / "a", registry=registry(fail=("heavy",)), options=BuildOptions(jobs=2)
        )
    # Both fail: the earlier target's error is the one raised, though "heavy" failed first.
    with pytest.raises(BuildError, match=r"^slow: slow broke$"):
        build(
            source,
            tmp_path / "b",
            registry=registry(fail=("slow", "heavy")),
            options=BuildOptions(jobs=2),
        )
    assert not [t for t in threading.enumerate() if t.name.startswith("target")]
