"""Peak memory of a big book's build: the RSS summed over the build's processes.

1. a full build (every default target) of a generated book, cold cache: the peak, and the
   seconds it took (issue #14 asks for under 200 MB at 100,000 words);
2. each target alone from the warm cache that build left (``--only <target>`` into the same
   build folder, its own output removed first), so the figure is that target's own work:
   ``audiobook`` remuxes cached AAC, ``audiobook-encode`` encodes every chapter again;
3. one chapter of the audio target made from nothing (its words synthesised, mastered and
   encoded): a book of one chapter the size of the big book's, so the per-chapter work the
   audio workers do is measured in one process, without the pool around it.

4. with ``--long`` (alone): a book of ``--words`` words written as one chapter, and a chapter
   holding an hour of ``{pause=600}`` (and, to see whether the peak grows with the pause, one
   holding ten minutes), each a cold full build (every default target).

Every figure is one run unless ``--runs`` says more (the median); memory hardly varies from
run to run, time does (the machine may be shared). ``--words`` makes a smaller book:
``python -m benchmarks.memory --words 10000`` takes a few minutes instead of half an hour.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from bench.py

from benchmarks.bench import PUBLISHER, big_book, machine, peak_rss

CHAPTERS = 50
"""Chapters of the generated book (2,000 words, about 13 minutes, each at 100,000 words)."""
TARGETS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "cover": (("cover.jpg",), "cover"),
    "audio": (("audio/*",), None),
    "epub": (("epub/*.epub",), None),
    "narrated-epub": (("epub/*.narrated.epub",), "narrated"),
    "feed": (("feed.xml", "chapters/*"), None),
    "site": (("index.html", "episodes/*", "assets/*"), None),
    "audiobook": (("audiobook/*",), None),
    "audiobook-encode": (("audiobook/*",), "audiobook"),
}
"""Each default target measured alone: the outputs removed first (so it is built, not found
up to date) and the cache folder emptied where the target would otherwise copy its whole
result from there (so the figure is its work). ``audiobook-encode`` is the audiobook with
its per-chapter AAC cache emptied: every chapter encoded again. Emptying the cover cache
empties the portrait cover's too, so ``epub`` then draws it (as a cold build does)."""


def build(src: Path, out: Path, only: list[str] | None = None) -> tuple[float, int]:
    """Seconds and summed peak RSS (bytes) of ``publisher build`` (``--only`` when given)."""
    command = [*PUBLISHER, "build", str(src), "--out", str(out), "--quiet"]
    if only:
        command += ["--only", ",".join(only)]
    return peak_rss(command)


def _clear(src: Path, out: Path, target: str) -> None:
    outputs, cache = TARGETS[target]
    for pattern in outputs:
        for path in out.glob(pattern):
            path.unlink()
    if cache is not None:  # beside the source, not in the build folder
        shutil.rmtree(src.parent / ".publisher" / "cache" / cache, ignore_errors=True)


def measure(runs: int, words: int = 100_000) -> dict[str, object]:
    """The figures (module docstring), in MB and seconds."""
    runs = max(1, runs)
    results: dict[str, object] = {"machine": machine(), "memory_words": words}
    with tempfile.TemporaryDirectory(prefix="publisher-memory-") as tmp:
        work = Path(tmp)
        src = work / "big" / "book.md"
        src.parent.mkdir()
        src.write_text(big_book(words, chapters=CHAPTERS), encoding="utf-8")
        out = work / "big-out"
        seconds, peak = build(src, out)
        results["memory_full_s"] = seconds
        results["memory_full_peak_mb"] = peak / 1e6

        for target in TARGETS:
            only = [target.removesuffix("-encode")]
            peaks = []
            for _ in range(runs):
                _clear(src, out, target)
                peaks.append(build(src, out, only)[1])
            results[f"memory_{target}_mb"] = statistics.median(peaks) / 1e6

        one = work / "one" / "book.md"
        one.parent.mkdir()
        one.write_text(big_book(words // CHAPTERS, chapters=1), encoding="utf-8")
        build(one, work / "one-out", ["cover"])  # the cover first: it is not the chapter's work
        results["memory_one_chapter_mb"] = statistics.median(
            _fresh_chapter(one, work / "one-out") for _ in range(runs)
        )
    return results


def _fresh_chapter(src: Path, out: Path) -> float:
    """Peak MB of making the one chapter of ``src`` with no speech or chapter cached."""
    shutil.rmtree(src.parent / ".publisher" / "cache" / "speech", ignore_errors=True)
    _clear(src, out, "audio")
    shutil.rmtree(src.parent / ".publisher" / "cache" / "chapters", ignore_errors=True)
    return build(src, out, ["audio"])[1] / 1e6


PAUSE_BOOK = """---
title: Stilte
author: Benchmark
language: nl
identifier: "urn:uuid:00000000-0000-4000-8000-000000000060"
---

# Stilte

## Een uur stilte

Eerst een zin om te beginnen.

{pauses}
En een zin om te eindigen.
"""


def pause_book(minutes: int) -> str:
    """A one-chapter book whose chapter holds ``minutes`` of ``{pause=600}`` (the longest
    pause allowed) in a row: one stretch of room tone, no silence to cut it in."""
    return PAUSE_BOOK.format(pauses="{pause=600}\n\n" * (minutes // 10))


def long_chapters(runs: int, words: int = 100_000) -> dict[str, object]:
    """Figure 4 (module docstring): peak MB and seconds of each long chapter's cold build."""
    results: dict[str, object] = {"machine": machine(), "memory_words": words}
    books = {
        "one_chapter": big_book(words, chapters=1),
        "pause_60min": pause_book(60),
        "pause_10min": pause_book(10),
    }
    with tempfile.TemporaryDirectory(prefix="publisher-memory-") as tmp:
        for name, text in books.items():
            figures = []
            for i in range(max(1, runs)):
                src = Path(tmp) / f"{name}-{i}" / "book.md"
                src.parent.mkdir()
                src.write_text(text, encoding="utf-8")
                figures.append(build(src, src.parent / "build"))
            results[f"memory_{name}_s"] = statistics.median(s for s, _ in figures)
            results[f"memory_{name}_mb"] = statistics.median(p for _, p in figures) / 1e6
    return results


def report_long(r: dict[str, object]) -> None:
    """Print figure 4."""
    print(f"machine: {r['machine']}")
    names = {
        "one_chapter": f"{r['memory_words']} words as one chapter",
        "pause_60min": "a chapter with an hour of {pause=600}",
        "pause_10min": "a chapter with ten minutes of {pause=600}",
    }
    for key, label in names.items():
        print(f"{label}: peak {r[f'memory_{key}_mb']:.0f} MB in {r[f'memory_{key}_s']:.0f} s")
    print(json.dumps(r, indent=1))


def report(r: dict[str, object]) -> None:
    """Print the figures."""

    def mb(key: str) -> str:
        value = r.get(key)
        return f"{value:.0f} MB" if isinstance(value, float) else "n/a"

    print(f"machine: {r['machine']}; a generated book of {r['memory_words']} words")
    print(
        f"full build, every target, cold cache: peak {mb('memory_full_peak_mb')} "
        f"in {r['memory_full_s']:.0f} s  (target < 200 MB at 100,000 words)"
    )
    for target in TARGETS:
        print(f"  --only {target:<18} {mb(f'memory_{target}_mb')}")
    print(f"one chapter made from nothing, in one process: {mb('memory_one_chapter_mb')}")
    print(json.dumps(r, indent=1))


def main() -> None:
    """``python -m benchmarks.memory [--words N] [--runs N]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="runs per figure (median)")
    parser.add_argument("--words", type=int, default=100_000, help="size of the book")
    parser.add_argument("--long", action="store_true", help="only the long chapters (4.)")
    args = parser.parse_args()
    if args.long:
        report_long(long_chapters(args.runs, args.words))
    else:
        report(measure(args.runs, args.words))


if __name__ == "__main__":
    main()
