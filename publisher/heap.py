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
