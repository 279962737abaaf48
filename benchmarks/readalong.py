"""What word-level read-along costs: the seed built with ``narration.readalong: word`` (the
default) against ``sentence``, side by side in one run, and prints the figures.

Per variant, full builds of the seed from a cold cache (all targets), runs interleaved so both
see the same load on a shared machine: the build's seconds (median), the read-along EPUB
target's own seconds (as ``publisher build`` prints them), and the size of the read-along
EPUB. The audio is the same in both (the engine's word events are kept either way; the
timing files, captions and transcript carry the words whatever the setting), so the
difference is the read-along EPUB's word spans and word clips.

    .venv/bin/python benchmarks/readalong.py --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench import PUBLISHER, fresh_seed, machine, target_seconds  # noqa: E402


def build(src: Path) -> tuple[float, float, int]:
    """A full build of ``src``: seconds, the read-along target's own seconds, EPUB bytes."""
    out = src.parent.parent / "build"
    started = time.perf_counter()
    done = subprocess.run(
        [*PUBLISHER, "build", str(src), "--out", str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    own = target_seconds(done.stdout + done.stderr, "narrated-epub") or 0.0
    (epub,) = (out / "epub").glob("*.narrated.epub")
    return seconds, own, epub.stat().st_size


def sentence_level(src: Path) -> None:
    """Set ``narration.readalong: sentence`` in the copy of the seed at ``src``."""
    text = src.read_text(encoding="utf-8")
    assert "\nnarration:\n" in text
    src.write_text(text.replace("\nnarration:\n", "\nnarration:\n  readalong: sentence\n", 1))


def measure(runs: int) -> dict[str, object]:
    """The figures (see the module docstring)."""
    seconds: dict[str, list[float]] = {"word": [], "sentence": []}
    own: dict[str, list[float]] = {"word": [], "sentence": []}
    size: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="publisher-bench-") as tmp:
        for i in range(runs):
            for level in ("word", "sentence") if i % 2 == 0 else ("sentence", "word"):
                src = fresh_seed(Path(tmp) / f"{level}{i}")
                if level == "sentence":
                    sentence_level(src)
                s, o, b = build(src)
                seconds[level].append(s)
                own[level].append(o)
                size[level] = b
    word_s, sentence_s = statistics.median(seconds["word"]), statistics.median(seconds["sentence"])
    return {
        "machine": machine(),
        "loadavg": Path("/proc/loadavg").read_text().split()[:3]
        if os.path.exists("/proc/loadavg")
        else None,
        "runs": runs,
        "full_build_word_s": round(word_s, 2),
        "full_build_sentence_s": round(sentence_s, 2),
        "word_over_sentence": round(word_s / sentence_s - 1, 4),
        "narrated_target_word_s": statistics.median(own["word"]),
        "narrated_target_sentence_s": statistics.median(own["sentence"]),
        "narrated_epub_word_bytes": size["word"],
        "narrated_epub_sentence_bytes": size["sentence"],
        "narrated_epub_growth": round(size["word"] / size["sentence"] - 1, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per variant (median)")
    print(json.dumps(measure(parser.parse_args().runs), indent=1))


if __name__ == "__main__":
    main()
