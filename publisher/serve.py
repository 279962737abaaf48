"""``publisher serve``: the build folder over HTTP, as podcast apps and e-readers fetch it.

:class:`http.server.SimpleHTTPRequestHandler` answers GET and HEAD but has no Range support,
and podcast apps seek and resume with ``Range: bytes=…``. :class:`BuildRequestHandler` adds
single byte ranges (``a-b``, ``a-``, ``-n``) with 206 and ``Content-Range``, 416 with
``Content-Range: bytes */size`` for ranges it cannot satisfy, ``Accept-Ranges: bytes`` on
every file, and the media types of a build's files. A request for several ranges at once
gets the whole file (200), which HTTP allows. Nothing outside the served folder is reachable,
not even through a symbolic link inside it, and no dotfile or dot-folder (``.cache/``,
``.publisher/``) is served or listed. A request it cannot read (a NUL in the path, a Range
number thousands of digits long) gets 400, and a connection idle for
:data:`IDLE_TIMEOUT` seconds is closed.

It binds 127.0.0.1 unless told otherwise: a build is for the author until it is published.
"""

from __future__ import annotations

import email.utils
import html
import io
import os
import re
import shutil
import socket
import sys
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, unquote, urlsplit

from publisher import outputs
from publisher.errors import BuildError

DEFAULT_HOST = outputs.PREVIEW_HOST
DEFAULT_PORT = outputs.PREVIEW_PORT

FEED_TYPE = "application/rss+xml"

# Seconds a connection may wait for a request (or the client for data) before it is closed:
# a client that opens connections and sends nothing must not hold threads for ever.
IDLE_TIMEOUT = 30.0
# A byte position beyond 18 digits (an exabyte) is not a real request.
MAX_RANGE_DIGITS = 18

_RANGE = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


class RangeNotSatisfiable(Exception):
    """The Range header is malformed or lies outside the file."""


class BadRequest(ValueError):
    """A request no file can answer: the server says 400."""


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The inclusive byte range ``(first, last)`` that ``header`` asks of a ``size``-byte file.

    None means "send the whole file": a unit other than bytes (which HTTP says to ignore) or
    several ranges (which a server may answer with the whole file). Raises
    :class:`RangeNotSatisfiable` for a malformed bytes range or one outside the file.
    """
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes":
        return None
    if "," in spec:
        return None
    match = _RANGE.match(spec)
    if match is None:
        raise RangeNotSatisfiable(header)
    first_text, last_text = match.groups()
    if max(len(first_text), len(last_text)) > MAX_RANGE_DIGITS:
        raise BadRequest(f"Range positions longer than {MAX_RANGE_DIGITS} digits")
    if not first_text:
        if not last_text:
            raise RangeNotSatisfiable(header)
        suffix = int(last_text)  # the last `suffix` bytes
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable(header)
        return max(0, size - suffix), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if last < first or first >= size:
        raise RangeNotSatisfiable(header)
    return first, min(last, size - 1)


def add_to_head(page: bytes, extra: bytes) -> bytes:
    """``page`` with ``extra`` just before its ``</head>`` (at its end if it has none)."""
    if not extra:
        return page
    at = page.lower().find(b"</head>")
    return page + extra if at < 0 else page[:at] + extra + page[at:]


class BuildRequestHandler(SimpleHTTPRequestHandler):
    """Serves one folder with byte ranges and a build's media types (see the module doc)."""

    quiet = False
    server_version = "publisher"
    timeout = IDLE_TIMEOUT
    _range: tuple[int, int] | None = None

    def log_message(self, format: str, *args: Any) -> None:
        """Log to stderr unless the server was made quiet."""
        if not self.quiet:
            super().log_message(format, *args)

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        """The media type of the file at ``path``."""
        name = os.path.basename(os.fspath(path))
        if name == outputs.FEED:
            return FEED_TYPE
        suffix = os.path.splitext(name)[1].lower()
        return outputs.MEDIA_TYPES.get(suffix) or super().guess_type(path)

    def _inside(self, path: str) -> bool:
        """Whether ``path`` (symbolic links resolved) lies within the served folder."""
        root = os.path.realpath(self.directory)
        real = os.path.realpath(path)
        return real == root or real.startswith(root.rstrip(os.sep) + os.sep)

    def send_head(self) -> BinaryIO | None:
        """Send the status line and headers; return the open file for GET to copy from.

        400 for a request that cannot name a file; 404 for dotfiles and anything outside.
        """
        self._range = None
        try:
            return self._send_head()
        except BadRequest as e:
            self.send_error(HTTPStatus.BAD_REQUEST, str(e))
            return None

    def _send_head(self) -> BinaryIO | None:
        url_path = unquote(urlsplit(self.path).path)
        if "\x00" in url_path or "\\" in url_path:
            raise BadRequest("a NUL byte or backslash in the path")
        if any(part.startswith(".") for part in url_path.split("/")):
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        path = self.translate_path(self.path)
        if not self._inside(path):
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        if os.path.isdir(path):
            index = os.path.join(path, outputs.INDEX)
            if not url_path.endswith("/") or not os.path.isfile(index):
                # The standard handler's redirect to "dir/", or a listing (list_directory).
                return super().send_head()
            path = index  # a folder's page is sent as any other file
        try:
            f = open(path, "rb")  # noqa: SIM115 - closed by the caller after copying
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        try:
            return self._send_file(f, path)
        except Exception:
            f.close()
            raise

    def _send_file(self, f: BinaryIO, path: str) -> BinaryIO | None:
        """Send the headers for the open file ``f`` at ``path``; what GET copies from."""
        stat = os.fstat(f.fileno())
        size = stat.st_size
        modified = email.utils.formatdate(stat.st_mtime, usegmt=True)
        media_type = self.guess_type(path)
        extra = self.page_extra() if media_type.startswith("text/html") else b""
        wanted: tuple[int, int] | None = None
        if extra:
            # The page with what the live preview adds, whole: ranges of it would not be
            # ranges of any file.
            body = add_to_head(f.read(), extra)
            f.close()
            f, size = io.BytesIO(body), len(body)
        else:
            try:
                wanted = self._wanted_range(size, modified)
            except RangeNotSatisfiable:
                f.close()
                self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
        if wanted is None:
            self.send_response(HTTPStatus.OK)
            length = size
        else:
            first, last = wanted
            self.send_response(HTTPStatus.PARTIAL_CONTENT)
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
            length = last - first + 1
            f.seek(first)
            self._range = wanted
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", modified)
        self.end_headers()
        return f

    def page_extra(self) -> bytes:
        """What to add before ``</head>`` of every HTML page sent: nothing here; the live
        preview (:mod:`publisher.watch`) adds its reload script. The files are never changed."""
        return b""

    def list_directory(self, path: str | os.PathLike[str]) -> io.BytesIO | None:
        """A plain listing of the folder at ``path``, without dotfiles.

        Written here because the standard listing shows every name, ``.cache/`` included.
        """
        try:
            names = sorted(n for n in os.listdir(path) if not n.startswith("."))
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND, "No permission to list directory")
            return None
        title = html.escape(unquote(urlsplit(self.path).path), quote=False)
        items = []
        for name in names:
            shown = name + "/" if os.path.isdir(os.path.join(path, name)) else name
            items.append(f'<li><a href="{quote(shown)}">{html.escape(shown, quote=False)}</a></li>')
        body = (
            f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><h1>{title}</h1><ul>\n{chr(10).join(items)}\n</ul></body></html>\n"
        ).encode()
        body = add_to_head(body, self.page_extra())
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def _wanted_range(self, size: int, modified: str) -> tuple[int, int] | None:
        header = self.headers.get("Range")
        if header is None:
            return None
        # If-Range: the range only applies to the version the client already has part of.
        # We send no ETag, so only an exact Last-Modified match counts.
        if_range = self.headers.get("If-Range")
        if if_range is not None and if_range.strip() != modified:
            return None
        return parse_range(header, size)

    def do_GET(self) -> None:
        """Send the file, or the requested part of it."""
        f = self.send_head()
        if f is None:
            return
        try:
            if self._range is None:
                shutil.copyfileobj(f, self.wfile)
            else:
                first, last = self._range
                remaining = last - first + 1
                while remaining > 0:
                    chunk = f.read(min(64 * 1024, remaining))
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    remaining -= len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            # The client stopped listening (a player seeking elsewhere): nothing to do.
            self.close_connection = True
        finally:
            f.close()


class _IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


def make_server(
    directory: str | os.PathLike[str],
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    quiet: bool = False,
    handler_class: type[BuildRequestHandler] | None = None,
) -> ThreadingHTTPServer:
    """A server for ``directory`` bound to ``host:port`` (port 0: any free port), not started.

    Call ``serve_forever()`` on it (in a thread, for tests) and ``shutdown()`` /
    ``server_close()`` to stop; ``server.server_address[1]`` is the port it got.
    ``handler_class``: a subclass of :class:`BuildRequestHandler` to answer with (the live
    preview's); by default this module's, quiet or not.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise BuildError(f"{folder}: no such folder to serve; build the book first")
    handler_class = handler_class or _handler_class(quiet)
    handler = partial(handler_class, directory=str(folder.resolve()))
    server_class = _IPv6Server if ":" in host else ThreadingHTTPServer
    try:
        server = server_class((host, port), handler)
    except OSError as e:
        raise BuildError(f"cannot listen on {host}:{port}: {e.strerror or e}") from e
    server.daemon_threads = True  # a stalled client must not keep the process alive
    return server


def _handler_class(quiet: bool) -> type[BuildRequestHandler]:
    return type("QuietHandler" if quiet else "Handler", (BuildRequestHandler,), {"quiet": quiet})


def server_url(server: ThreadingHTTPServer) -> str:
    """The address to open in a browser or podcast app for ``server``."""
    host, port = server.server_address[:2]
    host = str(host)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def serve(server: ThreadingHTTPServer, directory: str | os.PathLike[str]) -> None:
    """Run ``server`` (from :func:`make_server`, serving ``directory``) until Ctrl-C, printing
    its URL and those of the website and the feed first; close it on the way out."""
    url = server_url(server)
    host = str(server.server_address[0])
    print(f"Serving {directory} at {url}", flush=True)
    if (Path(directory) / outputs.INDEX).exists():
        print(f"Website: {url}", flush=True)
    if (Path(directory) / outputs.FEED).exists():
        print(f"Podcast feed: {url}{outputs.FEED}", flush=True)
    if host not in (DEFAULT_HOST, "localhost", "::1"):
        print(f"Listening on {host}: other machines on the network can reach it.", flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr, flush=True)
    finally:
        server.server_close()
