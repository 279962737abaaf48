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

MMAP_THRESHOLD = 1 << 20
"""Blocks this large or larger are mapped on their own and returned when freed (workers)."""
TRIM_THRESHOLD = 4 << 20
"""Free memory the heap keeps at its top before returning it (workers)."""
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
"""glibc's ``mallopt`` parameters (malloc.h)."""


def give_back() -> None:
    """Return the heap's free memory to the system (a few milliseconds)."""
    trim = _libc("malloc_trim")
    if trim is not None:
        trim(0)


def tune_for_chapters() -> None:
    """Tune this process's allocator as a chapter worker's environment does
    (:data:`publisher.renderers.audio.processes._WORKER_ENV`, made from :data:`MMAP_THRESHOLD`
    and :data:`TRIM_THRESHOLD`). For the build process when it makes chapters itself: its
    environment was read as it started."""
    mallopt = _libc("mallopt")
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)


@functools.cache
def _libc(name: str) -> Callable[..., int] | None:
    """The C library's function ``name``; None where there is none (not glibc)."""
    try:
        libc = ctypes.CDLL(None)
    except OSError:  # pragma: no cover - every POSIX system has a C library loaded
        return None
    function: Callable[..., int] | None = getattr(libc, name, None)
    return function
