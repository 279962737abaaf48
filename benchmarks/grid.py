"""How often an edit moves a chapter to another step of the gain grid (and so encodes the
whole chapter again rather than one segment).

A chapter's mastering gain is the nearest whole step of ``GAIN_STEP_DB`` to the exact gain
its audio calls for (``publisher.renderers.audio.master``). For the edit benchmark's book
(40 chapters, 20,000 words, espeak-ng's Dutch voice) and its edit (a sentence added to a
chapter's first plain paragraph), made in every chapter, this prints how far the edit moved
each chapter's exact gain, how many chapters crossed to another step, and the share of
edits that would, on average, for a chapter anywhere between two steps (the mean move over
the step). Nothing is encoded: the gain search alone, on the laid-out chapters.
``python -m benchmarks.grid [--words N]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script too

from benchmarks.bench import big_book, machine

CHAPTERS = 40


def edited(text: str) -> str:
    """``text`` with the edit benchmark's edit in every chapter: a sentence after its first
    plain paragraph."""
    out = []
    for n, part in enumerate(text.split("\n## ")):
        if n:
            head, rest = part.split("\n\n", 1)
            end = rest.index("\n")
            part = f"{head}\n\n{rest[:end]} Dit is wijziging {n}.{rest[end:]}"
        out.append(part)
    return "\n## ".join(out)


def exact_gains(text: str, cache: Path) -> list[tuple[float, int]]:
    """Each chapter's exact gain (dB) and its grid step, as a build would find them."""
    from publisher.engines.profiles import choose_voice
    from publisher.reader.parse import parse_text
    from publisher.renderers.audio import master
    from publisher.renderers.audio.chapter import (
        ChapterJob,
        Engines,
        ProfileSynthesizerFactory,
        lay_out,
    )
    from publisher.speech.casting import BookCast, voices_folder
    from publisher.speech.lexicon import voice_lexicon
    from publisher.speech.script import book_script

    book = parse_text(text, str(cache / "book.md"), root=str(cache)).book
    folder = voices_folder(book)
    profile = choose_voice(None, book.config.language, folder)
    cast = BookCast(book, profile, folder)
    engines = Engines(ProfileSynthesizerFactory(str(folder)), cast.profiles)
    identities = {name: engines(name).identity() for name in cast.profiles}
    narration = book.config.narration
    out = []
    for i, script in enumerate(book_script(book, voice_lexicon(book, profile), cast.cast())):
        job = ChapterJob(
            index=i,
            script=script,
            identities=identities,
            bitrate=narration.bitrate,
            loudness=narration.loudness,
            cache_dir=str(cache),
            pause_sound=narration.pause_sound,
        )
        laid = lay_out(job, engines)
        rate = laid.assembled.sample_rate
        found = master.search(laid.source, rate, job.loudness, laid.speech.lufs, laid.speech)
        out.append((found.exact_db, found.gain.step))
    return out


def measure(words: int) -> dict[str, object]:
    """The moves and crossings (module docstring)."""
    from publisher.renderers.audio.settings import GAIN_STEP_DB

    text = big_book(words, chapters=CHAPTERS)
    with tempfile.TemporaryDirectory(prefix="publisher-grid-") as tmp:
        before = exact_gains(text, Path(tmp))
        after = exact_gains(edited(text), Path(tmp))
    moves = [abs(b[0] - a[0]) for a, b in zip(before, after, strict=True)]
    crossed = sum(1 for a, b in zip(before, after, strict=True) if a[1] != b[1])
    return {
        "machine": machine(),
        "words": words,
        "chapters": len(moves),
        "step_db": GAIN_STEP_DB,
        "median_move_db": statistics.median(moves),
        "max_move_db": max(moves),
        "crossed": crossed,
        "expected_share": statistics.mean(moves) / GAIN_STEP_DB,
    }


def main() -> None:
    """``python -m benchmarks.grid [--words N]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=20_000, help="size of the book")
    r = measure(parser.parse_args().words)
    print(
        f"{r['chapters']} chapters, one paragraph edited in each: the exact gain moved by "
        f"{r['median_move_db']:.4f} dB (median), {r['max_move_db']:.4f} dB at most; "
        f"{r['crossed']} crossed to another {r['step_db']} dB step; expected share of edits "
        f"that do: {r['expected_share']:.1%}"
    )
    print(json.dumps(r, indent=1))


if __name__ == "__main__":
    main()
