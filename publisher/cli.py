"""The ``publisher`` command: thin wrappers over the library. Errors print one line per cause."""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from publisher import __version__, outputs
from publisher.errors import PublisherError

EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
PROOF_MODEL_ENV = "PUBLISHER_PROOF_MODEL"  # the proof's --model, for build --proof too


class _Cli(click.Group):
    """Turns library errors into ``path:line: message`` lines and exit codes (2 bad input,
    1 failed build, 130 interrupted); a traceback only with ``--debug``."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PublisherError as e:
            if ctx.meta.get("debug"):
                raise
            for line in e.lines():
                click.echo(line, err=True)
            ctx.exit(e.exit_code)
        except KeyboardInterrupt as e:
            terminated = isinstance(e, Terminated)
            published = getattr(e, "published_to", None)
            what = "terminated" if terminated else "interrupted"
            left = (
                f"the new build is in {published}"
                if published
                else "the previous build is unchanged"
            )
            click.echo(f"{what}; {left}", err=True)
            ctx.exit(EXIT_TERMINATED if terminated else EXIT_INTERRUPTED)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that it unwinds the build as Ctrl-C does."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated


def _terminate_like_interrupt() -> None:
    """Handle SIGTERM as Ctrl-C: stop the workers, keep the previous build, say so."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_terminated)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", help="Show the version and exit.")
@click.option("--debug", is_flag=True, help="Show a traceback when something fails.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Turn one Markdown book into an accessible EPUB 3, narrated MP3s and a podcast feed."""
    ctx.meta["debug"] = debug


def _base_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse a ``--base-url`` that would break every address in the feed (exit 2)."""
    from publisher.urls import base_url_problem

    problem = base_url_problem(value) if value is not None else None
    if problem is not None:
        raise click.BadParameter(f"{value!r} {problem}")
    return value


def _source(source: Path | None) -> Path:
    from publisher.pipeline.runner import default_source

    return source if source is not None else default_source(Path("."))


def _out_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--out DIR`` (default ``build``), as ``build`` and ``check`` both take it."""
    return click.option(
        "--out",
        type=click.Path(path_type=Path, file_okay=False),
        default=Path("build"),
        show_default=True,
        help=help_text,
    )


def _base_url_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--base-url URL``, checked (``build``, ``check`` and ``serve --watch`` take it)."""
    return click.option("--base-url", default=None, callback=_base_url, help=help_text)


def _jobs_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--jobs N``, the audio's worker processes."""
    return click.option("--jobs", type=click.IntRange(min=1), default=None, help=help_text)


def _only_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--only TARGETS``, as ``build`` and ``serve --watch`` take it."""
    return click.option(
        "--only",
        default=None,
        help=(
            "Comma-separated targets to build (default: all): cover, epub, audio, feed, "
            "narrated-epub, audiobook, site."
        ),
    )(f)


def _targets(only: str | None) -> list[str] | None:
    return None if only is None else [t.strip() for t in only.split(",") if t.strip()]


def _default_source_or_none() -> Path | None:
    from publisher.errors import SourceError
    from publisher.pipeline.runner import default_source

    try:
        return default_source(Path("."))
    except SourceError:
        return None


@cli.command()
@click.argument("source", required=False, type=click.Path(path_type=Path, dir_okay=False))
@_out_option("Folder to write the outputs into.")
@_only_option
@_base_url_option(
    "Public http(s) URL the build folder is served at (feed); no ?query or #fragment."
)
@_jobs_option("Worker processes for audio (default: the number of cores).")
@click.option("--quiet", "-q", is_flag=True, help="Print only warnings and errors (no notes).")
@click.option(
    "--proof",
    "and_proof",
    is_flag=True,
    help="Then proof the narration (as publisher proof does, with a model already on this "
    "machine: PUBLISHER_PROOF_MODEL or base).",
)
def build(
    source: Path | None,
    out: Path,
    only: str | None,
    base_url: str | None,
    jobs: int | None,
    quiet: bool,
    and_proof: bool,
) -> None:
    """Build the book in SOURCE (default: the one .md file in source/)."""
    from publisher.pipeline.runner import build as run_build
    from publisher.progress import Reporter
    from publisher.renderers.base import BuildOptions

    options = BuildOptions(base_url=base_url, jobs=jobs or os.cpu_count() or 1, quiet=quiet)
    reporter = Reporter(quiet=options.quiet)
    _terminate_like_interrupt()
    result = run_build(
        _source(source),
        out,
        only=_targets(only),
        options=replace(options, progress=reporter.progress),
        on_target=lambda r: reporter.target(r, str(out)),
        on_warning=reporter.warn,
    )
    for note in result.notes:
        reporter.note(note)
    if and_proof:
        # A build fetches nothing: the model must be on the machine already.
        _proof(_source(source), out, os.environ.get(PROOF_MODEL_ENV), None, fetch=False)


def _proof(
    source: Path, out: Path, model: str | None, max_wer: float | None, *, fetch: bool = True
) -> None:
    from publisher.errors import BuildError
    from publisher.proof.report import chapter_row, summary, table_head
    from publisher.proof.run import proof as run_proof

    click.echo(table_head())
    found = run_proof(
        source, out, model=model, fetch=fetch, on_chapter=lambda c: click.echo(chapter_row(c))
    )
    for line in summary(found):
        click.echo(line)
    problems = found.above(max_wer) if max_wer is not None else []
    if problems:
        raise BuildError("proof: word error rate above --max-wer", problems)


@cli.command()
@click.argument("source", required=False, type=click.Path(path_type=Path, dir_okay=False))
@_out_option("The build whose narration to proof (its audio/ folder).")
@click.option(
    "--model",
    envvar=PROOF_MODEL_ENV,
    default=None,
    help="A CTranslate2 Whisper folder, or a model name (base, small, ...) fetched once on "
    "first use; default: base if already fetched. Also read from PUBLISHER_PROOF_MODEL.",
)
@click.option(
    "--max-wer",
    type=click.FloatRange(min=0),
    default=None,
    help="Fail (exit 1) if a chapter's word error rate is above this (0.3 is 30 %).",
)
def proof(source: Path | None, out: Path, model: str | None, max_wer: float | None) -> None:
    """Listen to each chapter's MP3 with a speech recognizer and report, at the source's
    lines, what it heard differently from the text (needs pip install 'publisher[proof]')."""
    _proof(_source(source), out, model, max_wer)


@cli.command()
@click.argument("source", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--strict", is_flag=True, help="Fail (exit 2) on warnings too.")
@_out_option("The last build, whose feed.xml shows chapters renamed since.")
@_base_url_option(
    "The --base-url the build will be given, if any (it stands in for podcast.base_url)."
)
def check(source: Path | None, strict: bool, out: Path, base_url: str | None) -> None:
    """Report every warning and error a build of SOURCE would, without building."""
    from publisher.checks.validate import validate
    from publisher.pipeline.registry import every
    from publisher.reader.parse import parse_file

    parsed = parse_file(_source(source))
    findings = validate(parsed, every(), out / outputs.FEED, base_url)
    for problem in findings.warnings:
        click.echo(str(problem), err=True)
    findings.raise_errors()
    chapters = len(parsed.book.chapters)
    warned = sum(1 for p in findings.warnings if p.severity == "warning")
    click.echo(f"{parsed.book.source}: {chapters} chapters, {warned} warning(s)")
    if strict and warned:
        sys.exit(2)


class _SubcommandFirst(click.Group):
    """A group whose own optional SOURCE argument does not swallow a subcommand's name:
    ``publisher voices [SOURCE]`` lists, ``publisher voices add NAME`` adds."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse as click does, without SOURCE when the first argument names a subcommand."""
        if not args or args[0] not in self.commands:
            return super().parse_args(ctx, args)
        params = self.params
        self.params = [p for p in params if not isinstance(p, click.Argument)]
        try:
            return super().parse_args(ctx, args)
        finally:
            self.params = params


class _OwnUsage(click.Argument):
    """An argument shown in its own command's usage only, not in its subcommands' (click
    puts a group's arguments in the path of every subcommand)."""

    def get_usage_pieces(self, ctx: click.Context) -> list[str]:
        """The argument's usage in its own command's usage line; nothing in a subcommand's."""
        return super().get_usage_pieces(ctx) if self in ctx.command.params else []


_book_argument = click.argument(
    "source", cls=_OwnUsage, required=False, type=click.Path(path_type=Path, dir_okay=False)
)
_voices_option = click.option(
    "--voices",
    "voices_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The book's folder of voice profiles (default: where build looks, beside SOURCE).",
)
_from_option = click.option(
    "--from",
    "url",
    metavar="URL",
    default=None,
    help=(
        "Address of Piper's voice collection (default: $PUBLISHER_PIPER_VOICES_URL, else "
        "the one piper-tts uses)."
    ),
)


def _voices_folder(source: Path | None, voices_dir: Path | None) -> Path:
    """The folder ``--voices`` names, else the one a build of SOURCE reads."""
    from publisher.engines.profiles import book_voices

    if voices_dir is not None:
        return voices_dir
    book = source if source is not None else _default_source_or_none()
    return book_voices(book.parent) if book is not None else Path("voices")


@cli.group(cls=_SubcommandFirst, invoke_without_command=True)
@_book_argument
@_voices_option
@click.option(
    "--available",
    "language",
    metavar="LANG",
    default=None,
    help="List Piper's voices in LANG (nl, nl-BE) with quality and licence; downloads the list.",
)
@_from_option
@click.pass_context
def voices(
    ctx: click.Context,
    source: Path | None = None,
    voices_dir: Path | None = None,
    language: str | None = None,
    url: str | None = None,
) -> None:
    """List the voice profiles a build of SOURCE can use (the book's voices/, then those
    publisher ships) and whether each can run on this machine; with --available, the Piper
    voices `voices add` can install."""
    if ctx.invoked_subcommand is not None:
        return
    folder = _voices_folder(source, voices_dir)
    if language is not None:
        _list_available(language, folder, url)
        return
    from publisher.engines.profiles import describe_voices

    for profile, problem in describe_voices(folder):
        state = "ok" if problem is None else f"unavailable: {problem}"
        click.echo(f"{profile.name:<20} {profile.engine:<7} {profile.language:<6} {state}")


def _list_available(language: str, folder: Path, url: str | None) -> None:
    from publisher.engines.catalog import LIST, source_url
    from publisher.engines.install import available

    click.echo(f"downloading the voice list from {source_url(url)}{LIST}", err=True)
    found = available(language, folder, source=url)
    if not found:
        click.echo(f"no Piper voice in {language!r}", err=True)
    for row in found:
        click.echo(row.line())


@voices.command("add")
@click.argument("name")
@_book_argument
@_voices_option
@click.option(
    "--name",
    "profile",
    metavar="PROFILE",
    default=None,
    help="Name of the profile to write (default: nl-nathalie-piper for nl_BE-nathalie-medium).",
)
@click.option("--force", is_flag=True, help="Download the voice again even if it is installed.")
@_from_option
@click.pass_context
def voices_add(
    ctx: click.Context,
    name: str,
    source: Path | None,
    voices_dir: Path | None,
    profile: str | None,
    force: bool,
    url: str | None,
) -> None:
    """Install the Piper voice NAME (nl_BE-nathalie-medium) into the voices folder of the book
    in SOURCE, checked against the voice list's digests, with a profile for it. Downloads."""
    from publisher.engines.catalog import source_url
    from publisher.engines.install import install_voice
    from publisher.engines.profiles import check_profile, load_profile
    from publisher.progress import Reporter

    folder = _voices_folder(source, voices_dir)
    click.echo(f"downloading {name} from {source_url(url)}", err=True)
    try:
        done = install_voice(
            name, folder, source=url, name=profile, force=force, progress=Reporter().progress
        )
    except KeyboardInterrupt:
        click.echo("interrupted; nothing was installed", err=True)
        ctx.exit(EXIT_INTERRUPTED)
    how = "kept" if done.kept_profile else "wrote"
    click.echo(f"installed {name} in {folder} (licence: {done.licence}); {how} {done.path}")
    problem = check_profile(load_profile(done.path), folder)
    if problem is not None:
        click.echo(f"note: it cannot speak here yet: {problem}", err=True)
    click.echo(f"use it with narration.voice: {done.profile}")


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--language",
    type=click.Choice(["en", "nl"]),
    default="en",
    show_default=True,
    help="Language of the starter book.",
)
def init(directory: Path, language: str) -> None:
    """Start a new book in DIRECTORY (it must not hold one already)."""
    from publisher.authoring.scaffold import create_book

    path = create_book(directory, language=language)
    click.echo(f"created {path}; build it with: {_build_in(directory)}")


@cli.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.argument(
    "directory", required=False, default=Path("."), type=click.Path(path_type=Path, file_okay=False)
)
def import_(file: Path, directory: Path) -> None:
    """Make a new book in DIRECTORY (default: here) from the text in FILE (.txt, .md, .docx,
    .odt, .html); print a note at each line of the new book that is a guess to check."""
    from publisher.authoring.importer import import_book

    imported = import_book(file, directory)
    for note in imported.notes:
        click.echo(str(note), err=True)
    counts = f"{_count(imported.chapters, 'chapter')}, {_count(len(imported.notes), 'note')}"
    click.echo(f"created {imported.book} ({counts}); build it with: {_build_in(directory)}")


def _build_in(directory: Path) -> str:
    """The command that builds the new book in ``directory``, ready to paste into a shell
    (a folder named "mijn boek" is quoted)."""
    import shlex

    return f"cd {shlex.quote(str(directory))} && publisher build"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@cli.command()
@click.argument("source", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Remove the whole .publisher/ folder: the records of earlier builds and the lock too.",
)
def clean(source: Path | None, everything: bool) -> None:
    """Empty the caches in .publisher/ beside SOURCE (default: the one .md file in source/)
    and say how much that freed. The next build is slower, never different."""
    from publisher.infra.sweep import human
    from publisher.pipeline.state import clean as run_clean

    folder, freed = run_clean(_source(source), everything)
    exact = "" if freed < 1000 else f" ({freed:,} bytes)"
    click.echo(f"{folder}: freed {human(freed)}{exact}")


@cli.command()
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
@_only_option
@_base_url_option("With --watch: as for build (default: the book's, else this server's address).")
@_jobs_option("With --watch: worker processes for audio (default: the number of cores).")
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
        source=_source(source),
        out=directory,
        only=_targets(only),
        options=options,
        host=host,
        port=port,
    )
    _terminate_like_interrupt()
    serve_and_watch(preview, stream=sys.stderr)


def main() -> None:
    """Entry point of the ``publisher`` script."""
    try:
        cli(prog_name="publisher")
    finally:
        # The command is over, its files written and closed. Frozen objects are left alone
        # by the collections the interpreter runs as it exits, which otherwise walk and
        # free everything a build made one object at a time: 0.1–0.25 s after a seed build
        # (a tenth of it with two cores); the system takes the memory back at once.
        # atexit handlers and finalizers registered with weakref still run.
        gc.freeze()
