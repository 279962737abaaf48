"""``publisher proof``: listen to the narration and report what was heard differently."""

from __future__ import annotations

from pathlib import Path

import click

from publisher.cli.common import book_source, out_option
from publisher.errors import BuildError

PROOF_MODEL_ENV = "PUBLISHER_PROOF_MODEL"  # the proof's --model, for build --proof too


def run_proof(
    source: Path, out: Path, model: str | None, max_wer: float | None, *, fetch: bool = True
) -> None:
    """Print the proof's table of ``out``'s narration of ``source``, a row per chapter as it
    is heard, then the summary; a BuildError if a chapter is above ``max_wer``."""
    from publisher.proof.report import chapter_row, summary, table_head
    from publisher.proof.run import proof as proof_narration

    click.echo(table_head())
    found = proof_narration(
        source, out, model=model, fetch=fetch, on_chapter=lambda c: click.echo(chapter_row(c))
    )
    for line in summary(found):
        click.echo(line)
    problems = found.above(max_wer) if max_wer is not None else []
    if problems:
        raise BuildError("proof: word error rate above --max-wer", problems)


@click.command()
@click.argument("source", required=False, type=click.Path(path_type=Path, dir_okay=False))
@out_option("The build whose narration to proof (its audio/ folder).")
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
    run_proof(book_source(source), out, model, max_wer)
