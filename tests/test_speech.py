"""The speech transform: what the narrator says, in which order, and where it is silent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from publisher import model as m
from publisher.i18n import words_for
from publisher.reader.parse import parse_file, parse_text
from publisher.speech.script import (
    PAUSE_KINDS,
    SENTENCE_GAP,
    UTTERANCE_KINDS,
    ChapterScript,
    Pause,
    Utterance,
    book_script,
)
from publisher.speech.speakable import speakable
from publisher.text import sentences

ROOT = Path(__file__).parents[1]
SEED = ROOT / "source" / "de-geneeskracht-van-knuffelen.md"
EVERY_BLOCK = ROOT / "tests" / "fixtures" / "every-block.md"
PICTOGRAPH = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]")


def book(body: str, lang: str = "nl", narration: str = "") -> m.Book:
    head = f"---\ntitle: T\nauthor: A\nlanguage: {lang}\nidentifier: urn:x\n{narration}---\n"
    return parse_text(head + body, "book.md").book


def said(script: ChapterScript) -> list[str]:
    return [u.text for u in script.utterances]


@pytest.fixture(scope="module")
def seed() -> tuple[ChapterScript, ...]:
    return book_script(parse_file(SEED).book)


def test_seed_has_one_script_per_chapter_in_order(seed: tuple[ChapterScript, ...]) -> None:
    chapters = parse_file(SEED).book.chapters
    assert [s.slug for s in seed] == [c.slug for c in chapters]
    assert [s.number for s in seed] == list(range(1, len(chapters) + 1))


def test_seed_speech_has_no_emoji_and_no_ampersand(seed: tuple[ChapterScript, ...]) -> None:
    texts = [t for s in seed for t in said(s)]
    assert not [t for t in texts if PICTOGRAPH.search(t)]
    assert not [t for t in texts if "&" in t]
    assert not any("gloeilamp" in t for t in texts)
    # The 🔗 line is still read, without its glyph.
    assert "Ontdek hier hoe jij jouw eerste stap kunt zetten." in texts


def test_every_chapter_starts_with_its_title_and_has_start_and_end_pauses(
    seed: tuple[ChapterScript, ...],
) -> None:
    for script in seed:
        first, title = script.items[0], script.items[1]
        assert isinstance(first, Pause) and first.kind == "chapter-start"
        assert isinstance(title, Utterance) and title.kind == "title"
        assert title.block == script.slug
        assert title.display == script.title
        last = script.items[-1]
        assert isinstance(last, Pause) and last.kind == "chapter-end" and last.seconds == 2.0


def test_headings_and_titles_end_in_punctuation(seed: tuple[ChapterScript, ...]) -> None:
    heads = [u for s in seed for u in s.utterances if u.kind in ("title", "heading")]
    assert len(heads) == 11 + 7  # eleven chapters, seven H3s
    for u in heads:
        assert u.text[-1] in ".?!…:", u.text
    depressie = next(s for s in seed if s.slug == "knuffelen-als-ondersteuning-bij-depressie")
    assert "Stress en Angst Verminderen." in said(depressie)
    # …and a heading is followed by the heading pause.
    index = next(
        i
        for i, it in enumerate(depressie.items)
        if isinstance(it, Utterance) and it.kind == "heading"
    )
    after = depressie.items[index + 1]
    assert isinstance(after, Pause) and after.kind == "heading" and after.seconds == 1.2


def test_prompts_have_the_lead_in_and_their_pause(seed: tuple[ChapterScript, ...]) -> None:
    prompts = 0
    for script in seed:
        items = script.items
        for i, item in enumerate(items):
            if isinstance(item, Utterance) and item.kind == "lead-in":
                prompts += 1
                assert item.text == "Reflectievraag."
                question = items[i + 2]
                assert isinstance(question, Utterance) and question.kind == "prompt"
                assert question.block == item.block
                # After the prompt's last sentence: the prompt pause (8 s in the seed).
                j = i + 2
                while isinstance(items[j + 2], Utterance) and items[j + 2].kind == "prompt":
                    j += 2
                pause = items[j + 1]
                assert isinstance(pause, Pause)
                assert (pause.kind, pause.seconds, pause.after) == ("prompt", 8.0, item.block)
    assert prompts == 5


def test_examples_are_read_with_their_label(seed: tuple[ChapterScript, ...]) -> None:
    examples = [u for s in seed for u in s.utterances if u.kind == "example"]
    firsts = [u for u in examples if u.text.startswith("Voorbeeld:")]
    assert len(firsts) == 3


def test_list_items_are_read_one_by_one_with_short_pauses(
    seed: tuple[ChapterScript, ...],
) -> None:
    script = seed[4]
    items = [u for u in script.utterances if u.kind == "list-item"]
    assert items[0].text.startswith("Begin thuis: Maak van knuffelen")
    assert len({u.block for u in items}) == 4
    pauses = [p for p in script.items if isinstance(p, Pause) and p.kind == "list-item"]
    assert [p.seconds for p in pauses] == [0.4, 0.4, 0.4]


def test_a_hard_line_break_ends_a_sentence(seed: tuple[ChapterScript, ...]) -> None:
    assert said(seed[9])[-2:] == ["Groet.", "Gerrit."]
    assert "Mededogen met Jezelf: De Helende Kracht van Zelfzorg." in said(seed[8])


def test_kinds_are_the_documented_ones(seed: tuple[ChapterScript, ...]) -> None:
    scripts = (*seed, *book_script(parse_file(EVERY_BLOCK).book))
    for script in scripts:
        for item in script.items:
            if isinstance(item, Utterance):
                assert item.kind in UTTERANCE_KINDS
            else:
                assert item.kind in (*PAUSE_KINDS, "sentence")


def test_every_block_kind_is_read_in_order_with_links_and_footnotes_handled() -> None:
    scripts = book_script(parse_file(EVERY_BLOCK).book)
    text = "\n".join(t for s in scripts for t in said(s))
    assert "example.org" not in text and "mailto" not in text and "someone@" not in text
    assert "Fish and chips" in text  # "&" in English
    assert "a link," in text  # the link's words are read, its target is not
    assert "[^" not in text and "[1]" not in text
    kinds = {u.kind for s in scripts for u in s.utterances}
    assert {"quote", "list-item", "image", "table", "footnote", "example", "prompt"} <= kinds
    image = next(u for s in scripts for u in s.utterances if u.kind == "image")
    assert image.text == "Image: A red rectangle with a blue border."
    rows = [u.text for s in scripts for u in s.utterances if u.kind == "table"]
    assert rows[0] == "Left: a, Centre: b, Right: c."
    assert rows[1].startswith("Left: one and two")
    notes = [u.text for s in scripts for u in s.utterances if u.kind == "footnote"]
    assert notes == [
        "Footnote one.",
        "The first footnote, with emphasis.",
        "Footnote two.",
        "The second footnote.",
    ]
    assert "print(" not in text  # code blocks are not read


def test_pause_from_the_prompt_attribute_and_from_config() -> None:
    body = "# Een\n\nTekst.\n\n💡{pause=12} Adem in.\n\n💡 Adem uit.\n\n- een\n- twee\n\nSlot.\n"
    narration = (
        "narration:\n  prompt_pause: 5\n  paragraph_pause: 1.5\n  heading_pause: 2\n"
        "  list_item_pause: 0.25\n  chapter_start_pause: 1\n  chapter_end_pause: 3\n"
    )
    (script,) = book_script(book(body, narration=narration))
    pauses = [(p.kind, p.seconds) for p in script.items if isinstance(p, Pause)]
    assert pauses == [
        ("chapter-start", 1.0),
        ("heading", 2.0),
        ("paragraph", 1.5),
        ("sentence", SENTENCE_GAP),
        ("prompt", 12.0),
        ("sentence", SENTENCE_GAP),
        ("prompt", 5.0),
        ("list-item", 0.25),
        ("paragraph", 1.5),
        ("chapter-end", 3.0),
    ]


def test_lead_in_can_be_switched_off() -> None:
    (script,) = book_script(
        book("# Een\n\n💡 Vraag?\n", narration="narration:\n  prompt_lead_in: false\n")
    )
    assert said(script) == ["Een.", "Vraag?"]


def test_lexicon_book_entries_override_the_voice_whole_words_any_case() -> None:
    body = "# Oxytocine\n\nOxytocine en OXYTOCINE, niet oxytocineachtig. Een deadline.\n"
    narration = "narration:\n  lexicon:\n    oxytocine: oksietosiene\n"
    (script,) = book_script(
        book(body, narration=narration), {"Oxytocine": "fout", "deadline": "dedlajn"}
    )
    assert said(script) == [
        "oksietosiene.",
        "oksietosiene en oksietosiene, niet oxytocineachtig.",
        "Een dedlajn.",
    ]
    # The captions keep what the author wrote.
    assert script.utterances[1].display == "Oxytocine en OXYTOCINE, niet oxytocineachtig."


def test_speakable_normalises_for_the_language() -> None:
    nl, en = words_for("nl"), words_for("en")
    assert speakable("Zout & peper 🧂", nl, {}, language="nl") == "Zout en peper."
    assert speakable("Salt & pepper", en, {}, language="en") == "Salt and pepper."
    assert (
        speakable("Zie https://example.org/x?y=1 voor meer", nl, {}, language="nl")
        == "Zie example.org voor meer."
    )
    assert speakable("  veel   ruimte\n hier  ", nl, {}, language="nl") == "veel ruimte hier."
    assert speakable("👍🏽 ✅", nl, {}, language="nl") == ""
    assert speakable("Vlag 🇳🇱 en familie 👨‍👩‍👧!", nl, {}, language="nl") == "Vlag en familie!"


def test_sentences_are_cut_conservatively() -> None:
    assert sentences("Een. Twee? Drie! vier.") == ["Een.", "Twee?", "Drie! vier."]
    assert sentences("Zie bijv. De Vries. En J. Jansen zei het.") == [
        "Zie bijv. De Vries.",
        "En J. Jansen zei het.",
    ]
    assert sentences("“Echt.” Daarna.") == ["“Echt.”", "Daarna."]


def test_the_model_is_not_changed() -> None:
    parsed = parse_file(SEED).book
    before = repr(parsed)
    book_script(parsed, {"knuffelen": "x"})
    assert repr(parsed) == before
