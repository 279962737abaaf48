"""Making chapters in worker processes, one synthesis at a time per process.

espeak-ng keeps global state (one voice, one callback per process) and CPU-bound Python
gains nothing from threads, so chapters go to a :class:`ProcessPoolExecutor`.

Byte-identical output whatever ``jobs`` is: each chapter is made by one process from its own
inputs, and that process is *fresh* (``max_tasks_per_child=1``). An engine need not be
history-free: espeak-ng by itself is not (its pitch flutter runs on from one utterance to the
next; our espeak engine now reloads the library for every synthesis to undo that), and a
Piper or future engine may keep state too. A fresh process per chapter makes each chapter's
audio depend on that chapter alone, not on which worker got it or in which order.
An engine whose model is slow to load trades this for speed with ``fresh_process = False``
and keeps its worker (:func:`reuses_workers`): Piper, whose model takes a second to load; its
chapters are then the same bytes with ``--jobs 1`` only.

Fresh processes are cheap with ``forkserver`` (Linux, macOS): one server imports the heavy
modules once (numpy, lameenc, the engines, pedalboard's decoder: :data:`_PRELOAD`) and forks
a clean child per chapter; it never synthesises, so every child starts with the engine
untouched. Where there is no forkserver (Windows), ``spawn``. :func:`warm_up` starts the
server early, so its imports overlap the renderer's own preparations.

Workers that are reused (espeak-ng, Piper) need no server: they are plain child interpreters
(:mod:`publisher.renderers.audio.workers`), without the forkserver and the resource tracker
a process pool brings (27 MB of a long book's peak), and each exits as soon as no chapter
is left for it. With two or more jobs one of them is a thread of the build process itself
(:class:`~publisher.renderers.audio.workers.LocalWorker`): one interpreter and numpy fewer.

Workers send back a chapter's timing, not its MP3: the MP3 is in the cache (see
:class:`~publisher.renderers.audio.chapter.ChapterTiming`).

A synthesizer that declares ``stateless = True`` (the same text always gives the same
samples, as our espeak engine and the test fake do) needs no isolation: workers are reused,
and with ``jobs=1`` it runs in this process, which is what tests that count engine calls
use.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue as queue_module
import select
import signal
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from typing import TYPE_CHECKING, Any

from publisher.engines.base import Synthesizer, VoiceProfile
from publisher.errors import BuildError
from publisher.infra import heap
from publisher.renderers.audio.chapter import ChapterJob, ChapterTiming, Engines, make_chapter

if TYPE_CHECKING:
    from publisher.renderers.audio.workers import Worker

SynthesizerFactory = Callable[[VoiceProfile], Synthesizer]
"""Makes the engine for a voice. Must be picklable (a top-level class or function) to be
sent to worker processes."""

Done = Callable[[int, bool], None]
"""Told ``(job index, False)`` each time an utterance of that chapter is done, and
``(job index, True)`` when the chapter is finished. Utterance events from workers travel
separately from results and may arrive late or not at all; the chapter event is certain."""

_PRELOAD = ["publisher.renderers.audio.chapter", "publisher.engines.profiles", "pedalboard.io"]
_WORKER_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MALLOC_MMAP_THRESHOLD_": str(heap.MMAP_THRESHOLD),
    "MALLOC_TRIM_THRESHOLD_": str(heap.TRIM_THRESHOLD),
}
_worker: dict[str, Any] = {}


def is_stateless(synthesizer: Synthesizer | Engines) -> bool:
    """Whether ``synthesizer`` (or every engine already made in ``Engines``) says its output
    does not depend on what it said before."""
    if isinstance(synthesizer, Engines):
        return all(is_stateless(s) for s in synthesizer.made.values())
    return bool(getattr(synthesizer, "stateless", False))


def reuses_workers(synthesizer: Synthesizer | Engines) -> bool:
    """Whether a worker may make chapter after chapter: every engine is stateless or asks
    to keep its worker (``fresh_process = False``: Piper, whose model is slow to load)."""
    if isinstance(synthesizer, Engines):
        return all(reuses_workers(s) for s in synthesizer.made.values())
    return is_stateless(synthesizer) or not getattr(synthesizer, "fresh_process", True)


def _context() -> BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # Only takes effect when the server starts (once per process).
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def worker_environment() -> dict[str, str]:
    """The environment reused chapter workers start with (see :func:`_worker_environment`)."""
    with _worker_environment():
        return dict(os.environ)


def start_ahead(jobs: int, workers: int, synthesizer: Synthesizer | Engines) -> list[Worker]:
    """The reused workers :func:`run_jobs` would start for ``jobs`` chapters, started now (it
    takes them when it runs); none if it would make them here or in a fresh-process pool."""
    if not jobs or in_process(jobs, workers, synthesizer) or not reuses_workers(synthesizer):
        return []
    from publisher.renderers.audio.workers import start_workers, uses_local

    count = min(workers, jobs) - (1 if uses_local(jobs, workers) else 0)
    return start_workers(count, worker_environment())


def in_process(jobs: int, workers: int, synthesizer: Synthesizer | Engines) -> bool:
    """Whether :func:`run_jobs` makes ``jobs`` chapters here rather than in workers: one
    worker, with an engine that needs no fresh process. A single chapter with two or more
    jobs goes to a worker (started ahead, see :func:`start_ahead`): there it has a core of
    its own, while this process writes the cached chapters and the other targets' threads
    run beside it."""
    return workers <= 1 and is_stateless(synthesizer)


@contextlib.contextmanager
def _worker_environment() -> Iterator[None]:
    """While workers are started: the environment they are tuned by (see :data:`_WORKER_ENV`).

    * numpy's BLAS (OpenBLAS) uses one thread. The workers already run one per core;
      OpenBLAS would add a thread per core to each for the meters' matrix products, and
      those threads spin while they wait: with two workers, the build was slower than one.
    * glibc's allocator keeps freed memory up to a few MB instead of returning it to the
      system at once. The meters work through a chapter in pieces of a few hundred kB, and
      each piece's temporaries were otherwise mapped, faulted in page by page and unmapped
      again: half of their time (other C libraries ignore these variables).

    Children read these variables as they start (the forkserver, which forks them, when it
    starts), so they are set only around starting them, and a value the user set is kept.
    """
    saved = {name: os.environ.get(name) for name in _WORKER_ENV}
    for name, value in _WORKER_ENV.items():
        os.environ.setdefault(name, value)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


@contextlib.contextmanager
def no_interrupt_while_starting(*, tracker: bool = True) -> Iterator[None]:
    """While child processes are started: a Ctrl-C waits until they are up, then is raised.

    A Ctrl-C that reaches an interpreter still importing its first modules kills it with a
    traceback ("Fatal Python error: init_import_site"), and one that interrupts this process
    between forking a worker and recording it leaves that worker running on its own, to fail
    noisily once this process has gone. So SIGINT is blocked in this thread, which the
    children inherit (a signal mask survives exec: the forkserver and the workers ignore it
    once they run, this process handles it and stops them), and a Ctrl-C that reaches another
    thread of this process is only noted. The resource tracker protects itself the same way
    but unblocks SIGINT after starting, so it is started first (if ``tracker``: a process pool
    needs it, :mod:`publisher.renderers.audio.workers` does not).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if tracker:
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum))
    blocking = hasattr(signal, "pthread_sigmask")
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if blocking else set()
    try:
        yield
    finally:
        if blocking:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def warm_up(synthesizer: Synthesizer | Engines) -> None:
    """Start the forkserver now (if the platform has one and ``synthesizer``'s engine wants a
    fresh process per chapter), so that it has imported what the workers need by the time
    :func:`run_jobs` asks for them."""
    if reuses_workers(synthesizer):
        return
    context = _context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        with _worker_environment(), no_interrupt_while_starting():
            forkserver.ensure_running()


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """While chapters are made in this process: numpy's BLAS on one thread, as in a worker
    (:data:`_WORKER_ENV`). This process imported numpy long before, so the variable comes too
    late; threadpoolctl sets the limit in the loaded library. OpenBLAS's own threads spin while
    they wait for the meters' small matrix products: on a loaded machine a ``--jobs 1`` build
    took four times the CPU (the bytes are the same: each product is one thread's either way).
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


def die_with_build(build: int) -> None:
    """End this worker as soon as the build process ``build`` ends, however it ends.

    The kernel's "parent died" signal (``PR_SET_PDEATHSIG``) is not enough: a worker's parent
    is the forkserver, and the forkserver lives as long as any worker does (each keeps the
    pipe end the forkserver watches, so that it can start processes of its own), so a build
    killed with SIGKILL left the forkserver, its workers and the resource tracker running for
    good. So each worker watches the build itself, through a Linux ``pidfd`` that becomes
    readable when it exits: a thread that sleeps in ``select`` costs nothing until then.
    Once the workers are gone, the forkserver and the resource tracker see their pipes close
    and exit too. Where there are no pidfds (not Linux, or before 5.3), a worker finds out
    when it next reads the pool's queue.
    """
    try:
        watched = os.pidfd_open(build)
    except ProcessLookupError:  # the build ended before this worker started
        os._exit(1)
    except (AttributeError, OSError):
        return

    def watch() -> None:
        select.select([watched], [], [])
        os._exit(1)

    threading.Thread(target=watch, name="watch-build", daemon=True).start()


def _init_worker(engines: Engines, events: Any, build: int) -> None:
    die_with_build(build)
    # Ctrl-C reaches the whole process group. The renderer's process handles it and stops
    # the workers (see _run_pool); in a worker it would land anywhere, inside espeak-ng's
    # callback too, where Python can only print it and carry on.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker.update(engines=engines, events=events)


def _run(job: ChapterJob) -> ChapterTiming:
    events = _worker["events"]
    return make_chapter(job, _worker["engines"], lambda _label: events.put(job.index))


def run_jobs(
    jobs: Sequence[ChapterJob],
    *,
    factory: SynthesizerFactory,
    profiles: Mapping[str, VoiceProfile],
    workers: int,
    done: Done,
    engines: Engines | None = None,
    started: list[Worker] | None = None,
) -> dict[int, ChapterTiming]:
    """Make every chapter of ``jobs`` (into the cache); their timings by job index.

    ``profiles`` are the voices by name; ``engines`` (made by ``factory`` already) are used
    when the work stays in this process; ``started`` are workers started ahead
    (:func:`start_ahead`), taken before new ones start. The first error stops the rest and is raised as it
    was (an :class:`~publisher.errors.EngineError` names the chapter and the line).
    """
    results: dict[int, ChapterTiming] = {}
    if not jobs:
        return results
    engine = engines if engines is not None else Engines(factory, profiles)
    for name in profiles:
        engine(name)  # made here once, so whether they are stateless is known
    if in_process(len(jobs), workers, engine):
        with one_blas_thread():
            for job in jobs:

                def tick(_label: str, index: int = job.index) -> None:
                    done(index, False)

                results[job.index] = make_chapter(job, engine, tick)
                done(job.index, True)
        return results
    # Longest chapters first, so no worker is left with a long one at the end.
    ordered = sorted(jobs, key=lambda j: -sum(len(u.text) for u in j.script.utterances))
    if reuses_workers(engine):
        from publisher.renderers.audio.workers import run_workers

        fresh = Engines(factory, profiles)
        return run_workers(
            ordered, fresh, workers, done, worker_environment(), started, local=engine
        )
    warm_up(engine)
    with _worker_environment():  # spawned workers (no forkserver) read it as they start
        return _run_pool(ordered, Engines(factory, profiles), workers, done)


def _run_pool(
    ordered: Sequence[ChapterJob], fresh: Engines, workers: int, done: Done
) -> dict[int, ChapterTiming]:
    """Make ``ordered`` in a process pool, a fresh process per chapter."""
    results: dict[int, ChapterTiming] = {}
    context = _context()
    pool: ProcessPoolExecutor | None = None
    try:
        # A Ctrl-C while the workers start is raised as this block ends, inside the try.
        with no_interrupt_while_starting():
            events = context.Queue()
            pool = ProcessPoolExecutor(
                max_workers=max(1, min(workers, len(ordered))),
                mp_context=context,
                initializer=_init_worker,
                initargs=(fresh, events, os.getpid()),  # each worker makes its own engines
                max_tasks_per_child=1,  # engines that remember what they said
            )
            futures = {pool.submit(_run, j): j.index for j in ordered}
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            _drain(events, done)
            for future in finished:
                results[futures[future]] = future.result()
                done(futures[future], True)
        _drain(events, done)
    except BrokenProcessPool as e:
        raise BuildError(f"audio: a worker process died while making a chapter ({e})") from e
    except KeyboardInterrupt:
        # Stop now rather than when the chapters being made are done (a long one takes
        # seconds). What a stopped worker leaves is at most a temporary file in the cache.
        processes: dict[int, Any] = getattr(pool, "_processes", None) or {}
        for process in list(processes.values()):
            process.terminate()
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return results


def _drain(events: Any, done: Done) -> None:
    while True:
        try:
            index = events.get_nowait()
        except queue_module.Empty:
            return
        done(int(index), False)
