"""What every test shares: a working folder of its own.

The README's commands run in order in one clone (``publisher build``, then ``pytest``) leave
a ``build/`` and ``source/.publisher/`` in the clone; a test that read or wrote anything
relative to the working folder would depend on them (``check`` compared its own book with
the seed's ``build/feed.xml``). So each test starts in a new empty folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def own_working_folder(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Run the test in an empty folder of its own (not ``tmp_path``, which tests list)."""
    folder = tmp_path_factory.mktemp("cwd")
    monkeypatch.chdir(folder)
    yield folder
