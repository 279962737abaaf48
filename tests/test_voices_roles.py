"""Voices per utterance with the real espeak-ng: a second voice for prompts (``narration.roles``)
and text in other scripts said by a voice for its language (issues 12 and 10)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from mutagen.id3 import ID3

from publisher.engines.espeak import check_voice
from publisher.errors import SourceError
from publisher.reader.parse import parse_file, parse_text
from publisher.renderers.audio.master import decode
from publisher.renderers.audio.renderer import AudioRenderer
from publisher.renderers.base import BuildOptions, RenderContext
from publisher.speech.timing import TimingFile
from publisher.text import Style, XhtmlWriter
from tests import fakes
from tests.books import ROOT
from tests.helpers import require
from tests.test_audio import render as render_fake

pytestmark = pytest.mark.slow

ROLES = """---
title: Twee Stemmen
author: Ada Auteur
language: nl
identifier: urn:x:twee
narration:
  prompt_pause: 1
  chapter_end_pause: 0.5
  roles:
    prompt: nl-espeak-f3
---

# Twee Stemmen

## Rust

Knuffelen geeft rust. Het lichaam maakt dan oxytocine aan, en de hartslag zakt.
Veel mensen merken dat al na een paar seconden.

💡 Wanneer heb jij voor het laatst iemand echt vastgehouden?

Een knuffel van twintig seconden doet meer dan een vluchtige omhelzing.
Neem er dus de tijd voor, ook als het even ongemakkelijk voelt.

💡 Wie zou jij vandaag een knuffel willen geven, en waarom?

Tot slot: ook een huisdier knuffelen helpt.
"""

SCRIPTS = """---
title: Woorden van Elders
author: Ada Auteur
language: nl
identifier: urn:x:elders
---

# Woorden van Elders

## Groeten

Привет.

Hij zei Привет tegen iedereen in de klas.

In Athene zeg je Καλημέρα tegen de buren.

In Japan zeg je こんにちは, en in 東京 ook.

Een Duits woord: [Straße]{lang=de}.

Runen zoals ᚠᚢᚦ lees je niet zomaar.
"""


def render(folder: Path, source: str) -> tuple[Path, RenderContext]:
    """Write ``source`` as a book beside the shipped voices and narrate it with espeak-ng."""
    require(check_voice("nl+f3") is None, "espeak-ng (espeakng-loader) cannot speak Dutch here")
    (folder / "source").mkdir(parents=True)
    shutil.copytree(ROOT / "voices", folder / "voices")
    path = folder / "source" / "boek.md"
    path.write_text(source, encoding="utf-8")
    root = folder / "build"
    out = root / "audio"
    out.mkdir(parents=True)
    ctx = RenderContext(
        book=parse_file(path).book,
        root=root,
        out_dir=out,
        published=root,
        cache_dir=folder / "cache",
        options=BuildOptions(jobs=1),
    )
    AudioRenderer().render(ctx)
    return out, ctx


def segments(samples: np.ndarray[Any, Any], timing: TimingFile, voice: str) -> np.ndarray[Any, Any]:
    """The decoded samples of every utterance ``voice`` said, joined."""
    rate = 22050
    parts = [
        samples[u.start_ms * rate // 1000 : u.end_ms * rate // 1000]
        for u in timing.utterances
        if u.voice == voice
    ]
    return np.concatenate(parts)


@pytest.fixture(scope="module")
def roles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out, _ = render(tmp_path_factory.mktemp("roles"), ROLES)
    return out


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same book without roles: one voice."""
    out, _ = render(
        tmp_path_factory.mktemp("plain"), ROLES.replace("  roles:\n    prompt: nl-espeak-f3\n", "")
    )
    return out


def test_prompts_are_said_by_the_role_voice_and_the_timing_says_so(roles: Path) -> None:
    timing = TimingFile.load(roles / "rust.json")
    by_kind = {(u.kind, u.voice) for u in timing.utterances}
    assert {v for k, v in by_kind if k in ("prompt", "lead-in")} == {"nl-espeak-f3"}
    assert {v for k, v in by_kind if k not in ("prompt", "lead-in")} == {"nl-espeak"}
    tags = ID3(roles / "rust.mp3")
    assert dict(tags["TMCL"].people) == {
        "narrator": "nl-espeak, nl-espeak-f3 (synthetic voices, espeak)"
    }


def test_the_prompt_voice_sounds_different_from_the_book_voice(roles: Path, plain: Path) -> None:
    with_roles = decode((roles / "rust.mp3").read_bytes())
    without = decode((plain / "rust.mp3").read_bytes())
    assert with_roles is not None and without is not None
    prompts = segments(with_roles, TimingFile.load(roles / "rust.json"), "nl-espeak-f3")
    first = TimingFile.load(plain / "rust.json")
    same_text = np.concatenate(
        [
            without[u.start_ms * 22050 // 1000 : u.end_ms * 22050 // 1000]
            for u in first.utterances
            if u.kind in ("prompt", "lead-in")
        ]
    )

    # The same words; espeak-ng is deterministic, so one voice would give the same samples
    # (up to the loudness gain). The f3 variant's are different sound throughout.
    n = min(len(prompts), len(same_text))
    a, b = prompts[:n] / np.std(prompts[:n]), same_text[:n] / np.std(same_text[:n])
    assert float(np.mean(np.abs(a - b))) > 0.5
    assert abs(float(np.corrcoef(a, b)[0, 1])) < 0.5


def test_two_voices_are_at_the_target_and_within_one_lu_of_each_other(roles: Path) -> None:
    decoded = decode((roles / "rust.mp3").read_bytes())
    assert decoded is not None
    timing = TimingFile.load(roles / "rust.json")
    whole = fakes.reference_loudness(decoded, 22050)
    book = fakes.reference_loudness(segments(decoded, timing, "nl-espeak"), 22050)
    prompts = fakes.reference_loudness(segments(decoded, timing, "nl-espeak-f3"), 22050)
    print(f"chapter {whole:.2f} LUFS, book voice {book:.2f}, prompt voice {prompts:.2f}")
    assert whole == pytest.approx(-19, abs=1)
    assert abs(book - prompts) <= 1


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RenderContext]:
    return render(tmp_path_factory.mktemp("scripts"), SCRIPTS)


def test_other_scripts_are_said_by_a_voice_for_their_language(
    scripts: tuple[Path, RenderContext],
) -> None:
    out, _ = scripts
    timing = TimingFile.load(out / "groeten.json")
    said = {u.text: u for u in timing.utterances}
    assert said["Привет."].voice == "espeak-ru" and said["Привет."].runs == ()
    mixed = said["Hij zei Привет tegen iedereen in de klas."]
    assert [(r.voice, r.text) for r in mixed.runs] == [
        ("nl-espeak", "Hij zei"),
        ("espeak-ru", "Привет"),
        ("nl-espeak", "tegen iedereen in de klas."),
    ]
    greek = said["In Athene zeg je Καλημέρα tegen de buren."]
    assert [r.voice for r in greek.runs] == ["nl-espeak", "espeak-el", "nl-espeak"]
    japanese = next(u for u in timing.utterances if "こんにちは" in u.text)
    assert [r.voice for r in japanese.runs] == [
        "nl-espeak", "espeak-ja", "nl-espeak", "espeak-cmn", "nl-espeak"
    ]  # fmt: skip
    german = next(u for u in timing.utterances if "Straße" in u.text)
    assert [(r.voice, r.text) for r in german.runs][1] == ("espeak-de", "Straße.")
    # The Dutch voice is never handed a letter it would spell out ("Cyrillic pe, …",
    # "Chinese letter"): every run it says is in Latin letters.
    for u in timing.utterances:
        for run in u.runs or ():
            if run.voice == "nl-espeak":
                assert all(ord(c) < 0x250 for c in run.text), run.text
    # Spelled out, "Привет" took espeak-ng's Dutch voice 4.5 s; said, under a second.
    assert said["Привет."].end_ms - said["Привет."].start_ms < 1000


def test_a_script_no_voice_speaks_is_left_out_with_a_warning_at_its_line(
    scripts: tuple[Path, RenderContext],
) -> None:
    out, ctx = scripts
    runes = next(u for u in TimingFile.load(out / "groeten.json").utterances if "Runen" in u.text)
    assert "ᚠ" not in runes.text and runes.text == "Runen zoals lees je niet zomaar."
    (warning,) = [w for w in ctx.warnings() if "ᚠᚢᚦ" in w.message]
    assert warning.line == 22 and warning.path.endswith("boek.md")
    assert "Runr" in warning.message and "leaves it out" in warning.message


def test_a_marked_span_has_its_language_in_the_epub() -> None:
    book = parse_text(SCRIPTS, "boek.md").book
    paragraph = book.chapters[0].blocks[4]
    html = XhtmlWriter(style=Style(), path="boek.md").block(paragraph)
    assert '<span lang="de" xml:lang="de">Straße</span>' in html


def test_a_paragraph_names_its_voice_and_an_unknown_one_is_an_error_at_its_line(
    tmp_path: Path,
) -> None:
    source = ROLES.replace(
        "Tot slot: ook een huisdier knuffelen helpt.",
        "Tot slot: ook een huisdier knuffelen helpt. {voice=nl-espeak-f3}",
    )
    book = parse_text(source, "boek.md").book
    last = book.chapters[0].blocks[-1]
    assert getattr(last, "voice", None) == "nl-espeak-f3"
    fakes.reset()
    with pytest.raises(SourceError, match=r"boek.md:27: unknown voice 'nl-robot'"):
        render(tmp_path, source.replace("voice=nl-espeak-f3", "voice=nl-robot"))
    with pytest.raises(SourceError, match=r"boek.md:10: unknown voice 'nl-robot'"):
        render(tmp_path / "roles", ROLES.replace("prompt: nl-espeak-f3", "prompt: nl-robot"))


def test_an_unknown_role_is_an_error_at_its_line() -> None:
    with pytest.raises(SourceError, match=r"boek.md:10: unknown role 'quiz'"):
        parse_text(ROLES.replace("prompt: nl-espeak-f3", "quiz: nl-espeak-f3"), "boek.md")


@pytest.mark.parametrize("pitch", [10, 100])
def test_voices_far_apart_in_loudness_are_matched(tmp_path: Path, pitch: int) -> None:
    """A prompt voice 14 dB quieter (or 6 dB louder) than the book's (the fake engine's
    ``pitch`` scales its amplitude): the chapter is still at its target, and the two voices
    within 1 LU of each other."""
    (tmp_path / "voices").mkdir()
    (tmp_path / "voices" / "nl-anders.toml").write_text(
        f'engine = "espeak"\nvoice = "nl"\nlanguage = "nl"\npitch = {pitch}\n',
        encoding="utf-8",
    )
    path = tmp_path / "source" / "boek.md"
    path.parent.mkdir()
    path.write_text(ROLES.replace("nl-espeak-f3", "nl-anders"), encoding="utf-8")
    audio = render_fake(tmp_path, parse_file(path).book, cover=False)
    decoded = decode((audio / "rust.mp3").read_bytes())
    assert decoded is not None
    timing = TimingFile.load(audio / "rust.json")
    book = fakes.reference_loudness(segments(decoded, timing, "fake-nl"), 22050)
    prompts = fakes.reference_loudness(segments(decoded, timing, "nl-anders"), 22050)
    assert fakes.reference_loudness(decoded, 22050) == pytest.approx(-19, abs=1)
    assert abs(book - prompts) <= 1
