"""Making chapters: in this process, or on worker processes that each make chapter after
chapter, one synthesis at a time per process.

espeak-ng keeps global state (one voice, one callback per process) and CPU-bound Python
gains nothing from threads, so chapters go to worker processes: plain child interpreters
(:mod:`publisher.renderers.audio.workers`), and with two or more jobs one share in the build
process itself. Workers send back a chapter's timing, not its MP3: the MP3 is in the cache
(see :class:`~publisher.renderers.audio.chapter.ChapterTiming`).

**One path for every engine.** A worker makes chapter after chapter, so a chapter's audio
depends on that chapter alone only if the engine does not carry what it said before into
what it says next. espeak-ng does not (our engine reloads the library for every synthesis:
its pitch flutter ran on from one utterance to the next), nor does gTTS (every synthesis is
requests of their own to the service): their chapters are the same bytes whatever
``--jobs`` is. Piper's noise runs on from one utterance to the next; its model takes a
second to load, so its worker keeps it, and its chapters are the same bytes with ``--jobs
1`` only. A second path, a forkserver pool with a fresh process per chapter for engines with
state, was reachable only through gTTS, which needs no fresh process, and no test built
through it: it is gone (issue #21). An engine with state undoes it itself, as espeak-ng does.

A synthesizer that declares ``stateless = True`` (the same text always gives the same
samples, as our espeak and gTTS engines and the test fake do) can also run in this process:
with ``jobs=1`` it does, which is what tests that count engine calls use.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from publisher.engines.base import Synthesizer, VoiceProfile
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

_WORKER_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MALLOC_MMAP_THRESHOLD_": str(heap.MMAP_THRESHOLD),
    "MALLOC_TRIM_THRESHOLD_": str(heap.TRIM_THRESHOLD),
}


def is_stateless(synthesizer: Synthesizer | Engines) -> bool:
    """Whether ``synthesizer`` (or every engine already made in ``Engines``) says its output
    does not depend on what it said before."""
    if isinstance(synthesizer, Engines):
        return all(is_stateless(s) for s in synthesizer.made.values())
    return bool(getattr(synthesizer, "stateless", False))


def worker_environment() -> dict[str, str]:
    """The environment reused chapter workers start with (see :func:`_worker_environment`)."""
    with _worker_environment():
        return dict(os.environ)


def start_ahead(jobs: int, workers: int, synthesizer: Synthesizer | Engines) -> list[Worker]:
    """The workers :func:`run_jobs` would start for ``jobs`` chapters, started now (it takes
    them when it runs); none if it would make them here."""
    if not jobs or in_process(jobs, workers, synthesizer):
        return []
    from publisher.renderers.audio.workers import start_workers, uses_local

    count = min(workers, jobs) - (1 if uses_local(jobs, workers) else 0)
    return start_workers(count, worker_environment())


def in_process(jobs: int, workers: int, synthesizer: Synthesizer | Engines) -> bool:
    """Whether :func:`run_jobs` makes ``jobs`` chapters here rather than in workers: one
    worker, with a stateless engine (Piper's noise would run on from whatever this process
    said before: it goes to a worker of its own). A single chapter with two or more
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

    Children read these variables as they start, so they are set only around starting them,
    and a value the user set is kept.
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
def no_interrupt_while_starting() -> Iterator[None]:
    """While child processes are started: a Ctrl-C waits until they are up, then is raised.

    A Ctrl-C that reaches an interpreter still importing its first modules kills it with a
    traceback ("Fatal Python error: init_import_site"), and one that interrupts this process
    between forking a worker and recording it leaves that worker running on its own, to fail
    noisily once this process has gone. So SIGINT is blocked in this thread, which the
    children inherit (a signal mask survives exec: the workers ignore it once they run, this
    process handles it and stops them), and a Ctrl-C that reaches another thread of this
    process is only noted.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
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

    The kernel's "parent died" signal (``PR_SET_PDEATHSIG``) is not enough: it fires when
    the *thread* that started the worker ends (with two or more jobs, the audio target's
    thread), not the build, and a build killed with SIGKILL must not leave its workers
    running. So each worker watches the build itself, through a Linux ``pidfd`` that becomes
    readable when it exits: a thread that sleeps in ``select`` costs nothing until then.
    Where there are no pidfds (not Linux, or before 5.3), a worker finds out when it next
    reads its input, which closes with the build.
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
    from publisher.renderers.audio.workers import run_workers

    fresh = Engines(factory, profiles)
    return run_workers(ordered, fresh, workers, done, worker_environment(), started, local=engine)
