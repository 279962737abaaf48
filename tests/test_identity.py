"""Chapter identities in any script: slugs, ``{#id}``, and the warnings of ``check``."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.checks.problems import check_book
from publisher.errors import SourceError
from publisher.model.slugs import slugify
from publisher.reader.parse import parse_text
from tests.test_feed import FRONT, build, items_by_slug, make_book

WORLD = [
    "# Creëer één café\n\nDutch.\n",
    "# Die Straße\n\nGerman.\n",
    "# Søren\n\nDanish.\n",
    "# Привет\n\nRussian.\n",
    "# Ελληνικά\n\nGreek.\n",
    "# 東京\n\nJapanese.\n",
    "# 🤗\n\nEmoji.\n",
    "# 💡\n\nAnother emoji.\n",
]


def slugs_of(*chapters: str, front: str = FRONT) -> list[str]:
    return [c.slug for c in make_book(front + "\n" + "\n".join(chapters)).chapters]


def test_titles_in_every_script_get_ascii_slugs_from_their_own_text() -> None:
    slugs = slugs_of(*WORLD)
    assert slugs == [
        "creeer-een-cafe",
        "die-strasse",
        "soren",
        "privet",
        "ellinika",
        "dong-jing",
        "hoofdstuk-hugging-face",  # the book is Dutch: "hoofdstuk", not "chapter"
        "hoofdstuk-electric-light-bulb",
    ]
    assert all(s.isascii() and s for s in slugs)
    assert len(set(slugs)) == len(slugs)
    assert slugify("Søren en de Straße") == "soren-en-de-strasse"


def test_an_english_book_makes_up_slugs_in_english() -> None:
    english = FRONT.replace("language: nl", "language: en")
    assert slugs_of("# 🤗\n\nx\n", front=english) == ["chapter-hugging-face"]


def test_a_title_without_any_named_character_gets_a_hash_of_itself() -> None:
    first = slugs_of("# \ue000\n\nx\n")
    assert first == slugs_of("# \ue000\n\nx\n")
    assert first[0].startswith("hoofdstuk-") and first != slugs_of("# \ue001\n\nx\n")


def test_inserting_a_chapter_first_keeps_every_episode(tmp_path: Path) -> None:
    _, before = build(tmp_path, FRONT + "\n" + "\n".join(WORLD), "a")
    inserted = "# Здравствуйте\n\nNew.\n"
    _, after = build(tmp_path, FRONT + "\n" + "\n".join([inserted, *WORLD]), "b")
    old, new = items_by_slug(before), items_by_slug(after)
    assert len(new) == len(old) + 1
    # Same file name, same guid, same enclosure URL for every chapter that was there.
    assert {k: new[k] for k in old} == old


def test_heading_id_fixes_slug_files_and_guid(tmp_path: Path) -> None:
    text = FRONT + "\n# Nieuwe Titel {#oude-titel}\n\nTekst.\n\n## Sectie {#eigen}\n\nMeer.\n"
    book, feed = build(tmp_path, text)
    chapter = book.chapters[0]
    assert chapter.slug == "oude-titel"
    assert chapter.title_text == "Nieuwe Titel"  # the attribute is not part of the title
    assert [getattr(b, "anchor", None) for b in chapter.blocks][1] == "eigen"
    _, renamed_feed = build(tmp_path, FRONT + "\n# Oude Titel\n\nTekst.\n", "old")
    assert items_by_slug(feed) == items_by_slug(renamed_feed)


@pytest.mark.parametrize(
    ("heading", "message"),
    [
        ("# A {#Mijn_Id}", "book.md:19: chapter id {#Mijn_Id} names the chapter's files"),
        ("# A {#één}", "book.md:19: chapter id {#één} names the chapter's files"),
        ("# A\n\n## B {#één}", "book.md:21: heading id {#één} must be an ASCII letter, then"),
        ("# A\n\n## B {#fn-1}", "book.md:21: heading id {#fn-1} is one publisher writes"),
    ],
)
def test_bad_heading_ids_are_errors_with_their_line(heading: str, message: str) -> None:
    with pytest.raises(SourceError) as e:
        make_book(FRONT + "\n" + heading + "\n\nx\n")
    assert str(e.value).startswith(message)


def test_a_duplicate_heading_id_names_both_lines() -> None:
    with pytest.raises(SourceError) as e:
        make_book(FRONT + "\n# A {#x}\n\na\n\n# B {#x}\n\nb\n")
    assert str(e.value) == "book.md:23: heading id {#x} is already used on line 19"


def test_braces_that_are_not_attributes_stay_text() -> None:
    book = make_book(
        FRONT + "\n# Set {x} and {a b}\n\nCode `f`{.x}, a [link](https://e.org){#y}, "
        "{#z} and [word] {lang=ru}.\n\n💡{pause=15} Why?\n"
    )
    chapter = book.chapters[0]
    assert chapter.title_text == "Set {x} and {a b}"
    texts = [b for b in chapter.blocks]
    from publisher.model import Paragraph, Prompt
    from publisher.text.plain import plain_text

    assert isinstance(texts[0], Paragraph)
    assert plain_text(texts[0].children) == ("Code f{.x}, a link{#y}, {#z} and [word] {lang=ru}.")
    assert isinstance(texts[1], Prompt) and texts[1].pause == 15.0


def test_a_span_with_attributes_other_than_lang_is_an_error() -> None:
    with pytest.raises(SourceError) as e:
        make_book(FRONT + "\n# A\n\nSee [this]{.x} here.\n")
    assert str(e.value).startswith("book.md:21: span attributes not understood")


def test_check_warns_about_made_up_slugs_and_renamed_chapters(tmp_path: Path) -> None:
    _, feed = build(tmp_path, FRONT + "\n# Een Begin\n\nx?\n\n# Het Einde\n\ny?\n")
    previous = tmp_path / "build" / "feed.xml"
    assert previous.read_bytes() == feed
    book = make_book(FRONT + "\n# Een Nieuw Begin\n\nx?\n\n# Het Einde\n\ny?\n\n# 🤗\n\nz?\n")
    messages = [str(p) for p in check_book(book, previous)]
    assert messages == [
        "book.md:19: warning: chapter 'Een Nieuw Begin' replaces 'Een Begin' of the last "
        "build: subscribers get it as a new episode; to keep the old one, end its heading "
        "with {#een-begin}",
        "book.md:27: warning: chapter '🤗' has nothing to spell in ASCII, so its file names "
        "and episode use the made-up 'hoofdstuk-hugging-face'; give it one: {#hoofdstuk-…}",
    ]
    kept = make_book(FRONT + "\n# Een Nieuw Begin {#een-begin}\n\nx?\n\n# Het Einde\n\ny?\n")
    assert check_book(kept, previous) == []
    # Without a previous build there is nothing to compare.
    assert check_book(kept, tmp_path / "nothing" / "feed.xml") == []


def test_parse_text_of_the_seed_keeps_its_slugs() -> None:
    seed = Path(__file__).parents[1] / "tests" / "golden" / "build" / "seed-files.txt"
    expected = {
        line.split("/", 1)[1].rsplit(".", 1)[0]
        for line in seed.read_text().splitlines()
        if line.startswith("audio/") and line.endswith(".mp3")
    }
    source = Path(__file__).parents[1] / "source" / "de-geneeskracht-van-knuffelen.md"
    book = parse_text(source.read_text(encoding="utf-8"), "seed.md").book
    assert {c.slug for c in book.chapters} == expected
