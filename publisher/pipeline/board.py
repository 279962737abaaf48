"""Which files the targets running side by side have finished, for targets that read them
while they are being made.

A target that ``follows`` another (the audiobook follows the audio) starts while that one
still runs, and reads each of its files as soon as it is written in full: the producer says
so with :meth:`RenderContext.made`, the reader waits with :meth:`RenderContext.find` or takes
files in the order they come with :meth:`RenderContext.as_made`. Hand-written on a
:class:`threading.Condition`: a queue per reader would need the producer to know its readers.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence

from publisher.errors import BuildError
from publisher.renderers.base import owner_of


class Board:
    """The files finished so far by the producers still running (see the module docstring)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._running: dict[str, tuple[str, ...]] = {}  # producer name -> the paths it owns
        self._made: set[str] = set()
        self._stopped = False
        self._watchers: list[Callable[[], None]] = []

    def start(self, name: str, owns: tuple[str, ...]) -> None:
        """``name`` (owning ``owns``) is running: files it owns are not ready until made."""
        with self._changed:
            self._running[name] = owns

    def end(self, name: str) -> None:
        """``name`` has ended (finished or failed): what it did not make will not come."""
        with self._changed:
            self._running.pop(name, None)
            self._changed.notify_all()

    def made(self, relative: str) -> None:
        """The file ``relative`` (in the build root) is written in full."""
        with self._changed:
            self._made.add(relative)
            self._changed.notify_all()

    def stop(self) -> None:
        """The build is failing: every wait ends with a :class:`BuildError`, and every
        watcher (see :meth:`watching`) is called, on this thread."""
        with self._changed:
            self._stopped = True
            self._changed.notify_all()
            watchers = list(self._watchers)
        for watcher in watchers:  # outside the lock: a watcher may settle what others wait on
            watcher()

    @contextlib.contextmanager
    def watching(self, stopped: Callable[[], None]) -> Iterator[None]:
        """Call ``stopped`` if the build stops while in this block (at once, if it has): for
        a target whose threads wait for each other rather than on the board. ``stopped``
        runs on the thread that stops the build, so it must only signal, never wait."""
        with self._changed:
            self._watchers.append(stopped)
            already = self._stopped
        try:
            if already:
                stopped()
            yield
        finally:
            with self._changed:
                self._watchers.remove(stopped)

    def _pending(self, relative: str) -> bool:
        """Whether ``relative`` may still be made by a running producer (lock held)."""
        if self._stopped:
            raise BuildError("stopped: another target failed")
        if relative in self._made:
            return False
        return any(owner_of(owns, relative) for owns in self._running.values())

    def wait(self, relative: str) -> None:
        """Return once ``relative`` is made or no running producer can make it any more."""
        with self._changed:
            while self._pending(relative):
                self._changed.wait()

    def arrivals(self, relatives: Sequence[str]) -> Iterator[str]:
        """Each of ``relatives`` once, as soon as :meth:`wait` would return for it."""
        left = list(relatives)
        while left:
            with self._changed:
                while all(self._pending(r) for r in left):
                    self._changed.wait()
                ready = [r for r in left if not self._pending(r)]
            left = [r for r in left if r not in ready]
            yield from ready
