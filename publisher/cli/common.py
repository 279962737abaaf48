"""What the commands share: their common options, the default SOURCE, the exit codes, and
SIGTERM handled as Ctrl-C."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that it unwinds the build as Ctrl-C does."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated


def terminate_like_interrupt() -> None:
    """Handle SIGTERM as Ctrl-C: stop the workers, keep the previous build, say so."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_terminated)


def _base_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse a ``--base-url`` that would break every address in the feed (exit 2)."""
    from publisher.urls import base_url_problem

    problem = base_url_problem(value) if value is not None else None
    if problem is not None:
        raise click.BadParameter(f"{value!r} {problem}")
    return value


def book_source(source: Path | None) -> Path:
    """SOURCE as given, else the one ``.md`` file in ``source/`` (a SourceError if not one)."""
    from publisher.pipeline.runner import default_source

    return source if source is not None else default_source(Path("."))


def out_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--out DIR`` (default ``build``), as ``build`` and ``check`` both take it."""
    return click.option(
        "--out",
        type=click.Path(path_type=Path, file_okay=False),
        default=Path("build"),
        show_default=True,
        help=help_text,
    )


def base_url_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--base-url URL``, checked (``build``, ``check`` and ``serve --watch`` take it)."""
    return click.option("--base-url", default=None, callback=_base_url, help=help_text)


def jobs_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--jobs N``, the audio's worker processes."""
    return click.option("--jobs", type=click.IntRange(min=1), default=None, help=help_text)


def only_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--only TARGETS``, as ``build`` and ``serve --watch`` take it."""
    return click.option(
        "--only",
        default=None,
        help=(
            "Comma-separated targets to build (default: all): cover, epub, audio, feed, "
            "narrated-epub, audiobook, site."
        ),
    )(f)


def targets(only: str | None) -> list[str] | None:
    """The target names ``--only`` lists; None (every target) when it is not given."""
    return None if only is None else [t.strip() for t in only.split(",") if t.strip()]
