"""Runs the targets: staging, the lock, moving finished outputs into place.

A build writes everything into ``<out>/.staging-<pid>/`` and moves files into ``<out>`` only
when every target succeeded, so a failed, interrupted or killed build leaves the previous
build as it was. A file whose bytes did not change is not moved, so its modification time
stays and tools that watch the folder see no change. One build at a time per folder: a lock
file that the operating system releases when its process dies, so a killed build never
holds it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import filecmp
import hashlib
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from publisher.build import uptodate
from publisher.errors import BuildError, Problem, SourceError
from publisher.model import Book
from publisher.renderers.base import BuildOptions, RenderContext, Renderer

TARGETS = ("epub", "audio", "feed")
LOCK_NAME = ".lock"
CACHE_NAME = ".cache"
STAGING_PREFIX = ".staging-"


@dataclass(frozen=True, kw_only=True)
class TargetResult:
    """What one target did."""

    name: str
    seconds: float
    files: tuple[str, ...]  # paths relative to the build folder, as written by this build


@dataclass(frozen=True, kw_only=True)
class BuildResult:
    """What a build made: per target, and which files actually changed on disk."""

    out: Path
    targets: tuple[TargetResult, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    warnings: tuple[Problem, ...]


def default_source(cwd: Path) -> Path:
    """The one ``.md`` file in ``source/`` (the SOURCE default of ``publisher build``)."""
    folder = cwd / "source"
    found = sorted(folder.glob("*.md")) if folder.is_dir() else []
    if len(found) == 1:
        return found[0]
    if not found:
        raise SourceError.at(str(folder), None, "no SOURCE given and no .md file in source/")
    names = ", ".join(p.name for p in found)
    raise SourceError.at(str(folder), None, f"no SOURCE given and several .md files: {names}")


def check_targets(names: Sequence[str]) -> None:
    """An unknown target name is a usage error."""
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        raise SourceError.at(
            "--only", None, f"unknown target {unknown[0]!r}; choose from {', '.join(TARGETS)}"
        )


def make_renderers(names: Sequence[str]) -> list[Renderer]:
    """The built-in renderers for ``names``, in build order (the feed reads the audio)."""
    check_targets(names)
    out: list[Renderer] = []
    for name in TARGETS:
        if name not in names:
            continue
        if name == "epub":
            from publisher.renderers.epub.renderer import EpubRenderer

            out.append(EpubRenderer())
        elif name == "audio":
            from publisher.renderers.audio.renderer import AudioRenderer

            out.append(AudioRenderer())
        else:
            from publisher.renderers.feed.renderer import FeedRenderer

            out.append(FeedRenderer())
        if name == "audio" and "epub" in names:  # the read-along EPUB needs both
            from publisher.renderers.epub.narrated import NarratedEpubRenderer

            out.append(NarratedEpubRenderer())
    return out


@contextlib.contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """Hold ``<out>/.lock`` for the duration; refuse if another live build holds it."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
            raise BuildError(
                f"{out}: another build is running in this folder (process {other}); "
                "wait for it to finish"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock; a killed process releases it too


def build(
    source: Path,
    out: Path,
    *,
    only: Sequence[str] = TARGETS,
    options: BuildOptions | None = None,
    renderers: Sequence[Renderer] | None = None,
    on_target: Callable[[TargetResult], None] | None = None,
) -> BuildResult:
    """Parse ``source`` and build the chosen targets into ``out``, all or nothing.

    With the built-in renderers, a build whose inputs have not changed since the last one
    does nothing (see :mod:`publisher.build.uptodate`).
    """
    given = options or BuildOptions()
    options = given
    if renderers is None:
        check_targets(only)
    with build_lock(out):
        cache = out / CACHE_NAME
        key = None
        if renderers is None and source.is_file():
            key = uptodate.fingerprint(source, out, only, options.base_url)
            previous = uptodate.up_to_date(cache, out, key)
            if previous is not None:
                return _nothing_to_do(out, previous, options, on_target)
        warnings: list[Problem] = []

        def warn(problem: Problem) -> None:
            warnings.append(problem)
            given.warn(problem)

        options = dataclasses.replace(options, warn=warn)
        from publisher.parse import parse_file  # not needed when nothing changed

        parsed = parse_file(source)
        for warning in parsed.warnings:
            warn(warning)
        chosen = list(renderers) if renderers is not None else make_renderers(only)
        cache.mkdir(exist_ok=True)
        uptodate.forget(cache)
        result = _build_locked(parsed.book, out, chosen, options, on_target)
        result = dataclasses.replace(result, warnings=tuple(warnings))
        if key is not None:
            made = {t.name: list(t.files) for t in result.targets}
            uptodate.record(cache, out, key, made, warnings)
        return result


def _nothing_to_do(
    out: Path,
    previous: tuple[dict[str, list[str]], list[Problem]],
    options: BuildOptions,
    on_target: Callable[[TargetResult], None] | None,
) -> BuildResult:
    targets, warnings = previous
    for warning in warnings:
        options.warn(warning)
    results = tuple(
        TargetResult(name=name, seconds=0.0, files=tuple(files)) for name, files in targets.items()
    )
    if on_target is not None:
        for result in results:
            on_target(result)
    return BuildResult(out=out, targets=results, changed=(), removed=(), warnings=tuple(warnings))


def _build_locked(
    book: Book,
    out: Path,
    renderers: Sequence[Renderer],
    options: BuildOptions,
    on_target: Callable[[TargetResult], None] | None,
) -> BuildResult:
    for stale in out.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(stale, ignore_errors=True)  # left by a build that was killed
    staging = out / f"{STAGING_PREFIX}{os.getpid()}"
    staging.mkdir()
    cache = out / CACHE_NAME
    cache.mkdir(exist_ok=True)
    try:
        write_cover(book, staging / "cover.jpg", cache)
        results = []
        for renderer in renderers:
            started = time.monotonic()
            target_dir = staging / renderer.folder if renderer.folder else staging
            target_dir.mkdir(parents=True, exist_ok=True)
            before = set(_files(staging))
            ctx = RenderContext(
                book=book,
                root=staging,
                out_dir=target_dir,
                published=out,
                cache_dir=cache,
                options=options,
            )
            renderer.render(ctx)
            made = tuple(sorted(set(_files(staging)) - before))
            result = TargetResult(
                name=renderer.name, seconds=time.monotonic() - started, files=made
            )
            results.append(result)
            if on_target is not None:
                on_target(result)
        folders = {r.folder for r in renderers if r.folder}
        folders |= {p.name for p in staging.iterdir() if p.is_dir()}  # e.g. the feed's chapters/
        changed, removed = _publish(staging, out, sorted(folders))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(
        out=out,
        targets=tuple(results),
        changed=tuple(changed),
        removed=tuple(removed),
        warnings=(),
    )


def write_cover(book: Book, dest: Path, cache: Path) -> None:
    """The cover (``cover.jpg``), made once per distinct input and kept in the cache."""
    from publisher.renderers import cover as cover_module

    key = hashlib.sha256()
    # The drawing code is part of the key: a change to it must not reuse old covers.
    key.update(Path(cover_module.__file__).read_bytes())
    for part in (book.config.title, book.config.subtitle or "", book.config.author):
        key.update(part.encode() + b"\0")
    if book.config.cover:
        image = Path(book.root) / book.config.cover
        with contextlib.suppress(OSError):
            key.update(image.read_bytes())
    cached = cache / "cover" / f"{key.hexdigest()}.jpg"
    if cached.is_file():
        shutil.copyfile(cached, dest)
        return
    cover_module.make_cover(book, dest)
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(f".tmp{os.getpid()}")
    shutil.copyfile(dest, tmp)
    os.replace(tmp, cached)


def _files(folder: Path) -> Iterator[str]:
    for path in folder.rglob("*"):
        if path.is_file():
            yield path.relative_to(folder).as_posix()


def _publish(staging: Path, out: Path, folders: Sequence[str]) -> tuple[list[str], list[str]]:
    """Move staged files into ``out``; keep files whose bytes did not change.

    In each target folder that was rebuilt, files the build no longer makes are removed
    (a renamed chapter leaves no orphan MP3 behind).
    """
    changed: list[str] = []
    staged = sorted(_files(staging))
    for rel in staged:
        src, dest = staging / rel, out / rel
        if dest.is_file() and filecmp.cmp(src, dest, shallow=False):
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dest)
        changed.append(rel)
    keep = set(staged)
    removed: list[str] = []
    for folder in folders:
        for rel in sorted(_files(out / folder)) if (out / folder).is_dir() else []:
            full = f"{folder}/{rel}"
            if full not in keep:
                (out / full).unlink()
                removed.append(full)
    return changed, removed
