"""A W3C PLS lexicon beside the book (``narration.pls``): it respells the narration as the
inline lexicon does, espeak-ng gets its phonemes, a bad file is an error at its line, and the
EPUB carries and links it (EPUBCheck and Ace run on it in test_epub.py, book "pls")."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from publisher.engines.base import VoiceProfile
from publisher.errors import SourceError
from publisher.i18n import words_for
from publisher.reader.parse import parse_file, parse_text
from publisher.speech.lexicon import voice_lexicon
from publisher.speech.script import book_script
from publisher.speech.speakable import speakable
from tests.test_epub import build

FIXTURE = Path(__file__).parent / "fixtures" / "pls"
ESPEAK = VoiceProfile(name="nl", engine="espeak", voice="nl", language="nl")
GTTS = VoiceProfile(name="nl-g", engine="gtts", voice="nl", language="nl")
PLS = """<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
         alphabet="ipa" xml:lang="nl">
{lexemes}
</lexicon>
"""
BODY = "# Boek\n\n## Een\n\nDe WHO en Tjeerd & co.\n"


def with_lexicon(tmp: Path, pls: str | None, inline: str = "") -> list[str]:
    """What a gTTS voice says of :data:`BODY` with ``pls`` as the book's PLS file and
    ``inline`` entries under ``narration.lexicon``."""
    narration = ""
    if pls is not None:
        (tmp / "lexicon.pls").write_text(pls, encoding="utf-8")
        narration += "  pls: lexicon.pls\n"
    if inline:
        narration += f"  lexicon:\n{inline}"
    head = "---\ntitle: T\nauthor: A\nlanguage: nl\nidentifier: urn:x\n"
    text = head + (f"narration:\n{narration}" if narration else "") + "---\n" + BODY
    book = parse_text(text, str(tmp / "book.md"), root=str(tmp)).book
    return [u.text for s in book_script(book, voice_lexicon(book, GTTS)) for u in s.utterances]


def lexeme(grapheme: str, *parts: str) -> str:
    return f"<lexeme><grapheme>{grapheme}</grapheme>{''.join(parts)}</lexeme>"


def test_a_pls_alias_changes_the_script_as_the_inline_lexicon_would(tmp_path: Path) -> None:
    pls = PLS.format(lexemes=lexeme("WHO", "<alias>Wereldgezondheidsorganisatie</alias>"))
    inline = "    WHO: Wereldgezondheidsorganisatie\n"
    said = with_lexicon(tmp_path, pls)
    assert said == with_lexicon(tmp_path, None, inline)
    assert said != with_lexicon(tmp_path, None)
    assert "De Wereldgezondheidsorganisatie en Tjeerd en co." in said


def test_the_inline_lexicon_goes_over_the_pls_file(tmp_path: Path) -> None:
    pls = PLS.format(lexemes=lexeme("WHO", "<alias>Wereldgezondheidsorganisatie</alias>"))
    said = with_lexicon(tmp_path, pls, "    who: wee haa oo\n")
    assert "De wee haa oo en Tjeerd en co." in said


def test_espeak_gets_its_phonemes_and_other_engines_the_alias() -> None:
    book = parse_file(FIXTURE / "book.md").book
    espeak = [u.text for u in book_script(book, voice_lexicon(book, ESPEAK))[0].utterances]
    gtts = [u.text for u in book_script(book, voice_lexicon(book, GTTS))[0].utterances]
    assert "[[tj'e:rt]] las het rapport." in espeak  # x-espeak comes before the IPA
    assert "Tjeert las het rapport." in gtts
    assert "De Wereldgezondheidsorganisatie geeft advies over aanraking." in espeak


def test_an_ipa_only_entry_is_a_warning_at_its_line_and_read_as_written(tmp_path: Path) -> None:
    (tmp_path / "lexicon.pls").write_text(
        PLS.format(lexemes="\n" + lexeme("Tjeerd", "<phoneme>ˈtjeːrt</phoneme>")), "utf-8"
    )
    head = "---\ntitle: T\nauthor: A\nlanguage: nl\nidentifier: urn:x\n"
    text = head + "narration:\n  pls: lexicon.pls\n---\n" + BODY
    parsed = parse_text(text, str(tmp_path / "book.md"), root=str(tmp_path))
    (warning,) = parsed.warnings
    assert str(warning).startswith(f"{tmp_path / 'lexicon.pls'}:5: ")
    assert "'Tjeerd' has phonemes in ipa only" in str(warning)
    said = book_script(parsed.book, voice_lexicon(parsed.book, ESPEAK))[0].utterances
    assert "De WHO en Tjeerd en co." in [u.text for u in said]


@pytest.mark.parametrize(
    ("pls", "line", "message"),
    [
        (PLS.format(lexemes="<lexeme><grapheme>WHO</grapheme>\n<alias>x</lexeme>"), 5, "well"),
        # lxml gives an element the line its start tag ends on
        (PLS.replace("pronunciation-lexicon", "other"), 3, "the root must be <lexicon"),
        (PLS.replace('<lexicon version="1.0" ', "<lexicon "), 3, 'needs version="1.0"'),
        (PLS.format(lexemes="\n\n<lexeme><grapheme>WHO</grapheme></lexeme>"), 6, "<phoneme>"),
        ('<?xml version="1.0"?>\n<!DOCTYPE l [<!ENTITY e "x">]>\n' + PLS[39:], 1, "DOCTYPE"),
        ("not xml at all", 1, "not well-formed XML"),
    ],
)
def test_a_malformed_pls_file_is_an_error_at_its_line(
    tmp_path: Path, pls: str, line: int, message: str
) -> None:
    with pytest.raises(SourceError) as caught:
        with_lexicon(tmp_path, pls)
    assert str(caught.value).startswith(f"{tmp_path / 'lexicon.pls'}:{line}: ")
    assert message in str(caught.value)


def test_a_missing_or_outside_pls_file_is_an_error_at_the_key(tmp_path: Path) -> None:
    head = "---\ntitle: T\nauthor: A\nlanguage: nl\nidentifier: urn:x\nnarration:\n"
    for name, message in (("gone.pls", "not found"), ("../x.pls", "outside the book")):
        text = head + f"  pls: {name}\n---\n" + BODY
        with pytest.raises(SourceError, match=rf"book.md:7: 'narration.pls' .*{message}"):
            parse_text(text, str(tmp_path / "book.md"), root=str(tmp_path))


def test_brackets_the_author_wrote_are_never_phoneme_input() -> None:
    words = words_for("nl")
    assert speakable("Zie [[x]] hier.", words, {}, language="nl") == "Zie [ [x] ] hier."
    # A lexicon's phonemes may hold "&" (espeak-ng's æ): it stays inside them.
    assert speakable("Kat & hond.", words, {"kat": "[[k&t]]"}, language="nl") == "[[k&t]] en hond."


def test_the_epub_carries_the_lexicon_and_every_chapter_links_it(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "book")
    epub = build(tmp_path / "book" / "book.md", tmp_path)
    with zipfile.ZipFile(epub) as z:
        names = z.namelist()
        assert z.read("EPUB/pronunciation.pls") == (FIXTURE / "lexicon.pls").read_bytes()
        opf = etree.fromstring(z.read("EPUB/content.opf"))
        ns = {"opf": "http://www.idpf.org/2007/opf", "h": "http://www.w3.org/1999/xhtml"}
        (item,) = opf.xpath("//opf:item[@href='pronunciation.pls']", namespaces=ns)
        assert item.get("media-type") == "application/pls+xml"
        chapters = [n for n in names if n.startswith("EPUB/text/")]
        assert chapters
        for name in chapters:
            doc = etree.fromstring(z.read(name))
            (link,) = doc.xpath("//h:head/h:link[@rel='pronunciation']", namespaces=ns)
            assert link.get("href") == "../pronunciation.pls"
            assert link.get("type") == "application/pls+xml"
            assert link.get("hreflang") == "nl"
