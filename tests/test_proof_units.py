"""The proof's parts without a recognizer: what counts as the same word, the alignment, the
sharing out of heard words by time, the flags, and that nothing needs the extra unless a
proof runs."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from publisher import model as m
from publisher.errors import BuildError, SourceError
from publisher.pipeline.runner import build
from publisher.proof import recognizer
from publisher.proof.align import Heard, Score, align
from publisher.proof.chapters import ChapterAudio, Said, assign
from publisher.proof.flags import clock, lexicon, silent, worse_chapters
from publisher.proof.report import marked
from publisher.proof.results import ChapterProof, as_said, prove_chapter
from publisher.proof.run import proof
from publisher.proof.words import normal, tokens, words
from publisher.reader.parse import parse_file
from publisher.renderers.base import BuildOptions
from publisher.speech.script import chapter_script
from tests.books import write_book
from tests.helpers import require

BOOK = """---
title: Words
author: Test
language: en
narration:
  lexicon:
    harbour: harbor
---

# Words

## One

The harbour was quiet. The harbour was cold.

## Two

Boats rocked on the water. Gulls flew over the harbour.

## Three

Nobody slept that night. By morning the sea was calm.
"""


def heard(text: str, start_ms: int = 0, step: int = 300) -> list[Heard]:
    """``text``'s words as heard one after another from ``start_ms``."""
    return [
        Heard(text=w, start_ms=start_ms + i * step, end_ms=start_ms + i * step + step - 50)
        for i, w in enumerate(text.split())
    ]


def test_case_punctuation_accents_and_number_separators_do_not_count() -> None:
    assert words("Oxytocine: één Creëert, m'n 1.200 — ok!") == [
        "oxytocine",
        "een",
        "creeert",
        "m'n",
        "1200",
        "ok",
    ]
    assert normal("Hoxitozine") == "hoxitozine"
    text = "Zeker, in tijden."
    assert [text[t.start : t.end] for t in tokens(text)] == ["Zeker", "in", "tijden"]


def test_numbers_are_compared_as_the_voice_says_them_marked_on_the_written_amount() -> None:
    text = "Het kost € 12,50 voor 1.200 mensen."
    said = tokens(text, "nl")
    amount = [t.norm for t in said if text[t.start : t.end] == "12,50"]
    assert len(amount) > 1 and all(not any(c.isdigit() for c in w) for w in amount)
    spoken = " ".join(t.norm for t in said)
    # Heard in words, as the voice said it, or with the recognizer's digits: no error.
    assert Score.of(align(said, heard(spoken))).errors == 0
    digits = spoken.replace(
        " ".join(t.norm for t in said if text[t.start : t.end] == "1.200"), "1200"
    )
    assert Score.of(align(said, as_said(heard(digits), "nl"))).errors == 0
    # Without the language, the written digits are one word that words heard do not match.
    assert Score.of(align(tokens(text), heard(spoken))).errors > 0


def test_alignment_counts_substitutions_deletions_and_insertions() -> None:
    pairs = align(tokens("the cat sat on the mat"), heard("the bat sat the mat today"))
    score = Score.of(pairs)
    assert (score.words, score.substituted, score.deleted, score.inserted) == (6, 1, 1, 1)
    assert score.wer == pytest.approx(3 / 6)
    wrong = [([t.norm for t in p.written], [h.text for h in p.heard]) for p in pairs if not p.ok]
    assert wrong == [(["cat"], ["bat"]), (["on"], []), ([], ["today"])]


def test_a_compound_heard_open_or_closed_is_heard_right() -> None:
    pairs = align(
        tokens("Het knuffelhormoon, in plaats van"), heard("het knuffel hormoon inplaats van")
    )
    assert all(p.ok for p in pairs)
    assert Score.of(pairs).wer == 0


def test_heard_words_go_to_the_sentence_they_were_said_in() -> None:
    said = [
        Said(display="a", line=1, kind="paragraph", start_ms=0, end_ms=1000, language="en"),
        Said(
            display="b",
            line=2,
            kind="paragraph",
            start_ms=2000,
            end_ms=3000,
            language="en",
        ),
    ]
    words_heard = [
        Heard(text="in", start_ms=100, end_ms=400),
        Heard(text="late", start_ms=1000, end_ms=1300),  # in the gap, nearer the first
        Heard(text="early", start_ms=1700, end_ms=1900),  # in the gap, nearer the second
        Heard(text="after", start_ms=3500, end_ms=3800),  # past the end: the last
    ]
    shared = assign(said, words_heard)
    assert [[w.text for w in ws] for ws in shared] == [["in", "late"], ["early", "after"]]


def test_clock() -> None:
    assert clock(12_345) == "0:12.3"
    assert clock(62_000) == "1:02.0"
    assert clock(3_723_400) == "1:02:03.4"


@pytest.fixture
def book(tmp_path: Path) -> m.Book:
    """The book above."""
    return parse_file(write_book(tmp_path, BOOK)).book


def chapters(book: m.Book) -> list[ChapterAudio]:
    """Each chapter's sentences as its speech script has them, two seconds apart."""
    out = []
    for chapter in book.chapters:
        said = tuple(
            Said(
                display=u.display,
                line=u.line,
                kind=u.kind,
                start_ms=i * 2000,
                end_ms=i * 2000 + 1500,
                language="en",
            )
            for i, u in enumerate(chapter_script(chapter, book.config).utterances)
        )
        mp3 = Path(f"{chapter.slug}.mp3")
        out.append(
            ChapterAudio(chapter=chapter, mp3=mp3, duration_ms=9000, language="en", said=said)
        )
    return out


def proved(
    audio: ChapterAudio, wrong: dict[str, str] | None = None, drop: int | None = None
) -> ChapterProof:
    """``audio`` heard word for word at its times, but ``wrong``'s words as other words and
    sentence ``drop`` not at all."""
    words_heard = []
    for i, said in enumerate(audio.said):
        if i == drop:
            continue
        said_words = [(wrong or {}).get(normal(w.strip(".,")), w) for w in said.display.split()]
        step = 1500 // len(said_words)
        words_heard += heard(" ".join(said_words), said.start_ms, step)
    return prove_chapter(audio, tuple(words_heard))


def test_heard_as_written_is_no_error_and_no_flag(book: m.Book) -> None:
    found = [proved(a) for a in chapters(book)]
    assert all(c.score.wer == 0 and c.score.words > 5 for c in found)
    assert silent(book, found) + worse_chapters(book, found) + lexicon(book, found) == []


def test_a_sentence_heard_as_nothing_is_flagged_at_its_line(book: m.Book) -> None:
    audio = chapters(book)
    found = [proved(audio[0]), proved(audio[1]), proved(audio[2], drop=1)]
    flags = silent(book, found)
    assert [(f.line, f.kind) for f in flags] == [(audio[2].said[1].line, "silent")]
    assert '"Nobody slept that night."' in flags[0].message
    assert "0:02.0-0:03.5 in three.mp3" in flags[0].message


def test_a_chapter_far_worse_than_the_median_is_flagged_at_its_heading(book: m.Book) -> None:
    audio = chapters(book)
    garbled = {normal(w): "la" for s in audio[1].said for w in s.display.split()}
    found = [proved(audio[0]), proved(audio[1], wrong=garbled), proved(audio[2])]
    flags = worse_chapters(book, found)
    assert [(f.line, f.kind) for f in flags] == [(audio[1].chapter.line, "chapter")]


def test_a_word_misheard_the_same_way_is_a_lexicon_candidate(book: m.Book) -> None:
    audio = chapters(book)
    found = [proved(a, wrong={"quiet": "quite", "harbour": "arbor"}) for a in audio]
    flags = lexicon(book, found)
    # "harbour" has a lexicon entry: the flag is at the entry's line; "quiet" (once in the
    # book) is no candidate.
    entry_line = 1 + BOOK.splitlines().index("    harbour: harbor")
    assert [(f.line, f.kind) for f in flags] == [(entry_line, "lexicon")]
    assert '"harbour: harbor"' in flags[0].message and '"arbor"' in flags[0].message


def test_a_word_misheard_now_and_then_is_no_candidate(book: m.Book) -> None:
    audio = chapters(book)
    found = [proved(audio[0], wrong={"harbour": "arbor"}), proved(audio[1]), proved(audio[2])]
    # Two of three "harbour"s heard wrong, but the third chapter's says it right: still most.
    assert len(lexicon(book, found)) == 1
    found = [proved(audio[0]), proved(audio[1], wrong={"harbour": "arbor"}), proved(audio[2])]
    assert lexicon(book, found) == []  # one of three


def test_the_page_marks_misheard_and_unheard_words_and_escapes_text(book: m.Book) -> None:
    audio = chapters(book)[0]
    said = audio.said[1]  # "The harbour was quiet."
    words_heard = heard("the <b>arbor</b> was", said.start_ms)
    result = prove_chapter(
        ChapterAudio(
            chapter=audio.chapter, mp3=audio.mp3, duration_ms=1, language="en", said=(said,)
        ),
        tuple(words_heard),
    )
    page = str(marked(result.sentences[0]))
    assert (
        '<mark>harbour</mark> <span class="heard">(heard “&lt;b&gt;arbor&lt;/b&gt;”)</span>' in page
    )
    assert '<mark class="missing">quiet</mark>' in page


def test_a_folder_that_is_no_model_is_refused(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(
        SourceError, match=re.escape("no model.bin, tokenizer.json, vocabulary.txt")
    ):
        recognizer.model_folder(str(tmp_path))


def test_without_the_extra_proof_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "faster_whisper", None)
    with pytest.raises(BuildError, match=r"pip install 'publisher\[proof\]'"):
        recognizer.model_folder(None)


def test_build_works_without_the_extra(tmp_path: Path) -> None:
    source = write_book(tmp_path, BOOK)
    code = (
        "import sys; sys.modules['faster_whisper'] = sys.modules['rapidfuzz'] = None\n"
        "from publisher.cli import main; main()"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "build",
            str(source),
            "--out",
            str(tmp_path / "out"),
            "--only",
            "epub",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "epub").is_dir()


def test_a_build_fetches_no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    require(importlib.util.find_spec("faster_whisper"), "faster-whisper is not installed")
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(proxy, raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # were it to try, it would fail, not fetch
    with pytest.raises(
        BuildError, match=re.escape("is not on this machine (a build fetches nothing)")
    ):
        recognizer.model_folder("distil-medium.en", fetch=False)


def test_a_proof_needs_the_audio_of_the_text_as_it_is(tmp_path: Path) -> None:
    source = write_book(tmp_path, BOOK)
    out = tmp_path / "out"
    with pytest.raises(BuildError, match=r"book.md:\d+: chapter 'one' has no narration"):
        proof(source, out)
    build(source, out, only=["audio"], options=BuildOptions(jobs=1))
    source.write_text(BOOK.replace("was quiet", "was silent"), encoding="utf-8")
    with pytest.raises(BuildError, match=r"one.json does not match the text .* build the audio"):
        proof(source, out)


def test_a_word_timed_before_its_sentence_still_counts_there(book: m.Book) -> None:
    audio = chapters(book)[2]  # "Nobody slept that night." "By morning the sea was calm."
    first, second = audio.said[1], audio.said[2]
    words_heard = [
        *heard("Nobody slept that night", first.start_ms, 300),
        Heard(text="By", start_ms=first.end_ms - 100, end_ms=first.end_ms + 50),  # too early
        *heard("morning the sea was calm", second.start_ms + 200, 250),
    ]
    found = prove_chapter(audio, tuple(words_heard))
    assert [s.score.errors for s in found.sentences[1:3]] == [0, 0]


def test_a_word_not_heard_in_most_places_is_no_candidate(book: m.Book) -> None:
    audio = chapters(book)
    found = [proved(a, wrong={"harbour": ""}) for a in audio]  # dropped, never heard as another
    assert lexicon(book, found) == []
