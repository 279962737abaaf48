"""Giving memory the process no longer uses back to the system.

glibc keeps what a program frees in its heap for the next allocation, in pieces that only
``malloc_trim`` returns: a chapter's temporaries left 20 MB in a worker, and a finished
target's (the covers drawn, the EPUB's packages) stayed in the build process while the
audiobook's mux ran at the end of an 11-hour book's build, its peak. Elsewhere (macOS, musl)
:func:`give_back` does nothing.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable


def give_back() -> None:
    """Return the heap's free memory to the system (a few milliseconds)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(None)
    except OSError:  # pragma: no cover - every POSIX system has a C library loaded
        return None
    trim: Callable[[int], int] | None = getattr(libc, "malloc_trim", None)
    return trim


M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
"""glibc's ``mallopt`` parameters (malloc.h)."""


def tune_for_chapters() -> None:
    """Tune this process's allocator as a chapter worker's environment does
    (:data:`publisher.renderers.audio.pool._WORKER_ENV`): blocks of a megabyte or more are
    mapped on their own and returned when freed, and the heap keeps at most 4 MB free. For
    the build process when it makes chapters itself; its environment was read at start."""
    try:
        libc = ctypes.CDLL(None)
    except OSError:  # pragma: no cover - every POSIX system has a C library loaded
        return
    mallopt: Callable[[int, int], int] | None = getattr(libc, "mallopt", None)
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, 1 << 20)
        mallopt(M_TRIM_THRESHOLD, 4 << 20)
