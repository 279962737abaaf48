"""The seed built end to end with Google's online voice (``voice: nl-gtts``).

Against the stand-in for Google's service on 127.0.0.1 (:mod:`tests.fake_google`), which the
engine is pointed at through its setting (``PUBLISHER_GTTS_URL``), by the ``publisher``
command, through the audio workers every engine uses (``--jobs 2``: a child process and a
share in the build process): every chapter asked for, transient failures tried again, a
failure in the middle of the book reported at its line with the previous build kept, and
the speech cache reused. The fake answers every piece with a tenth of a second of a tone.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from mutagen.id3 import ID3

from publisher.engines.base import VoiceProfile
from publisher.engines.gtts import URL_VARIABLE, GttsSynthesizer
from publisher.speech.timing import TimingFile
from tests.books import SEED, copy_book
from tests.fake_google import FakeGoogle, make_mp3, spoken_text
from tests.helpers import PROXY_VARIABLES

pytestmark = pytest.mark.slow

CHAPTERS = 11
PIECE_SECONDS = 0.1
NL_GTTS = VoiceProfile(name="nl-gtts", engine="gtts", voice="nl", language="nl")
TRANSIENT = [503, 500, 429]
"""Failures the fake answers the 2nd, 4th and 6th requests of the first build with."""


class Built(NamedTuple):
    """The seed built once with gTTS: its folder, the fake, and what the build printed."""

    folder: Path
    google: FakeGoogle
    stderr: str


def publisher(google: FakeGoogle, *args: str) -> subprocess.CompletedProcess[str]:
    """``publisher ARGS`` with the engine pointed at ``google`` and no proxy variables."""
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
    env[URL_VARIABLE] = google.url
    return subprocess.run(
        [sys.executable, "-m", "publisher", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )


def build(google: FakeGoogle, folder: Path, *more: str) -> subprocess.CompletedProcess[str]:
    source = folder / "source" / SEED.name
    return publisher(google, "build", str(source), "--out", str(folder / "build"), *more)


def pieces(folder: Path) -> list[str]:
    """What the build's timing files say the book says, in the pieces gTTS sends."""
    engine = GttsSynthesizer(NL_GTTS)
    said = []
    for path in sorted((folder / "build" / "audio").glob("*.json")):
        for utterance in TimingFile.load(path).utterances:
            assert utterance.voice == "nl-gtts", path
            said += [spoken_text(b.encode()) for b in engine.request_bodies(utterance.text)]
    return said


def digests(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` and its SHA-256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """The seed, asking for ``nl-gtts``, built once (every target) against the fake."""
    folder = tmp_path_factory.mktemp("gtts")
    source = copy_book(SEED, folder)
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("narration:\n", "narration:\n  voice: nl-gtts\n", 1))
    plan: list[str | int] = ["ok", TRANSIENT[0], "ok", TRANSIENT[1], "ok", TRANSIENT[2]]
    google = FakeGoogle(plan, mp3=make_mp3(PIECE_SECONDS))
    try:
        result = build(google, folder, "--jobs", "2", "--base-url", "https://example.org/", "-q")
        assert result.returncode == 0, result.stderr
        yield Built(folder, google, result.stderr)
    finally:
        google.close()


def copy_of(built: Built, dest: Path) -> Path:
    """A copy of the built book (source, voices, cache and build) to build again."""
    shutil.copytree(built.folder, dest / "book", symlinks=True)
    return dest / "book"


def test_every_chapter_is_narrated_through_the_service(built: Built) -> None:
    audio = built.folder / "build" / "audio"
    mp3s = sorted(audio.glob("*.mp3"))
    assert len(mp3s) == CHAPTERS
    # Everything the book says was asked for, and nothing else.
    said = pieces(built.folder)
    assert set(built.google.texts) == set(said)
    assert all(path == "/_/batchexecute" for path in built.google.paths)
    for mp3 in mp3s:
        timing = TimingFile.load(mp3.with_suffix(".json"))
        assert timing.utterances, mp3.name
        # The MP3 is the service's speech: its credit names the online voice.
        credit = ID3(mp3).getall("TMCL")[0].people
        assert ["narrator", "nl-gtts (synthetic voice, gtts)"] in credit
    for target in ("audiobook", "epub", "episodes"):
        assert any((built.folder / "build" / target).iterdir()), target
    assert "gTTS" not in built.stderr  # the transient failures were not the author's concern


def test_transient_failures_are_tried_again(built: Built) -> None:
    steps, texts = built.google.steps, built.google.texts
    failed = [i for i, step in enumerate(steps) if step != "ok"]
    assert [steps[i] for i in failed] == TRANSIENT
    for i in failed:  # each failed piece was sent again later, and answered
        assert any(texts[j] == texts[i] and steps[j] == "ok" for j in range(i + 1, len(texts)))


def test_the_next_build_takes_the_speech_from_the_cache(built: Built, tmp_path: Path) -> None:
    folder = copy_of(built, tmp_path)
    source = folder / "source" / SEED.name
    google = built.google
    sent = len(google.texts)
    # Louder: every chapter is mastered again, from the speech the cache holds.
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("narration:\n", "narration:\n  loudness: -17\n", 1))
    again = build(google, folder, "--jobs", "2", "--only", "audio")
    assert again.returncode == 0, again.stderr
    assert len(google.texts) == sent  # not one request
    # One sentence changed: only its pieces are asked for.
    old = "Het zegt: ik ben hier."
    new = "Het zegt: ik ben er voor je."
    source.write_text(source.read_text(encoding="utf-8").replace(old, new, 1))
    edited = build(google, folder, "--jobs", "2", "--only", "audio")
    assert edited.returncode == 0, edited.stderr
    assert google.texts[sent:] == [new]


def test_a_failure_mid_book_names_its_line_and_keeps_the_build(
    built: Built, tmp_path: Path
) -> None:
    folder = copy_of(built, tmp_path)
    source = folder / "source" / SEED.name
    before = digests(folder / "build")
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("Bij rouw, verdriet"))
    lines[line - 1] = lines[line - 1].replace("Zonder uitleg", "Zonder haast, zonder uitleg")
    source.write_text("".join(lines), encoding="utf-8")
    google = built.google
    # The service fails the new sentence every time it is asked (a 503 is tried again).
    google.refuse = lambda text: 503 if "haast" in text else None
    try:
        result = build(google, folder, "--jobs", "2", "--base-url", "https://example.org/", "-q")
    finally:
        google.refuse = None
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        f"audio: {source}:{line}: chapter 'Knuffelen als Taal die…': gTTS: "
        f"service unreachable after 3 tries (HTTP 503 Service Unavailable) at {google.url}"
    ]
    assert sum("haast" in text for text in google.texts) == 3
    assert digests(folder / "build") == before  # the previous build, as it was
