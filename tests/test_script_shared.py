"""Each chapter's speech script is made once per build and shared by the targets that read
it, and made again whenever what it depends on differs."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from publisher import model as m
from publisher.pipeline.runner import build
from publisher.reader.parse import parse_text
from publisher.renderers.base import BuildOptions
from publisher.speech import script as s
from publisher.speech.script import chapter_script
from publisher.speech.voicing import Cast


def book(body: str) -> m.Book:
    head = "---\ntitle: T\nauthor: A\nlanguage: nl\nidentifier: urn:x\n---\n"
    return parse_text(head + body, "book.md").book


BODY = "# T\n\n## Een\n\nHij zei Привет tegen ons. Daarna niets.\n\n## Twee\n\nGewoon Nederlands.\n"


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The chapters whose script was made afresh, in order."""
    calls: list[str] = []
    real = s._chapter_script

    def counting(chapter: m.Chapter, *args: object) -> s.ChapterScript:
        calls.append(chapter.slug)
        return real(chapter, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(s, "_chapter_script", counting)
    return calls


def russian(voice: str | None) -> Cast:
    """A new cast (a new ``speaks`` function, as each target makes) naming ``voice`` for ru."""
    return Cast(book="nl-voice", speaks=lambda lang: voice if lang == "ru" else None)


def test_the_targets_of_one_build_share_each_chapters_script(made: list[str]) -> None:
    b = book(BODY)
    first = [chapter_script(c, b.config, {"x": "ix"}, russian("ru-voice")) for c in b.chapters]
    again = [chapter_script(c, b.config, {"x": "ix"}, russian("ru-voice")) for c in b.chapters]
    assert made == ["een", "twee"]
    assert all(a is f for a, f in zip(again, first, strict=True))
    assert first[0].utterances[1].runs  # the Russian word went to its voice


def test_a_different_answer_for_a_language_the_chapter_uses_makes_it_again(
    made: list[str],
) -> None:
    b = book(BODY)
    with_voice = [chapter_script(c, b.config, None, russian("ru-voice")) for c in b.chapters]
    without = [chapter_script(c, b.config, None, russian(None)) for c in b.chapters]
    # Only the chapter with Russian in it asked; the other's script holds for both casts.
    assert made == ["een", "twee", "een"]
    assert without[1] is with_voice[1]
    assert not with_voice[0].warnings
    assert "no voice speaks" in without[0].warnings[0].message


def test_another_lexicon_voice_or_book_makes_it_again(made: list[str]) -> None:
    b = book(BODY)
    chapter = b.chapters[1]
    plain = chapter_script(chapter, b.config, None, russian(None))
    respelled = chapter_script(chapter, b.config, {"gewoon": "gewone"}, russian(None))
    other = chapter_script(chapter, b.config, None, Cast(book="other"))
    reparsed = book(BODY).chapters[1]  # an edited source parses to a new model
    chapter_script(reparsed, b.config, None, russian(None))
    assert len(made) == 4
    assert respelled.utterances[1].text == "gewone Nederlands."
    assert plain.utterances[1].text == "Gewoon Nederlands."
    assert {u.voice for u in other.utterances} == {"other"}


def test_a_chapters_scripts_are_let_go_with_it(made: list[str]) -> None:
    b = book(BODY)
    for c in b.chapters:
        chapter_script(c, b.config)
    held = len(s._MEMO._entries)
    del b, c
    gc.collect()
    assert len(s._MEMO._entries) <= held - 2


def test_a_build_makes_each_chapters_script_once(tmp_path: Path, made: list[str]) -> None:
    """The check, the audio, the read-along EPUB and the website all read the scripts; the
    website's transcript is cut without the voice's lexicon, so it has its own."""
    source = tmp_path / "src" / "book.md"
    source.parent.mkdir()
    source.write_text(
        "---\ntitle: T\nauthor: A\nlanguage: nl\nidentifier: urn:x\n---\n" + BODY,
        encoding="utf-8",
    )
    build(source, tmp_path / "out", options=BuildOptions(jobs=1, base_url="https://x.org/"))
    assert sorted(made) == ["een", "een", "twee", "twee"]
