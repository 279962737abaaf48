"""Targets side by side: a target that follows another reads its files while it runs, the
others run beside the main one, and the order of what is reported stays the plan's."""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from publisher.errors import BuildError
from publisher.pipeline.registry import Entry
from publisher.pipeline.runner import build
from publisher.renderers.base import BuildOptions, RenderContext, RenderResult, Target
from tests.books import write_book

BOOK = (
    "---\ntitle: T\nauthor: A\nlanguage: en\nidentifier: urn:x\n---\n\n"
    "## One\n\nx\n\n## Two\n\ny\n\n## Three\n\nz\n"
)


@dataclass
class Seen:
    """What the producer learnt while it ran: whether the follower had read its first file."""

    first_read: threading.Event = field(default_factory=threading.Event)
    alone_reported: threading.Event = field(default_factory=threading.Event)
    follower_waited: list[bool] = field(default_factory=list)


SEEN = Seen()


@dataclass
class Producer(Target):
    """Writes one file per chapter, says so after each, and after the first waits (a while)
    for the follower to have read it."""

    fail: bool = False
    name: str = "producer"
    requires: tuple[str, ...] = ()
    owns: tuple[str, ...] = ("made/",)

    def render(self, ctx: RenderContext) -> RenderResult:
        made = []
        for n, chapter in enumerate(ctx.book.chapters):
            (ctx.out_dir / f"{chapter.slug}.txt").write_text(chapter.title_text)
            if self.fail and n == 1:
                raise RuntimeError("the second chapter broke")
            made.append(f"made/{chapter.slug}.txt")
            ctx.made(made[-1])
            if n == 0 and ctx.board is not None:
                SEEN.follower_waited.append(SEEN.first_read.wait(timeout=20))
                SEEN.alone_reported.wait(timeout=20)
        return RenderResult(files=tuple(made))


@dataclass
class Follower(Target):
    """Reads the producer's files as they come and writes them, in reading order, in one."""

    name: str = "follower"
    requires: tuple[str, ...] = ("producer",)
    follows: tuple[str, ...] = ("producer",)
    owns: tuple[str, ...] = ("all.txt",)

    def render(self, ctx: RenderContext) -> RenderResult:
        texts = {}
        wanted = [f"made/{c.slug}.txt" for c in ctx.book.chapters]
        for relative, path in ctx.as_made(wanted):
            if path is None:
                raise BuildError(f"follower: {relative} never came")
            texts[relative] = path.read_text()
            SEEN.first_read.set()
        (ctx.root / "all.txt").write_text(",".join(texts[r] for r in wanted))
        return RenderResult(files=("all.txt",))


@dataclass
class Alone(Target):
    """Needs nothing: runs beside the others, and reports progress while the producer runs."""

    name: str = "alone"
    requires: tuple[str, ...] = ()
    owns: tuple[str, ...] = ("alone.txt",)

    def render(self, ctx: RenderContext) -> RenderResult:
        ctx.options.progress(1, 2, "alone, while the producer runs")
        SEEN.alone_reported.set()
        time.sleep(0.5)  # still running when the producer and the tail are done
        (ctx.root / "alone.txt").write_text(str(len(ctx.book.chapters)))
        return RenderResult(files=("alone.txt",))


@dataclass
class Tail(Target):
    """Needs the producer; runs on the main thread after it."""

    name: str = "tail"
    requires: tuple[str, ...] = ("producer",)
    owns: tuple[str, ...] = ("tail.txt",)

    def render(self, ctx: RenderContext) -> RenderResult:
        (ctx.root / "tail.txt").write_text("tail")
        return RenderResult(files=("tail.txt",))


@dataclass
class Lister(Target):
    """Says which of the others' files it found, as the site lists the downloads: it runs
    ``after`` them without requiring them."""

    name: str = "lister"
    requires: tuple[str, ...] = ("producer",)
    after: tuple[str, ...] = ("alone", "follower")
    owns: tuple[str, ...] = ("list.txt",)

    def render(self, ctx: RenderContext) -> RenderResult:
        # Looked for in the folder, as the site does, not through ctx.find (which waits).
        found = [name for name in ("alone.txt", "all.txt") if (ctx.root / name).exists()]
        (ctx.root / "list.txt").write_text(",".join(found))
        return RenderResult(files=("list.txt",))


def registry(fail: bool = False) -> dict[str, Entry]:
    return {
        "producer": Entry(lambda: Producer(fail=fail)),
        "tail": Entry(Tail),
        "alone": Entry(Alone),
        "follower": Entry(Follower),
        "lister": Entry(Lister),
    }


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return write_book(tmp_path, BOOK)


@pytest.fixture(autouse=True)
def fresh_seen() -> None:
    global SEEN
    SEEN = Seen()


def files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_a_follower_reads_files_while_their_maker_runs_and_makes_the_same_bytes(
    source: Path, tmp_path: Path
) -> None:
    lines: list[str] = []
    serial = build(source, tmp_path / "one", registry=registry(), options=BuildOptions(jobs=1))
    assert SEEN.follower_waited == []  # one at a time: the follower ran after the producer
    side = build(
        source,
        tmp_path / "two",
        registry=registry(),
        options=BuildOptions(jobs=2),
        on_target=lambda r: lines.append(r.name),
    )
    # The producer saw its first file read before it had made the rest.
    assert SEEN.follower_waited == [True]
    assert files(tmp_path / "one") == files(tmp_path / "two")
    assert (tmp_path / "two" / "all.txt").read_text() == "One,Two,Three"
    assert (tmp_path / "two" / "list.txt").read_text() == "alone.txt,all.txt"
    # Reported in the plan's order, whatever finished first.
    assert lines == ["producer", "tail", "alone", "follower", "lister"]
    assert [t.name for t in side.targets] == [t.name for t in serial.targets]


def test_a_failing_maker_stops_its_follower_and_keeps_the_previous_build(
    source: Path, tmp_path: Path
) -> None:
    out = tmp_path / "build"
    build(source, out, registry=registry(), options=BuildOptions(jobs=2))
    before = files(out)
    source.write_text(BOOK.replace("## Three", "## Four"))
    with pytest.raises(BuildError, match=r"^producer: the second chapter broke$"):
        build(source, out, registry=registry(fail=True), options=BuildOptions(jobs=2))
    assert files(out) == before
    assert not [t for t in threading.enumerate() if t.name.startswith("target")]


def test_progress_is_shown_only_for_the_first_unfinished_target(
    source: Path, tmp_path: Path
) -> None:
    shown: list[str] = []
    options = BuildOptions(jobs=2, progress=lambda _d, _t, label: shown.append(label))
    build(source, tmp_path / "out", registry=registry(), options=options)
    assert SEEN.alone_reported.is_set()
    # "alone" reported while the producer (before it in the plan) still ran: not shown,
    # so two bars never fight over the terminal.
    assert "alone, while the producer runs" not in shown
    # One at a time, it is the first unfinished target: shown.
    build(
        source,
        tmp_path / "serial",
        registry=registry(),
        options=dataclasses.replace(options, jobs=1),
    )
    assert "alone, while the producer runs" in shown
