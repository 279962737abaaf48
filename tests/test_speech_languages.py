"""A marked language reaches every sentence of its span, and the book's lexicon respells
only text in the book's language (issue #20, item 7).

The speech script carries a ``{lang=…}`` span through sentence splitting as private-use
marks; a span that ran across a sentence end kept its language in the first sentence only,
the marks hid sentence ends from the splitter, and the book's lexicon respelled words inside
spans in other languages ("WHO" in ``[WHO cares]{lang=en}`` in a Dutch book).
"""

from __future__ import annotations

from publisher import model as m
from publisher.reader.parse import parse_text
from publisher.speech.script import Utterance, chapter_script
from publisher.speech.voicing import Cast
from publisher.text import sentences
from publisher.text.spans import spoken_text


def book(body: str, narration: str = "") -> m.Book:
    head = f"---\ntitle: T\nauthor: A\nlanguage: nl\nidentifier: urn:x\n{narration}---\n"
    return parse_text(f"{head}# T\n\n## Een\n\n{body}\n", "book.md").book


def speaks(lang: str) -> str | None:
    """A voice for English and one for Dutch (the book's), none for other languages."""
    return {"en": "en-voice", "nl": "nl-voice"}.get(lang.split("-")[0])


CAST = Cast(book="nl-voice", speaks=speaks)


def said(body: str, narration: str = "") -> list[Utterance]:
    """The utterances of the one paragraph ``body`` (after the chapter title)."""
    b = book(body, narration)
    return list(chapter_script(b.chapters[0], b.config, None, CAST).utterances)[1:]


def voices(utterance: Utterance) -> list[tuple[str, str]]:
    return [(r.voice, r.text) for r in utterance.parts]


def test_a_span_across_sentences_keeps_its_language_in_each() -> None:
    utterances = said("Hij zei: [Hello there. How are you? Fine!]{lang=en} Daarna niets.")
    assert [voices(u) for u in utterances] == [
        [("nl-voice", "Hij zei:"), ("en-voice", "Hello there.")],
        [("en-voice", "How are you?")],
        [("en-voice", "Fine!")],
        [("nl-voice", "Daarna niets.")],
    ]
    assert [u.display for u in utterances] == [
        "Hij zei: Hello there.",
        "How are you?",
        "Fine!",
        "Daarna niets.",
    ]


def test_nested_spans_keep_the_inner_language_and_then_the_outer() -> None:
    utterances = said("[Hello. Then [Straße. Weg]{lang=de} again. End.]{lang=en} Klaar.")
    cast_de = [voices(u) for u in utterances]
    assert cast_de[0] == [("en-voice", "Hello.")]
    # No German voice in this cast: the German runs are left out, the English ones stay.
    assert cast_de[1] == [("en-voice", "Then.")]
    assert cast_de[2] == [("en-voice", "again.")]
    assert cast_de[3] == [("en-voice", "End.")]
    assert cast_de[4] == [("nl-voice", "Klaar.")]


def test_marks_neither_hide_nor_add_a_sentence_end() -> None:
    """The narration cuts a block where the read-along EPUB cuts its text (unmarked), so
    every sentence it says is one the EPUB marks."""
    body = "Hoi. [Hello.]{lang=en} Dag [J. Smith]{lang=en} zei het. [Ja]{lang=en}. Nee."
    utterances = said(body)
    b = book(body)
    paragraph = b.chapters[0].blocks[0]
    assert isinstance(paragraph, m.Paragraph)
    expected = sentences(spoken_text(paragraph.children))
    assert [u.display for u in utterances] == expected
    assert expected == ["Hoi.", "Hello.", "Dag J. Smith zei het.", "Ja.", "Nee."]
    assert voices(utterances[1]) == [("en-voice", "Hello.")]


def test_the_book_lexicon_respells_only_the_book_language() -> None:
    narration = "narration:\n  lexicon:\n    WHO: Wereldgezondheidsorganisatie\n"
    body = "De WHO zegt: [WHO cares. The WHO.]{lang=en} En [de WHO]{lang=nl-BE} ook."
    utterances = said(body, narration)
    assert [voices(u) for u in utterances] == [
        [
            ("nl-voice", "De Wereldgezondheidsorganisatie zegt:"),
            ("en-voice", "WHO cares."),
        ],
        [("en-voice", "The WHO.")],
        [("nl-voice", "En de Wereldgezondheidsorganisatie ook.")],
    ]
