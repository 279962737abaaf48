"""``publisher voices``: list the voice profiles a book can use; ``voices add`` installs a
Piper voice."""

from __future__ import annotations

from pathlib import Path

import click

from publisher.cli.common import EXIT_INTERRUPTED
from publisher.errors import SourceError


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


def _default_source_or_none() -> Path | None:
    from publisher.pipeline.runner import default_source

    try:
        return default_source(Path("."))
    except SourceError:
        return None


def _voices_folder(source: Path | None, voices_dir: Path | None) -> Path:
    """The folder ``--voices`` names, else the one a build of SOURCE reads."""
    from publisher.engines.profiles import book_voices

    if voices_dir is not None:
        return voices_dir
    book = source if source is not None else _default_source_or_none()
    return book_voices(book.parent) if book is not None else Path("voices")


@click.group(cls=_SubcommandFirst, invoke_without_command=True)
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
