"""The cost of a large pronunciation lexicon: ``publisher check`` of the seed with a PLS file
of 4.9 MB (the limit is 5 MB) against the seed without one, and the same for a 20,000-word
book (the edit benchmark's), where the text is 14 times longer.

Side by side in one run, interleaved, medians of ``runs``. Issue #20 measured 0.3 s without
the file and 14 s with it: the lexicon's lookup grew with the text times the entries.
``python -m benchmarks.lexicon [--runs N]``.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script too

from benchmarks.bench import PUBLISHER, SEED, big_book, machine, runs_main, timed

PLS_BYTES = 4_900_000
"""The size of the generated lexicon (``narration.pls`` may be up to 5 MB)."""


def big_pls(vocabulary: list[str], size: int = PLS_BYTES) -> str:
    """A Dutch PLS lexicon of about ``size`` bytes: every word of ``vocabulary`` respelled as
    itself (so the text still reads the same), then made-up words until it is that big."""
    rng = random.Random(20)
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<lexicon version="1.0" '
        'xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="nl">\n'
    )
    parts = [head]
    total = len(head)
    words = iter(vocabulary)
    n = 0
    while total < size - 20:
        word = next(words, None) or "".join(rng.choices("abcdefghijklmnoprstuvwz", k=9)) + str(n)
        n += 1
        entry = (
            f"<lexeme><grapheme>{escape(word)}</grapheme><alias>{escape(word)}</alias></lexeme>\n"
        )
        parts.append(entry)
        total += len(entry.encode())
    parts.append("</lexicon>\n")
    return "".join(parts)


def with_pls(text: str) -> str:
    """``text`` (a book) with ``narration.pls: big.pls`` in its front matter."""
    if "\nnarration:\n" in text:
        return text.replace("\nnarration:\n", "\nnarration:\n  pls: big.pls\n", 1)
    return text.replace("---\n", "---\nnarration:\n  pls: big.pls\n", 1)


def measure(runs: int) -> dict[str, object]:
    """Medians of ``runs`` checks of each book with and without the lexicon."""
    results: dict[str, object] = {"machine": machine(), "runs": runs}
    with tempfile.TemporaryDirectory(prefix="publisher-lexicon-") as tmp:
        work = Path(tmp)
        books = {"seed": SEED.read_text(encoding="utf-8"), "20k": big_book(20_000, chapters=40)}
        vocabulary = sorted({w.strip(".,:;!?()\"'") for w in books["seed"].split()} - {""})
        pls = big_pls([w for w in vocabulary if w.isalpha()])
        results["pls_bytes"] = len(pls.encode())
        results["pls_lexemes"] = pls.count("<lexeme>")
        commands = {}
        for name, text in books.items():
            for kind, body in (("plain", text), ("pls", with_pls(text))):
                folder = work / f"{name}-{kind}"
                folder.mkdir()
                (folder / "book.md").write_text(body, encoding="utf-8")
                (folder / "big.pls").write_text(pls, encoding="utf-8")
                out = folder / "build"  # never made: check compares with its feed, if any
                commands[f"{name}_{kind}"] = [
                    *PUBLISHER,
                    "check",
                    str(folder / "book.md"),
                    "--out",
                    str(out),
                ]
        times: dict[str, list[float]] = {key: [] for key in commands}
        for _ in range(runs):
            for key, command in commands.items():
                times[key].append(timed(command))
        for key, values in times.items():
            results[f"check_{key}_s"] = statistics.median(values)
    return results


def report(r: dict[str, object]) -> None:
    """Print the figures."""
    print(f"machine: {r['machine']}; {r['pls_lexemes']} lexemes, {r['pls_bytes']} bytes")
    for name in ("seed", "20k"):
        plain, pls = r[f"check_{name}_plain_s"], r[f"check_{name}_pls_s"]
        assert isinstance(plain, float) and isinstance(pls, float)
        print(f"check {name:>4}: {plain:.2f} s without the lexicon, {pls:.2f} s with it")
    print(json.dumps(r, indent=1))


def main() -> None:
    """``python -m benchmarks.lexicon [--runs N]``."""
    runs_main(__doc__, measure, report)


if __name__ == "__main__":
    main()
