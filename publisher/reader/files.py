"""The files an author names beside the book (images, the cover, its font, a lexicon, a voice
model): one rule for where they may be, so every path from the book crosses one check,
:func:`book_file`, before anything opens it.

A path from the source is input like any other: it may hold a NUL byte (which the system
refuses with a ``ValueError``), point outside the book, be a symbolic link that loops or leads
nowhere, a folder, a FIFO that blocks whoever opens it, or a name longer than the system
allows. Each of these is one line at the author's line (``file:line: message``, exit 2),
never a traceback; the file is opened only once it is known to be a regular file inside the
book's folder.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path, PurePosixPath, PureWindowsPath

from publisher.errors import SourceError
from publisher.urls import is_url


def path_problem(relative: str) -> str | None:
    """Why ``relative`` cannot name a file inside a folder, judged by its text alone; None
    if it can. The reason reads after the path: ``f"{what} {relative!r} {reason}"``."""
    if not relative.strip():
        return "is empty"
    bad = next((c for c in relative if ord(c) < 0x20 or ord(c) == 0x7F), None)
    if bad is not None:
        return f"holds the control character U+{ord(bad):04X}"
    if is_url(relative):
        return "is remote; use a file beside the book"
    if PurePosixPath(relative).is_absolute() or PureWindowsPath(relative).is_absolute():
        return "is an absolute path; give it relative to the book"
    return None


def book_file(root: str | Path, relative: str, path: str, line: int | None, what: str) -> Path:
    """The regular file ``relative`` names inside the folder ``root``, resolved.

    Raises :class:`SourceError` at ``path:line`` (``what`` names the setting: "image",
    "cover") when :func:`path_problem` refuses it, or it is outside ``root`` (symbolic links
    followed), a link that loops, missing, not a regular file, or cannot be examined.
    """
    problem = path_problem(relative)
    if problem is not None:
        raise SourceError.at(path, line, f"{what} {relative!r} {problem}")
    folder = Path(root).resolve()
    try:
        # resolve() follows symbolic links, so a link pointing out of the folder is caught.
        resolved = (folder / relative).resolve()
    except (RuntimeError, OSError) as e:  # RuntimeError: a link loop (before Python 3.13)
        raise SourceError.at(path, line, f"{what} {relative!r} {_why(e)}") from e
    if not resolved.is_relative_to(folder):
        raise SourceError.at(path, line, f"{what} {relative!r} is outside the book's folder")
    try:
        mode = os.stat(resolved).st_mode
    except OSError as e:
        raise SourceError.at(path, line, f"{what} {relative!r} {_why(e)}") from e
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise SourceError.at(path, line, f"{what} {relative!r} is {kind}")
    return resolved


def _why(error: Exception) -> str:
    """What an error while following a path means to the author."""
    code = getattr(error, "errno", None)
    if isinstance(error, RuntimeError) or code == errno.ELOOP:
        return "is a symbolic link that leads back to itself"
    if code in (errno.ENOENT, errno.ENOTDIR):
        return "not found"
    if code == errno.ENAMETOOLONG:
        return "has a name longer than the system allows"
    return f"cannot be read: {getattr(error, 'strerror', None) or error}"
