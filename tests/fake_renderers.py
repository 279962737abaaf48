"""Renderers that stand in for the real targets in build-engine tests."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from publisher.renderers.base import RenderContext


@dataclass
class WordsRenderer:
    """Writes one file per chapter with its title, like a real target writes one per chapter."""

    name: str = "words"
    folder: str = "words"
    calls: int = 0

    def render(self, ctx: RenderContext) -> None:
        self.calls += 1
        for chapter in ctx.book.chapters:
            (ctx.out_dir / f"{chapter.slug}.txt").write_text(chapter.title_text + "\n")


@dataclass
class FailingRenderer:
    """Writes half its output, then fails."""

    name: str = "failing"
    folder: str = "words"

    def render(self, ctx: RenderContext) -> None:
        (ctx.out_dir / "half.txt").write_text("half")
        raise RuntimeError("the target broke")


@dataclass
class SlowRenderer:
    """Writes a file, says so on a flag file, then sleeps: a build to kill half-way."""

    flag: str
    name: str = "slow"
    folder: str = "words"

    def render(self, ctx: RenderContext) -> None:
        for chapter in ctx.book.chapters:
            (ctx.out_dir / f"{chapter.slug}.txt").write_text("NEW " + chapter.title_text + "\n")
        with open(self.flag, "w") as f:
            f.write(str(os.getpid()))
        time.sleep(60)
