"""The one interface every output target implements (mdBook's ``Renderer``/``RenderContext``).

A renderer declares its ``name`` (what ``--only`` and the registry call it), what it
``requires`` (targets whose outputs it reads), and the paths it ``owns`` in the build folder.
``render(ctx)`` writes only inside those paths and returns a :class:`RenderResult` saying
which files it made and what it warns about; the build checks both
(see :mod:`publisher.pipeline.runner`).
"""

from __future__ import annotations

import contextlib
import fnmatch
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from publisher.errors import Problem
from publisher.model import Book


class Board(Protocol):
    """What a renderer running beside others may ask of the build about files still being
    made (the build's :class:`publisher.pipeline.board.Board` implements it; declared here so
    that renderers depend on the interface, not on the pipeline above them)."""

    def wait(self, relative: str) -> None:
        """Return once ``relative`` is made or no running target can make it any more."""
        ...

    def made(self, relative: str) -> None:
        """The file ``relative`` (in the build root) is written in full."""
        ...

    def arrivals(self, relatives: Sequence[str]) -> Iterator[str]:
        """Each of ``relatives`` once, as soon as :meth:`wait` would return for it."""
        ...

    def watching(self, stopped: Callable[[], None]) -> contextlib.AbstractContextManager[None]:
        """Call ``stopped`` if the build stops while in this block."""
        ...


def _no_progress(done: int, total: int, label: str) -> None:
    """Progress sink that ignores everything."""


@dataclass(frozen=True, kw_only=True)
class BuildOptions:
    """Settings of one build that are not part of the book."""

    base_url: str | None = None
    jobs: int = 1
    # Print only warnings and errors: no progress bar, no line per target.
    quiet: bool = False
    # Called as work proceeds: (units done, units in all, what is being worked on).
    progress: Callable[[int, int, str], None] = _no_progress


@dataclass(frozen=True, kw_only=True)
class RenderResult:
    """What one ``render`` made: files relative to the build root, and its warnings."""

    files: tuple[str, ...]
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True, kw_only=True)
class RenderContext:
    """What a renderer gets.

    ``root`` is the staging root of this build: the renderer writes only the paths it owns,
    below it. ``out_dir`` is the renderer's own folder there (``root / "epub"`` for a renderer
    that owns the one folder ``epub/``; ``root`` itself for one that owns several paths, such
    as the feed), created by the build and empty at the start. ``published`` is the build
    folder as the last successful build left it, to read outputs of targets that are not part
    of this build (``--only feed`` reads the audio there). ``cache_dir`` persists across
    builds (in ``.publisher/`` beside the source, never in the build folder); a renderer may
    keep intermediate results there, as a kind of the one store
    (``BlobCache(ctx.cache_dir, kind)`` in :mod:`publisher.infra.cache`: entries checked
    against their key, no link followed, swept when no recent build used them).

    ``board``: set when this target runs beside others (see :class:`Board`);
    :meth:`find` then waits for a file a target it ``follows`` is still making.

    ``replaced``: whether this build replaces or removes the published file it is given (a
    target of this build owns it; one the book turns off, ``audiobook: false``, makes
    nothing): :meth:`find` never gives such a file's published copy, which will not be
    there once the build is.
    """

    book: Book
    root: Path
    out_dir: Path
    published: Path
    cache_dir: Path
    options: BuildOptions = field(default_factory=BuildOptions)
    board: Board | None = None
    replaced: Callable[[str], bool] = field(default=lambda _relative: False, repr=False)
    # Warnings found deep inside a renderer; ``render`` returns them in its RenderResult.
    _warnings: list[Problem] = field(default_factory=list, init=False, repr=False, compare=False)

    def find(self, relative: str) -> Path | None:
        """An output of this build if it made one, else the published one if this build
        leaves it there (not :attr:`replaced`), else None (waiting for it first, if a target
        running beside this one may still make it)."""
        if self.board is not None:
            self.board.wait(relative)
        bases = (self.root,) if self.replaced(relative) else (self.root, self.published)
        for base in bases:
            candidate = base / relative
            if candidate.exists():
                return candidate
        return None

    def made(self, relative: str) -> None:
        """Say that the file ``relative`` (in the build root) is written in full, for targets
        that read this one's files while it runs."""
        if self.board is not None:
            self.board.made(relative)

    def as_made(self, relatives: Sequence[str]) -> Iterator[tuple[str, Path | None]]:
        """Each of ``relatives`` with what :meth:`find` gives for it, in the order they
        become ready (all at once when nothing runs beside this target)."""
        ready = relatives if self.board is None else self.board.arrivals(relatives)
        for relative in ready:
            yield relative, self.find(relative)

    def on_stop(self, stopped: Callable[[], None]) -> contextlib.AbstractContextManager[None]:
        """Call ``stopped`` if the build stops (another target failed, or Ctrl-C or SIGTERM
        reached the main thread) while in this block, so that a renderer whose own threads
        wait for each other can end them; it runs on the stopping thread and must not wait.
        Without a board the renderer runs on the main thread, where an interruption arrives
        itself, and nothing is called."""
        if self.board is None:
            return contextlib.nullcontext()
        return self.board.watching(stopped)

    def warn(self, problem: Problem) -> None:
        """Note a warning for the author; :meth:`warnings` hands them to the RenderResult."""
        self._warnings.append(problem)

    def warnings(self) -> tuple[Problem, ...]:
        """The warnings noted so far, in order."""
        return tuple(self._warnings)


def owner_of(owns: tuple[str, ...], relative: str) -> bool:
    """Whether ``relative`` (a file's path in the build root) lies in ``owns``: equal to an
    owned file, below an owned folder (written with a trailing ``/``), or matching an owned
    pattern (with ``*``, as :func:`fnmatch.fnmatchcase` reads it)."""
    for path in owns:
        if path.endswith("/"):
            if relative.startswith(path):
                return True
        elif "*" in path:
            if fnmatch.fnmatchcase(relative, path):
                return True
        elif relative == path:
            return True
    return False


def owned_by(renderer: Renderer, relative: str) -> bool:
    """Whether ``relative`` belongs to ``renderer``: in what it ``owns`` and not in what it
    ``leaves`` to another target (the EPUB owns ``epub/`` but leaves the read-along EPUB
    there, ``epub/*.narrated.epub``, to its own target)."""
    return owner_of(renderer.owns, relative) and not owner_of(renderer.leaves, relative)


def own_folder(owns: tuple[str, ...]) -> str:
    """The folder a renderer's ``out_dir`` points at: its one owned folder (or the folder of
    its one pattern), else the root."""
    if len(owns) == 1 and owns[0].endswith("/"):
        return owns[0].rstrip("/")
    if len(owns) == 1 and "*" in owns[0] and "/" in owns[0]:
        return owns[0].rsplit("/", 1)[0]
    return ""


class Renderer(Protocol):
    """An output target: the cover, EPUB, audio, feed.

    ``owns`` lists the paths in the build root that belong to it, folders ending in ``/``,
    patterns with ``*``: the EPUB owns ``("epub/",)``, the audio ``("audio/",)``, the feed
    ``("feed.xml", "chapters/")``, the cover ``("cover.jpg",)``, the read-along EPUB
    ``("epub/*.narrated.epub",)``. Nothing else writes there, and it writes nowhere else;
    files it no longer makes there are removed on publishing. A renderer whose folder holds
    another target's files names them in an optional ``leaves`` (the EPUB leaves
    ``epub/*.narrated.epub``): those it neither writes nor removes.

    An optional ``follows`` names required targets whose files it can read one by one while
    they are made (the audiobook follows the audio, encoding each chapter as it appears): the
    build starts it as soon as those have started, and :meth:`RenderContext.find` waits for
    each file until its maker says it is :meth:`~RenderContext.made`. An optional ``after``
    names targets it reads when they are built, without requiring them (the site lists the
    EPUB and the audiobook): it starts only once those built with it are done.

    An optional ``prepare(ctx)`` returns a context manager the build enters before any
    target renders and leaves once every target has ended: there a target starts slow work
    that needs no other target's files (the audio starts its worker processes while the
    cover and the EPUB are made), and on leaving ends what its render did not use.
    """

    @property
    def name(self) -> str:
        """Its name in the registry and in ``--only``."""
        ...

    @property
    def requires(self) -> tuple[str, ...]:
        """Targets whose published outputs it reads (they are built before it)."""
        ...

    @property
    def owns(self) -> tuple[str, ...]:
        """The paths of the build root it writes: files, and folders ending in ``/``."""
        ...

    @property
    def leaves(self) -> tuple[str, ...]:
        """Paths inside what it owns that another target writes (see the class docstring)."""
        ...

    @property
    def follows(self) -> tuple[str, ...]:
        """Required targets whose files it reads one by one while they are made."""
        ...

    @property
    def after(self) -> tuple[str, ...]:
        """Targets it reads when they are built, without requiring them."""
        ...

    def prepare(self, ctx: RenderContext) -> contextlib.AbstractContextManager[None]:
        """Slow work started before any target renders, ended once every target has."""
        ...

    def problems(self, book: Book) -> list[Problem]:
        """What only this target's rules find wrong with ``book``, judged from the source
        alone, before anything is built (``check`` and ``build`` both ask every registered
        target): errors are raised as :class:`~publisher.errors.SourceError`, warnings
        returned."""
        ...

    def render(self, ctx: RenderContext) -> RenderResult:
        """Write this target's files (only below what it ``owns``) and say what it made."""
        ...


class Target:
    """The optional members of :class:`Renderer`, with their defaults: a renderer class
    inherits this and sets or overrides only what it uses (a renderer that does not must
    declare every member itself)."""

    leaves: tuple[str, ...] = ()
    follows: tuple[str, ...] = ()
    after: tuple[str, ...] = ()

    def prepare(self, ctx: RenderContext) -> contextlib.AbstractContextManager[None]:
        """Nothing to start ahead."""
        return contextlib.nullcontext()

    def problems(self, book: Book) -> list[Problem]:
        """No rules of its own."""
        return []
