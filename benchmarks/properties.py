"""The long run of the property tests: many generated books, engine inputs and style sheets,
and what publisher answered to each. Not a test: it prints what it tried and what it found
(every answer that breaks a rule, with the input), and never stops at the first.

The rules are the tests' (tests/test_properties.py, tests/test_engine_input.py,
tests/test_svg.py): a book gives exit 0 or one ``file:line`` line per problem with exit 2,
no traceback, ``check`` and ``build`` agreeing, an EPUB EPUBCheck accepts with no error and
no warning, MP3s that decode; espeak-ng and Piper never crash on any text, phonemes or voice
name; after the SVG cleaner no address but the image's own fragments and data images is left.

    python -m benchmarks.properties --books 300 --audio 10 --engine 500 --css 1000
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.bench import machine
from tests.generated_books import (
    answered,
    books,
    build_in_process_of_its_own,
    decode_problems,
    try_book,
)
from tests.test_engine_input import BRACKETY, PHONEMES, VARIANTS, WORDS, Engines
from tests.test_engine_input import (
    test_generated_text_phonemes_and_voice_names_never_crash_an_engine as engine_rule,
)
from tests.test_svg import DECLARATIONS, VALUES
from tests.test_svg import (
    test_after_any_css_only_fragments_of_the_image_and_data_images_are_referred_to as css_rule,
)
from tests.validators import EpubCheckBatch

Found = dict[str, list[str]]


def _run(count: int, strategy: st.SearchStrategy[object], body: Callable[[object], None]) -> None:
    """``body`` on ``count`` generated examples, without shrinking or stopping."""
    quiet = settings(
        max_examples=count,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    quiet(given(strategy)(body))()


def generated_books(count: int, audio: bool, epubcheck: EpubCheckBatch, found: Found) -> str:
    """Build ``count`` generated books (to EPUB, or with ``audio`` to narration too)."""
    tally: collections.Counter[str] = collections.Counter()

    def one(text: object) -> None:
        assert isinstance(text, str)
        with tempfile.TemporaryDirectory(prefix="publisher-properties-") as folder:
            if audio:
                targets = "epub,audio,narrated-epub"
                tried = build_in_process_of_its_own(Path(folder), text, targets)
            else:
                tried = try_book(Path(folder), text)
            tally[f"exit {tried.build_exit}"] += 1
            wrong = answered(tried)
            for output in tried.outputs:
                if output.suffix == ".epub":
                    tally["EPUBs checked"] += 1
                    wrong += epubcheck.problems(output)
                else:
                    tally["MP3s decoded"] += 1
                    wrong += decode_problems(output)
            for problem in wrong:
                found.setdefault(problem.splitlines()[0][:200], []).append(text)

    _run(count, books(max_blocks=5 if audio else 12), one)
    return ", ".join(f"{n} {what}" for what, n in sorted(tally.items()))


def engine_inputs(count: int, found: Found) -> str:
    """Feed ``count`` generated texts, respellings and voice names to the engines."""
    engines = Engines()
    strategy = st.tuples(BRACKETY | WORDS, PHONEMES, VARIANTS)

    def one(example: object) -> None:
        text, respelling, variant = example  # type: ignore[misc]
        try:
            engine_rule.hypothesis.inner_test(engines, text, respelling, variant)  # type: ignore[attr-defined]
        except AssertionError as e:
            found.setdefault(str(e).splitlines()[0][:200], []).append(repr(example))

    try:
        _run(count, strategy, one)
    finally:
        engines.close()
    return f"{count} inputs, each said three ways by espeak-ng (and by Piper if installed)"


def style_sheets(count: int, found: Found) -> str:
    """Clean ``count`` SVGs with generated CSS."""
    strategy = st.tuples(DECLARATIONS, DECLARATIONS, VALUES)

    def one(example: object) -> None:
        try:
            css_rule.hypothesis.inner_test(*example)  # type: ignore[attr-defined,misc]
        except Exception as e:  # a traceback of the cleaner is a finding too
            found.setdefault(f"{type(e).__name__}: {str(e).splitlines()[0][:200]}", []).append(
                repr(example)
            )

    _run(count, strategy, one)
    return f"{count} SVGs with generated style sheets, style attributes and fill values"


def main() -> None:
    """Run the generators and print what they tried and found."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--books", type=int, default=200, help="books built to EPUB")
    parser.add_argument("--audio", type=int, default=5, help="books built to narration too")
    parser.add_argument("--engine", type=int, default=300, help="engine inputs")
    parser.add_argument("--css", type=int, default=500, help="SVGs with generated CSS")
    args = parser.parse_args()
    print(machine())
    found: Found = {}
    with tempfile.TemporaryDirectory(prefix="publisher-epubcheck-") as tmp:
        epubcheck = EpubCheckBatch(Path(tmp))
        try:
            for name, run in (
                ("books", lambda: generated_books(args.books, False, epubcheck, found)),
                ("narrated books", lambda: generated_books(args.audio, True, epubcheck, found)),
                ("engine", lambda: engine_inputs(args.engine, found)),
                ("css", lambda: style_sheets(args.css, found)),
            ):
                start = time.perf_counter()
                tried = run()
                print(f"{name}: tried {tried} ({time.perf_counter() - start:.0f} s)", flush=True)
        finally:
            epubcheck.close()
    print(f"found {len(found)} kind(s) of wrong answer")
    for problem, inputs in found.items():
        print(f"- {problem} ({len(inputs)} input(s)); the first:\n  {inputs[0]!r}")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
