"""The timing file: one definition, written and read by :class:`TimingFile`."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import pytest

from publisher.engines.base import SpokenWord
from publisher.errors import BuildError
from publisher.speech.captions import subrip, webvtt
from publisher.speech.script import ChapterScript, Pause, Run, Utterance
from publisher.speech.timing import (
    VERSION,
    TimedPause,
    TimedSection,
    TimedUtterance,
    TimedWord,
    TimingFile,
)

RATE = 1000  # one sample a millisecond: spans read as times


def script() -> ChapterScript:
    """A chapter: title, a paragraph of two sentences, a heading, a prompt."""

    def say(text: str, block: str, kind: str, voice: str = "nl-espeak") -> Utterance:
        return Utterance(text=text, display=text + " ", block=block, kind=kind, line=1, voice=voice)

    mixed = Utterance(
        text="Zeg Привет.",
        display="Zeg Привет. ",
        block="p1",
        kind="paragraph",
        line=1,
        voice="nl-espeak",
        runs=(Run(text="Zeg", voice="nl-espeak"), Run(text="Привет.", voice="espeak-ru")),
    )

    items = (
        say("Één begin.", "een", "title"),
        Pause(seconds=1.0, after="een", kind="chapter-start"),
        say("Eerste zin.", "p1", "paragraph"),
        Pause(seconds=0.3, after="p1", kind="sentence"),
        mixed,
        Pause(seconds=0.8, after="p1", kind="paragraph"),
        say("Kopje.", "h1", "heading"),
        say("Wat denk jij?", "v1", "prompt", voice="nl-espeak-f3"),
        Pause(seconds=5.0, after="v1", kind="prompt"),
    )
    return ChapterScript(slug="een", number=1, title="Één begin", path="b.md", line=1, items=items)


SPANS = [(0, 900), (900, 1900), (1900, 2500), (2500, 2800), (2800, 3400), (3400, 4200),
         (4200, 4700), (4700, 5600), (5600, 10600)]  # fmt: skip


def word(chars: tuple[int, int], samples: tuple[int, int]) -> SpokenWord:
    return SpokenWord(
        char_start=chars[0], char_end=chars[1], sample_start=samples[0], sample_end=samples[1]
    )


# The engine said where the words of "Eerste zin." are; not those of the others.
WORDS = [None, None, (word((0, 6), (1900, 2200)), word((7, 11), (2250, 2480)))] + [None] * 6


def made() -> TimingFile:
    return TimingFile.from_script(script(), SPANS, RATE, samples=10_700, words=WORDS)


def test_from_script_lists_sections_utterances_and_the_pauses_that_matter() -> None:
    timing = made()
    assert timing.chapter == "een" and timing.duration_ms == 10_700
    assert timing.sections == (
        TimedSection(title="Één begin", start_ms=0, end_ms=4200, block="een"),
        TimedSection(title="Kopje.", start_ms=4200, end_ms=10_700, block="h1"),
    )
    assert [(u.block, u.kind, u.text) for u in timing.utterances][2:4] == [
        ("p1", "paragraph", "Zeg Привет."),
        ("h1", "heading", "Kopje."),
    ]
    # Who said each utterance; a sentence shared by two voices says which said what.
    assert [u.voice for u in timing.utterances] == [
        "nl-espeak", "nl-espeak", "nl-espeak", "nl-espeak", "nl-espeak-f3"
    ]  # fmt: skip
    assert timing.utterances[2].runs == (
        Run(voice="nl-espeak", text="Zeg"),
        Run(voice="espeak-ru", text="Привет."),
    )
    assert timing.utterances[1].runs == ()
    # Sentence gaps are not listed; the other pauses are, with the block they follow.
    assert timing.pauses == (
        TimedPause(start_ms=900, end_ms=1900, after="een", kind="chapter-start"),
        TimedPause(start_ms=3400, end_ms=4200, after="p1", kind="paragraph"),
        TimedPause(start_ms=5600, end_ms=10_600, after="v1", kind="prompt"),
    )
    assert timing.duration_seconds == 11
    # Where the engine said where the words are, the timing file says it too.
    assert [u.level for u in timing.utterances] == [
        "sentence",
        "word",
        "sentence",
        "sentence",
        "sentence",
    ]
    said = timing.utterances[1]
    assert said.display == "Eerste zin. "
    assert said.words == (
        TimedWord(start_ms=1900, end_ms=2200, offset=0, length=6),
        TimedWord(start_ms=2250, end_ms=2480, offset=7, length=3),
    )
    assert [said.word_text(w) for w in said.words] == ["Eerste", "zin"]
    assert all(u.words == () for u in timing.utterances if u.level == "sentence")


def test_dump_is_the_documented_json_and_load_reads_it_back(tmp_path: Path) -> None:
    timing = made()
    data = timing.dump()
    assert data.endswith(b"}\n")
    assert "Één begin".encode() in data  # UTF-8, not \u escapes
    assert data.startswith(b'{\n "version": 3,\n "chapter": "een",\n')
    document = json.loads(data)
    assert list(document) == [
        "version", "chapter", "number", "title", "duration_ms", "sections", "utterances", "pauses"
    ]  # fmt: skip
    assert list(document["sections"][0]) == ["title", "start_ms", "end_ms", "block"]
    assert list(document["utterances"][0]) == [
        "start_ms", "end_ms", "block", "kind", "voice", "text", "runs", "display", "level", "words"
    ]  # fmt: skip
    assert document["utterances"][1]["words"][1] == {
        "start_ms": 2250, "end_ms": 2480, "offset": 7, "length": 3
    }  # fmt: skip
    assert document["utterances"][2]["runs"][1] == {"voice": "espeak-ru", "text": "Привет."}
    assert list(document["pauses"][0]) == ["start_ms", "end_ms", "after", "kind"]
    path = tmp_path / "een.json"
    path.write_bytes(data)
    assert TimingFile.load(path) == timing
    assert TimingFile.load(data.decode()) == timing
    assert TimingFile.load(path).dump() == data


def older(document: dict[str, Any], version: int) -> None:
    """``document`` as a timing file of an older ``version`` had it."""
    document["version"] = version
    for u in document["utterances"]:
        del u["display"], u["level"], u["words"]
        if version == 1:
            del u["voice"], u["runs"]


def broken(change: str) -> str:
    """The made timing file's JSON with one thing wrong."""
    document = json.loads(made().dump())
    match change:
        case "version":
            document["version"] = VERSION + 1
        case "missing":
            del document["duration_ms"]
        case "negative":
            document["utterances"][1]["end_ms"] = -5
        case "bool":
            document["number"] = True
        case "text":
            document["sections"][1]["title"] = None
        case "kind":
            document["pauses"][0]["kind"] = "coffee"
        case "list":
            document["pauses"] = {}
        case "unknown":
            document["sections"][0]["colour"] = "red"
        case "run":
            del document["utterances"][2]["runs"][0]["voice"]
        case "version 1" | "version 2":
            older(document, int(change[-1]))
        case "level":
            document["utterances"][0]["level"] = "syllable"
        case "word":
            del document["utterances"][1]["words"][0]["offset"]
    return json.dumps(document)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("version", "not a version 3 timing file"),
        # Made before voices were recorded: which voice spoke is not guessed.
        ("version 1", r"not a version 3 timing file \(version 1\); rebuild the audio"),
        # Made before words were recorded: they are not guessed either.
        ("version 2", r"not a version 3 timing file \(version 2\); rebuild the audio"),
        ("level", r"utterances\[0\].level 'syllable' is not one of word, sentence"),
        ("word", r"utterances\[1\].words\[0\] lacks offset"),
        ("run", r"utterances\[2\].runs\[0\] lacks voice"),
        ("missing", "the file lacks duration_ms"),
        ("negative", r"utterances\[1\].end_ms must be a whole number, not -5"),
        ("bool", "number must be a whole number, not True"),
        ("text", r"sections\[1\].title must be text, not None"),
        ("kind", r"pauses\[0\].kind 'coffee' is not one of prompt"),
        ("list", "pauses must be a list"),
        ("unknown", r"sections\[0\] has unknown keys colour"),
    ],
)
def test_load_names_what_is_wrong(tmp_path: Path, change: str, message: str) -> None:
    path = tmp_path / "een.json"
    path.write_text(broken(change), encoding="utf-8")
    with pytest.raises(BuildError, match=message) as caught:
        TimingFile.load(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_load_refuses_what_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "een.json"
    path.write_bytes(b"\xff not json")
    with pytest.raises(BuildError, match="cannot read the audio timing"):
        TimingFile.load(path)
    with pytest.raises(BuildError, match="cannot read the audio timing"):
        TimingFile.load(tmp_path / "absent.json")
    with pytest.raises(BuildError, match="not a version 3 timing file"):
        TimingFile.load("[1, 2]")


def test_the_records_are_frozen() -> None:
    timing = made()
    with pytest.raises(dataclasses.FrozenInstanceError):
        timing.duration_ms = 5  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        timing.utterances[0].text = "x"  # type: ignore[misc]
    assert isinstance(timing.utterances[0], TimedUtterance)


def test_captions_carry_the_word_times_and_subrip_the_same_cues(tmp_path: Path) -> None:
    webvtt_py = pytest.importorskip("webvtt")
    timing = made()
    vtt = webvtt(timing).decode()
    assert "Eerste <00:00:02.250>zin. " in vtt  # the first word starts with the cue
    parsed = webvtt_py.from_buffer(io.StringIO(vtt))
    # The parser takes the timestamps as such: its text is the sentence as written.
    assert [c.text for c in parsed] == [u.display for u in timing.utterances]
    assert parsed[1].raw_text == "Eerste <00:00:02.250>zin. "
    assert [(c.start, c.end) for c in parsed] == [
        ("00:00:00.000", "00:00:00.900"),
        ("00:00:01.900", "00:00:02.500"),
        ("00:00:02.800", "00:00:03.400"),
        ("00:00:04.200", "00:00:04.700"),
        ("00:00:04.700", "00:00:05.600"),
    ]
    srt = subrip(timing).decode()
    assert "<" not in srt and "00:00:01,900 --> 00:00:02,500\nEerste zin. \n" in srt
    (tmp_path / "een.srt").write_text(srt, encoding="utf-8")
    from_srt = webvtt_py.from_srt(str(tmp_path / "een.srt"))
    assert [(c.start, c.end, c.text) for c in from_srt] == [
        (c.start, c.end, c.text) for c in parsed
    ]
