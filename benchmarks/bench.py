"""Measures publisher against its baselines, side by side in one run, and prints the figures.

1. a full build of the seed (all targets) against the bare engine pipeline: the espeak-ng and
   lame command-line tools run serially on the same text, as a ratio;
2. a rebuild with nothing changed, in seconds, next to `publisher --version`;
3. a rebuild after one paragraph is edited, in seconds and as a share of the full build;
4. an EPUB-only build of a generated 100,000-word book against `pandoc -o book.epub`, as a ratio;
5. the peak memory (RSS summed over the build's processes) of a full build of that book;
6. the audiobook alone (`--only audiobook`) from a warm cache, as a share of the full build,
   and with its per-chapter AAC cache emptied (every chapter encoded again).
7. what the website adds to a full build of the seed: all targets against all but ``site``,
   cold cache each run, runs interleaved (``--site-cost`` measures only this).
8. what the read-along EPUB adds: to a full build of the seed (all targets against all but
   ``narrated-epub``, cold cache each run, interleaved), and to a rebuild after a change that
   touches no chapter (the book's description: the EPUB changes, the audio does not), with
   the target's own seconds; a no-op rebuild must not run it (``--narrated-cost``).

The machine is shared and noisy: every timing is the median of several runs, and ratios are
taken between runs made in the same session.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "source" / "de-geneeskracht-van-knuffelen.md"
PUBLISHER = [sys.executable, "-m", "publisher"]


def compiled() -> None:
    """Compile publisher's modules once, as ``pip install`` does: an editable install under
    ``PYTHONDONTWRITEBYTECODE`` would compile them from source in every process of every
    run (0.05–0.1 s each), which no user's installed copy does."""
    compileall.compile_dir(ROOT / "publisher", quiet=1)


compiled()


def timed(command: list[str], **kwargs: object) -> float:
    """Seconds one run of ``command`` takes; it must succeed."""
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, **kwargs)  # type: ignore[call-overload]
    return time.perf_counter() - started


def machine() -> str:
    """What the figures were measured on, as each report states it."""
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def runs_main(
    doc: str,
    measure: Callable[[int], dict[str, object]],
    report: Callable[[dict[str, object]], None],
) -> None:
    """The command line of a benchmark that takes only ``--runs``: ``report(measure(runs))``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    report(measure(parser.parse_args().runs))


def median_of(runs: int, action: Callable[[int], float]) -> float:
    """The median of ``runs`` calls of ``action(i)``."""
    return statistics.median(action(i) for i in range(runs))


def chapter_texts(source: Path) -> list[str]:
    """Each chapter's words as the narration says them (the same text both pipelines read)."""
    sys.path.insert(0, str(ROOT))
    from publisher.reader.parse import parse_file
    from publisher.speech.script import book_script

    book = parse_file(source).book
    return ["\n".join(u.text for u in script.utterances) for script in book_script(book)]


def baseline(texts: list[str], work: Path) -> float:
    """espeak-ng then lame, chapter by chapter, serially."""
    started = time.perf_counter()
    for i, text in enumerate(texts):
        txt, wav, mp3 = (work / f"c{i}.{ext}" for ext in ("txt", "wav", "mp3"))
        txt.write_text(text, encoding="utf-8")
        subprocess.run(["espeak-ng", "-v", "nl", "-w", str(wav), "-f", str(txt)], check=True)
        subprocess.run(["lame", "--quiet", "-m", "m", "-b", "64", str(wav), str(mp3)], check=True)
    return time.perf_counter() - started


def big_book(words: int, chapters: int) -> str:
    """A deterministic Dutch-looking book of ``words`` words with prompts and examples."""
    vocabulary = SEED.read_text(encoding="utf-8").split("---", 2)[2].split()
    vocabulary = [w for w in vocabulary if w.isalpha()]
    rng = random.Random(42)
    per_chapter = words // chapters
    parts = [
        "---\ntitle: Een Groot Boek\nauthor: Benchmark\nlanguage: nl\n"
        'identifier: "urn:uuid:00000000-0000-4000-8000-000000000042"\n---\n\n# Een Groot Boek\n'
    ]
    for c in range(chapters):
        parts.append(f"\n## Hoofdstuk {c + 1}\n")
        written = 0
        n = 0
        while written < per_chapter:
            size = rng.randint(40, 90)
            sentence_words = [rng.choice(vocabulary) for _ in range(size)]
            text = " ".join(sentence_words)
            text = text[0].upper() + text[1:] + "."
            n += 1
            if n % 12 == 0:
                parts.append(f"\n💡 {text[:-1]}?\n")
            elif n % 7 == 0:
                parts.append(f"\nVoorbeeld: {text}\n")
            else:
                parts.append(f"\n{text}\n")
            written += size
    return "".join(parts)


def peak_rss(command: list[str]) -> tuple[float, int]:
    """Seconds and the peak of the RSS summed over the process and its descendants (bytes)."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def tree_rss() -> int:
        children: dict[int, list[int]] = {}
        rss: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                statm = Path(f"/proc/{entry}/statm").read_text().split()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
            rss[int(entry)] = int(statm[1]) * os.sysconf("SC_PAGE_SIZE")
        total, stack = 0, [proc.pid]
        while stack:
            pid = stack.pop()
            total += rss.get(pid, 0)
            stack.extend(children.get(pid, []))
        return total

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss())
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    started = time.perf_counter()
    sampler.start()
    code = proc.wait()
    done.set()
    sampler.join()
    if code != 0:
        raise SystemExit(f"{' '.join(command)} failed with exit code {code}")
    return time.perf_counter() - started, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per timing (median)")
    parser.add_argument("--words", type=int, default=100_000, help="size of the big book")
    parser.add_argument("--skip-big-audio", action="store_true", help="skip figure 5")
    parser.add_argument("--site-cost", action="store_true", help="measure only figure 7")
    parser.add_argument("--narrated-cost", action="store_true", help="measure only figure 8")
    args = parser.parse_args()
    if args.site_cost or args.narrated_cost:
        results = site_cost(args.runs) if args.site_cost else {}
        report({**results, **(narrated_cost(args.runs) if args.narrated_cost else {})})
        return
    for tool in ("espeak-ng", "lame", "pandoc"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing: run benchmarks/run.sh, which installs it")

    results: dict[str, object] = {
        "machine": machine(),
        "runs": args.runs,
    }
    with tempfile.TemporaryDirectory(prefix="publisher-bench-") as tmp:
        work = Path(tmp)
        src = work / "src" / "book.md"
        src.parent.mkdir()
        shutil.copyfile(SEED, src)

        # 1. full build vs the bare engine pipeline (cold cache each run).
        def full(i: int) -> float:
            out = work / f"full{i}"
            return timed([*PUBLISHER, "build", str(src), "--out", str(out), "--quiet"])

        texts = chapter_texts(src)
        base_dir = work / "baseline"
        base_dir.mkdir()
        full_s = median_of(args.runs, full)
        base_s = median_of(args.runs, lambda i: baseline(texts, base_dir))
        results["full_build_s"] = full_s
        results["baseline_espeak_lame_s"] = base_s
        results["full_vs_baseline"] = full_s / base_s
        results.update(__import__("benchmarks.cores").cores.measure(args.runs))
        results.update({k: v for k, v in site_cost(args.runs).items() if k not in results})
        results.update({k: v for k, v in narrated_cost(args.runs).items() if k not in results})
        results.update(__import__("benchmarks.piper", fromlist=["measure"]).measure(args.runs))

        # 2. no-op rebuild vs starting the program at all.
        out = work / "full0"
        noop_s = median_of(
            args.runs + 2,
            lambda i: timed([*PUBLISHER, "build", str(src), "--out", str(out), "--quiet"]),
        )
        version_s = median_of(args.runs + 2, lambda i: timed([*PUBLISHER, "--version"]))
        results["noop_rebuild_s"] = noop_s
        results["version_s"] = version_s
        results["noop_minus_version_s"] = noop_s - version_s

        # 6. the M4B from a warm cache: removed, then made again by `--only audiobook`.
        def audiobook(i: int, encode: bool) -> float:
            shutil.rmtree(out / "audiobook", ignore_errors=True)
            if encode:
                # The cache lives beside the source (.publisher/), not in the build folder.
                shutil.rmtree(src.parent / ".publisher" / "cache" / "audiobook", ignore_errors=True)
            return timed(
                [*PUBLISHER, "build", str(src), "--out", str(out), "--only", "audiobook", "--quiet"]
            )

        warm_s = median_of(args.runs, lambda i: audiobook(i, False))
        results["audiobook_warm_s"] = warm_s
        results["audiobook_share_of_full"] = warm_s / full_s
        results["audiobook_encode_s"] = median_of(args.runs, lambda i: audiobook(i, True))

        # 3. one paragraph edited (a different edit each run, so each one is real work).
        original = src.read_text(encoding="utf-8")
        anchor = "Deze fysieke geruststelling werkt diep door."

        def edit(i: int) -> float:
            src.write_text(
                original.replace(anchor, f"{anchor} Dit is wijziging {i + 1}."), encoding="utf-8"
            )
            return timed([*PUBLISHER, "build", str(src), "--out", str(out), "--quiet"])

        edit_s = median_of(args.runs, edit)
        src.write_text(original, encoding="utf-8")
        results["edit_rebuild_s"] = edit_s
        results["edit_share_of_full"] = edit_s / full_s
        results.update(__import__("benchmarks.edit", fromlist=["measure"]).measure(args.runs))

        # 4. EPUB of a 100,000-word book vs pandoc.
        big = work / "big" / "book.md"
        big.parent.mkdir()
        big.write_text(big_book(args.words, chapters=50), encoding="utf-8")
        epub_s = median_of(
            args.runs,
            lambda i: timed(
                [
                    *PUBLISHER,
                    "build",
                    str(big),
                    "--only",
                    "epub",
                    "--out",
                    str(work / f"bigepub{i}"),
                    "--quiet",
                ]
            ),
        )
        pandoc_s = median_of(
            args.runs,
            lambda i: timed(["pandoc", str(big), "-o", str(work / f"pandoc{i}.epub")], cwd=work),
        )
        results["big_words"] = args.words
        results["epub_big_s"] = epub_s
        results["pandoc_big_s"] = pandoc_s
        results["epub_vs_pandoc"] = epub_s / pandoc_s

        # 5. peak memory of a full build of the big book.
        if not args.skip_big_audio:
            seconds, peak = peak_rss(
                [*PUBLISHER, "build", str(big), "--out", str(work / "bigfull"), "--quiet"]
            )
            results["big_full_build_s"] = seconds
            results["big_full_peak_rss_mb"] = peak / 1e6
            results.update(__import__("benchmarks.memory", fromlist=["_"]).measure(args.runs))

    report(results)


def site_cost(runs: int) -> dict[str, object]:
    """Figure 6: full builds of the seed with and without the website, interleaved so that
    both see the same load on a shared machine."""
    with_site: list[float] = []
    without: list[float] = []
    with tempfile.TemporaryDirectory(prefix="publisher-bench-") as tmp:
        work = Path(tmp)
        for i in range(runs):
            for name, only, times in (
                ("nosite", ["--only", "epub,audio,feed"], without),
                ("site", [], with_site),
            ):
                src = fresh_seed(work / f"{name}{i}")
                times.append(
                    timed(
                        [
                            *PUBLISHER,
                            "build",
                            str(src),
                            "--quiet",
                            "--out",
                            str(src.parent.parent / "build"),
                            *only,
                        ]
                    )
                )
    full_s, base_s = statistics.median(with_site), statistics.median(without)
    return {
        "machine": machine(),
        "runs": runs,
        "full_with_site_s": full_s,
        "full_without_site_s": base_s,
        "site_share": full_s / base_s - 1,
    }


def fresh_seed(folder: Path) -> Path:
    """A copy of the seed in ``folder/src``: its cache (``.publisher/`` beside the source)
    starts empty, so a build of it is cold, and the repository is never written to."""
    src = folder / "src" / SEED.name
    src.parent.mkdir(parents=True)
    shutil.copyfile(SEED, src)
    return src


def target_seconds(output: str, target: str) -> float | None:
    """The seconds ``publisher build`` printed for ``target``; None if it was up to date."""
    for line in output.splitlines():
        name, _, rest = line.partition(" ")
        if name == target:
            return None if "(up to date)" in rest else float(rest.rsplit("(", 1)[1].split()[0])
    raise SystemExit(f"publisher build printed no line for {target}")


def mp3_digests(src: Path) -> dict[str, str]:
    """SHA-256 of each MP3 in the build folder of ``src`` (see :func:`fresh_seed`)."""
    folder = src.parent.parent / "build" / "audio"
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.mp3")}


def narrated_cost(runs: int) -> dict[str, object]:
    """Figure 8: full builds of the seed with and without the read-along EPUB, then rebuilds
    of each after the book's description changed, runs interleaved so both see the same load
    on a shared machine; then a no-op rebuild, which must not run the target at all."""
    sys.path.insert(0, str(ROOT))
    from publisher.pipeline.registry import REGISTRY

    others = ",".join(name for name in REGISTRY if name != "narrated-epub")
    variants = (("without", ["--only", others]), ("with", []))
    full: dict[str, list[float]] = {"with": [], "without": []}
    rebuild: dict[str, list[float]] = {"with": [], "without": []}
    # The narrated-epub target's own seconds (as publisher build prints them, to 0.1 s) in
    # each full build and each rebuild: on a loaded machine the difference of two medians
    # of whole builds is mostly noise, the target's own time is not.
    own_full: list[float] = []
    own: list[float] = []
    audio: list[float] = []  # the audio target's (its chapters come from its cache)
    with tempfile.TemporaryDirectory(prefix="publisher-bench-") as tmp:
        work = Path(tmp)
        sources: dict[str, Path] = {}

        def run(only: list[str], src: Path) -> tuple[float, str]:
            started = time.perf_counter()
            done = subprocess.run(
                [*PUBLISHER, "build", str(src), "--out", str(src.parent.parent / "build"), *only],
                check=True,
                capture_output=True,
                text=True,
            )
            return time.perf_counter() - started, done.stdout + done.stderr  # the target lines

        for i in range(runs):
            for name, only in variants if i % 2 == 0 else variants[::-1]:
                sources[name] = fresh_seed(work / f"{name}{i}")
                seconds, output = run(only, sources[name])
                full[name].append(seconds)
                if name == "with":
                    own_full.append(target_seconds(output, "narrated-epub") or 0.0)
        for i in range(runs):
            for name, only in variants if i % 2 == 0 else variants[::-1]:
                src = sources[name]
                mp3s = mp3_digests(src)
                text = src.read_text(encoding="utf-8")
                anchor = "om bij stil te staan."
                src.write_text(text.replace(anchor, f"{anchor} Versie {i + 2}.", 1), "utf-8")
                seconds, output = run(only, src)
                rebuild[name].append(seconds)
                if mp3_digests(src) != mp3s:
                    raise SystemExit("a change to the description made different MP3s")
                if name == "with":
                    own.append(target_seconds(output, "narrated-epub") or 0.0)
                    audio.append(target_seconds(output, "audio") or 0.0)
        noop_s, noop_out = run([], sources["with"])
        if target_seconds(noop_out, "narrated-epub") is not None:
            raise SystemExit("a no-op rebuild ran the narrated-epub target")
    full_with, full_without = statistics.median(full["with"]), statistics.median(full["without"])
    re_with, re_without = statistics.median(rebuild["with"]), statistics.median(rebuild["without"])
    return {
        "machine": machine(),
        "runs": runs,
        "full_with_narrated_s": full_with,
        "full_without_narrated_s": full_without,
        "narrated_share": full_with / full_without - 1,
        "full_narrated_target_s": statistics.median(own_full),
        "narrated_target_share": statistics.median(own_full) / full_without,
        "rebuild_with_narrated_s": re_with,
        "rebuild_without_narrated_s": re_without,
        "rebuild_narrated_target_s": statistics.median(own),
        "rebuild_audio_target_s": statistics.median(audio),
        "noop_with_narrated_s": noop_s,
    }


def report(r: dict[str, object]) -> None:
    """Print the figures, with the targets the build-engine issue set."""

    def f(key: str, fmt: str = "{:.2f}") -> str:
        return fmt.format(r[key]) if key in r else "n/a"

    print(f"machine: {r['machine']}; medians of {r['runs']} runs")
    print(
        f"1. full build of the seed       {f('full_build_s')} s vs espeak-ng+lame {f('baseline_espeak_lame_s')} s  ratio {f('full_vs_baseline')}  (target <= 1.0)"
    )
    print(
        f"2. no-op rebuild                {f('noop_rebuild_s')} s; publisher --version {f('version_s')} s; difference {f('noop_minus_version_s')} s  (target <= 0.5)"
    )
    print(
        f"3. rebuild after a paragraph    {f('edit_rebuild_s')} s = {f('edit_share_of_full', '{:.1%}')} of the full build  (target <= 10%)"
    )
    print(
        f"4. EPUB of {r.get('big_words')} words        {f('epub_big_s')} s vs pandoc {f('pandoc_big_s')} s  ratio {f('epub_vs_pandoc')}  (target <= 1.0)"
    )
    print(
        f"5. full build of that book      peak RSS {f('big_full_peak_rss_mb', '{:.0f}')} MB in {f('big_full_build_s', '{:.0f}')} s  (target <= 300 MB)"
    )
    print(
        f"6. M4B alone, warm cache        {f('audiobook_warm_s')} s = {f('audiobook_share_of_full', '{:.1%}')} of the full build  (target <= 30%); every chapter encoded again {f('audiobook_encode_s')} s"
    )
    print(
        f"7. the website's cost           {f('full_with_site_s')} s with it vs {f('full_without_site_s')} s without: {f('site_share', '{:+.1%}')}  (target < 5%)"
    )
    print(
        f"8. the read-along EPUB's cost   full build {f('full_with_narrated_s')} s with it vs {f('full_without_narrated_s')} s without: {f('narrated_share', '{:+.1%}')}; the target itself {f('full_narrated_target_s')} s = {f('narrated_target_share', '{:.1%}')} of the build without it  (target <= 10%);"
        f" rebuild after a description change {f('rebuild_with_narrated_s')} s vs {f('rebuild_without_narrated_s')} s, the target itself {f('rebuild_narrated_target_s')} s (audio target {f('rebuild_audio_target_s')} s, MP3s unchanged); no-op {f('noop_with_narrated_s')} s without running it"
    )
    print(json.dumps(r, indent=1))


if __name__ == "__main__":
    main()
