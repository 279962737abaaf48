"""Numbers, dates, amounts, units and abbreviations said as a reader of the language says them."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from lxml import etree
from text_to_num import alpha2digit

from publisher import model as m
from publisher.engines.profiles import load_profile
from publisher.pipeline.runner import build
from publisher.reader.parse import parse_text
from publisher.renderers.base import BuildOptions
from publisher.speech.lexicon import voice_lexicon
from publisher.speech.normalise import normalise
from publisher.speech.normalise.rules import load_rules, rules_for
from publisher.speech.script import book_script
from publisher.speech.timing import TimingFile
from publisher.speech.voicing import Cast
from publisher.text import sentences
from publisher.text.abbreviations import speech_languages
from tests.books import ROOT, copy_book

DIGIT = re.compile(r"\d")

DUTCH = [
    # amounts
    ("Het kost € 12,50.", "Het kost twaalf euro vijftig."),
    ("Koffie: €3, taart: € 4,75.", "Koffie: drie euro, taart: vier euro vijfenzeventig."),
    ("Nog € 0,50 over.", "Nog vijftig cent over."),
    ("Dat is € 1,- of € 1,00.", "Dat is één euro of één euro."),
    ("Een huis van € 350.000.", "Een huis van driehonderdvijftigduizend euro."),
    ("De app kost $3.50.", "De app kost drie dollar vijftig."),
    ("Een subsidie van € 2 miljoen.", "Een subsidie van twee miljoen euro."),
    ("Het kost 12,50 euro.", "Het kost twaalf euro vijftig."),
    # numbers as Dutch writes them: a full stop groups thousands, a comma is the decimal
    ("Er kwamen 1.200 mensen.", "Er kwamen twaalfhonderd mensen."),
    ("Er kwamen 2.500 mensen.", "Er kwamen tweeduizendvijfhonderd mensen."),
    ("Het zijn 1.000.000 stemmen.", "Het zijn een miljoen stemmen."),
    ("Pi is 3,14.", "Pi is drie komma veertien."),
    ("In 1984 en in 2025.", "In negentienhonderdvierentachtig en in tweeduizendvijfentwintig."),
    ("Zie paragraaf 3.5.", "Zie paragraaf drie punt vijf."),
    ("Bel 0612.", "Bel nul zes één twee."),
    # dates and times
    ("Op 21 maart 2025.", "Op eenentwintig maart tweeduizendvijfentwintig."),
    ("Op 21-03-2025.", "Op eenentwintig maart tweeduizendvijfentwintig."),
    ("Op 2025-03-21.", "Op eenentwintig maart tweeduizendvijfentwintig."),
    ("Sinds maart 2025.", "Sinds maart tweeduizendvijfentwintig."),
    ("Om 14:30 begint het.", "Om veertien uur dertig begint het."),
    ("Om 14.30 uur begint het.", "Om veertien uur dertig begint het."),
    ("Van 9:05 tot 18:00.", "Van negen uur vijf tot achttien uur."),
    # ordinals and percentages
    ("Zij werd 1e, hij 2de.", "Zij werd eerste, hij tweede."),
    ("De 3e keer, de 21ste editie.", "De derde keer, de eenentwintigste editie."),
    ("Een stijging van 15%.", "Een stijging van vijftien procent."),
    ("Rente: 2,5 %.", "Rente: twee komma vijf procent."),
    # units
    ("Ik loop 3 km.", "Ik loop drie kilometer."),
    ("De koffer weegt 5 kg.", "De koffer weegt vijf kilo."),
    ("Wacht 10 min of 1 min.", "Wacht tien minuten of één minuut."),
    ("Het vriest: -5 °C.", "Het vriest: min vijf graden Celsius."),
    ("Loop 10-12 km.", "Loop tien tot twaalf kilometer."),
    ("Sport 3x per week.", "Sport drie keer per week."),
    # abbreviations
    ("Neem bijv. een appel.", "Neem bijvoorbeeld een appel."),
    ("Bijv. een peer.", "Bijvoorbeeld een peer."),
    (
        "We zagen o.a. vogels, d.w.z. mussen.",
        "We zagen onder andere vogels, dat wil zeggen mussen.",
    ),
    ("Appels, peren enz. Daarna soep.", "Appels, peren enzovoort. Daarna soep."),
    ("Appels, peren enz.", "Appels, peren enzovoort"),
    ("Volgens dr. Jansen.", "Volgens doctor Jansen."),
    # roman numerals in titles
    ("Hoofdstuk IV", "Hoofdstuk vier"),
    ("Over Willem III en Karel V.", "Over Willem de derde en Karel de vijfde."),
    ("Na WO II.", "Na WO twee."),
    ("Vitamine C en Malcolm X.", "Vitamine C en Malcolm X."),
    # digits written against letters
    ("Een MP3 over COVID-19.", "Een MP drie over COVID-negentien."),
]

ENGLISH = [
    ("It costs $3.50.", "It costs three dollars and fifty cents."),
    ("It costs $1 or €12.50.", "It costs one dollar or twelve euros and fifty cents."),
    ("Only $0.50 left.", "Only fifty cents left."),
    ("A pint is £5.", "A pint is five pounds."),
    ("A grant of $2 million.", "A grant of two million dollars."),
    ("There were 1,200 people.", "There were one thousand two hundred people."),
    ("Pi is 3.14.", "Pi is three point one four."),
    ("In 1984 and 2025.", "In nineteen eighty-four and twenty twenty-five."),
    ("On March 21, 2025.", "On March twenty-first, twenty twenty-five."),
    ("On 21 March 2025.", "On the twenty-first of March, twenty twenty-five."),
    ("On 2025-03-21.", "On March twenty-first, twenty twenty-five."),
    (
        "On 03/21/2025 or 21/03/2025.",
        (
            "On March twenty-first, twenty twenty-five or "
            "the twenty-first of March, twenty twenty-five."
        ),
    ),
    (
        "At 14:30, 9:05, 3:00 and 14:00.",
        ("At fourteen thirty, nine oh five, three o'clock and fourteen hundred."),
    ),
    ("The 1st, 2nd, 3rd and 21st.", "The first, second, third and twenty-first."),
    ("Up 15%.", "Up fifteen percent."),
    ("Walk 3 km, or 1 km.", "Walk three kilometers, or one kilometer."),
    ("It weighs 5 kg.", "It weighs five kilograms."),
    ("Wait 10 min.", "Wait ten minutes."),
    ("Fruit, e.g. apples, i.e. food.", "Fruit, for example apples, that is food."),
    ("Apples, pears etc. Then soup.", "Apples, pears et cetera. Then soup."),
    ("See No. 5, as Dr. Smith said no.", "See Number five, as Doctor Smith said no."),
    ("Henry VIII wrote Chapter IV.", "Henry the eighth wrote Chapter four."),
    ("World War II, Part I.", "World War two, Part one."),
    ("Then I went, and I think I saw it.", "Then I went, and I think I saw it."),
]


@pytest.mark.parametrize(("written", "said"), DUTCH)
def test_dutch(written: str, said: str) -> None:
    assert normalise(written, "nl") == said


@pytest.mark.parametrize(("written", "said"), ENGLISH)
def test_english(written: str, said: str) -> None:
    assert normalise(written, "en") == said


def test_a_region_subtag_uses_its_language_and_a_language_without_rules_is_as_written() -> None:
    assert normalise("€ 12,50", "nl-BE") == "twaalf euro vijftig"
    assert normalise("$3.50", "en-GB") == "three dollars and fifty cents"
    assert normalise("Es kostet 12 €.", "de") == "Es kostet 12 €."
    assert rules_for("fr") is None


def test_phonemes_a_lexicon_put_in_are_left_alone() -> None:
    # espeak-ng's phoneme mnemonics hold digits ("@2"); they are not numbers.
    assert normalise("[[h'Ez@2]] kost 12 euro.", "nl") == "[[h'Ez@2]] kost twaalf euro."


@pytest.mark.parametrize("code", speech_languages())
def test_every_rules_file_loads(code: str) -> None:
    rules = load_rules(code)
    assert len(rules.dates.months) == 12 and rules.money.currencies


def test_sentences_do_not_end_at_an_abbreviation_or_inside_a_number() -> None:
    assert sentences("Het kost bijv. 1.200 euro. Daarna ca. 12 euro. Zie blz. 3.") == [
        "Het kost bijv. 1.200 euro.",
        "Daarna ca. 12 euro.",
        "Zie blz. 3.",
    ]
    assert sentences("See No. 5 and p. 12. I said no. Then he left.") == [
        "See No. 5 and p. 12.",
        "I said no.",
        "Then he left.",
    ]
    assert sentences("Fruit, e.g. Apples, i.e. Food. Done.") == [
        "Fruit, e.g. Apples, i.e. Food.",
        "Done.",
    ]


def _dutch(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@given(st.integers(min_value=2, max_value=10**12 - 1), st.booleans())
@example(1200, True)
@example(1984, False)
def test_any_dutch_count_is_said_in_words_that_mean_it(n: int, grouped: bool) -> None:
    written = _dutch(n) if grouped else str(n)
    said = normalise(f"Er zijn {written} mensen.", "nl")
    assert not DIGIT.search(said)
    assert alpha2digit(said, "nl", threshold=0) == f"Er zijn {n} mensen."


@given(st.integers(min_value=2, max_value=10**12 - 1))
def test_any_english_count_is_said_in_words_that_mean_it(n: int) -> None:
    said = normalise(f"There are {n:,} people.", "en")
    assert not DIGIT.search(said)
    assert alpha2digit(said, "en", threshold=0) == f"There are {n} people."


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99))
def test_any_amount_is_said_without_digits(whole: int, cents: int) -> None:
    for text, language in (
        (f"€ {_dutch(whole)},{cents:02d}", "nl"),
        (f"${whole:,}.{cents:02d}", "en"),
        (f"€ {_dutch(whole)}", "nl"),
    ):
        said = normalise(text, language)
        assert not DIGIT.search(said), (text, said)
        assert {"euro", "cent", "dollar", "dollars", "cents"} & set(said.split()), said


@given(st.text(alphabet="0123456789.,:-/%€$ €abcIVX", max_size=30), st.sampled_from(["nl", "en"]))
def test_any_mix_of_digits_and_signs_is_said_without_digits(text: str, language: str) -> None:
    said = normalise(text, language)
    assert not DIGIT.search(said), (text, said)


# --- through the speech script: only what the engine is given changes ---------------------

VOICES = ROOT / "publisher" / "data" / "voices"
NUMBERS_NL = ROOT / "tests" / "fixtures" / "numbers" / "nl-digits.md"


def _book(body: str, lang: str = "nl", narration: str = "") -> m.Book:
    head = f"---\ntitle: T\nauthor: A\nlanguage: {lang}\nidentifier: urn:x\n{narration}---\n"
    return parse_text(head + body, "book.md").book


def test_the_engine_gets_words_and_the_captions_keep_what_was_written() -> None:
    (script,) = book_script(_book("# Hoofdstuk IV\n\nHet kost € 12,50, bijv. op 21-03-2025.\n"))
    title, sentence = script.utterances
    assert (title.text, title.display) == ("Hoofdstuk vier.", "Hoofdstuk IV")
    assert sentence.text == (
        "Het kost twaalf euro vijftig, bijvoorbeeld op eenentwintig maart tweeduizendvijfentwintig."
    )
    assert sentence.display == "Het kost € 12,50, bijv. op 21-03-2025."


def test_a_span_in_another_language_gets_its_own_rules() -> None:
    body = "# T\n\nOp 21 maart zei ze [on March 21, at 3:00, $3.50 & more]{lang=en}.\n"
    cast = Cast(book="nl-espeak", speaks=lambda language: f"{language}-espeak")
    (script,) = book_script(_book(body), cast=cast)
    (sentence,) = script.utterances[1:]
    assert [r.voice for r in sentence.runs] == ["nl-espeak", "en-espeak"]
    assert sentence.text == (
        "Op eenentwintig maart zei ze on March twenty-first, at three o'clock, "
        "three dollars and fifty cents and more."
    )


def test_the_lexicon_sees_the_text_as_written_and_its_respellings_get_the_rules() -> None:
    narration = "narration:\n  lexicon:\n    '112': één één twee\n    WO2: wereldoorlog 2\n"
    (script,) = book_script(_book("# T\n\nBel 112 of 113 over WO2.\n", narration=narration))
    assert script.utterances[1].text == (
        "Bel één één twee of honderddertien over wereldoorlog twee."
    )


@pytest.mark.parametrize(
    ("lang", "profiles"),
    [("nl", ["nl-espeak", "nl-gtts"]), ("en", ["en-espeak", "en-joe-piper"])],
)
def test_every_engine_is_given_the_same_words(lang: str, profiles: list[str]) -> None:
    written = "# Part II\n\nOn 2025-03-21 at 14:30, 1,200 people paid $3.50 (15%), e.g. 3 km.\n"
    if lang == "nl":
        written = (
            "# Deel II\n\nOp 21-03-2025 om 14:30 betaalden 1.200 mensen € 3,50 (15%), bijv. 3 km.\n"
        )
    book = _book(written, lang)
    said = []
    for name in profiles:
        profile = load_profile(VOICES / f"{name}.toml")
        scripts = book_script(book, voice_lexicon(book, profile), Cast(book=name))
        said.append([u.text for s in scripts for u in s.utterances])
    assert all(texts == said[0] for texts in said)
    assert not [t for t in said[0] if DIGIT.search(t)]


@pytest.mark.slow
def test_captions_timing_and_read_along_keep_the_digits_the_voice_says_words(
    tmp_path: Path,
) -> None:
    source = copy_book(NUMBERS_NL, tmp_path)
    out = tmp_path / "build"
    build(source, out, only=["epub", "audio", "narrated-epub"], options=BuildOptions(jobs=1))
    slug = "bedragen"
    webvtt = pytest.importorskip("webvtt")
    captions = [c.text for c in webvtt.read(str(out / "audio" / f"{slug}.vtt"))]
    assert "Het boek kost € 12,50 in de winkel." in captions
    assert not [c for c in captions if "twaalf" in c]
    timing = TimingFile.load(out / "audio" / f"{slug}.json")
    said = [u.text for u in timing.utterances]
    assert "Het boek kost twaalf euro vijftig in de winkel." in said
    assert not [t for t in said if DIGIT.search(t)]
    # The words said are timed on the words written: "€ 12,50", said "twaalf euro vijftig"
    # (the amount before the currency), is one stretch.
    u = next(u for u in timing.utterances if u.display == "Het boek kost € 12,50 in de winkel.")
    written = [u.word_text(w) for w in u.words]
    assert written == ["Het", "boek", "kost", "€ 12,50", "in", "de", "winkel"]
    (narrated,) = (out / "epub").glob("*.narrated.epub")
    with zipfile.ZipFile(narrated) as z:
        xhtml = etree.fromstring(z.read(f"EPUB/text/{slug}.xhtml"))
        smil = etree.fromstring(z.read(f"EPUB/smil/{slug}.smil"))
    text = " ".join("".join(xhtml.itertext()).split())
    assert "Het boek kost € 12,50 in de winkel." in text and "twaalf" not in text
    # Every sentence said is paired with its clip: a par, or a seq of its words' pars.
    smil_ns = "{http://www.w3.org/ns/SMIL}"
    body = smil.find(f"{smil_ns}body")
    assert len(body) == len(timing.utterances)
    assert len(body.findall(f".//{smil_ns}par")) == sum(
        len(u.words) or 1 for u in timing.utterances
    )
