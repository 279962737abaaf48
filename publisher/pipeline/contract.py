"""The renderer's contract, checked by the build: a target writes only inside what it owns
and returns every file it wrote (:func:`publisher.renderers.base.owned_by` says what is
whose); and which published files belong to the targets a build makes again."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from publisher.errors import BuildError
from publisher.renderers.base import Renderer, RenderResult, owned_by


def check_contract(
    renderer: Renderer, made: RenderResult, staging: Path, done: Sequence[Renderer]
) -> None:
    """The renderer wrote only inside what it owns, and said what it wrote (``done``: the
    renderers started so far, this one included)."""
    name = renderer.name
    for rel in made.files:
        if not owned_by(renderer, rel):
            raise BuildError(f"{name}: returned {rel!r}, outside what it owns ({renderer.owns})")
        if not (staging / rel).is_file():
            raise BuildError(f"{name}: returned {rel!r}, which it did not write")
    reported = set(made.files)
    for rel in _files(staging):
        if not any(owned_by(r, rel) for r in done):
            raise BuildError(f"{name}: wrote {rel!r}, outside what it owns ({renderer.owns})")
        if owned_by(renderer, rel) and rel not in reported:
            raise BuildError(f"{name}: wrote {rel!r} but did not return it")


def _files(folder: Path) -> Iterator[str]:
    for path in folder.rglob("*"):
        if path.is_file():
            yield path.relative_to(folder).as_posix()


def published(out: Path, renderers: Sequence[Renderer]) -> set[str]:
    """The files in ``out`` that belong to ``renderers``."""
    found: set[str] = set()
    for renderer in renderers:
        for path in renderer.owns:
            if path.endswith("/") or "*" in path:
                top = path.split("*", 1)[0].rsplit("/", 1)[0] if "*" in path else path[:-1]
                folder = out / top
                names = [f"{top}/{rel}" for rel in _files(folder)] if folder.is_dir() else []
            else:
                names = [path] if (out / path).is_file() else []
            found.update(rel for rel in names if owned_by(renderer, rel))
    return found
