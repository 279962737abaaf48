"""Show notes as a listener sees them: every prompt of the chapter under its label, and a
question-and-answer chapter with each question beside its answer, read back by feedparser."""

from __future__ import annotations

from pathlib import Path

import feedparser
from lxml import html

from publisher import model as m
from publisher.reader.parse import parse_file
from publisher.text import plain_text
from tests.test_feed import SEED, book_text, build, fake_audio, render_feed


def notes_by_title(feed: bytes) -> dict[str, tuple[str, str]]:
    """Episode title → (show notes as feedparser reads them, description)."""
    parsed = feedparser.parse(feed)
    assert parsed.bozo == 0
    return {e.title: (e.content[0].value, e.summary) for e in parsed.entries}


NOTICE = "Voorgelezen door een synthetische stem"
"""How every episode's notes end in a Dutch book: a synthetic voice reads it."""


def without_notice(lines: list[str]) -> list[str]:
    """The notes' paragraphs before the last, which says that a synthetic voice reads."""
    assert lines[-1].startswith(NOTICE)
    return lines[:-1]


def paragraphs(notes: str) -> list[str]:
    """The text of each paragraph of ``notes``, one line each."""
    root = html.fragment_fromstring(notes, create_parent="div")
    return [" ".join(p.text_content().split()) for p in root.iter("p")]


def test_every_prompt_of_a_seed_chapter_is_in_its_notes_under_its_label(tmp_path: Path) -> None:
    book = parse_file(SEED).book
    fake_audio(book, tmp_path)
    notes = notes_by_title(render_feed(book, tmp_path))
    checked = 0
    for chapter in book.chapters:
        shown, description = notes[chapter.title_text]
        for prompt in (b for b in m.walk(chapter.blocks) if isinstance(b, m.Prompt)):
            question = " ".join(plain_text(prompt.children).split())
            assert f"Reflectievraag: {question}" in paragraphs(shown), chapter.title_text
            checked += 1
    assert checked == 5
    # The one that sits in a later section ("Positieve Emoties Versterken") is there too.
    shown, description = notes["Knuffelen als Ondersteuning bij Depressie"]
    assert without_notice(paragraphs(shown))[-1] == (
        "Reflectievraag: Wat doet aanraking met jou? "
        "En wat gebeurt er als je dat toelaat, zonder oordeel?"
    )
    opening, notice = description.rsplit("\n\n", 1)
    assert notice.startswith(NOTICE)
    assert opening.endswith(
        "Reflectievraag: Wat doet aanraking met jou? "
        "En wat gebeurt er als je dat toelaat, zonder oordeel?"
    )


def test_the_seed_faq_gives_each_answer_after_its_question(tmp_path: Path) -> None:
    book = parse_file(SEED).book
    fake_audio(book, tmp_path)
    shown, description = notes_by_title(render_feed(book, tmp_path))[
        "Veelgestelde vragen over Vasthouden"
    ]
    lines = paragraphs(shown)
    assert lines[0] == "Waarom houd ik vast aan iets wat me eigenlijk belemmert?"
    assert lines[1].startswith("Omdat vasthouden een vorm van bescherming is.")
    questions = [line for line in lines if line.endswith("?")]
    assert len(questions) == 4  # every question fits, each followed by its answer
    for question in questions:
        assert not lines[lines.index(question) + 1].endswith("?")
    assert description.startswith("Waarom houd ik vast aan iets wat me eigenlijk belemmert?")


def test_bold_questions_stay_with_their_answers_when_the_notes_are_cut(tmp_path: Path) -> None:
    answer = "Dit is het antwoord. " * 30  # about 630 characters: two pairs fit in 1200
    chapter = "# Vragen\n\n" + "".join(f"**Vraag {n}?**\n\n{answer}\n\n" for n in range(1, 5))
    _, feed = build(tmp_path, book_text(chapter))
    shown, _ = notes_by_title(feed)["Vragen"]
    lines = without_notice(paragraphs(shown))
    assert lines[0] == "Vraag 1?" and lines[1].startswith("Dit is het antwoord.")
    assert lines[-1].startswith("Dit is het antwoord.")  # never a question without answer
    assert lines.count("Vraag 1?") == 1 and "Vraag 4?" not in lines


def test_a_prompt_inside_a_list_is_listed_once_after_the_opening(tmp_path: Path) -> None:
    chapter = (
        "# Lijst\n\nEerst dit.\n\n- een punt\n\n  💡 Wat vind jij?\n\n## Verder\n\n💡 En nu?\n"
    )
    _, feed = build(tmp_path, book_text(chapter))
    shown, _ = notes_by_title(feed)["Lijst"]
    lines = without_notice(paragraphs(shown))
    assert lines[-2:] == ["Reflectievraag: Wat vind jij?", "Reflectievraag: En nu?"]
    assert sum("Wat vind jij?" in line for line in lines) == 1
