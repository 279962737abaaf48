"""CONTRIBUTING's "Adding an output", followed step by step with a throwaway target: one
class and one registry line, no change to the pipeline; the build orders it, lets ``--only``
name it, checks what it writes, publishes it, keeps it up to date, and ``check`` and
``build`` both ask it for the problems its own rules find."""

from __future__ import annotations

from pathlib import Path

from publisher import model as m
from publisher import outputs
from publisher.checks.validate import validate
from publisher.errors import Problem
from publisher.pipeline.registry import REGISTRY, Entry, every
from publisher.pipeline.runner import build
from publisher.reader.parse import parse_file
from publisher.renderers.base import RenderContext, RenderResult, Target
from tests.books import write_book

BOOK = (
    "---\ntitle: Shelf\nauthor: A\nlanguage: en\nidentifier: urn:x:shelf\n---\n\n"
    "## One\n\nFirst chapter.\n\n## A title far too long for a shelf label, surely\n\nSecond.\n"
)


class ShelfRenderer(Target):
    """Step 1: a card for a bookshop shelf, listing the EPUB and its size. It requires the
    EPUB (whose published file it reads) and owns one folder."""

    name = "shelf"
    requires = ("epub",)
    owns = ("shelf/",)

    def problems(self, book: m.Book) -> list[Problem]:
        """Its own rule: a shelf label holds 30 characters."""
        return [
            Problem(
                path=c.path,
                line=c.line,
                severity="warning",
                message=f"chapter title {c.title_text!r} is too long for a shelf label",
            )
            for c in book.chapters
            if len(c.title_text) > 30
        ]

    def render(self, ctx: RenderContext) -> RenderResult:
        epub = ctx.find(outputs.epub(ctx.book.slug))
        assert epub is not None  # the build made it first, or it was published
        card = f"{ctx.book.config.title}: {outputs.name(str(epub))} ({epub.stat().st_size} bytes)\n"
        (ctx.out_dir / "card.txt").write_text(card, encoding="utf-8")
        return RenderResult(files=("shelf/card.txt",), warnings=ctx.warnings())


# Step 2: one line in the registry (here a copy of the real one, so no other test sees it).
WITH_SHELF = {**REGISTRY, "shelf": Entry(ShelfRenderer)}


def test_a_new_target_builds_with_what_it_requires_and_is_published(tmp_path: Path) -> None:
    source = write_book(tmp_path, BOOK)
    out = tmp_path / "build"
    result = build(source, out, only=["shelf", "epub"], registry=WITH_SHELF)
    assert [t.name for t in result.targets] == ["epub", "shelf"]  # ordered by what it requires
    card = (out / "shelf" / "card.txt").read_text(encoding="utf-8")
    assert card.startswith("Shelf: shelf.epub (") and card.endswith(" bytes)\n")
    # The build asked the new target for its problems before building.
    assert any("too long for a shelf label" in w.message for w in result.warnings)
    # Up to date with the new target as with the built-in ones.
    again = build(source, out, only=["shelf", "epub"], registry=WITH_SHELF)
    assert again.up_to_date and again.changed == ()
    # --only the new target reads the EPUB the last build published.
    alone = build(source, out, only=["shelf"], registry=WITH_SHELF)
    assert [t.name for t in alone.targets] == ["shelf"]
    assert (out / "shelf" / "card.txt").read_text(encoding="utf-8") == card


def test_check_asks_the_new_target_too(tmp_path: Path) -> None:
    source = write_book(tmp_path, BOOK)
    found = validate(parse_file(source), every(WITH_SHELF)).warnings
    assert [p.line for p in found if "shelf label" in p.message] == [12]
    # Without the target in the registry, its rule is not asked.
    assert not any(
        "shelf label" in p.message for p in validate(parse_file(source), every()).warnings
    )
