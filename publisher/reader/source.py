"""The book's file: read as UTF-8 text (bounded, a regular file), its front matter apart.

Lines end at ``\n`` only, as markdown-it counts them, so a line number means the same thing
to every stage.
"""

from __future__ import annotations

import stat
from pathlib import Path

from publisher.errors import SourceError

# A book is text: 20 MB is several times the longest novel, and a bound keeps a mistaken
# SOURCE (a video, a disk image) from filling memory.
MAX_SOURCE_BYTES = 20 * 1024 * 1024


def split_front_matter(text: str, path: str) -> tuple[str, str, int]:
    """``(yaml, body, body_offset)``: the front matter between ``---`` lines and the rest.

    ``body_offset`` is how many lines come before the body, to turn body lines into file lines.
    Lines end at ``\n`` only (after :func:`normalise_newlines`), as markdown-it counts them:
    ``str.splitlines`` would also break at form feeds and U+2028 and shift every later line.
    """
    lines = text.split("\n")
    lines = [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    if not lines or lines[0].strip() != "---":
        raise SourceError.at(
            path, 1, "the book must start with YAML front matter between '---' lines"
        )
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "".join(lines[1:i]), "".join(lines[i + 1 :]), i + 1
    raise SourceError.at(path, 1, "the front matter that starts here has no closing '---' line")


def read_source(path: Path) -> str:
    """The file's text, newlines normalised; bad encoding is an error, never silently dropped.

    Only a regular file of at most :data:`MAX_SOURCE_BYTES` is read: a FIFO or a device would
    block or never end.
    """
    try:
        info = path.stat()  # before opening: opening a FIFO for reading blocks
        if not stat.S_ISREG(info.st_mode):
            raise SourceError.at(str(path), None, "is not a regular file")
        if info.st_size > MAX_SOURCE_BYTES:
            limit = MAX_SOURCE_BYTES // (1024 * 1024)
            raise SourceError.at(str(path), None, f"is larger than {limit} MB; is it the book?")
        data = path.read_bytes()
    except OSError as e:
        raise SourceError.at(str(path), None, f"cannot read: {e.strerror or e}") from e
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise SourceError.at(
            str(path), line, f"is not valid UTF-8 (byte 0x{data[e.start]:02X}); save it as UTF-8"
        ) from e
    return normalise_newlines(text)


def normalise_newlines(text: str) -> str:
    """``text`` with CRLF and lone CR turned into LF, as markdown-it reads them."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
