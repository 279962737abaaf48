"""Both cores in use: cold builds of the seed against the bare espeak-ng + lame pipeline.

Side by side in one run, interleaved so every kind sees the same load, each a median:
- the full build (every default target, the M4B too) and ``--only epub,audio,feed`` (the
  targets the performance issue was filed against), both with ``--jobs 2``;
- the same full build with ``--jobs 1``, for the speed-up two cores give;
- the baseline: the espeak-ng and lame command-line tools, chapter by chapter, serially.

Every build starts from a fresh copy of the seed (its cache beside it is empty). The goal is
a full build at most 0.7x the baseline; the figures say how far each is from 0.7 and 0.6.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from benchmarks.bench import PUBLISHER, baseline, chapter_texts, fresh_seed, machine, timed

QUIET = ["--base-url", "https://example.org/pod/"]  # else every build warns that it has none
KINDS: dict[str, list[str]] = {
    "full_jobs2": ["--jobs", "2"],
    "three_jobs2": ["--jobs", "2", "--only", "epub,audio,feed"],
    "full_jobs1": ["--jobs", "1"],
}


def measure(runs: int) -> dict[str, object]:
    """The medians (seconds) and their ratios to the baseline and between job counts."""
    times: dict[str, list[float]] = {kind: [] for kind in (*KINDS, "baseline")}
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
    median = {kind: statistics.median(values) for kind, values in times.items()}
    base = median["baseline"]
    return {
        "machine": machine(),
        "runs": runs,
        **{f"{kind}_s": seconds for kind, seconds in median.items()},
        "full_jobs2_vs_baseline": median["full_jobs2"] / base,
        "three_jobs2_vs_baseline": median["three_jobs2"] / base,
        "full_jobs1_vs_baseline": median["full_jobs1"] / base,
        "jobs2_speedup": median["full_jobs1"] / median["full_jobs2"],
    }


def report(results: dict[str, object]) -> None:
    """Print the figures, one a line, with how far each build is from 0.7x and 0.6x."""
    for key, value in results.items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
    base = float(results["baseline_s"])  # type: ignore[arg-type]
    for kind in ("full_jobs2", "three_jobs2"):
        seconds = float(results[f"{kind}_s"])  # type: ignore[arg-type]
        for goal in (0.7, 0.6):
            gap = seconds - goal * base
            print(
                f"{kind} vs {goal}x baseline: {'over' if gap > 0 else 'under'} by {abs(gap):.2f} s"
            )


def main() -> None:
    """``python -m benchmarks.cores [--runs N]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each kind (median)")
    report(measure(parser.parse_args().runs))


if __name__ == "__main__":
    main()
