"""The state folder as the build uses it: the lock, the cache swept once a build has
published, and ``publisher clean``.

Every file is reached through :class:`publisher.infra.statedir.Folder`, which follows no
link in the state folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from publisher.errors import BuildError, SourceError
from publisher.infra import sweep
from publisher.infra.statedir import Folder, state_folder
from publisher.pipeline import records

LOCK_NAME = "lock"
CACHE_NAME = "cache"
CHECKED_DEPTH = 1
"""How deep a build looks for links in the state folder before anything is written: the
lock, the cache's and the records' folders and files, each kind's folder. Deeper ones (an
entry, a shard folder) are refused when a build meets them."""


def cache_folder(state: Path) -> Path:
    """The cache folder in the state folder ``state``."""
    return state / CACHE_NAME


@contextlib.contextmanager
def build_lock(state: Path) -> Iterator[None]:
    """Hold ``<state>/lock`` for the duration; refuse if another live build holds it. The
    state folder is checked for links first (exit 2; see :data:`CHECKED_DEPTH`)."""
    folder = Folder(state)
    with folder.lock(LOCK_NAME) as fd:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
            raise BuildError(
                f"{state}: another build of this book is running (process {other}); "
                "wait for it to finish"
            ) from None
        folder.entries(depth=CHECKED_DEPTH)  # refuses a link it meets
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    # closing releases the lock; a killed process releases it too


def tidy(state: Path, started: int) -> list[str]:
    """After a build that published: sweep the cache (``started``: the build's stamp); what
    the author should know about it, one line each."""
    try:
        swept = sweep.sweep(cache_folder(state), started)
    except OSError as e:  # published already: the build stands, the next one sweeps again
        return [
            f"the cache in {state} was not swept ({e.strerror or e}); the next build tries again"
        ]
    if not swept.over_cap:
        return []
    return [
        f"the cache in {state} holds {sweep.human(swept.size)}, more than its cap of "
        f"{sweep.human(swept.cap)}, all of it used by this build ({sweep.CAP_ENV} sets the "
        "cap in MB; publisher clean empties the cache)"
    ]


def clean(source: Path, everything: bool = False) -> tuple[Path, int]:
    """Empty the caches of the book ``source`` (``everything``: the whole state folder, the
    records of its builds too); the folder emptied and the bytes freed."""
    if not source.is_file():
        raise SourceError.at(str(source), None, "is not a regular file")
    state = state_folder(source)
    if not state.exists() and not state.is_symlink():
        return state, 0
    with build_lock(state):
        if everything:
            return state, Folder(state).remove()
        return cache_folder(state), records.sweep(state) + sweep.empty(cache_folder(state))
