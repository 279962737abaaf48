"""A cache that stays small: what no recent build used is removed, within a size cap.

Each entry's modification time is the time of its last use (:mod:`publisher.infra.cache`
marks an entry when it is read, and the entries a cached result was made from with it).
A build stamps the cache as it starts (:func:`start`); after it has published, :func:`sweep`

1. notes, for each kind (``speech``, ``chapters``, …) the build used, the build's start;
2. removes the entries of a kind that none of the last :data:`KEEP_BUILDS` builds that used
   that kind has used (an EPUB-only build does not age the audio's entries; an undone edit
   two builds back still finds its sentences);
3. if the cache is still larger than the cap (:func:`cap_bytes`, :data:`DEFAULT_CAP_MB` or
   ``PUBLISHER_CACHE_MB``), removes the least recently used entries that this build did not
   use until it fits, and says how large it is when this build's own entries pass the cap.

So the cache holds what the last few builds used, whatever the number of builds, and never
more than the cap beyond what the last build needs. Deleting any of it costs only time.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from publisher.infra.statedir import TEMP_PREFIX, Entry, Folder

KEEP_BUILDS = 3
"""An entry no build of the last this many that used its kind has used is removed."""
DEFAULT_CAP_MB = 2000
"""The cache's size cap, in megabytes (10^6 bytes), unless ``PUBLISHER_CACHE_MB`` says."""
CAP_ENV = "PUBLISHER_CACHE_MB"
STARTED = "started"  # the stamp of the running build's start
BUILDS = "builds.json"  # each kind's last KEEP_BUILDS starts of builds that used it


def cap_bytes() -> int:
    """The cache's size cap in bytes: ``PUBLISHER_CACHE_MB`` if it is a whole number of
    megabytes, else :data:`DEFAULT_CAP_MB`."""
    value = os.environ.get(CAP_ENV, "").strip()
    return (int(value) if value.isdigit() else DEFAULT_CAP_MB) * 1_000_000


def start(cache_dir: Path) -> int:
    """Stamp the cache as a build starts; the stamp (ns, by the file system's clock), which
    every entry this build reads or writes is marked at or after."""
    return Folder(cache_dir).stamp(STARTED)


@dataclass(frozen=True)
class Swept:
    """What :func:`sweep` left and freed, in bytes."""

    size: int
    freed: int
    cap: int

    @property
    def over_cap(self) -> bool:
        """Whether the entries this build used alone are larger than the cap."""
        return self.size > self.cap


def sweep(cache_dir: Path, started: int, cap: int | None = None) -> Swept:
    """Remove what no recent build used (module docstring); ``started``: this build's stamp."""
    cap = cap_bytes() if cap is None else cap
    folder = Folder(cache_dir)
    kinds: dict[str, list[Entry]] = {}
    # A link met here is no entry this build used (it would have been refused): removed as
    # a link, never followed.
    doomed: list[Entry] = []
    for entry in folder.entries(strays=doomed):
        if "/" in entry.rel:
            kinds.setdefault(entry.rel.split("/", 1)[0], []).append(entry)
    marks = _marks(folder)
    kept: list[Entry] = []
    for kind, entries in sorted(kinds.items()):
        if any(e.mtime_ns >= started for e in entries):
            marks[kind] = [*marks.get(kind, []), started][-KEEP_BUILDS:]
        recent = marks.get(kind, [])
        oldest = recent[0] if len(recent) == KEEP_BUILDS else None
        for entry in entries:
            stale = oldest is not None and entry.mtime_ns < oldest
            # A file still named as written was left by a build that was killed.
            if stale or entry.rel.rsplit("/", 1)[-1].startswith(TEMP_PREFIX):
                doomed.append(entry)
            else:
                kept.append(entry)
    size = sum(e.size for e in kept)
    for entry in sorted((e for e in kept if e.mtime_ns < started), key=lambda e: e.mtime_ns):
        if size <= cap:
            break
        doomed.append(entry)
        size -= entry.size
    freed = 0
    for entry in doomed:
        freed += folder.remove(entry.rel)
    for shard in sorted({e.rel.rsplit("/", 1)[0] for e in doomed}):
        folder.rmdir(shard)  # a shard folder left empty
    folder.write(BUILDS, json.dumps({k: v for k, v in marks.items() if k in kinds}).encode())
    return Swept(size=size, freed=freed, cap=cap)


def _marks(folder: Folder) -> dict[str, list[int]]:
    """Each kind's recent build starts (none if the file is missing or damaged)."""
    try:
        data = folder.read(BUILDS)
        found = json.loads(data) if data is not None else {}
        return {
            str(kind): [int(mark) for mark in starts][-KEEP_BUILDS:]
            for kind, starts in found.items()
        }
    except (ValueError, TypeError, AttributeError):
        return {}


def human(size: int) -> str:
    """``size`` bytes for a person: ``"52.3 MB"`` (decimal units, as the cap is given)."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def empty(cache_dir: Path) -> int:
    """Remove every entry of every kind; the bytes freed."""
    return Folder(cache_dir).remove()
