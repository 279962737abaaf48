"""``publisher init`` and ``import``: start a new book, empty or from an existing text."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
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


@click.command("import")
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
