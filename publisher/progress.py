"""What the build tells the author while it works: one line per target, a bar over the audio."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from publisher.build.runner import TargetResult
from publisher.errors import Problem


class Reporter:
    """Prints to stderr. The bar appears only on a terminal; ``quiet`` keeps only warnings."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.tty = self.stream.isatty()
        self._started: float | None = None
        self._drawn = False

    def warn(self, problem: Problem) -> None:
        """A warning about the source, always shown."""
        self._clear()
        print(str(problem), file=self.stream)

    def progress(self, done: int, total: int, label: str) -> None:
        """Redraw the bar: ``done`` of ``total`` units, and an estimate of the time left."""
        if self.quiet or not self.tty or total <= 0:
            return
        now = time.monotonic()
        if self._started is None or done == 0:
            self._started = now
        elapsed = now - self._started
        left = ""
        if done > 0 and done < total:
            seconds = int(elapsed / done * (total - done))
            left = f", {seconds // 60}:{seconds % 60:02d} left"
        width = 24
        filled = width * done // total
        bar = "#" * filled + "." * (width - filled)
        text = f"\r{label[:28]:<28} [{bar}] {done}/{total}{left}"
        self.stream.write(text.ljust(80))
        self.stream.flush()
        self._drawn = True
        if done >= total:
            self._clear()

    def target(self, result: TargetResult, out: str) -> None:
        """One line when a target is done."""
        if self.quiet:
            return
        self._clear()
        files = len(result.files)
        noun = "file" if files == 1 else "files"
        print(
            f"{result.name:<6} {files} {noun} in {out} ({result.seconds:.1f} s)", file=self.stream
        )

    def _clear(self) -> None:
        if self._drawn:
            self.stream.write("\r" + " " * 80 + "\r")
            self.stream.flush()
            self._drawn = False
