"""How a build's chapter workers are started, tuned and ended: the environment they start
with, Ctrl-C while they start, BLAS threads and the end of the build. Shared by the pool that
plans the chapters (:mod:`.pool`) and the workers (:mod:`.workers`), which use nothing else
of each other's here.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import threading
from collections.abc import Iterator

from publisher.infra import heap

_WORKER_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MALLOC_MMAP_THRESHOLD_": str(heap.MMAP_THRESHOLD),
    "MALLOC_TRIM_THRESHOLD_": str(heap.TRIM_THRESHOLD),
}


def worker_environment() -> dict[str, str]:
    """The environment reused chapter workers start with (see :func:`_worker_environment`)."""
    with _worker_environment():
        return dict(os.environ)


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
