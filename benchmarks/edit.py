"""The cost of editing one paragraph of a generated 40-chapter book, against its full build.

Side by side in one run: full builds from a cold cache, and rebuilds after a one-paragraph
edit (a different edit each run, in the middle chapter, so each is real work), medians of
``runs``. Prints the edit's share of the full build (the goal: at most 5 %), how many MP3
segments and audiobook AAC parts the edit encoded (from the caches), and which output files
it changed: that chapter's MP3, timing file and captions, the EPUBs, what carries their
lengths, and the M4B.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.bench import PUBLISHER, big_book, machine, timed

CHAPTERS = 40


def digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``, by relative path."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def segments(src: Path) -> int:
    """Encoded MP3 segments in the source's cache."""
    return sum(1 for _ in (src.parent / ".publisher" / "cache" / "segments").glob("*/*"))


def aac_parts(src: Path) -> int:
    """Encoded AAC parts (the audiobook's pieces of chapters) in the source's cache."""
    return sum(1 for _ in (src.parent / ".publisher" / "cache" / "audiobook-parts").glob("*/*"))


def measure(runs: int, words: int = 20_000) -> dict[str, object]:
    """Medians of ``runs`` full builds (cold cache) and one-paragraph edit rebuilds."""
    with tempfile.TemporaryDirectory(prefix="publisher-edit-") as tmp:
        work = Path(tmp)
        src = work / "src" / "book.md"
        src.parent.mkdir()
        text = big_book(words, chapters=CHAPTERS)
        src.write_text(text, encoding="utf-8")
        out = work / "out"
        build = [*PUBLISHER, "build", str(src), "--out", str(out), "--quiet"]
        # The paragraph edited: the first plain one of the middle chapter.
        middle = text.index(f"\n## Hoofdstuk {CHAPTERS // 2 + 1}\n")
        start = text.index("\n\n", middle + 1) + 2
        end = text.index("\n", start)
        fulls, edits, encoded, aac = [], [], [], []
        changed: set[str] = set()
        for i in range(runs):
            shutil.rmtree(src.parent / ".publisher", ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)
            src.write_text(text, encoding="utf-8")
            fulls.append(timed(build))
            before, count, parts = digests(out), segments(src), aac_parts(src)
            edited = f"{text[:end]} Dit is wijziging {i + 1}.{text[end:]}"
            src.write_text(edited, encoding="utf-8")
            edits.append(timed(build))
            encoded.append(segments(src) - count)
            aac.append(aac_parts(src) - parts)
            after = digests(out)
            changed |= {name for name in after if after[name] != before.get(name)}
        full_s, edit_s = statistics.median(fulls), statistics.median(edits)
        return {
            "machine": machine(),
            "runs": runs,
            "edit_book_words": words,
            "edit_book_chapters": CHAPTERS,
            "edit_book_segments": count,
            "edit_full_build_s": full_s,
            "edit_paragraph_rebuild_s": edit_s,
            "edit_paragraph_share": edit_s / full_s,
            "edit_segments_encoded": max(encoded),
            "edit_book_aac_parts": parts,
            "edit_aac_parts_encoded": max(aac),
            "edit_files_changed": sorted(changed),
            "edit_paragraph": text[start : start + 40] + "…",
        }


def report(r: dict[str, object]) -> None:
    """Print the figures."""
    print(f"machine: {r['machine']}, medians of {r['runs']} runs, side by side")
    print(
        f"{r['edit_book_chapters']}-chapter book, {r['edit_book_words']} words, "
        f"{r['edit_book_segments']} MP3 segments"
    )
    print(f"  full build (cold cache)      {r['edit_full_build_s']:.2f} s")
    share = r["edit_paragraph_share"]
    assert isinstance(share, float)
    print(
        f"  one paragraph edited         {r['edit_paragraph_rebuild_s']:.2f} s = "
        f"{share:.1%} of the full build  (goal <= 5%)"
    )
    print(f"  segments encoded on the edit {r['edit_segments_encoded']}")
    print(
        f"  AAC parts encoded on the edit {r['edit_aac_parts_encoded']} "
        f"(of {r['edit_book_aac_parts']})"
    )
    print("  files the edit changed:")
    for name in r["edit_files_changed"]:  # type: ignore[attr-defined]
        print(f"    {name}")


def main() -> None:
    """``python -m benchmarks.edit [--runs N] [--words N]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--words", type=int, default=20_000)
    args = parser.parse_args()
    report(measure(args.runs, args.words))


if __name__ == "__main__":
    sys.exit(main())
