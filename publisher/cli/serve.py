"""``publisher serve``: serve the build folder; with ``--watch``, build it again on every save."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from publisher.cli.common import (
    base_url_option,
    book_source,
    jobs_option,
    only_option,
    targets,
    terminate_like_interrupt,
)


@click.command()
@click.argument(
    "directory",
    required=False,
    default=Path("build"),
    type=click.Path(path_type=Path, file_okay=False),
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port."
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on; anything but 127.0.0.1 exposes the build to the network.",
)
@click.option(
    "--watch",
    is_flag=True,
    help="Build SOURCE into DIRECTORY first, then again on every save; open pages reload.",
)
@click.option(
    "--source",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="With --watch: the book (default: the one .md file in source/).",
)
@only_option
@base_url_option("With --watch: as for build (default: the book's, else this server's address).")
@jobs_option("With --watch: worker processes for audio (default: the number of cores).")
def serve(
    directory: Path,
    port: int,
    host: str,
    watch: bool,
    source: Path | None,
    only: str | None,
    base_url: str | None,
    jobs: int | None,
) -> None:
    """Serve the build folder (HEAD and Range requests, as podcast apps need); with --watch,
    build the book into it and again whenever its files change."""
    if not watch:
        if source or only or base_url or jobs:
            raise click.UsageError("--source, --only, --base-url and --jobs need --watch")
        from publisher.serve import make_server
        from publisher.serve import serve as run_server

        run_server(make_server(directory, host=host, port=port), directory)
        return
    from publisher.renderers.base import BuildOptions
    from publisher.watch.loop import Preview, serve_and_watch

    options = BuildOptions(base_url=base_url, jobs=jobs or os.cpu_count() or 1)
    preview = Preview(
        source=book_source(source),
        out=directory,
        only=targets(only),
        options=options,
        host=host,
        port=port,
    )
    terminate_like_interrupt()
    serve_and_watch(preview, stream=sys.stderr)
