"""The no-op rebuild: when nothing a build reads has changed, do nothing at all.

A finished build records a fingerprint of its inputs and the files it published, in the
record of its build folder (:mod:`publisher.pipeline.records`, in ``.publisher/`` beside the
source), never in the build folder. The next build with the same fingerprint, whose published
files are all still there as they were left, is up to date: it parses, synthesises and writes
nothing, and only repeats the warnings the author has not fixed yet.

The fingerprint covers the Markdown's bytes and, by size and modification time (as make
does), every other file beside it (images, a cover), the voice profiles, the signing key
named in the environment (``PUBLISHER_C2PA_*``), and publisher's own code, plus the targets and the base URL asked for, and the code of each renderer (see
:func:`fingerprint`). A record also expires on the date of the next episode that is not out
yet, since the feed and the website change then with nothing else changed. ``--jobs`` is left out on purpose: the output is the same whatever it is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import itertools
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path

from publisher.errors import Problem
from publisher.infra.clock import build_now
from publisher.pipeline import records
from publisher.reader.credentials import environment_files

BUILD = "build"  # the section of the folder's record (publisher.pipeline.records)
_SKIP_DIRS = {"node_modules", "__pycache__"}
_MAX_FILES = 20_000  # a source folder this large is not a book folder: fingerprint less


def _tree(folder: Path, exclude: Path) -> Iterator[Path]:
    """Files below ``folder`` in a stable order, without hidden ones and without ``exclude``."""
    if not folder.is_dir():
        return
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and d not in _SKIP_DIRS and (here / d).resolve() != exclude
        )
        for name in sorted(files):
            if not name.startswith("."):
                yield here / name


def _code_file(factory: Callable[..., object]) -> Path | None:
    """The file that defines ``factory`` (a class, a function), if Python can tell."""
    try:
        name = inspect.getsourcefile(getattr(factory, "func", factory))  # a partial's function
    except TypeError:  # a builtin, or an object made at run time
        return None
    path = Path(name) if name else None
    return path if path is not None and path.is_file() else None  # not "<string>" (python -c)


def fingerprint(
    source: Path,
    out: Path,
    targets: Sequence[str],
    base_url: str | None,
    factories: Sequence[Callable[..., object]] = (),
) -> str:
    """A digest of everything a build of ``targets`` from ``source`` into ``out`` reads.

    ``factories`` make the renderers: the file defining each is part of the key, so a
    renderer passed in from outside publisher (a plug-in, a test's) is up to date on the same
    terms as a built-in one. A renderer whose output depends on anything else (a constructor
    argument) is rebuilt only when one of these inputs changes.
    """
    digest = hashlib.sha256()
    names = [f"{getattr(f, '__module__', '')}.{getattr(f, '__qualname__', '')}" for f in factories]
    digest.update(json.dumps([sorted(targets), base_url, str(source.resolve()), names]).encode())
    digest.update(source.read_bytes())
    exclude = out.resolve()
    package = Path(__file__).parent.parent  # the whole publisher package
    folders = (source.parent, source.parent.parent / "voices", package)
    paths = [p for p in map(_code_file, factories) if p is not None and package not in p.parents]
    # The content credentials' signing key from the environment may lie anywhere (one beside
    # the book is in the folder's tree): which files, and their state.
    signing = [Path(p) for p in environment_files() if p]
    digest.update(json.dumps([str(p) for p in signing]).encode())
    paths += [p for p in signing if p.is_file()]
    tree = (path for folder in folders for path in _tree(folder, exclude))
    paths += itertools.islice(tree, _MAX_FILES)
    for path in paths:
        try:
            stat = path.stat()
        except OSError:  # a link to nothing, or in a loop: the book may not use it
            stat = path.lstat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _state(out: Path, files: Sequence[str]) -> dict[str, list[int]]:
    state = {}
    for rel in files:
        stat = (out / rel).stat()
        state[rel] = [stat.st_size, stat.st_mtime_ns]
    return state


def record(
    state: Path,
    out: Path,
    key: str,
    targets: dict[str, list[str]],
    warnings: Sequence[Problem],
    expires: dt.datetime | None = None,
) -> None:
    """Remember a successful build: its fingerprint, published files and warnings.

    ``expires``: when the build's output changes by itself (the next episode's date: from
    then on the feed and the website list it), so it is no longer up to date.
    """
    files = sorted({f for made in targets.values() for f in made})
    document = {
        "expires": expires.isoformat() if expires is not None else None,
        "key": key,
        "targets": targets,
        "files": _state(out, files),
        "warnings": [asdict(w) for w in warnings],
    }
    records.save(state, out, build=document)


def up_to_date(
    state: Path, out: Path, key: str
) -> tuple[dict[str, list[str]], list[Problem]] | None:
    """``(targets → files, warnings)`` of the last build if it is still current, else None."""
    try:
        document = records.load(state, out)[BUILD]
        if document.get("key") != key:
            return None
        expires = document.get("expires")
        if expires is not None and build_now() >= dt.datetime.fromisoformat(expires):
            return None  # an episode's date has come: the feed and the website change
        files: dict[str, list[int]] = document["files"]
        if _state(out, list(files)) != files:
            return None
        warnings = [Problem(**w) for w in document["warnings"]]
        return dict(document["targets"]), warnings
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def recorded_files(state: Path, out: Path) -> set[str]:
    """The files the last finished build into ``out`` published, as its record lists them
    (none if there is no readable record)."""
    try:
        return {str(rel) for rel in records.load(state, out)[BUILD]["files"]}
    except (KeyError, TypeError):
        return set()


def forget(state: Path, out: Path) -> None:
    """Drop the record, so the next build does the work (used before publishing)."""
    records.save(state, out, **{BUILD: None})
