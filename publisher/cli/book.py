"""``publisher build``, ``check`` and ``clean``: the commands on a book and its build."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

import click

from publisher import outputs
from publisher.cli.common import (
    base_url_option,
    book_source,
    jobs_option,
    only_option,
    out_option,
    targets,
    terminate_like_interrupt,
)
from publisher.cli.proof import PROOF_MODEL_ENV, run_proof


@click.command()
@click.argument("source", required=False, type=click.Path(path_type=Path, dir_okay=False))
@out_option("Folder to write the outputs into.")
@only_option
@base_url_option("Public http(s) URL the build folder is served at (feed); no ?query or #fragment.")
@jobs_option("Worker processes for audio (default: the number of cores).")
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
    terminate_like_interrupt()
    result = run_build(
        book_source(source),
        out,
        only=targets(only),
        options=replace(options, progress=reporter.progress),
        on_target=lambda r: reporter.target(r, str(out)),
        on_warning=reporter.warn,
    )
    for note in result.notes:
        reporter.note(note)
    if and_proof:
        # A build fetches nothing: the model must be on the machine already.
        run_proof(book_source(source), out, os.environ.get(PROOF_MODEL_ENV), None, fetch=False)


@click.command()
@click.argument("source", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--strict", is_flag=True, help="Fail (exit 2) on warnings too.")
@out_option("The last build, whose feed.xml shows chapters renamed since.")
@base_url_option(
    "The --base-url the build will be given, if any (it stands in for podcast.base_url)."
)
def check(source: Path | None, strict: bool, out: Path, base_url: str | None) -> None:
    """Report every warning and error a build of SOURCE would, without building."""
    from publisher.checks.validate import validate
    from publisher.pipeline.registry import every
    from publisher.reader.parse import parse_file

    parsed = parse_file(book_source(source))
    findings = validate(parsed, every(), out / outputs.FEED, base_url)
    for problem in findings.warnings:
        click.echo(str(problem), err=True)
    findings.raise_errors()
    chapters = len(parsed.book.chapters)
    warned = sum(1 for p in findings.warnings if p.severity == "warning")
    click.echo(f"{parsed.book.source}: {chapters} chapters, {warned} warning(s)")
    if strict and warned:
        sys.exit(2)


@click.command()
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

    folder, freed = run_clean(book_source(source), everything)
    exact = "" if freed < 1000 else f" ({freed:,} bytes)"
    click.echo(f"{folder}: freed {human(freed)}{exact}")
