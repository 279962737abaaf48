"""Both cores in use: cold builds of the seed against the bare espeak-ng + lame pipeline.

Side by side in one run, interleaved so every kind sees the same load, each a median:
- the full build (every default target, the M4B too) and ``--only epub,audio,feed`` (the
  targets the performance issue was filed against), both with ``--jobs 2``;
- the same full build with ``--jobs 1``, for the speed-up two cores give;
- the baseline: the espeak-ng and lame command-line tools, chapter by chapter, serially;
- and, for the full build, which also makes an M4B, the same baseline followed by FFmpeg's
  command line encoding its MP3s, joined, to an M4B (mono AAC at 64 kbps with the ``fast``
  coder, as publisher's): the bare pipeline for the same audio outputs.

Every build starts from a fresh copy of the seed (its cache beside it is empty). The goal is
a full build at most 0.7x the baseline; the figures say how far each is from 0.7 and 0.6.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from benchmarks.bench import (
    PUBLISHER,
    baseline,
    chapter_texts,
    fresh_seed,
    machine,
    runs_main,
    timed,
)

QUIET = ["--base-url", "https://example.org/pod/"]  # else every build warns that it has none
KINDS: dict[str, list[str]] = {
    "full_jobs2": ["--jobs", "2"],
    "three_jobs2": ["--jobs", "2", "--only", "epub,audio,feed"],
    "full_jobs1": ["--jobs", "1"],
}


def measure(runs: int) -> dict[str, object]:
    """The medians (seconds) and their ratios to the baseline and between job counts."""
    times: dict[str, list[float]] = {kind: [] for kind in (*KINDS, "baseline", "baseline_m4b")}
    with tempfile.TemporaryDirectory(prefix="publisher-cores-") as tmp:
        work = Path(tmp)
        texts = chapter_texts(fresh_seed(work / "texts"))
        for i in range(runs):
            for kind, args in KINDS.items():
                src = fresh_seed(work / f"{kind}{i}")
                out = src.parent.parent / "build"
                times[kind].append(
                    timed(
                        [*PUBLISHER, "build", str(src), "--quiet", "--out", str(out), *QUIET, *args]
                    )
                )
            folder = work / f"baseline{i}"
            folder.mkdir()
            times["baseline"].append(baseline(texts, folder))
            times["baseline_m4b"].append(times["baseline"][-1] + m4b_of(folder, len(texts)))
    median = {kind: statistics.median(values) for kind, values in times.items()}
    base = median["baseline"]
    return {
        "machine": machine(),
        "runs": runs,
        **{f"{kind}_s": seconds for kind, seconds in median.items()},
        "full_jobs2_vs_baseline": median["full_jobs2"] / base,
        "full_jobs2_vs_baseline_m4b": median["full_jobs2"] / median["baseline_m4b"],
        "three_jobs2_vs_baseline": median["three_jobs2"] / base,
        "full_jobs1_vs_baseline": median["full_jobs1"] / base,
        "jobs2_speedup": median["full_jobs1"] / median["full_jobs2"],
    }


def m4b_of(folder: Path, count: int) -> float:
    """Seconds FFmpeg's command line takes to encode the baseline's ``count`` MP3s in
    ``folder``, joined by its concat demuxer, to one M4B."""
    listing = folder / "chapters.txt"
    listing.write_text("".join(f"file 'c{i}.mp3'\n" for i in range(count)), encoding="utf-8")
    return timed(
        [
            *("ffmpeg", "-v", "error", "-f", "concat", "-safe", "0", "-i", str(listing)),
            *("-ac", "1", "-c:a", "aac", "-aac_coder", "fast", "-b:a", "64k"),
            str(folder / "book.m4b"),
        ]
    )


def report(results: dict[str, object]) -> None:
    """Print the figures, one a line, with how far each build is from 0.7x and 0.6x."""
    for key, value in results.items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
    for kind, against in (
        ("full_jobs2", "baseline"),
        ("three_jobs2", "baseline"),
        ("full_jobs2", "baseline_m4b"),
    ):
        seconds = float(results[f"{kind}_s"])  # type: ignore[arg-type]
        base = float(results[f"{against}_s"])  # type: ignore[arg-type]
        for goal in (0.7, 0.6):
            gap = seconds - goal * base
            print(
                f"{kind} vs {goal}x {against}: {'over' if gap > 0 else 'under'} by {abs(gap):.2f} s"
            )


def main() -> None:
    """``python -m benchmarks.cores [--runs N]``."""
    runs_main(__doc__, measure, report)


if __name__ == "__main__":
    main()
