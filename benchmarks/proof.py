"""Proofing's cost and what it hears: Whisper base (int8, CPU) on publisher's own narration.

1. Speed: the seed's ten minutes of espeak-ng Dutch proofed from an empty transcript store,
   with voice-activity filtering (the default) and without, runs interleaved so both see the
   same load; wall time of the whole proof (parse, decode, model load, listening, report) and
   of the listening alone, as a share of the audio's playing time. The goal is at most 0.1
   on two cores.
2. Word error rates for the README, with the same model and settings: the seed (espeak-ng,
   Dutch), an English book (``benchmarks/piper.py``'s) read by espeak-ng and by Piper's joe.

The model is the one the tests use (the two wheels the ``test`` extra installs,
joined), or ``--model PATH``. Nothing here asserts; it prints. Run it as a module from the
repository (``python -m benchmarks.proof``): run as a script, ``benchmarks/piper.py`` would
stand in for the ``piper`` package.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench import machine  # noqa: E402
from benchmarks.piper import english_book  # noqa: E402
from publisher.pipeline.runner import build  # noqa: E402
from publisher.proof.recognizer import Settings  # noqa: E402
from publisher.proof.run import BookProof, proof  # noqa: E402
from publisher.renderers.base import BuildOptions  # noqa: E402

SEED = ROOT / "source" / "de-geneeskracht-van-knuffelen.md"


def built(text: str, work: Path) -> Path:
    """``text`` as a book in ``work``, its audio built; the source."""
    source = work / "source" / "book.md"
    source.parent.mkdir(parents=True)
    source.write_text(text, encoding="utf-8")
    build(source, work / "build", only=["audio"], options=BuildOptions(jobs=2))
    return source


def proofed(source: Path, model: str, settings: Settings) -> tuple[BookProof, float]:
    """A proof from an empty transcript store, and its wall time."""
    shutil.rmtree(source.parent / ".publisher" / "proof", ignore_errors=True)
    started = time.perf_counter()
    found = proof(source, source.parent.parent / "build", model=model, settings=settings)
    return found, time.perf_counter() - started


def speed(source: Path, model: str, runs: int) -> dict[str, object]:
    """Figure 1 (module docstring)."""
    wall: dict[bool, list[float]] = {True: [], False: []}
    listening: dict[bool, list[float]] = {True: [], False: []}
    playing = 0.0
    for _ in range(runs):
        for vad in (True, False):
            found, seconds = proofed(source, model, Settings(vad=vad))
            wall[vad].append(seconds)
            listening[vad].append(sum(c.seconds for c in found.chapters))
            playing = sum(c.audio.duration_ms for c in found.chapters) / 1000
    out: dict[str, object] = {"seed_audio_s": round(playing, 1)}
    for vad, name in ((True, "vad"), (False, "no_vad")):
        w, heard = statistics.median(wall[vad]), statistics.median(listening[vad])
        out[f"proof_{name}_wall_s"] = round(w, 1)
        out[f"proof_{name}_wall_share"] = round(w / playing, 3)
        out[f"proof_{name}_listening_share"] = round(heard / playing, 3)
    return out


def rates(work: Path, seed: Path, model: str) -> dict[str, object]:
    """Figure 2 (module docstring)."""
    text = english_book()
    books = {
        "seed_espeak_nl": seed,
        "english_espeak": built(
            text.replace("voice: en-joe-piper", "voice: en-espeak"), work / "e"
        ),
        "english_joe_piper": built(text, work / "j"),
    }
    out: dict[str, object] = {}
    for name, source in books.items():
        found, _ = proofed(source, model, Settings())
        score = found.score
        out[f"wer_{name}"] = f"{score.wer:.1%} of {score.words} words, {len(found.flags)} flags"
    return out


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a CTranslate2 Whisper folder (default: the tests')")
    parser.add_argument("--runs", type=int, default=1, help="runs per speed figure (median)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="publisher-bench-proof-") as tmp:
        work = Path(tmp)
        if args.model is None:
            from tests.whisper import assemble

            args.model = str(assemble(work / "model"))
        seed = work / "seed" / "source" / SEED.name
        seed.parent.mkdir(parents=True)
        shutil.copy2(SEED, seed)
        build(seed, work / "seed" / "build", only=["audio"], options=BuildOptions(jobs=2))
        print(f"machine: {machine()} (shared: compare shares measured side by side)")
        print(f"load average before: {Path('/proc/loadavg').read_text().split()[:3]}")
        for figures in (speed(seed, args.model, args.runs), rates(work, seed, args.model)):
            for key, value in figures.items():
                print(f"{key}: {value}", flush=True)
        print(f"load average after: {Path('/proc/loadavg').read_text().split()[:3]}")


if __name__ == "__main__":
    main()
