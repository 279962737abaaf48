"""What every test shares: a working folder of its own.

The README's commands run in order in one clone (``publisher build``, then ``pytest``) leave
a ``build/`` and ``source/.publisher/`` in the clone; a test that read or wrote anything
relative to the working folder would depend on them (``check`` compared its own book with
the seed's ``build/feed.xml``). So each test starts in a new empty folder.

And Ctrl-C as a terminal gives it: a suite started in the background (``pytest &`` in a
script) inherits SIGINT ignored, and so would every process it starts, so the tests that
press Ctrl-C on a build or the server would fail. A handled signal is reset for a child at
``exec``; an ignored one is not.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def own_working_folder(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Run the test in an empty folder of its own (not ``tmp_path``, which tests list)."""
    folder = tmp_path_factory.mktemp("cwd")
    monkeypatch.chdir(folder)
    yield folder
