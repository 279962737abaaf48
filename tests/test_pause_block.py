"""``{pause=N}`` on a line of its own: a pause anywhere, heard in the narration, the
read-along EPUB's clips and the website's transcript, and not shown on the page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from publisher import model as m
from publisher.errors import SourceError
from publisher.reader.parse import parse_text
from publisher.renderers.audio.pauses import sounding
from publisher.renderers.epub.smil import pars
from publisher.renderers.epub.xhtml import TITLE_ID
from publisher.renderers.site.transcript import transcript
from publisher.speech.script import Pause, chapter_script
from publisher.speech.timing import TimingFile
from publisher.text import Style, XhtmlWriter
from publisher.text.plain import plain_text
from tests.test_site import fake_timed_audio, render_site

HEAD = "---\ntitle: T\nauthor: A\nlanguage: nl\nidentifier: urn:x\n---\n"
BODY = "# Een\n\nEerste alinea.\n\n{pause=5}\n\nTweede alinea.\n\n{ pause = 2.5 }\n"


def book(body: str = BODY) -> m.Book:
    return parse_text(HEAD + body, "boek.md").book


def test_a_line_holding_only_pause_is_a_pause_block_at_its_line() -> None:
    blocks = book().chapters[0].blocks
    assert [type(b).__name__ for b in blocks] == ["Paragraph", "Pause", "Paragraph", "Pause"]
    first, second = blocks[1], blocks[3]
    assert isinstance(first, m.Pause) and first.seconds == 5.0 and first.line == 11
    assert isinstance(second, m.Pause) and second.seconds == 2.5


def test_pause_text_inside_a_paragraph_stays_text() -> None:
    (block,) = book("# Een\n\nWacht {pause=5} even.\n").chapters[0].blocks
    assert isinstance(block, m.Paragraph)
    assert "{pause=5}" in plain_text(block.children)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{pause=lang}", r"boek.md:11: pause attributes \{pause=lang\} not understood"),
        ("{pause=601}", r"boek.md:11: pause=601 is longer than 600 seconds"),
        ("{pause}", r"boek.md:11: pause attributes \{pause\} not understood"),
    ],
)
def test_a_bad_pause_block_is_an_error_at_its_line(line: str, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        book(f"# Een\n\nTekst.\n\n{line}\n")


def test_the_script_pauses_there_in_place_of_the_paragraph_pause() -> None:
    b = book()
    script = chapter_script(b.chapters[0], b.config)
    pauses = [(p.kind, p.seconds) for p in script.items if isinstance(p, Pause)]
    assert pauses == [
        ("chapter-start", 0.5),
        ("heading", 1.2),
        ("pause", 5.0),  # not 0.7 + 5: the author set the length
        ("pause", 2.5),  # the last block's pause is kept, then the chapter's end
        ("chapter-end", 2.0),
    ]
    # Both get the pause sound, like a prompt's pause.
    spans = [(i, i + 1) for i in range(len(script.items))]
    kinds = {s: i for s, i in zip(spans, script.items, strict=True)}
    assert [kinds[s].kind for s in sounding(script.items, spans)] == ["pause", "pause"]  # type: ignore[union-attr]


def test_the_page_shows_nothing_for_a_pause() -> None:
    chapter = book().chapters[0]
    html = XhtmlWriter(style=Style(), path="boek.md").blocks(chapter.blocks)
    assert html == "<p>Eerste alinea.</p>\n<p>Tweede alinea.</p>\n"


def timed(b: m.Book) -> tuple[m.Chapter, TimingFile]:
    """The first chapter and a timing file in which each script item lasts 1 s."""
    chapter = b.chapters[0]
    script = chapter_script(chapter, b.config)
    spans = [(i * 1000, i * 1000 + 1000) for i in range(len(script.items))]
    return chapter, TimingFile.from_script(script, spans, 1000, len(spans) * 1000)


def test_the_read_along_clip_before_a_pause_runs_through_it() -> None:
    b = book()
    chapter, timing = timed(b)
    script = chapter_script(chapter, b.config)
    clips = pars(chapter, script, timing, {"s_een-1_1", "s_een-3_1"})
    block_pauses = [p for p in timing.pauses if p.kind == "pause"]
    assert [c.fragment for c in clips] == [TITLE_ID, "s_een-1_1", "s_een-3_1"]
    assert clips[1].end_ms == block_pauses[0].end_ms
    assert clips[2].end_ms == block_pauses[1].end_ms


def test_the_transcript_shows_each_pause_where_it_falls(tmp_path: Path) -> None:
    b = book()
    chapter, timing = timed(b)
    parts = transcript(chapter, b.config, timing, tmp_path / "een.json")
    assert [p.kind for p in parts] == ["title", "paragraph", "pause", "paragraph", "pause"]
    assert [p.pause.end_ms - p.pause.start_ms for p in parts if p.pause] == [1000, 1000]
    # and the website's episode page says so, with the times the player follows
    head = HEAD.replace("identifier:", "podcast:\n  start: 2025-01-06\nidentifier:")
    body = "# Boek\n\n## Een\n\nEerste alinea.\n\n{pause=5}\n\nTweede alinea.\n"
    site_book = parse_text(head + body, "boek.md").book
    fake_timed_audio(site_book, tmp_path)
    root = render_site(site_book, tmp_path, today=dt.date(2030, 1, 1))
    page = next((root / "episodes").glob("*.html")).read_text()
    assert page.count('class="pause"') == 1
    assert "(pauze, 1 s)" in page
