"""The record of the builds published into each output folder: one file per folder, in
``.publisher/published/`` beside the source.

A record says which files in the folder builds of this book wrote (``files``: what a build
may replace or remove, see :mod:`publisher.pipeline.publish`) and, after a finished build,
what it was made from and what it published (``build``: the up-to-date check, see
:mod:`publisher.pipeline.uptodate`). It is named after the folder's path as seen from the
book's folder, which it also holds (``out``), so it still holds when the author moves the
folder holding both. Records of folders that no longer exist are removed (:func:`sweep`).

Every record is read and written through :class:`publisher.infra.statedir.Folder`: a link
at a record's place is refused, never followed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from publisher.infra.statedir import Folder

PUBLISHED = "published"
OLD_MANIFESTS = "manifests"  # where the up-to-date record lived before it joined this one


def where(state: Path, out: Path) -> str:
    """``out`` as seen from the book's folder (the state folder's parent)."""
    return os.path.relpath(out.resolve(), state.resolve().parent)


def _rel(state: Path, out: Path) -> str:
    name = hashlib.sha256(where(state, out).encode()).hexdigest()[:16]
    return f"{PUBLISHED}/{name}.json"


def load(state: Path, out: Path) -> dict[str, Any]:
    """The record of ``out`` (empty if there is none, or it is damaged or another folder's)."""
    try:
        data = Folder(state).read(_rel(state, out))
        document = json.loads(data) if data is not None else {}
    except (OSError, ValueError):
        return {}  # a damaged record: nothing is known to be ours
    if not isinstance(document, dict) or document.get("out") != where(state, out):
        return {}
    return document


def save(state: Path, out: Path, **sections: object) -> None:
    """Set ``sections`` of the record of ``out`` (a section given as None is removed), in
    one step."""
    document = load(state, out)
    document["out"] = where(state, out)
    for name, value in sections.items():
        if value is None:
            document.pop(name, None)
        else:
            document[name] = value
    Folder(state).write(_rel(state, out), json.dumps(document, indent=1).encode())


def sweep(state: Path) -> int:
    """Remove the records of output folders that no longer exist (and the up-to-date
    records of the layout before this one); the bytes freed."""
    folder = Folder(state)
    freed = folder.remove(OLD_MANIFESTS)
    book = state.resolve().parent
    for entry in folder.entries(PUBLISHED):
        try:
            data = folder.read(entry.rel)
            document = json.loads(data) if data is not None else {}
            gone = not (book / str(document["out"])).is_dir()
        except (ValueError, KeyError, TypeError):
            gone = True  # damaged: it tells nothing
        if gone:
            folder.unlink(entry.rel)
            freed += entry.size
    return freed
