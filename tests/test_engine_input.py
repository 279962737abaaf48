"""The engine boundary (publisher/engine_input.py): nothing the author writes reaches
espeak-ng's C library (or Piper, or gTTS's request) unbounded; what is meant as text stays
text; ``check`` reports a bad lexicon entry, phoneme string or voice name at its line.

The generated-input test speaks in a separate process (tests/engine_worker.py): a buffer
overflow in the library kills that process, and the test fails with the input that did it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publisher.engine_input import (
    MAX_PHONEME_WORD,
    as_text,
    engine_text,
    phoneme_problem,
    phonemes,
    respelling_problem,
    voice_name_problem,
)
from publisher.engines.piper import piper_installed
from publisher.i18n import words_for
from publisher.speech.speakable import speakable
from tests.books import write_book
from tests.generated_books import build_command
from tests.helpers import require

ROOT = Path(__file__).parents[1]
HEAD = "---\ntitle: T\nauthor: A\nlanguage: nl\nidentifier: urn:x\n"
PLS = """<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
         alphabet="ipa" xml:lang="nl">
<lexeme><grapheme>Tjeerd</grapheme>
{entry}</lexeme>
</lexicon>
"""


def phoneme_runs(text: str) -> Iterator[str]:
    """What espeak-ng reads as phonemes in ``text``: from each ``[[`` to the next ``]]`` (or
    the end)."""
    start = text.find("[[")
    while start >= 0:
        end = text.find("]]", start + 2)
        yield text[start + 2 : end if end >= 0 else len(text)]
        if end < 0:
            return
        start = text.find("[[", end + 2)


def test_text_stays_text() -> None:
    assert as_text("Zie [[x]] hier") == "Zie [ [x] ] hier"
    assert as_text("[[[aaa]]]") == "[ [ [aaa] ] ]"  # was "[ [[aaa] ]]": phonemes again
    assert engine_text("a[[b]]c", reads_phonemes=True) == "a[[b]]c"
    assert engine_text("x[" + phonemes("b"), reads_phonemes=True) == "x[ [[b]]"
    assert engine_text(phonemes("a" * 300), reads_phonemes=True).startswith("[ [a")
    assert engine_text("[[b]]") == "[ [b] ]"  # Piper and gTTS: never phonemes
    # Found by the generator: Piper's phonemiser raised on a NUL (a ValueError, exit 1).
    assert engine_text("a\x00b\ud800c", reads_phonemes=True) == "a b c"


def test_the_bounds() -> None:
    assert phoneme_problem("tj'e:rt") is None
    assert phoneme_problem("a" * MAX_PHONEME_WORD) is None
    assert "have a word of 101" in str(phoneme_problem("a" * (MAX_PHONEME_WORD + 1)))
    assert "no espeak-ng phoneme mnemonic" in str(phoneme_problem("tj]]e"))
    assert phoneme_problem("  ") == "are empty"
    assert respelling_problem("") == "is empty"
    assert voice_name_problem("nl+f3") is None
    assert voice_name_problem("gmw/nl") is None
    assert "variant longer" in str(voice_name_problem("nl+" + "f" * 37))
    assert "not an espeak-ng voice name" in str(voice_name_problem("nl f3"))


BRACKETY = st.lists(
    st.one_of(
        st.sampled_from(["[", "]", "[[", "]]", " ", "a", "'", ":", "_", "x"]),
        st.text(max_size=4),
        st.builds(lambda c, n: c * n, st.sampled_from("a'_:[]"), st.integers(1, 400)),
    ),
    max_size=12,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(BRACKETY)
def test_whatever_the_text_only_checked_phonemes_reach_espeak(text: str) -> None:
    for reads in (True, False):
        door = engine_text(text, reads_phonemes=reads)
        runs = list(phoneme_runs(door))
        assert not runs or reads
        assert all(phoneme_problem(run) is None for run in runs), door
    assert "[[" not in as_text(text) and "]]" not in as_text(text)
    assert as_text(text).replace(" ", "") == text.replace(" ", "")


class Engines:
    """The worker process (tests/engine_worker.py), started again after it dies."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None

    def say(self, engine: str, voice: str, text: str) -> str:
        """The worker's answer; an AssertionError naming the input if it died."""
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.engine_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps([engine, voice, text]) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            code = self.process.wait()
            self.process = None
            raise AssertionError(f"{engine} crashed (exit {code}) on voice {voice!r}, {text!r}")
        return answer.strip()

    def close(self) -> None:
        if self.process is not None:
            self.process.stdin.close()  # type: ignore[union-attr]
            self.process.wait(timeout=60)


@pytest.fixture(scope="module")
def engines() -> Iterator[Engines]:
    worker = Engines()
    yield worker
    worker.close()


WORDS = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from("[]'_: a1"),
    max_size=30,
)
PHONEMES = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=300) | (
    st.builds(lambda c, n: c * n, st.sampled_from(["a", "'a", "_", "t@"]), st.integers(1, 260))
)
VARIANTS = st.text(st.sampled_from("fm0123456789abc_-+/ "), max_size=50)


@pytest.mark.slow
@settings(
    max_examples=int(os.environ.get("ENGINE_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(text=BRACKETY | WORDS, respelling=PHONEMES, variant=VARIANTS)
def test_generated_text_phonemes_and_voice_names_never_crash_an_engine(
    engines: Engines, text: str, respelling: str, variant: str
) -> None:
    words = words_for("nl")
    # What the script makes of the text, with the generated respelling as a lexicon would
    # give it: phonemes if they pass the check (a PLS x-espeak entry), else as an alias.
    said = phonemes(respelling) if phoneme_problem(respelling) is None else as_text(respelling)
    lexicon = {"tjeerd": said} if respelling_problem(respelling) is None else {}
    spoken = speakable(f"{text} Tjeerd {text}", words, lexicon, language="nl")
    voice = f"nl+{variant}" if variant else "nl"
    for sent in (spoken, text, f"[[{respelling}]]"):  # the script's, and the door alone
        answer = engines.say("espeak", voice, sent)
        if voice_name_problem(voice) is not None and sent.strip():  # "": nothing to say
            assert answer.startswith("error: espeak-ng voice"), answer
    if piper_installed():
        engines.say("piper", "joe", spoken)


def run_check(source: Path) -> subprocess.CompletedProcess[str]:
    """``publisher check`` in its own process: before the bounds, some of these crashed it."""
    return subprocess.run(
        [sys.executable, "-m", "publisher", "check", str(source), "--base-url", "https://e.org/"],
        capture_output=True,
        text=True,
        cwd=source.parent,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("entry", "line", "message"),
    [
        (
            f'<phoneme alphabet="x-espeak">{"a" * 300}</phoneme>',
            5,
            "<phoneme> 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa… are longer than 200 characters",
        ),
        (
            f'<phoneme alphabet="x-espeak">{"a" * 150}</phoneme>',
            5,
            "<phoneme> 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa… have a word of 150 mnemonics; "
            "at most 100 are allowed",
        ),
        (
            '<phoneme alphabet="x-espeak">tj]] [[e:rt</phoneme>',
            5,
            "<phoneme> 'tj]] [[e:rt' hold ']', which is no espeak-ng phoneme mnemonic "
            "(ASCII, no brackets)",
        ),
        ("<alias></alias>", 5, "<alias> '' is empty"),
        ("<alias>  </alias>", 5, "<alias> '' is empty"),
    ],
)
def test_a_bad_pls_entry_is_an_error_at_its_line(
    entry: str, line: int, message: str, tmp_path: Path
) -> None:
    # An empty alias dropped the word from the narration without a word before.
    source = write_book(tmp_path, HEAD + "narration:\n  pls: l.pls\n---\n# T\n\nTjeerd.\n")
    (source.parent / "l.pls").write_text(PLS.format(entry=entry), encoding="utf-8")
    result = run_check(source)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[-1] == f"{source.parent / 'l.pls'}:{line}: {message}"


def test_a_long_lexicon_entry_is_an_error_at_its_line(tmp_path: Path) -> None:
    text = HEAD + f"narration:\n  lexicon:\n    Tjeerd: {'a' * 300}\n---\n# T\n\nTjeerd.\n"
    source = write_book(tmp_path, text)
    result = run_check(source)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"{source}:8: 'narration.lexicon' entry 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa… is "
        "longer than 200 characters; a respelling is a word or a few"
    )


def test_a_voice_name_that_overflows_espeak_is_an_error_at_the_profiles_line(
    tmp_path: Path,
) -> None:
    # Before: `check` loaded the voice to see whether it runs, and the library aborted
    # ("buffer overflow detected") on the variant name.
    source = write_book(tmp_path, HEAD + "narration:\n  voice: long\n---\n# T\n\nTekst.\n")
    voices = tmp_path / "voices"
    voices.mkdir()
    variant = "f" * 37  # 37 letters overflowed espeak-ng's buffer
    (voices / "long.toml").write_text(
        f'engine = "espeak"\nlanguage = "nl"\nvoice = "nl+{variant}"\n', encoding="utf-8"
    )
    result = run_check(source)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"{voices / 'long.toml'}:3: 'voice' 'nl+{variant}' has a variant longer than 20 characters"
    ]


@pytest.mark.slow
def test_a_book_of_bracket_forms_builds_narration_that_decodes(tmp_path: Path) -> None:
    # Before: "[[[" in the text reached espeak-ng as phonemes, and a long run crashed it.
    require(shutil.which("ffprobe"), "ffprobe is not installed")
    run = "a" * 300
    body = f"# T\n\nHij zei [[[{run}]]] en [[{run}]] en [[x]] en ]]] [[.\n\nTjeerd [[ kwam.\n"
    source = write_book(tmp_path, HEAD + "narration:\n  pls: l.pls\n---\n" + body)
    entry = '<phoneme alphabet="x-espeak">tj\'e:rt</phoneme>'
    (source.parent / "l.pls").write_text(PLS.format(entry=entry), encoding="utf-8")
    out = tmp_path / "out"
    build = subprocess.run(
        build_command(source, out, "audio"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr
    for mp3 in (out / "audio").glob("*.mp3"):
        probe = subprocess.run(
            [
                "ffprobe",
                "-v",
                "error",
                "-show_entries",
                "format=duration",
                "-of",
                "csv=p=0",
                str(mp3),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert float(probe.stdout) > 1.0
