"""What the build tells the author while it works: one line per target, a bar over the audio.

The bar is click's (``click.progressbar``): it measures the terminal, estimates the time
left and redraws in place; it is drawn only on a terminal, and never when ``quiet``.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

import click

from publisher.errors import Problem
from publisher.pipeline.runner import TargetResult


class Reporter:
    """Prints to stderr. ``quiet`` keeps only warnings (and errors, which the CLI prints):
    no notes, progress or lines per target."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.tty = self.stream.isatty()
        self._bar: Any = None  # click's ProgressBar is not public API, so not named here

    def warn(self, problem: Problem) -> None:
        """A warning about the source, always shown; a note, unless ``quiet``."""
        if self.quiet and problem.severity == "note":
            return
        self._finish()
        click.echo(str(problem), file=self.stream)

    def progress(self, done: int, total: int, label: str) -> None:
        """Move the bar to ``done`` of ``total`` units; ``label`` is what is being worked on."""
        if self.quiet or not self.tty or total <= 0:
            return
        if self._bar is None or self._bar.length != total:
            self._finish()
            self._bar = click.progressbar(
                length=total,
                file=self.stream,
                show_pos=True,
                item_show_func=lambda item: item,
            )
        self._bar.update(max(0, done - self._bar.pos), label[:28])
        if done >= total:
            self._finish()

    def target(self, result: TargetResult, out: str) -> None:
        """One line when a target is done (or found up to date)."""
        self._finish()
        if self.quiet:
            return
        files = len(result.files)
        noun = "file" if files == 1 else "files"
        how = "up to date" if result.up_to_date else f"{result.seconds:.1f} s"
        click.echo(f"{result.name:<6} {files} {noun} in {out} ({how})", file=self.stream)

    def note(self, text: str) -> None:
        """Something about the workspace the author should know (the cache passed its cap),
        always shown."""
        self._finish()
        click.echo(f"note: {text}", file=self.stream)

    def _finish(self) -> None:
        if self._bar is not None:
            self._bar.render_finish()  # ends the bar's line so the next text starts clean
            self._bar = None
