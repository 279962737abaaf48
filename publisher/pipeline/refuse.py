"""What a build refuses before it builds anything, each said in one line: a source that is
not a file, a build folder that cannot be one, files in it that no record says are ours, a
required target's output that is neither built nor published."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from publisher.errors import BuildError
from publisher.pipeline import publish
from publisher.pipeline.registry import Plan
from publisher.renderers.base import Renderer, owned_by


def check_paths(source: Path, out: Path) -> None:
    """Say why ``source`` cannot be read, at its path, and that ``out`` cannot be a folder,
    before anything is made (not even ``.publisher/`` beside the source)."""
    if not source.is_file():
        # The parser says why (missing, a folder, unreadable); loaded here only then, as a
        # build with nothing changed never parses.
        from publisher.reader.parse import parse_file

        parse_file(source)
    for folder in (out, *out.parents):
        if folder.exists():
            if not folder.is_dir():
                raise BuildError(f"{out}: cannot be the build folder: {folder} is a file")
            return


def check_unknown(out: Path, unknown: Sequence[str], built: Sequence[Renderer]) -> None:
    """Refuse (exit 2), before anything is built, a build folder holding files no record
    says are ours, unless each lies where a target of this build writes: those are an
    earlier build's if this build writes the same bytes there (the state folder deleted)."""
    cannot = [rel for rel in unknown if not any(owned_by(r, rel) for r in built)]
    if cannot:  # named first: those are the reason
        raise publish.refuse_foreign(out, [*cannot, *(r for r in unknown if r not in cannot)])


def check_published(chosen: Plan, out: Path) -> None:
    """A required target that is not built must have been published: else say how to fix it."""
    for required in chosen.published:
        if any((out / path).exists() for path in required.owns):
            continue
        needers = [r.name for r in chosen.run if required.name in r.requires]
        paths = ", ".join(required.owns)
        raise BuildError(
            f"{needers[0]}: needs the {required.name} target's output ({paths}), which is not "
            f"in {out}; build it too: --only {required.name},{','.join(needers)}"
        )
