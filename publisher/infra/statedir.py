"""The state folder, ``.publisher/`` beside the source: every path in it reached without
following a symbolic link.

A book folder comes from anywhere (a zip, a clone, a sync tool), and ``.publisher/`` in it
may carry links: at the lock's place, a link made the build truncate the linked file; at a
cache folder, it made the build delete files of that kind in the linked folder. So every
file and folder below a :class:`Folder` is opened one level at a time, relative to its
parent's open descriptor and with ``O_NOFOLLOW``: a link (or a file where a folder belongs)
is refused with one line, exit 2, and never read, written or followed; what it points at is
left alone. Removing is the one exception: :meth:`Folder.remove` deletes a link as a link
(``unlinkat`` never follows one), so ``publisher clean`` can empty a folder that holds one.

The folder itself is opened with ``O_NOFOLLOW`` too; the folders above it are the author's
(the book's folder may well be a link) and are followed.

Hand-written on the ``os`` module's ``dir_fd`` calls: ``pathlib`` and ``shutil`` follow
links, and Linux's ``openat2(RESOLVE_NO_SYMLINKS)`` is neither in ``os`` nor on macOS.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from publisher.errors import SourceError

STATE_DIR = ".publisher"
"""The state folder's name, beside the source."""
TEMP_PREFIX = ".tmp-"
"""What a file being written is called until it takes its name (see :meth:`Folder.writing`)."""

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NOFOLLOW = os.O_NOFOLLOW | os.O_CLOEXEC
# What opening a link with O_NOFOLLOW fails with (ELOOP; EMLINK on FreeBSD), or a file
# opened as a folder (ENOTDIR).
_REFUSED = (errno.ELOOP, errno.EMLINK, errno.ENOTDIR)


def state_folder(source: Path) -> Path:
    """``.publisher/`` beside ``source``: the cache, the record of the builds, the lock."""
    return source.parent / STATE_DIR


@dataclass(frozen=True)
class Entry:
    """A file below a folder: its path relative to it, size in bytes and modification time."""

    rel: str
    size: int
    mtime_ns: int


def _parts(rel: str) -> list[str]:
    parts = [p for p in rel.split("/") if p and p != "."]
    if any(p == ".." for p in parts) or rel.startswith("/"):
        raise ValueError(f"{rel!r} is not a path inside the folder")
    return parts


class Folder:
    """A folder publisher keeps to itself, and everything below it, reached without
    following links (module docstring). Paths are relative, with ``/``. Only the path is
    kept, so a folder can be handed to a worker process."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"Folder({str(self.root)!r})"

    # --- reaching a folder ----------------------------------------------------------------

    def refused(self, rel: str) -> SourceError:
        """The one-line error for what lies at ``rel`` (a link, or not a folder)."""
        path = self.root / rel if rel else self.root
        try:
            link = stat.S_ISLNK(os.lstat(path).st_mode)
        except OSError:
            link = False
        what = "is a symbolic link" if link else "is not a folder"
        return SourceError.at(
            str(path),
            None,
            f"{what}; publisher keeps its own files in {STATE_DIR}/ and follows no link "
            f"there: remove it (deleting {STATE_DIR}/ is safe, it only makes the next build "
            "slower)",
        )

    def _open_root(self, create: bool) -> int | None:
        if create:
            with contextlib.suppress(FileExistsError):
                os.makedirs(self.root)  # an existing link is left as it is, and refused below
        try:
            return os.open(self.root, _DIR)
        except FileNotFoundError:
            return None
        except OSError as e:
            if e.errno in _REFUSED:
                raise self.refused("") from None
            raise

    def _open_child(self, parent: int, name: str, rel: str, create: bool) -> int | None:
        for attempt in (0, 1):
            try:
                return os.open(name, _DIR, dir_fd=parent)
            except FileNotFoundError:
                if not create or attempt:
                    return None
                with contextlib.suppress(FileExistsError):  # another process made it
                    os.mkdir(name, 0o755, dir_fd=parent)
            except OSError as e:
                if e.errno in _REFUSED:
                    raise self.refused(rel) from None
                raise
        return None

    @contextlib.contextmanager
    def _dir(self, rel: str, create: bool = False) -> Iterator[int | None]:
        """An open descriptor of the folder ``rel`` (None if it is missing and not made)."""
        fd = self._open_root(create)
        parts = _parts(rel)
        try:
            for i, name in enumerate(parts):
                if fd is None:
                    break
                child = self._open_child(fd, name, "/".join(parts[: i + 1]), create)
                os.close(fd)
                fd = child
            yield fd
        finally:
            if fd is not None:
                os.close(fd)

    def _split(self, rel: str) -> tuple[str, str]:
        parts = _parts(rel)
        if not parts:
            raise ValueError("a file needs a name")
        return "/".join(parts[:-1]), parts[-1]

    def _open_file(self, folder: int, name: str, rel: str, flags: int, mode: int = 0o644) -> int:
        try:
            return os.open(name, flags | _NOFOLLOW, mode, dir_fd=folder)
        except OSError as e:
            if e.errno in (errno.ELOOP, errno.EMLINK):
                raise self.refused(rel) from None
            raise

    # --- files ------------------------------------------------------------------------------

    def open(self, rel: str, *, touch: bool = False) -> BinaryIO | None:
        """The file ``rel`` opened to read (None if it is missing); ``touch`` marks it used
        now (its modification time is the time of its last use: see the cache's sweep)."""
        where, name = self._split(rel)
        with self._dir(where) as folder:
            if folder is None:
                return None
            try:
                fd = self._open_file(folder, name, rel, os.O_RDONLY)
            except FileNotFoundError:
                return None
        if touch:
            with contextlib.suppress(OSError):  # a read-only cache is still read
                os.utime(fd)
        return os.fdopen(fd, "rb")

    def read(self, rel: str) -> bytes | None:
        """The bytes of the file ``rel``; None if it is missing."""
        f = self.open(rel)
        if f is None:
            return None
        with f:
            return f.read()

    def exists(self, rel: str, *, touch: bool = False) -> bool:
        """Whether ``rel`` is a file (a link there is refused); ``touch`` as in :meth:`open`."""
        f = self.open(rel, touch=touch)
        if f is None:
            return False
        f.close()
        return True

    @contextlib.contextmanager
    def writing(self, rel: str, *, replace: bool = True) -> Iterator[Written]:
        """A new file to write, which becomes ``rel`` in one step when the block ends without
        an error (a reader sees the old file, the new one or none, never half of one). With
        ``replace=False`` an existing ``rel`` stays, and :attr:`Written.stored` says so."""
        where, name = self._split(rel)
        with self._dir(where, create=True) as folder:
            assert folder is not None
            temp = f"{TEMP_PREFIX}{secrets.token_hex(8)}"
            fd = self._open_file(folder, temp, rel, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
            written = Written(os.fdopen(fd, "w+b"))
            try:
                with written.file:
                    yield written
                written.stored = _commit(folder, temp, name, replace)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temp, dir_fd=folder)

    def write(self, rel: str, data: bytes) -> None:
        """Write ``data`` as the file ``rel`` in one step (see :meth:`writing`)."""
        with self.writing(rel) as out:
            out.file.write(data)

    def unlink(self, rel: str) -> None:
        """Remove the file ``rel`` if it is there (a link there is removed, not followed)."""
        where, name = self._split(rel)
        with self._dir(where) as folder, contextlib.suppress(FileNotFoundError):
            if folder is not None:
                os.unlink(name, dir_fd=folder)

    def rmdir(self, rel: str) -> None:
        """Remove the folder ``rel`` if it is empty (else, or if it is missing, nothing)."""
        where, name = self._split(rel)
        with self._dir(where) as folder, contextlib.suppress(OSError):
            if folder is not None:
                os.rmdir(name, dir_fd=folder)

    def touch(self, rels: Iterable[str]) -> None:
        """Mark the files ``rels`` used now (those missing are skipped), opening each folder
        once however many of its files are marked."""
        by_folder: dict[str, list[str]] = {}
        for rel in rels:
            where, name = self._split(rel)
            by_folder.setdefault(where, []).append(name)
        for where, names in sorted(by_folder.items()):
            with self._dir(where) as folder:
                if folder is None:
                    continue
                for name in names:
                    with contextlib.suppress(FileNotFoundError):
                        os.utime(name, dir_fd=folder, follow_symlinks=False)

    def stamp(self, rel: str) -> int:
        """Write the empty file ``rel`` and return its modification time (ns): now, by the
        clock of the file system, which the times of the files written after it follow."""
        with self.writing(rel):
            pass
        where, name = self._split(rel)
        with self._dir(where) as folder:
            assert folder is not None
            return os.stat(name, dir_fd=folder, follow_symlinks=False).st_mtime_ns

    @contextlib.contextmanager
    def lock(self, rel: str) -> Iterator[int]:
        """The file ``rel`` open for reading and writing (made if missing), for ``flock``;
        closed when the block ends, which releases any lock on it."""
        where, name = self._split(rel)
        with self._dir(where, create=True) as folder:
            assert folder is not None
            fd = self._open_file(folder, name, rel, os.O_RDWR | os.O_CREAT)
        try:
            yield fd
        finally:
            os.close(fd)

    # --- trees ------------------------------------------------------------------------------

    def entries(
        self, rel: str = "", depth: int | None = None, strays: list[Entry] | None = None
    ) -> list[Entry]:
        """Every file below ``rel`` (to ``depth`` levels of folders, all if None), relative to
        this folder. A link (or anything else that is neither a file nor a folder) is
        refused, or, if ``strays`` is given, listed there, not followed."""
        found: list[Entry] = []
        with self._dir(rel) as fd:
            if fd is not None:
                self._walk(fd, "/".join(_parts(rel)), depth, found, strays)
        return found

    def _walk(
        self,
        fd: int,
        rel: str,
        depth: int | None,
        found: list[Entry],
        strays: list[Entry] | None,
    ) -> None:
        with os.scandir(fd) as listing:
            items = sorted(listing, key=lambda e: e.name)
        for item in items:
            path = f"{rel}/{item.name}" if rel else item.name
            info = item.stat(follow_symlinks=False)
            if stat.S_ISDIR(info.st_mode):
                if depth is None or depth > 0:
                    child = self._open_child(fd, item.name, path, create=False)
                    if child is not None:
                        try:
                            deeper = None if depth is None else depth - 1
                            self._walk(child, path, deeper, found, strays)
                        finally:
                            os.close(child)
            elif stat.S_ISREG(info.st_mode):
                found.append(Entry(path, info.st_size, info.st_mtime_ns))
            elif strays is not None:  # a link, a socket, a pipe: nothing publisher made
                strays.append(Entry(path, 0, info.st_mtime_ns))
            else:
                raise self.refused(path)

    def remove(self, rel: str = "") -> int:
        """Delete ``rel`` (a file, or a folder with everything in it; links as links, never
        followed), the folder itself when ``rel`` is empty; the bytes freed (file sizes)."""
        parts = _parts(rel)
        if not parts:
            return _remove_at(None, str(self.root))
        where, name = "/".join(parts[:-1]), parts[-1]
        with self._dir(where) as folder:
            return 0 if folder is None else _remove_at(folder, name)

    def size(self) -> int:
        """The bytes in the files below this folder (0 if it is missing); links refused."""
        return sum(e.size for e in self.entries())


class Written:
    """A file being written by :meth:`Folder.writing`."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.stored = False  # set as the block ends: whether it took its name


def _commit(folder: int, temp: str, name: str, replace: bool) -> bool:
    """Give the written ``temp`` its ``name`` (neither is followed if it is a link)."""
    if replace:
        os.replace(temp, name, src_dir_fd=folder, dst_dir_fd=folder)
        return True
    try:  # fails if ``name`` exists: the first one stays
        os.link(temp, name, src_dir_fd=folder, dst_dir_fd=folder, follow_symlinks=False)
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links: the last one stays
        os.replace(temp, name, src_dir_fd=folder, dst_dir_fd=folder)
    return True


def _remove_at(parent: int | None, name: str) -> int:
    """Remove ``name`` in the folder ``parent`` (or the path ``name``), as a link if it is
    one, else with everything below it; the bytes freed."""
    try:
        info = os.stat(name, dir_fd=parent, follow_symlinks=False)
    except FileNotFoundError:
        return 0
    if not stat.S_ISDIR(info.st_mode):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name, dir_fd=parent)
        return info.st_size if stat.S_ISREG(info.st_mode) else 0
    freed = 0
    try:
        fd = os.open(name, _DIR, dir_fd=parent)
    except OSError as e:
        if e.errno in _REFUSED:  # made a link since: remove that
            return _remove_at(parent, name)
        raise
    try:
        with os.scandir(fd) as listing:
            names = [item.name for item in listing]
        for child in names:
            freed += _remove_at(fd, child)
    finally:
        os.close(fd)
    with contextlib.suppress(FileNotFoundError):
        os.rmdir(name, dir_fd=parent)
    return freed
