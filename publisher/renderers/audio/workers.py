"""Long-lived chapter workers started as plain child interpreters, for every engine.

Every process of a build counts in its memory. A :class:`ProcessPoolExecutor` brings two
besides its workers: the forkserver (or the big parent itself, forked) and, for the
semaphores of its queues, the resource tracker: 27 MB of a long book's peak. Workers that
make chapter after chapter (:mod:`publisher.renderers.audio.pool`: espeak-ng, gTTS, Piper)
need neither, so they are started here with :mod:`subprocess` and spoken to over their
standard input and output (a pickled message at a time, through
:class:`multiprocessing.connection.Connection`, which needs no semaphore):

* to the worker (its command line carries the parent's ``sys.path``, so that a test's engine
  can be unpickled, as ``spawn`` does): its :class:`~publisher.renderers.audio.chapter.Engines` and the
  build's pid, then one :class:`~publisher.renderers.audio.chapter.ChapterJob` at a time;
* from the worker: ``("tick", index)`` per utterance, then ``("done", index, timing)`` or
  ``("error", index, exception)``.

**One share in the build process.** With two or more jobs, one worker is a thread of the
build process (:class:`LocalWorker`), which speaks over in-process pipes of the same kind.
Each process of a build carries its own interpreter, numpy and libraries, about 45 MB before
it makes anything; the build process has them anyway, and is otherwise idle while the
chapters are made. On a 100,000-word book the audio stage's memory (summed over the build's
processes) fell from 208 MB to under 180 MB; sharing the build process's interpreter lock
with the other targets early in a build cost 1–2 % on the seed (A/B medians of 5). The thread limits BLAS to
one thread and tunes the allocator as a child's environment does (:mod:`publisher.infra.heap`),
and stops at the next utterance when the build stops.

A worker given no more chapters sees its input close and exits, so the memory of a worker
with nothing left to make is free while the last chapters (and the audiobook's encoding,
which starts then) run. Workers run in their own process group: a Ctrl-C in the terminal
reaches the build alone, which stops them (:func:`run_workers`). A worker still ends with
the build however it ends (:func:`~publisher.renderers.audio.processes.die_with_build`).
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from multiprocessing.connection import Connection, Pipe, wait
from typing import Any

from publisher.errors import BuildError
from publisher.infra.heap import tune_for_chapters
from publisher.renderers.audio.chapter import ChapterJob, ChapterTiming, Engines, make_chapter
from publisher.renderers.audio.processes import (
    die_with_build,
    no_interrupt_while_starting,
    one_blas_thread,
)

_BOOT = "import sys; sys.path[:] = {path!r}; from publisher.renderers.audio.workers import serve; serve()"
"""What a worker runs: the parent's import path first, then :func:`serve`."""


class Worker:
    """One child interpreter and the two ends of its pipes; ``env`` is its environment."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = dict(env)
        self.process = subprocess.Popen(
            [sys.executable, "-c", _BOOT.format(path=sys.path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=dict(env),
            process_group=0,  # a terminal's Ctrl-C goes to the build only
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.send = Connection(os.dup(self.process.stdin.fileno()), readable=False)
        self.receive = Connection(os.dup(self.process.stdout.fileno()), writable=False)
        self.process.stdin.close()
        self.process.stdout.close()
        self.job: int | None = None  # the chapter it is making

    def give(self, job: ChapterJob | None) -> None:
        """Send ``job``; None closes the worker's input, and it exits."""
        if job is None:
            self.send.close()
            self.job = None
            return
        self.send.send(job)
        self.job = job.index

    def stop(self) -> None:
        """End the worker now if it still runs, and wait for it."""
        if not self.send.closed:
            self.send.close()
        if self.process.poll() is None and self.job is not None:
            self.process.terminate()
        self.process.wait()
        self.receive.close()


class LocalWorker(Worker):
    """A worker that is a thread of the build process (module docstring: one share in the
    build process). It speaks over the same kind of pipes as a child does, so that
    :func:`run_workers` waits on both alike."""

    def __init__(self, engines: Engines) -> None:
        self.env = {}
        to_thread, self.send = Pipe(duplex=False)
        self.receive, from_thread = Pipe(duplex=False)
        self.job = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(
            target=_local,
            args=(engines, to_thread, from_thread, self.stopping),
            name="chapters",
            daemon=True,
        )
        self.thread.start()

    def stop(self) -> None:
        """Stop it and wait for it: a chapter under way stops at its next utterance (a thread
        cannot be killed), or, past its synthesis, once mastered (a second or two)."""
        self.stopping.set()
        if not self.send.closed:
            self.send.close()
        self.thread.join()
        self.receive.close()


def start_workers(count: int, env: Mapping[str, str]) -> list[Worker]:
    """``count`` workers started now, for :func:`run_workers` to take later: a worker spends
    about 0.3 s importing before it can make a chapter, time the build can spend on other
    targets. One never given a chapter exits when :meth:`Worker.stop` closes its input."""
    with no_interrupt_while_starting():
        return [Worker(env) for _ in range(count)]


def run_workers(
    ordered: Sequence[ChapterJob],
    engines: Engines,
    count: int,
    done: Callable[[int, bool], None],
    env: Mapping[str, str],
    started: list[Worker] | None = None,
    local: Engines | None = None,
) -> dict[int, ChapterTiming]:
    """Make ``ordered`` (in that order) on ``count`` workers, each with ``engines``; their
    timings by job index (see :func:`~publisher.renderers.audio.pool.run_jobs`). Workers are
    taken from ``started`` (:func:`start_workers`, the same ``env``) before new ones start."""
    results: dict[int, ChapterTiming] = {}
    waiting = deque(ordered)
    workers: list[Worker] = []
    try:
        with no_interrupt_while_starting():
            for n in range(max(1, min(count, len(ordered)))):
                if n == 0 and local is not None and uses_local(len(ordered), count):
                    workers.append(LocalWorker(local))
                else:
                    # One started ahead if it suits; any left over are stopped by their starter.
                    ahead = started and started[-1].env == dict(env)
                    worker = started.pop() if started and ahead else Worker(env)
                    workers.append(worker)
                    worker.send.send((engines, os.getpid()))
                workers[-1].give(waiting.popleft())
        busy = {w.receive: w for w in workers}
        while busy:
            for ready in wait(list(busy)):
                worker = busy[ready]  # type: ignore[index]
                _receive(worker, results, done)
                if worker.job is None:
                    worker.give(waiting.popleft() if waiting else None)
                if worker.job is None:
                    del busy[worker.receive]
    finally:
        for worker in workers:
            worker.stop()
    return results


def _receive(
    worker: Worker, results: dict[int, ChapterTiming], done: Callable[[int, bool], None]
) -> None:
    """Take one message from ``worker``; a finished chapter leaves it without a job."""
    try:
        message = worker.receive.recv()
    except (EOFError, OSError) as e:
        if isinstance(worker, LocalWorker):  # pragma: no cover - _loop reports every error
            raise BuildError("audio: the build's chapter thread stopped") from e
        code = worker.process.wait()
        raise BuildError(
            f"audio: a worker process died while making a chapter (exit code {code})"
        ) from e
    kind, index = message[0], int(message[1])
    if kind == "tick":
        done(index, False)
    elif kind == "done":
        results[index] = message[2]
        worker.job = None
        done(index, True)
    else:
        worker.job = None
        raise message[2]


def serve() -> None:
    """A worker's main loop (module docstring): its output is the parent's pipe alone (what
    a library prints goes to standard error)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build stops its workers itself
    receive = Connection(os.dup(0), writable=False)
    send = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)
    try:
        engines, build = receive.recv()
    except EOFError:  # started ahead (start_workers) and not needed after all
        return
    die_with_build(build)
    _loop(engines, receive, send)


def _local(
    engines: Engines, receive: Connection, send: Connection, stopping: threading.Event
) -> None:
    """A :class:`LocalWorker`'s thread: one BLAS thread while it runs, as in a child."""
    import numpy  # noqa: F401  (loaded first, for the limit to find its BLAS)

    tune_for_chapters()

    try:
        with one_blas_thread():
            _loop(engines, receive, send, stopping)
    except _Stopped:
        pass
    finally:
        send.close()


class _Stopped(Exception):
    """The build stopped a :class:`LocalWorker` mid-chapter."""


def _loop(
    engines: Engines,
    receive: Connection,
    send: Connection,
    stopping: threading.Event | None = None,
) -> None:
    """Make each chapter ``receive`` gives with ``engines``, until it closes; report on
    ``send`` (module docstring). Raises :class:`_Stopped` at an utterance once ``stopping``
    is set."""
    while True:
        try:
            job: ChapterJob = receive.recv()
        except (EOFError, OSError):
            return
        tick = ("tick", job.index)

        def progress(_label: str, tick: tuple[str, int] = tick) -> None:
            if stopping is not None and stopping.is_set():
                raise _Stopped
            send.send(tick)

        try:
            timing = make_chapter(job, engines, progress)
        except _Stopped:
            raise
        except Exception as e:  # sent to the build, which raises it as it was
            send.send(("error", job.index, _picklable(e)))
            continue
        send.send(("done", job.index, timing))


def uses_local(jobs: int, workers: int) -> bool:
    """Whether :func:`run_workers` makes one share of ``jobs`` chapters in the build process
    (a :class:`LocalWorker`) beside ``workers - 1`` children."""
    return workers >= 2 and jobs >= 2


def _picklable(error: Exception) -> Any:
    """``error``, or a :class:`BuildError` saying what it was if it cannot be pickled."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return BuildError(f"audio: {type(error).__name__}: {error}")
    return error
