"""``publisher serve --watch``: build, serve, and build again on every save.

Three threads: the build runs in the calling (main) thread, so Ctrl-C stops a build in
progress exactly as it stops ``publisher build`` (its workers with it, the previous build
kept); the preview server runs in one thread (plus one per request, as ``serve``); the file
watcher (``watchfiles``, the operating system's change notifications) in another.

Saves in quick succession build once: watchfiles groups the changes until none came for
:data:`QUIET_MS`, and the watcher only raises a flag, so any number of saves while a build
runs make one build after it. The build is the ordinary incremental one
(:func:`publisher.pipeline.runner.build`): the cache makes an edit cheap, and a failed build
publishes nothing, so the last good build stays served while the error is shown in the
terminal and over the open pages (:mod:`publisher.watch.live`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

import click
import watchfiles

from publisher import outputs
from publisher.errors import BuildError, Problem, PublisherError
from publisher.pipeline.registry import REGISTRY, check_only
from publisher.pipeline.runner import BuildResult
from publisher.pipeline.runner import build as run_build
from publisher.progress import Reporter
from publisher.reader.config import load_config
from publisher.reader.parse import parse_file
from publisher.reader.source import read_source, split_front_matter
from publisher.renderers.base import BuildOptions
from publisher.serve import make_server, server_url
from publisher.watch.live import LiveStatus, live_handler

# Milliseconds without a change before the changes seen are acted on: an editor's save (a
# temporary file written, then renamed over the book) is one change, not two builds.
QUIET_MS = 100
# The most milliseconds changes are grouped over, however busy the folder.
GROUP_MS = 1600
# Seconds the threads get to finish when the preview stops.
STOP_SECONDS = 5.0

Build = Callable[..., BuildResult]
"""What builds the book: :func:`publisher.pipeline.runner.build`, or a test's stand-in."""


@dataclass(frozen=True, kw_only=True)
class Preview:
    """What to build, where to serve it."""

    source: Path
    out: Path
    only: Sequence[str] | None = None
    options: BuildOptions = field(default_factory=BuildOptions)
    host: str = outputs.PREVIEW_HOST
    port: int = outputs.PREVIEW_PORT


def watched_folders(source: Path) -> list[Path]:
    """What a build reads from: the book's folder (the Markdown, its images, its lexicon,
    a cover) and the voices folder beside it, as the no-op rebuild's fingerprint sees them."""
    voices = source.parent.parent / "voices"
    return [source.parent, *([voices] if voices.is_dir() else [])]


class SourceFilter(watchfiles.DefaultFilter):
    """Changes a build cares about: not editors' backups and swap files (watchfiles' default
    filter), not hidden files or folders (``.publisher/``, a staging build), which a build
    never reads, and nothing in the build folder, which the build itself writes."""

    def __init__(self, roots: Sequence[Path], out: Path) -> None:
        super().__init__()
        self._roots = [r.resolve() for r in roots]
        self._out = out.resolve()

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        """Whether a change at ``path`` should make a build."""
        if not super().__call__(change, path):
            return False
        where = Path(path)
        if where == self._out or self._out in where.parents:
            return False
        for root in self._roots:
            if where.is_relative_to(root):
                return not any(p.startswith(".") for p in where.relative_to(root).parts)
        return True


class Saves:
    """The changes seen since the last build, handed from the watcher to the build loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._paths: set[str] = set()
        self._failure: str | None = None

    def saw(self, paths: set[str]) -> None:
        """The watcher saw these files change."""
        with self._lock:
            self._paths |= paths
            self._ready.set()

    def failed(self, why: str) -> None:
        """The watcher stopped: no change will come any more."""
        with self._lock:
            self._failure = why
            self._ready.set()

    def take(self, timeout: float | None = None) -> set[str] | None:
        """Every path changed since the last call, once there is one (None after
        ``timeout`` seconds without). Raises BuildError once the watcher has failed."""
        if not self._ready.wait(timeout):
            return None
        with self._lock:
            if self._failure is not None:
                raise BuildError(self._failure)
            self._ready.clear()
            paths, self._paths = self._paths, set()
        return paths


def watch_files(folders: Sequence[Path], out: Path, saves: Saves, stop: threading.Event) -> None:
    """Tell ``saves`` about every change in ``folders`` until ``stop`` is set (or the
    watching fails: then ``saves`` is told why)."""
    try:
        _watch(folders, out, saves, stop)
    except Exception as e:  # a folder removed, the system's limit on watches reached
        saves.failed(f"watching {', '.join(map(str, folders))} stopped: {e}")


def _watch(folders: Sequence[Path], out: Path, saves: Saves, stop: threading.Event) -> None:
    changes = watchfiles.watch(
        *folders,
        watch_filter=SourceFilter(folders, out),
        debounce=GROUP_MS,
        step=QUIET_MS,
        stop_event=stop,
        rust_timeout=500,  # how often it looks at ``stop`` while nothing changes
    )
    for found in changes:
        saves.saw({path for _, path in found})


def preview_base_url(source: Path, given: str | None, url: str) -> str | None:
    """The base URL to build with: the one given, or the book's own (None: the build reads
    it), or else the preview's address ``url``. At the default address that is None too,
    as ``build`` points such a feed there: the build is then what ``build`` makes."""
    if given is not None or url == outputs.LOCAL_BASE_URL:
        return given
    try:
        front, _, _ = split_front_matter(read_source(source), str(source))
        config, _ = load_config(front, str(source))
    except PublisherError:
        return None  # the build will say what is wrong
    return None if config.podcast.base_url else url


class Loop:
    """One preview: a server, a watcher and the builds (see the module doc)."""

    def __init__(self, preview: Preview, *, build: Build = run_build, stream: TextIO) -> None:
        # What no save can fix is said at once, before anything is served.
        if preview.only is not None:
            check_only(list(preview.only), REGISTRY)
        if not preview.source.is_file():
            parse_file(preview.source)  # says why, at its path
        self.preview = preview
        self.status = LiveStatus()
        self.saves = Saves()
        self.stop = threading.Event()
        self._build = build
        self._stream = stream
        self._reporter = Reporter(stream)
        self._warned: set[str] = set()
        self._building = False
        made = not preview.out.exists()
        if made:
            preview.out.mkdir(parents=True)  # served (empty) while the first build runs
        handler = live_handler(self.status, quiet=True)
        try:
            self.server = make_server(
                preview.out, preview.host, preview.port, handler_class=handler
            )
        except BuildError:
            if made:
                preview.out.rmdir()  # nothing left behind by a preview that never started
            raise
        self.url = server_url(self.server)
        self._threads = [
            threading.Thread(target=self.server.serve_forever, args=(0.1,), name="preview"),
            threading.Thread(
                target=watch_files,
                args=(watched_folders(preview.source), preview.out, self.saves, self.stop),
                name="preview-watch",
            ),
        ]

    def say(self, text: str) -> None:
        """A line for the author."""
        click.echo(text, file=self._stream)

    def build_once(self) -> BuildResult | None:
        """Build; tell the pages and the author what came of it (None: it failed)."""
        p = self.preview
        options = replace(
            p.options,
            base_url=preview_base_url(p.source, p.options.base_url, self.url),
            progress=self._reporter.progress,
        )
        started = time.monotonic()
        self._building = True  # stays set if Ctrl-C stops the build: run() tells them apart
        try:
            result = self._build(
                p.source, p.out, only=p.only, options=options, on_warning=self._warn
            )
        except PublisherError as e:
            self._building = False
            for line in e.lines():
                self.say(line)
            self.status.failed(e.lines())
            self.say("the build failed; the last good build is still served")
            return None
        self._building = False
        self.status.built([*result.changed, *result.removed])
        seconds = time.monotonic() - started
        if result.up_to_date:
            self.say(f"up to date ({seconds:.1f} s)")
        else:
            files = len(result.changed) + len(result.removed)
            self.say(f"built in {seconds:.1f} s; {files} files changed")
        self._warned = {str(w) for w in result.warnings}
        return result

    def _warn(self, problem: Problem) -> None:
        # A rebuild repeats every warning not fixed yet: the author hears each once.
        if str(problem) not in self._warned:
            self._reporter.warn(problem)

    def run(self) -> None:
        """Serve and build until Ctrl-C (between builds: stop quietly; during one: the
        build's KeyboardInterrupt goes on up, as from ``publisher build``)."""
        for thread in self._threads:
            thread.start()
        try:
            self._greet()
            self.build_once()
            while not self.stop.is_set():
                changed = self.saves.take(timeout=1.0)
                if changed:
                    self.say(f"changed: {', '.join(sorted(_shown(changed)))}")
                    self.build_once()
        except KeyboardInterrupt:
            if self._building:
                raise
            self.say("Stopped.")
        finally:
            self.close()

    def _greet(self) -> None:
        folders = ", ".join(str(f) for f in watched_folders(self.preview.source))
        self.say(f"Serving {self.preview.out} at {self.url}")
        self.say(f"Watching {folders}; every page reloads after each build")
        self.say("Press Ctrl-C to stop.")

    def close(self) -> None:
        """Stop the watcher, the server and every open stream; wait for their threads."""
        self.stop.set()
        if self._threads[0].is_alive():
            self.server.shutdown()
        self.status.close(STOP_SECONDS)
        self.server.server_close()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(STOP_SECONDS)


def _shown(paths: set[str]) -> list[str]:
    """The changed files as the author knows them: relative to here when they can be, and
    without an editor's (or sed's) temporary files, which are gone by now."""
    here = Path.cwd()
    existing = [Path(p) for p in paths if Path(p).exists()] or [Path(p) for p in paths]
    return [str(p.relative_to(here)) if p.is_relative_to(here) else str(p) for p in existing]


def serve_and_watch(preview: Preview, *, stream: TextIO, **kwargs: Any) -> None:
    """Build ``preview.source``, serve the build and build again on every change, until
    Ctrl-C. Raises :class:`~publisher.errors.BuildError` if the address is taken."""
    Loop(preview, stream=stream, **kwargs).run()
