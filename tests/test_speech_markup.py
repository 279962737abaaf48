"""What the narrator says of markup shown as text and of web and e-mail addresses.

espeak-ng reads "<" and ">" as "kleiner dan"/"groter dan" (Dutch) and "less than"/"greater
than", and the script once dropped every address: "Visit https://example.org/more or email
…" was said as "Visit or email". The script now says an address's domain, an e-mail address
with the language's word for "@", and leaves HTML tags written as text unsaid.
"""

from __future__ import annotations

from pathlib import Path

from publisher import model as m
from publisher.i18n import words_for
from publisher.reader.parse import parse_file, parse_text
from publisher.speech.script import book_script
from publisher.speech.speakable import speakable

EVERY_BLOCK = Path(__file__).parent / "fixtures" / "every-block.md"

BOOK = """\
---
title: Adressen en opmaak
author: A
language: nl
identifier: urn:x
---

# Adressen

Tekst <b>vet</b> en <i class="x">schuin</i>, een regel<br/> en <!-- een opmerking --> einde.

Bezoek https://example.org/more of mail a@b.org. Of kijk op <https://www.voorbeeld.nl/pad?q=1>.

Een [link met tekst](https://verborgen.example/pad) en <info@knuffel.nl> als autolink.

| Site | Waarom |
| --- | --- |
| https://tabel.example.org/x | <em>nadruk</em> |

- Zie www.lijst.example.com/a, en verder.

3 < 5 en 7 > 2 blijven wiskunde.
"""


def said(book: m.Book) -> list[str]:
    return [u.text for script in book_script(book) for u in script.utterances]


def test_markup_is_not_read_and_no_address_is_dropped() -> None:
    text = " ".join(said(parse_text(BOOK, "book.md").book))
    # No tag's brackets for the voice to read as "kleiner dan"/"groter dan".
    assert not [t for t in ("<b", "</b", "<i", "</i", "<br", "<!--", "<em", "</em") if t in text]
    assert "Tekst vet en schuin, een regel" in text
    # Every address is said as its domain; a link with words says its words only.
    assert "Bezoek example.org of mail a apenstaartje b.org." in text
    assert "Of kijk op voorbeeld.nl." in text
    assert "info apenstaartje knuffel.nl als autolink" in text
    assert "Site: tabel.example.org" in text
    assert "Zie lijst.example.com, en verder." in text
    assert "link met tekst" in text and "verborgen" not in text
    assert "https" not in text and "/" not in text
    # A comparison is not markup: the narrator still says it (its numbers in words).
    assert "drie < vijf en zeven > twee blijven wiskunde." in text


def test_the_every_block_book_says_no_tag() -> None:
    book = parse_file(EVERY_BLOCK).book
    text = " ".join(said(book))
    assert "<b>" not in text and "</script>" not in text and "<i>" not in text
    assert "not bold" in text  # the words inside the tags are still said
    assert "someone@example.org" not in text  # "mail" is a link with words: they are said


def test_email_in_english_and_urls_keep_sentence_punctuation() -> None:
    en = words_for("en")
    assert speakable("Mail me@site.org!", en, {}, language="en") == "Mail me at site.org!"
    assert (
        speakable("(See https://a.example.org/x.)", en, {}, language="en") == "(See a.example.org.)"
    )
