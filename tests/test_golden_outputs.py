"""Every output of the seed and of the every-block book, byte for byte.

Both books are built (all targets, the real espeak-ng voice) from copies in a temporary
folder, with the base URL the golden listings were made with, and the SHA-256 of every file
in the build folder is compared with ``tests/golden/build/<book>-sha256.txt``, what each binary
file holds (tags, lengths, loudness, boxes, package documents: :mod:`tests.golden_text`) with
``tests/golden/build/<book>-outputs.txt``, and the feed with ``tests/golden/feed/<book>.xml`` (``UPDATE_GOLDEN=1`` rewrites them; review the change
with ``git diff``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from publisher.cli import cli
from tests.books import EVERY_BLOCK, SEED, copy_book
from tests.golden import assert_golden
from tests.golden_text import describe
from tests.helpers import cli_runner

BASE_URL = "https://example.org/pod/"

pytestmark = pytest.mark.slow


def sha256_listing(out: Path) -> str:
    """``<sha256>  <path>`` for every file below ``out``, sorted by path (sha256sum's form)."""
    files = sorted(p for p in out.rglob("*") if p.is_file())
    return "".join(
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(out).as_posix()}\n"
        for p in files
    )


@pytest.mark.parametrize(
    ("name", "book", "jobs"),
    # The seed twice: one target at a time, and side by side on two cores (same bytes).
    [("seed", SEED, "1"), ("seed", SEED, "2"), ("every-block", EVERY_BLOCK, "2")],
)
def test_every_output_is_byte_identical_to_the_golden_listing(
    tmp_path: Path, name: str, book: Path, jobs: str
) -> None:
    source = copy_book(book, tmp_path)
    out = tmp_path / "build"
    args = ["build", str(source), "--out", str(out), "--base-url", BASE_URL, "--quiet"]
    args += ["--jobs", jobs]
    result = cli_runner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    # The feed as text too: a change to it shows as a readable diff, not only a new hash.
    assert_golden(f"feed/{name}.xml", (out / "feed.xml").read_text(encoding="utf-8"))
    assert_golden(f"build/{name}-sha256.txt", sha256_listing(out))
    # And what each binary file holds, so a changed digest comes with a readable reason.
    assert_golden(f"build/{name}-outputs.txt", describe(out))
