"""Runs the targets: the plan, staging, the contract checks, publishing.

A build writes everything into a staging folder beside ``<out>`` and switches ``<out>`` to
it in one step only when every target succeeded (see :mod:`publisher.pipeline.publish`), so a
failed, interrupted or killed build leaves the previous build as it was. A file whose bytes
did not change keeps its modification time, so tools that watch the folder see no change.

The build folder holds only what is published. What a build keeps for the next one (the
cache, the record of the last build, the lock) lives in ``.publisher/`` beside the source.
One build at a time per source: a lock file there that the operating system releases when
its process dies, so a killed build never holds it.

What a build refuses before it builds anything is in :mod:`publisher.pipeline.refuse`; the
contract each target's output is checked against, in :mod:`publisher.pipeline.contract`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from publisher import outputs
from publisher.errors import BuildError, Problem, PublisherError, SourceError
from publisher.infra.clock import build_now, next_release
from publisher.infra.heap import give_back
from publisher.infra.statedir import state_folder
from publisher.infra.sweep import start
from publisher.model import Book
from publisher.pipeline import publish, records, uptodate
from publisher.pipeline.board import Board
from publisher.pipeline.contract import check_contract, published
from publisher.pipeline.refuse import check_paths, check_published, check_unknown
from publisher.pipeline.registry import REGISTRY, Registry, check_only, every, plan
from publisher.pipeline.schedule import Schedule
from publisher.pipeline.state import build_lock, cache_folder, tidy
from publisher.renderers.base import (
    BuildOptions,
    RenderContext,
    Renderer,
    RenderResult,
    own_folder,
    owned_by,
)

if TYPE_CHECKING:
    from publisher.reader.parse import Parsed


@dataclass(frozen=True, kw_only=True)
class TargetResult:
    """What one target did."""

    name: str
    seconds: float
    files: tuple[str, ...]  # paths relative to the build folder, as its renderer returned them
    warnings: tuple[Problem, ...] = ()
    up_to_date: bool = False  # nothing changed since the last build: not rendered again


@dataclass(frozen=True, kw_only=True)
class BuildResult:
    """What a build made: per target, and which files actually changed on disk.

    ``up_to_date``: nothing had changed since the last build, so nothing was rendered or
    written; ``targets`` then repeat what that build made.
    """

    out: Path
    targets: tuple[TargetResult, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    warnings: tuple[Problem, ...]
    up_to_date: bool = False
    notes: tuple[str, ...] = ()  # about the state folder: the cache passed its cap


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


def build(
    source: Path,
    out: Path,
    *,
    only: Sequence[str] | None = None,
    options: BuildOptions | None = None,
    registry: Registry = REGISTRY,
    on_target: Callable[[TargetResult], None] | None = None,
    on_warning: Callable[[Problem], None] | None = None,
) -> BuildResult:
    """Parse ``source`` and build the targets ``only`` names (default: every one in
    ``registry``) into ``out``, all or nothing.

    A build whose inputs have not changed since the last one does nothing and says so
    (``up_to_date``; see :mod:`publisher.pipeline.uptodate`), whatever the registry: a test's or
    a plug-in's renderers are fingerprinted by the file that defines them.
    ``on_warning`` hears each warning as it is found, ``on_target`` each finished target.
    """
    options = options or BuildOptions()
    names = list(registry) if only is None else list(only)
    check_only(names, registry)

    def warn(problem: Problem) -> None:
        if on_warning is not None:
            on_warning(problem)

    try:
        return _build(source, out, names, options, registry, warn, on_target)
    except OSError as e:  # the state folder or the build folder (a render's are wrapped)
        raise BuildError(f"build: {_describe(e)}") from e


def _build(
    source: Path,
    out: Path,
    names: list[str],
    options: BuildOptions,
    registry: Registry,
    warn: Callable[[Problem], None],
    on_target: Callable[[TargetResult], None] | None,
) -> BuildResult:
    warnings: list[Problem] = []
    # Publishing renames it, so "." must have a name; and a link (build -> ../www, where a
    # web server serves the book) is resolved, so its target receives the build (swapping
    # the link itself would move it away and never write the target).
    out = Path(os.path.realpath(out))

    def note(problem: Problem) -> None:
        # A renderer repeats what the validation said (the EPUB's dropped links, a cleaned
        # SVG): the author hears each once.
        if str(problem) not in {str(w) for w in warnings}:
            warnings.append(problem)
            warn(problem)

    check_paths(source, out)
    state = state_folder(source)
    with build_lock(state):
        unknown = _foreign_files(state, out, names, registry)
        key = None
        if source.is_file():
            factories = [registry[name].make for name in registry]
            key = uptodate.fingerprint(source, out, names, options.base_url, factories)
            previous = None if unknown else uptodate.up_to_date(state, out, key)
            if previous is not None:
                return _nothing_to_do(out, previous, note, on_target)
        parsed = _checked(source, out, registry, options.base_url, note)
        chosen = plan(names, registry)
        check_published(chosen, out)
        uptodate.forget(state, out)
        ctx = _Run(
            book=parsed.book,
            out=out,
            state=state,
            options=options,
            unknown=unknown,
            running=chosen.run,
        )
        started = start(ctx.cache)
        targets, changed, removed = ctx.run(chosen.run, note, on_target)
        if key is not None:
            _remember(state, out, key, parsed.book, targets, warnings)
        with publish.published_already(out):
            notes = tidy(state, started)
        return BuildResult(
            out=out,
            targets=targets,
            changed=changed,
            removed=removed,
            warnings=tuple(warnings),
            notes=tuple(notes),
        )


def _foreign_files(state: Path, out: Path, names: list[str], registry: Registry) -> list[str]:
    """The files in ``out`` that no record says are ours, once the records of vanished build
    folders are swept and an interrupted publishing is undone; refused now unless this build
    may recognise them (:func:`publisher.pipeline.publish.publish`)."""
    records.sweep(state)
    publish.clean_stale(out)
    unknown = publish.unknown_files(state, out, uptodate.recorded_files(state, out))
    if unknown:
        check_unknown(out, unknown, plan(names, registry).run)
    return unknown


def _checked(
    source: Path,
    out: Path,
    registry: Registry,
    base_url: str | None,
    note: Callable[[Problem], None],
) -> Parsed:
    """The parsed book, once the validation every target shares has noted its warnings and
    found no error (else its SourceError)."""
    # Loaded only here: a build with nothing changed neither parses nor validates.
    from publisher.checks.validate import validate
    from publisher.reader.parse import parse_file

    parsed = parse_file(source)
    findings = validate(parsed, every(registry), out / outputs.FEED, base_url)
    for warning in findings.warnings:
        note(warning)
    findings.raise_errors()
    return parsed


def _remember(
    state: Path,
    out: Path,
    key: str,
    book: Book,
    targets: Sequence[TargetResult],
    warnings: Sequence[Problem],
) -> None:
    """Record what this build made and said, so that the next one with the same inputs does
    nothing, until the next chapter's release date makes the feed differ."""
    made = {t.name: list(t.files) for t in targets}
    chapters = [(c.slug, c.number) for c in book.chapters]
    expires = next_release(book.config, chapters, build_now())
    with publish.published_already(out):
        uptodate.record(state, out, key, made, warnings, expires)


def _nothing_to_do(
    out: Path,
    previous: tuple[dict[str, list[str]], list[Problem]],
    warn: Callable[[Problem], None],
    on_target: Callable[[TargetResult], None] | None,
) -> BuildResult:
    targets, warnings = previous
    for warning in warnings:
        warn(warning)
    results = tuple(
        TargetResult(name=name, seconds=0.0, files=tuple(files), up_to_date=True)
        for name, files in targets.items()
    )
    if on_target is not None:
        for result in results:
            on_target(result)
    return BuildResult(
        out=out,
        targets=results,
        changed=(),
        removed=(),
        warnings=tuple(warnings),
        up_to_date=True,
    )


@dataclass(frozen=True, kw_only=True)
class _Run:
    """One build's staging: runs the renderers, checks what they made, publishes."""

    book: Book
    out: Path
    state: Path
    options: BuildOptions
    unknown: Sequence[str] = ()  # files in out no record knows, to recognise on publishing
    running: Sequence[Renderer] = ()  # the targets this build makes

    def replaced(self, relative: str) -> bool:
        """Whether publishing replaces or removes the published file ``relative`` (a target
        of this build owns it: what it did not make again goes)."""
        return any(owned_by(r, relative) for r in self.running)

    @property
    def cache(self) -> Path:
        """The cache folder, which survives builds."""
        return cache_folder(self.state)

    def run(
        self,
        renderers: Sequence[Renderer],
        warn: Callable[[Problem], None],
        on_target: Callable[[TargetResult], None] | None,
    ) -> tuple[tuple[TargetResult, ...], tuple[str, ...], tuple[str, ...]]:
        """(what each target made, files changed in ``out``, files removed from it)."""
        staging = publish.staging_folder(self.out)
        staging.mkdir(parents=True)
        try:
            results: list[TargetResult] = []
            checked: list[tuple[Renderer, RenderResult]] = []

            def render(
                renderer: Renderer, options: BuildOptions, board: Board | None
            ) -> RenderResult:
                return self.render(renderer, staging, options, board)

            def finished(
                renderer: Renderer, made: RenderResult, seconds: float, started: Sequence[Renderer]
            ) -> None:
                check_contract(renderer, made, staging, started)
                checked.append((renderer, made))
                for warning in made.warnings:
                    warn(warning)
                result = TargetResult(
                    name=renderer.name,
                    seconds=seconds,
                    files=tuple(sorted(made.files)),
                    warnings=made.warnings,
                )
                results.append(result)
                if on_target is not None:
                    on_target(result)

            with contextlib.ExitStack() as prepared:
                for renderer in renderers:
                    ctx = self.context(renderer, staging, self.options, None)
                    prepared.enter_context(renderer.prepare(ctx))
                Schedule(renderers, render, finished, self.options).run()
            # Again with every target ended: targets that ran side by side were each checked
            # while others were still writing.
            for renderer, made in checked:
                check_contract(renderer, made, staging, renderers)
            rebuilt = published(self.out, renderers)
            changed, removed = publish.publish(staging, self.out, self.state, rebuilt, self.unknown)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return tuple(results), tuple(changed), tuple(removed)

    def render(
        self,
        renderer: Renderer,
        staging: Path,
        options: BuildOptions,
        board: Board | None = None,
    ) -> RenderResult:
        """Run one renderer; any exception it raises is a BuildError naming it (bad input
        stays a SourceError: its message already says where, and it exits 2)."""
        name = renderer.name
        ctx = self.context(renderer, staging, options, board)
        try:
            return renderer.render(ctx)
        except SourceError:
            raise
        except PublisherError as e:
            if str(e).startswith(f"{name}: "):
                raise
            raise type(e)(f"{name}: {e}", e.problems) from e
        except Exception as e:
            # Name the file where the author will look for it, not in the staging folder.
            where = _describe(e).replace(str(staging), str(self.out))
            raise BuildError(f"{name}: {where}") from e
        finally:
            give_back()  # what the target freed, before the targets still to come

    def context(
        self, renderer: Renderer, staging: Path, options: BuildOptions, board: Board | None
    ) -> RenderContext:
        """What ``renderer`` renders (or prepares) with; its folders in ``staging`` made."""
        for path in renderer.owns:
            if path.endswith("/"):
                (staging / path).mkdir(parents=True, exist_ok=True)
        out_dir = staging / own_folder(renderer.owns)
        # A pattern's folder too (``epub/`` for ``epub/*.narrated.epub``), made even when
        # the folder's owner is not part of this build.
        out_dir.mkdir(parents=True, exist_ok=True)
        return RenderContext(
            book=self.book,
            root=staging,
            out_dir=out_dir,
            published=self.out,
            cache_dir=self.cache,
            options=options,
            board=board,
            replaced=self.replaced,
        )


def _describe(error: Exception) -> str:
    """One line for an unexpected error: an OSError as ``file: reason``, else its text."""
    if isinstance(error, OSError) and error.strerror:
        return f"{error.filename}: {error.strerror}" if error.filename else error.strerror
    return str(error) or type(error).__name__
