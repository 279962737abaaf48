"""Publishing a staged build: the build folder turns from the old build into the new one in
one step, and a build only ever removes files that a build of the same book wrote.

Design: the staging folder is a sibling of the build folder (``.<name>.staging-<pid>``) and
is made into the *whole* next build: the files this build made, hard links to the published
files it did not rebuild (other targets' outputs, with ``--only``), and, for every new file
whose bytes did not change, a hard link to the published one instead (so its modification
time is kept and watchers see no change). Then one ``renameat2(RENAME_EXCHANGE)`` swaps the
two folders: at every instant the build folder's path names the whole old build or the whole
new one, so a podcast app fetching during a build, or after a ``kill -9`` at any point,
never sees a feed whose enclosure lengths belong to other MP3s. The old tree, now under the
staging name, is removed afterwards.

Why this design rather than the others: a symlink flip would change what the build folder
*is* (a link where authors and web servers expect a folder), and a journal rolled forward
by the next command leaves the folder mixed until someone runs that command, which is
exactly the window a podcast app fetches in. Hard links cost no copying and no space.

Elsewhere (no ``renameat2``: macOS, BSD, or a file system that refuses the exchange) the
switch is two renames: the old build aside to ``.<name>.previous-<pid>``, the new one into
place. A kill between the two leaves no build folder for a moment but never a mix, and the
next build puts the previous one back before it reads anything (:func:`clean_stale`).

What may be removed: :func:`record_written` keeps, in the record of each build folder
(:mod:`publisher.pipeline.records`, in ``.publisher/`` beside the source), the list of the
files in it (all of them written by builds of this book). A build folder holding anything
else, such as a draft, a recording or an old EPUB, is refused (exit 2) before anything is
built, since publishing replaces the whole folder (:func:`unknown_files`). Without a record
(``.publisher/`` deleted), a file at a path this build writes is taken as an earlier
build's when this build wrote the same bytes there; any other is refused and nothing is
published, so deleting the state folder costs only time.

For tests, ``PUBLISHER_KILL_AFTER_STEP=N`` makes the process SIGKILL itself after the N-th
file operation of publishing (see :func:`_step`).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import filecmp
import os
import shutil
import signal
import stat
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from publisher.errors import SourceError
from publisher.pipeline import records

FILES = "files"  # the section of the folder's record (publisher.pipeline.records)
STAGING_INFIX = ".staging-"
PREVIOUS_INFIX = ".previous-"
OLD_STAGING_PREFIX = ".staging-"  # staging inside the build folder, before this module
KILL_ENV = "PUBLISHER_KILL_AFTER_STEP"
PUBLISHED_ATTRIBUTE = "published_to"
"""Set on a KeyboardInterrupt that came after the switch: the folder now published."""
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_steps = [0]


def _step() -> None:
    """Count one file operation of publishing; the test hook kills the process after the
    N-th (``PUBLISHER_KILL_AFTER_STEP``), to prove every intermediate state is safe."""
    _steps[0] += 1
    wanted = os.environ.get(KILL_ENV)
    if wanted and wanted.isdigit() and int(wanted) == _steps[0]:
        os.kill(os.getpid(), signal.SIGKILL)


def staging_folder(out: Path) -> Path:
    """Where this process stages the next build of ``out`` (an absolute path)."""
    return out.parent / f".{out.name}{STAGING_INFIX}{os.getpid()}"


def clean_stale(out: Path) -> None:
    """Remove what killed builds left beside ``out``; put back a previous build that a
    kill left aside during the two-rename fallback."""
    if not out.exists():
        previous = sorted(out.parent.glob(f".{out.name}{PREVIOUS_INFIX}*"))
        if previous:
            os.rename(previous[-1], out)
    for pattern in (STAGING_INFIX, PREVIOUS_INFIX):
        for stale in out.parent.glob(f".{out.name}{pattern}*"):
            shutil.rmtree(stale, ignore_errors=True)
    if out.is_dir():
        for stale in out.glob(OLD_STAGING_PREFIX + "*"):
            shutil.rmtree(stale, ignore_errors=True)


def files(folder: Path) -> Iterator[str]:
    """Every file below ``folder`` (dotfiles too), relative, with ``/``."""
    for root, dirs, names in os.walk(folder):
        here = Path(root)
        dirs.sort()
        for name in sorted(names):
            yield (here / name).relative_to(folder).as_posix()


def written(state: Path, out: Path) -> set[str]:
    """The files that builds of this book left in ``out`` (empty if none is recorded)."""
    found = records.load(state, out).get(FILES)
    return {str(f) for f in found} if isinstance(found, list) else set()


def record_written(state: Path, out: Path, names: Sequence[str] | set[str]) -> None:
    """Remember ``names`` as the files builds of this book have in ``out`` (atomically)."""
    records.save(state, out, **{FILES: sorted(names)})


def unknown_files(state: Path, out: Path, also_ours: set[str]) -> list[str]:
    """The files in ``out`` that no record says a build of this book wrote.

    ``also_ours``: files an older record (the up-to-date manifest) knows this book made.
    """
    if not out.is_dir():
        return []
    ours = written(state, out) | also_ours
    return [rel for rel in files(out) if rel not in ours and not rel.startswith(OLD_STAGING_PREFIX)]


def refuse_foreign(out: Path, foreign: Sequence[str]) -> SourceError:
    """The error (exit 2) for a build folder holding ``foreign``, files no build wrote."""
    shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
    return SourceError.at(
        str(out),
        None,
        f"holds files no build of this book wrote ({shown}); a build replaces the whole "
        "folder, so choose another --out or move them away",
    )


def publish(
    staging: Path, out: Path, state: Path, rebuilt: set[str], unknown: Sequence[str] = ()
) -> tuple[list[str], list[str]]:
    """Make ``staging`` the whole next build and switch ``out`` to it in one step.

    ``rebuilt``: the published files that belong to the targets just built (those not made
    again are removed). ``unknown``: files in ``out`` that no record says are ours (the
    state folder was deleted); each must be a file this build wrote, with the same bytes,
    or nothing is published (SourceError). Returns (files changed, files removed).
    """
    old = set(files(out)) if out.is_dir() else set()
    old -= {rel for rel in old if rel.startswith(OLD_STAGING_PREFIX)}
    staged = sorted(files(staging))
    foreign = [
        rel
        for rel in unknown
        if not (staging / rel).is_file() or not filecmp.cmp(out / rel, staging / rel, False)
    ]
    if foreign:
        raise refuse_foreign(out, foreign)
    changed: list[str] = []
    for rel in staged:
        src, dest = out / rel, staging / rel
        if rel in old and filecmp.cmp(src, dest, shallow=False):
            dest.unlink()
            _link(src, dest)  # the same file: its modification time stays
            _step()
        else:
            changed.append(rel)
    for rel in sorted(old - set(staged) - rebuilt):  # other targets' published files
        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
        _link(out / rel, staging / rel)
        _step()
    removed = sorted(rebuilt - set(staged))
    new = set(files(staging))
    record_written(state, out, new | old)  # a kill after the switch: both lists are ours
    _step()
    switched = False
    try:
        with _signals_held():
            _switch(staging, out)
            switched = True
            _step()
            record_written(state, out, new)
            _step()
        shutil.rmtree(staging, ignore_errors=True)  # the old build, under the staging name
        _step()
    except KeyboardInterrupt as e:
        if switched:
            mark_published(e, out)
        raise
    return changed, removed


def mark_published(interruption: KeyboardInterrupt, out: Path) -> None:
    """Note on ``interruption`` that it came after the new build was switched into ``out``,
    so the command line does not claim the previous build is unchanged."""
    setattr(interruption, PUBLISHED_ATTRIBUTE, str(out))


@contextlib.contextmanager
def published_already(out: Path) -> Iterator[None]:
    """An interruption in this block came after the new build was published."""
    try:
        yield
    except KeyboardInterrupt as e:
        mark_published(e, out)
        raise


def _link(src: Path, dest: Path) -> None:
    """A hard link, or a copy with the same times where the file system has none."""
    try:
        os.link(src, dest)
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        shutil.copy2(src, dest)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM during the switch, so that an interruption lands before it
    (the previous build is unchanged) or after it (the new one is published), and the
    record of what is in the folder matches what is in it.

    The signals are caught by a handler that notes them and delivered again when the block
    ends. Blocking them with ``pthread_sigmask`` is not enough: the mask is the calling
    thread's, and the kernel hands a process's signal to any thread that does not block it
    (FFmpeg's and onnxruntime's threads, the build's own), whose arrival Python then acts on
    in the main thread at once.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; builds publish from it
        return
    caught: list[int] = []

    def note(signum: int, _frame: object) -> None:
        caught.append(signum)

    held = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.getsignal(s) for s in held}
    for s in held:
        signal.signal(s, note)
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, signal.SIG_DFL if handler is None else handler)
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)


def _switch(staging: Path, out: Path) -> None:
    """Swap ``staging`` in for ``out`` in one step where the system can (see the module)."""
    inside = _cwd_inside(out)
    if out.is_dir():
        os.chmod(staging, stat.S_IMODE(out.stat().st_mode))
    if not out.exists():
        os.rename(staging, out)
    elif not _exchange(staging, out):
        previous = out.parent / f".{out.name}{PREVIOUS_INFIX}{os.getpid()}"
        os.rename(out, previous)
        os.rename(staging, out)
        os.rename(previous, staging)
    if inside is not None:
        os.chdir(out / inside)  # this process's folder was the old build's, now removed


def _cwd_inside(out: Path) -> Path | None:
    try:
        cwd = Path.cwd()
    except OSError:
        return None
    resolved = out.resolve()
    return cwd.relative_to(resolved) if cwd == resolved or resolved in cwd.parents else None


def _exchange(a: Path, b: Path) -> bool:
    """``renameat2(a, b, RENAME_EXCHANGE)``; False where the system or file system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # not Linux, or a C library without it
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))
