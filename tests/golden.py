"""Golden files: compare a text output with ``tests/golden/<name>``; ``UPDATE_GOLDEN=1`` rewrites.

One switch for every level (model dumps, EPUB documents, build listings), as markdown-it-py's
fixtures and mdBook's snapshot tests do: review the regenerated files with ``git diff``.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"


def assert_golden(name: str, text: str) -> None:
    """Fail unless ``text`` equals the golden file ``name`` (a path under ``tests/golden``).

    With ``UPDATE_GOLDEN=1`` in the environment the file is (re)written instead, so the change
    shows up in ``git diff`` for review. A missing file is a failure, not a silent pass, so CI
    never accepts output that nobody looked at.
    """
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        # newline="\n": the same bytes on every platform, so Windows checkouts compare equal.
        path.write_text(text, encoding="utf-8", newline="\n")
        return
    if not path.is_file():
        pytest.fail(f"golden file tests/golden/{name} is missing; run with UPDATE_GOLDEN=1")
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=f"golden/{name}",
                tofile="actual",
            )
        )
        pytest.fail(
            f"output differs from tests/golden/{name} (UPDATE_GOLDEN=1 to accept):\n{diff}",
            pytrace=False,
        )
