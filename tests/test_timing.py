"""The timing file: one definition, written and read by :class:`TimingFile`."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from publisher.errors import BuildError
from publisher.speech.script import ChapterScript, Pause, Run, Utterance
from publisher.speech.timing import (
    VERSION,
    TimedPause,
    TimedSection,
    TimedUtterance,
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


def made() -> TimingFile:
    return TimingFile.from_script(script(), SPANS, RATE, samples=10_700)


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


def test_dump_is_the_documented_json_and_load_reads_it_back(tmp_path: Path) -> None:
    timing = made()
    data = timing.dump()
    assert data.endswith(b"}\n")
    assert "Één begin".encode() in data  # UTF-8, not \u escapes
    assert data.startswith(b'{\n "version": 2,\n "chapter": "een",\n')
    document = json.loads(data)
    assert list(document) == [
        "version", "chapter", "number", "title", "duration_ms", "sections", "utterances", "pauses"
    ]  # fmt: skip
    assert list(document["sections"][0]) == ["title", "start_ms", "end_ms", "block"]
    assert list(document["utterances"][0]) == [
        "start_ms", "end_ms", "block", "kind", "voice", "text", "runs"
    ]  # fmt: skip
    assert document["utterances"][2]["runs"][1] == {"voice": "espeak-ru", "text": "Привет."}
    assert list(document["pauses"][0]) == ["start_ms", "end_ms", "after", "kind"]
    path = tmp_path / "een.json"
    path.write_bytes(data)
    assert TimingFile.load(path) == timing
    assert TimingFile.load(data.decode()) == timing
    assert TimingFile.load(path).dump() == data


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
        case "version 1":
            document["version"] = 1
            for u in document["utterances"]:
                del u["voice"], u["runs"]
    return json.dumps(document)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("version", "not a version 2 timing file"),
        # Made before voices were recorded: which voice spoke is not guessed.
        ("version 1", r"not a version 2 timing file \(version 1\); rebuild the audio"),
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
    with pytest.raises(BuildError, match="not a version 2 timing file"):
        TimingFile.load("[1, 2]")


def test_the_records_are_frozen() -> None:
    timing = made()
    with pytest.raises(dataclasses.FrozenInstanceError):
        timing.duration_ms = 5  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        timing.utterances[0].text = "x"  # type: ignore[misc]
    assert isinstance(timing.utterances[0], TimedUtterance)
