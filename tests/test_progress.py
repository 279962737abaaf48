"""What the build prints while it works: click's bar on a terminal, nothing extra when quiet."""

from __future__ import annotations

import io

from publisher.errors import Problem
from publisher.pipeline.runner import TargetResult
from publisher.progress import Reporter

DONE = TargetResult(name="audio", seconds=1.25, files=("audio/a.mp3", "audio/a.json"))
WARNING = Problem(path="book.md", line=3, message="no alt text", severity="warning")


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as stderr in a shell does."""

    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_bar_moves_and_each_target_gets_a_line() -> None:
    stream = Terminal()
    reporter = Reporter(stream)
    for done in range(5):
        reporter.progress(done, 4, "Het eerste hoofdstuk")
    reporter.target(DONE, "build")
    text = stream.getvalue()
    assert "4/4" in text and "Het eerste hoofdstuk" in text
    assert text.splitlines()[-1] == "audio  2 files in build (1.2 s)"


def test_quiet_prints_only_warnings() -> None:
    stream = Terminal()
    reporter = Reporter(stream, quiet=True)
    reporter.progress(1, 4, "chapter")
    reporter.target(DONE, "build")
    reporter.warn(WARNING)
    assert stream.getvalue() == "book.md:3: warning: no alt text\n"


def test_no_bar_when_not_a_terminal_and_up_to_date_says_so() -> None:
    stream = io.StringIO()
    reporter = Reporter(stream)
    reporter.progress(2, 4, "chapter")
    reporter.target(TargetResult(name="epub", seconds=0.0, files=("e",), up_to_date=True), "b")
    assert stream.getvalue() == "epub   1 file in b (up to date)\n"
