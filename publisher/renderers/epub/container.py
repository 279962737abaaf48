"""The EPUB's container (OCF): the zip that holds the package, written the same way every time.

ebooklib writes the package (OPF, manifest, spine) and the zip; here its writer puts
``xml:lang`` on ``<package>``, stamps every zip entry with the book's date instead of the
clock's (so two builds of the same source are byte-identical), stores audio uncompressed,
and streams large files (:class:`FileContent`) into the zip instead of holding them whole.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from ebooklib import epub

from publisher import model as m
from publisher import outputs
from publisher.errors import BuildError

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# The dcterms:modified of a book without a date, and the time stamped on every zip entry of
# it: the zip format's own epoch, so it is plainly "no date" rather than a made-up one.
NO_DATE = dt.datetime(1980, 1, 1)
# The only times a zip entry can hold; a book dated 1925 is stamped with the first of them.
ZIP_FIRST = NO_DATE
ZIP_LAST = dt.datetime(2107, 12, 31, 23, 59, 58)


def modified(book: m.Book) -> dt.datetime:
    """The book's ``dcterms:modified``: its front matter date, else :data:`NO_DATE`."""
    date = book.config.date
    return dt.datetime.combine(date, dt.time()) if date is not None else NO_DATE


def write_package(book: m.Book, package: epub.EpubBook, dest: Path) -> None:
    """Write ``package`` (made by :func:`~publisher.renderers.epub.renderer.make_package`,
    perhaps extended) to ``dest``."""
    # ebooklib reads the clock for dcterms:modified unless given "mtime".
    writer = _Writer(str(dest), package, {"mtime": modified(book)})
    writer.process()
    # ebooklib.write_epub() turns an OSError into a False return value unless told otherwise;
    # calling the writer directly lets a full disk fail the build loudly.
    try:
        writer.write()
    except OSError as e:
        dest.unlink(missing_ok=True)
        raise BuildError(f"{dest}: cannot write the EPUB: {e.strerror or e}") from e


class FileContent(bytes):
    """A manifest item's content that stays on disk until the zip is written, then is
    streamed in from ``path`` (the read-along EPUB's MP3s: a long book's audio, 300 MB for
    eleven hours, would otherwise be held in memory whole by ebooklib)."""

    path: Path

    def __new__(cls, path: Path) -> FileContent:
        content = super().__new__(cls, b"")
        content.path = path
        return content

    def __bool__(self) -> bool:
        return True  # ebooklib writes ``content or b""``: an empty bytes would be replaced


class _Zip(zipfile.ZipFile):
    """A zip whose entries carry a fixed time and mode instead of the clock's."""

    def __init__(self, file: str, when: dt.datetime) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self.when = min(max(when, ZIP_FIRST), ZIP_LAST)

    def writestr(  # type: ignore[override]
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: str | bytes,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=self.when.timetuple()[:6])
            info.compress_type = self.compression
            info.create_system = 3  # Unix, whatever the building machine is
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            suffix = PurePosixPath(zinfo_or_arcname).suffix
            if outputs.MEDIA_TYPES.get(suffix, "").startswith("audio/"):
                compress_type = zipfile.ZIP_STORED  # compressed already: deflate only costs time
            zinfo_or_arcname = info
        if isinstance(data, FileContent) and isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname.compress_type = (
                self.compression if compress_type is None else compress_type
            )
            with data.path.open("rb") as source, self.open(zinfo_or_arcname, "w") as out:
                shutil.copyfileobj(source, out, 1 << 20)
            return
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)


class _Writer(epub.EpubWriter):  # type: ignore[misc]
    """ebooklib's writer with ``xml:lang`` on ``<package>`` and reproducible zip entries."""

    def _write_opf_file(self, root: Any) -> None:
        # Ace reports a missing package language as serious (epub-lang); ebooklib omits it.
        root.set(XML_LANG, self.book.language)
        super()._write_opf_file(root)

    def write(self) -> None:
        # ebooklib's own write() stamps every entry with the clock (ZipFile.writestr does).
        with _Zip(self.file_name, self.options["mtime"]) as out:
            self.out = out
            # The mimetype entry must come first and be stored uncompressed (OCF).
            out.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
            self._write_container()
            self._write_opf()
            self._write_items()
