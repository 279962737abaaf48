"""The one interface every output target implements (mdBook's ``Renderer``/``RenderContext``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from publisher.errors import Problem
from publisher.model import Book


def _no_progress(done: int, total: int, label: str) -> None:
    """Progress sink that ignores everything."""


@dataclass(frozen=True, kw_only=True)
class BuildOptions:
    """Settings of one build that are not part of the book."""

    base_url: str | None = None
    jobs: int = 1
    quiet: bool = False
    # Called as work proceeds: (units done, units in all, what is being worked on).
    progress: Callable[[int, int, str], None] = _no_progress
    # Called with warnings a target finds (they are printed, and fail `check --strict`).
    warn: Callable[[Problem], None] = lambda p: None


@dataclass(frozen=True, kw_only=True)
class RenderContext:
    """What a renderer gets.

    ``out_dir`` is where the renderer *must* put its files: its own folder inside the staging
    root of this build, empty at the start. ``root`` is that staging root (``cover.jpg`` lies
    there). ``published`` is the build folder as the last successful build left it, to read
    outputs of targets that are not part of this build (``--only feed`` reads the audio there).
    ``cache_dir`` persists across builds; a renderer may keep intermediate results there.
    """

    book: Book
    root: Path
    out_dir: Path
    published: Path
    cache_dir: Path
    options: BuildOptions = field(default_factory=BuildOptions)

    def find(self, relative: str) -> Path | None:
        """An output of this build if it made one, else the published one, else None."""
        for base in (self.root, self.published):
            candidate = base / relative
            if candidate.exists():
                return candidate
        return None


class Renderer(Protocol):
    """An output target: EPUB, audio, feed."""

    name: str  # also the name used by `--only`
    folder: str  # its fixed folder inside the build root ("" for files at the root)

    def render(self, ctx: RenderContext) -> None:
        """Write this target's files into ``ctx.out_dir``."""
        ...
