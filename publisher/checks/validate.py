"""One validation pass over a parsed book: what ``publisher check`` reports, and what
``publisher build`` reports before it writes anything.

Both commands run :func:`validate`, so they agree on what is an error (exit 2, nothing built)
and what is a warning (``check --strict`` fails on it). It covers every target, whichever
ones a build makes, and needs none of them built: it reads the images and the cover, casts
the voices and writes the speech script, but draws, encodes and synthesises nothing. What
only a renderer can know (an engine failing as it speaks, an output it finds missing) is
left to the build; the README lists those messages ("When things go wrong").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from publisher import model as m
from publisher import outputs
from publisher.checks.problems import check_book
from publisher.engines.profiles import choose_voice
from publisher.errors import EngineError, Problem, SourceError
from publisher.reader.images import book_image
from publisher.reader.parse import Parsed
from publisher.renderers.base import Renderer
from publisher.speech.casting import BookCast, voices_folder
from publisher.speech.lexicon import voice_lexicon
from publisher.speech.script import book_script


@dataclass(frozen=True, kw_only=True)
class Findings:
    """The warnings and errors of a book, each one line, sorted by place (``warnings`` holds
    the notes too: what the author should know, which ``check --strict`` lets pass)."""

    warnings: tuple[Problem, ...]
    errors: tuple[Problem, ...]

    def raise_errors(self) -> None:
        """Raise one :class:`SourceError` that lists every error (exit 2), if there is one."""
        if self.errors:
            raise SourceError("\n".join(str(p) for p in self.errors), self.errors)


def validate(
    parsed: Parsed,
    targets: Sequence[Renderer],
    previous_feed: Path | None = None,
    base_url: str | None = None,
) -> Findings:
    """Every problem of ``parsed``: its parse warnings, the content rules of
    :mod:`publisher.checks.problems`, images, voices and podcast settings, and what each of
    ``targets`` (every registered one, whichever a build makes) finds with its own rules
    (:meth:`~publisher.renderers.base.Renderer.problems`: the EPUB's links, the cover).

    ``previous_feed`` is the last build's feed.xml (renamed chapters); ``base_url`` the
    command line's ``--base-url``, which stands in for ``podcast.base_url``.
    """
    book = parsed.book
    warnings: list[Problem] = [*parsed.warnings, *check_book(book, previous_feed)]
    errors: list[Problem] = []

    def attempt(step: Callable[..., list[Problem]], *args: object) -> None:
        try:
            warnings.extend(step(book, *args))
        except SourceError as e:
            errors.extend(e.problems or [Problem(path=book.source, line=None, message=str(e))])

    seen: set[Path] = set()
    for block, src in _images(book):
        attempt(_image_problems, block, src, seen)
    for target in targets:
        attempt(target.problems)
    attempt(narration_problems)
    warnings += podcast_problems(book, base_url)
    return Findings(warnings=_unique(warnings), errors=_unique(errors))


def _unique(problems: list[Problem]) -> tuple[Problem, ...]:
    """Each problem once (an image used twice is checked twice), sorted by place."""
    once = {str(p): p for p in problems}
    return tuple(sorted(once.values(), key=lambda p: (p.path, p.line or 0, p.message)))


def _images(book: m.Book) -> Iterator[tuple[m.Block | m.Chapter, str]]:
    """Every image of the book (in a chapter's title too, which the EPUB shows) and where."""
    for chapter in book.chapters:
        for block in m.blocks_of(chapter):
            if isinstance(block, m.Image):
                yield block, block.src
        for where, node in m.placed_inlines(chapter):
            if isinstance(node, m.InlineImage):
                yield where, node.src


def _image_problems(
    book: m.Book, where: m.Block | m.Chapter, src: str, seen: set[Path]
) -> list[Problem]:
    """An image as the EPUB takes it in: where it is, its kind, its bytes (SVG cleaned);
    what its bytes warn about is said once, at its first use, as the EPUB says it."""
    found: list[Problem] = []
    file, _ = book_image(book, src, where.path, where.line, found.append)
    if file in seen:
        return []
    seen.add(file)
    return found


def narration_problems(book: m.Book) -> list[Problem]:
    """Unknown voices (errors) and text no voice can say (warnings), from the speech script
    the audio target would write. A voice that exists but cannot run on this machine is the
    build's to report (an engine error, exit 1): ``check`` judges the book, not the machine."""
    config = book.config
    folder = voices_folder(book)
    try:
        profile = choose_voice(config.narration.voice, config.language, folder)
        cast = BookCast(book, profile, folder).cast()
    except EngineError:
        return []
    except SourceError as e:
        if e.problems:
            raise
        line = book.config.line_of("narration.voice")  # the profile's own has its place
        raise SourceError.at(book.source, line, str(e)) from e
    scripts = book_script(book, voice_lexicon(book, profile), cast)
    return [w for script in scripts for w in script.warnings]


def podcast_problems(book: m.Book, base_url: str | None) -> list[Problem]:
    """The feed's settings: no public address, dates for chapters that do not exist."""

    def warning(line: int | None, message: str) -> Problem:
        return Problem(path=book.source, line=line, severity="warning", message=message)

    podcast = book.config.podcast
    found = []
    if not (base_url or podcast.base_url):
        message = (
            "no podcast.base_url: the feed is for local preview only (its addresses "
            f"point at {outputs.LOCAL_BASE_URL}, where `publisher serve` answers); set "
            "podcast.base_url or pass --base-url to publish it"
        )
        found.append(warning(None, message))
    slugs = {c.slug for c in book.chapters}
    for slug in sorted(set(podcast.dates) - slugs):
        message = (
            f"podcast.dates names {slug!r}, which is no chapter "
            f"(chapters: {', '.join(sorted(slugs))})"
        )
        found.append(warning(book.config.line_of(f"podcast.dates.{slug}"), message))
    return found
