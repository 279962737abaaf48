"""Renderers that stand in for the real targets in build-engine tests, and a registry of them."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from publisher.pipeline.registry import Entry, Registry
from publisher.renderers.base import RenderContext, RenderResult, Target


@dataclass
class WordsRenderer(Target):
    """Writes one file per chapter with its title, like a real target writes one per chapter."""

    name: str = "words"
    requires: tuple[str, ...] = ()
    owns: tuple[str, ...] = ("words/",)

    def render(self, ctx: RenderContext) -> RenderResult:
        made = []
        for chapter in ctx.book.chapters:
            (ctx.out_dir / f"{chapter.slug}.txt").write_text(chapter.title_text + "\n")
            made.append(f"words/{chapter.slug}.txt")
        return RenderResult(files=tuple(made))


@dataclass
class CountRenderer(Target):
    """Reads the published ``words/`` (it requires ``words``) and writes how many there are."""

    name: str = "count"
    requires: tuple[str, ...] = ("words",)
    owns: tuple[str, ...] = ("count.txt",)

    def render(self, ctx: RenderContext) -> RenderResult:
        words = ctx.find("words")
        count = len(list(words.iterdir())) if words is not None else 0
        (ctx.root / "count.txt").write_text(f"{count}\n")
        return RenderResult(files=("count.txt",))


@dataclass
class FailingRenderer(Target):
    """Writes half its output, then fails with ``error``."""

    error: Exception
    name: str = "failing"
    requires: tuple[str, ...] = ()
    owns: tuple[str, ...] = ("failing/",)

    def render(self, ctx: RenderContext) -> RenderResult:
        (ctx.out_dir / "half.txt").write_text("half")
        raise self.error


@dataclass
class TrespassingRenderer(Target):
    """Writes into a folder it does not own."""

    name: str = "trespassing"
    requires: tuple[str, ...] = ()
    owns: tuple[str, ...] = ("mine/",)

    def render(self, ctx: RenderContext) -> RenderResult:
        (ctx.root / "words").mkdir(exist_ok=True)
        (ctx.root / "words" / "one.txt").write_text("not mine")
        return RenderResult(files=())


@dataclass
class SlowRenderer(Target):
    """Writes a file, says so on a flag file, then sleeps: a build to kill half-way."""

    flag: str
    name: str = "words"
    requires: tuple[str, ...] = ()
    owns: tuple[str, ...] = ("words/",)

    def render(self, ctx: RenderContext) -> RenderResult:
        for chapter in ctx.book.chapters:
            (ctx.out_dir / f"{chapter.slug}.txt").write_text("NEW " + chapter.title_text + "\n")
        with open(self.flag, "w") as f:
            f.write(str(os.getpid()))
        time.sleep(60)
        return RenderResult(files=())


def registry(**extra: Entry) -> Registry:
    """``words`` and ``count``, plus ``extra`` (name → entry)."""
    return {"words": Entry(WordsRenderer), "count": Entry(CountRenderer), **extra}
