"""Runs a build's targets side by side, so that both cores work while the audio is made.

The main thread takes the targets in the plan's order, as a serial build does, and reports
each once it has ended: target lines, warnings and the contract checks come in the same
order, whatever ran at the same time. Rather than wait for a target running on a helper, it
runs a later one that is ready (the audio, while the EPUB is made), keeping what that made
for its turn. Before it starts a target, it hands to helper threads
every later target that can already run: all its required targets (and those it runs
``after``) are done, or have started when it ``follows`` them (see :mod:`publisher.pipeline.board`). So the EPUB is made while the
cover and the audio are, and the audiobook encodes each chapter as soon as its MP3 is
written. The heavy work runs outside the interpreter (worker processes, FFmpeg, libjpeg), so
threads suffice. The target on the main thread is the one a Ctrl-C reaches: the audio stops
its workers there.

With ``jobs`` 1, one target at a time, in order. The outputs are the same bytes either way:
each target's files depend on its inputs, not on when it ran.

Progress: only the first unfinished target of the plan reports it, so one bar is drawn at a
time. What is lost by running side by side: a target that writes into the folder of another
target *running at the same time* is caught when that other target ends, as a file it did
not return, rather than under its own name.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from publisher.pipeline.board import Board
from publisher.renderers.base import BuildOptions, Renderer, RenderResult

Render = Callable[[Renderer, BuildOptions, "Board | None"], RenderResult]
"""Runs one renderer with these options (and the board, when running side by side)."""

Finished = Callable[[Renderer, RenderResult, float, Sequence[Renderer]], None]
"""Told, on the main thread and in the plan's order, what a target made, its seconds, and the
targets started so far (itself included): the contract is checked and the target reported."""


def follows(renderer: Renderer) -> tuple[str, ...]:
    """The required targets whose files ``renderer`` reads as they are made."""
    return renderer.follows


def after(renderer: Renderer) -> tuple[str, ...]:
    """What ``renderer`` waits for: the targets it requires, and those it reads when they
    are built without requiring them (an optional ``after``: the site lists the EPUB and the
    audiobook among its downloads when they are made)."""
    return (*renderer.requires, *renderer.after)


class Schedule:
    """One build's targets and what has become of them (see the module docstring)."""

    def __init__(
        self,
        renderers: Sequence[Renderer],
        render: Render,
        finished: Finished,
        options: BuildOptions,
    ) -> None:
        self.renderers = list(renderers)
        self.render = render
        self.finished = finished
        self.options = options
        self.side_by_side = options.jobs > 1 and len(self.renderers) > 1
        self.board = Board() if self.side_by_side else None
        self.lock = threading.RLock()  # one writer at a time on the terminal
        self.started: list[Renderer] = []
        self.ended: set[str] = set()  # render returned or raised
        self.done: set[str] = set()  # checked and reported by the main thread

    def run(self) -> None:
        """Run every target; the first error (in the plan's order) is raised."""
        pool = ThreadPoolExecutor(max_workers=len(self.renderers), thread_name_prefix="target")
        futures: dict[str, Future[tuple[RenderResult, float]]] = {}
        ahead: dict[str, tuple[RenderResult, float] | Exception] = {}  # run before their turn
        try:
            for renderer in self.renderers:
                future = futures.get(renderer.name)
                if renderer.name in ahead:
                    outcome = ahead.pop(renderer.name)
                    if isinstance(outcome, Exception):
                        raise outcome
                    made, seconds = outcome
                elif future is None:
                    self._start(renderer, pool, futures)
                    made, seconds = self._call(renderer)
                else:
                    self._run_ahead(future, pool, futures, ahead)
                    made, seconds = future.result()
                with self.lock:
                    self.finished(renderer, made, seconds, tuple(self.started))
                self.done.add(renderer.name)
        except BaseException:
            if self.board is not None:
                self.board.stop()  # a target waiting for files that will not come stops
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _start(
        self,
        renderer: Renderer,
        pool: ThreadPoolExecutor,
        futures: dict[str, Future[tuple[RenderResult, float]]],
    ) -> None:
        """Begin ``renderer`` (on this thread), and hand every target now ready to a helper."""
        self._begin(renderer)
        for ready in self._ready():
            self._begin(ready)
            futures[ready.name] = pool.submit(self._call, ready)

    def _run_ahead(
        self,
        future: Future[tuple[RenderResult, float]],
        pool: ThreadPoolExecutor,
        futures: dict[str, Future[tuple[RenderResult, float]]],
        ahead: dict[str, tuple[RenderResult, float] | Exception],
    ) -> None:
        """While the target of ``future`` runs on a helper: run here, rather than wait, each
        later target that is ready (the audio, while the EPUB is still being made), keeping
        what it made, or its error, for its turn. Reports and errors keep the plan's order."""
        while not future.done():
            later = self._ready()
            if not later:
                return
            self._start(later[0], pool, futures)
            try:
                ahead[later[0].name] = self._call(later[0])
            except Exception as e:  # raised in its turn, after the targets before it
                ahead[later[0].name] = e

    def _begin(self, renderer: Renderer) -> None:
        self.started.append(renderer)
        if self.board is not None:
            self.board.start(renderer.name, renderer.owns)

    def _ready(self) -> list[Renderer]:
        """Targets not started whose requirements in this build are done (or started, for
        those they follow)."""
        if not self.side_by_side:
            return []
        names = {r.name for r in self.renderers}
        begun = {r.name for r in self.started}
        ready = []
        for renderer in self.renderers:
            if renderer.name in begun:
                continue
            needed = [n for n in after(renderer) if n in names]
            if all(n in self.done or (n in follows(renderer) and n in begun) for n in needed):
                ready.append(renderer)
        return ready

    def _call(self, renderer: Renderer) -> tuple[RenderResult, float]:
        started = time.monotonic()
        try:
            made = self.render(renderer, self._options(renderer), self.board)
        finally:
            with self.lock:
                self.ended.add(renderer.name)
            if self.board is not None:
                self.board.end(renderer.name)
        return made, time.monotonic() - started

    def _options(self, renderer: Renderer) -> BuildOptions:
        """The build's options, with progress shown only while every target before this one
        in the plan has ended."""
        if not self.side_by_side:
            return self.options
        before = [r.name for r in self.renderers[: self.renderers.index(renderer)]]
        report = self.options.progress

        def progress(done: int, total: int, label: str) -> None:
            with self.lock:
                if all(name in self.ended for name in before):
                    report(done, total, label)

        return dataclasses.replace(self.options, progress=progress)
