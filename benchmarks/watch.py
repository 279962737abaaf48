"""The live preview's loop on the seed: from saving an edited paragraph to the open episode
page showing it (the goal: under 5 s on two cores).

``publisher serve --watch --jobs 2`` runs on a fresh copy of the seed, every target on; the
episode page of a chapter in the middle of the book is open in Chromium (Playwright, the
system's browser). Each run appends a new sentence to one paragraph of that chapter, a
different one each time, and measures from the file's write to the page's transcript showing
it: the watcher's wait for quiet, the incremental build, the event to the page, its reload
and drawing. Prints each run, the median, the build's own share (from the command's "built in"
lines) and the load average before and after, since a shared machine's load moves the figure.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.bench import PUBLISHER, fresh_seed, machine
from publisher import outputs
from publisher.reader.parse import parse_file

CHROMIUM = "/usr/bin/chromium"
WAIT_S = 300


def load() -> str:
    """The load averages (1, 5, 15 minutes)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def paragraph(source: Path) -> tuple[str, str]:
    """(a paragraph line in the middle chapter of ``source``, that chapter's slug)."""
    book = parse_file(source).book
    chapter = book.chapters[len(book.chapters) // 2]
    lines = source.read_text(encoding="utf-8").split("\n")
    for line in lines[chapter.line : chapter.end_line]:
        if re.match(r"^[A-Z][^{}]{80,}[.?!]$", line):
            return line, chapter.slug
    raise SystemExit(f"no plain paragraph in chapter {chapter.slug}")


class Preview:
    """``publisher serve --watch`` in its own process group, its stderr lines collected."""

    def __init__(self, source: Path, out: Path) -> None:
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        command = [*PUBLISHER, "serve", str(out), "--watch", "--port", "0", "--jobs", "2"]
        self.process = subprocess.Popen(
            [*command, "--source", str(source)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self.wait(r"^Serving .* at (http\S+)").group(1)
        self.wait(r"^built in ")

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait(self, pattern: str, after: int = 0) -> re.Match[str]:
        """The first line from ``after`` on that matches ``pattern``."""
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            for line in self.lines[after:]:
                if found := re.search(pattern, line):
                    return found
            if self.process.poll() is not None:
                raise SystemExit("\n".join(self.lines))
            time.sleep(0.02)
        raise SystemExit(f"timed out waiting for {pattern!r}:\n" + "\n".join(self.lines))

    def stop(self) -> None:
        """Ctrl-C, as in a terminal."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            self.process.wait(timeout=60)


def edit_to_page(
    page: Any, preview: Preview, source: Path, old: str, run: int
) -> tuple[float, float]:
    """(seconds from the write to the page showing the edit, the build's own seconds).

    Run ``run`` gives the paragraph ``old`` a new last sentence in place of the last run's.
    """
    text = source.read_text(encoding="utf-8")
    before = f"{old} Dit is bewerking nummer {run}." if run else old
    marker = f"Dit is bewerking nummer {run + 1}."
    assert before in text
    after = len(preview.lines)
    started = time.monotonic()
    source.write_text(text.replace(before, f"{old} {marker}"), encoding="utf-8")
    page.wait_for_function(
        f"document.getElementById('transcript')?.textContent.includes({marker!r})",
        timeout=WAIT_S * 1000,
        polling="raf",
    )
    shown = time.monotonic() - started
    built = float(preview.wait(r"^built in ([\d.]+) s", after).group(1))
    page.wait_for_load_state("load")
    time.sleep(1.0)  # the page settled: its audio loaded, its stream open again
    return shown, built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        source = fresh_seed(Path(tmp))
        old, slug = paragraph(source)
        print(f"{machine()}; load average {load()} before")
        started = time.monotonic()
        preview = Preview(source, Path(tmp) / "build")
        print(f"first (cold) build served after {time.monotonic() - started:.1f} s")
        shown: list[float] = []
        built: list[float] = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--mute-audio"])
                page = browser.new_page()
                page.goto(preview.url + outputs.episode_page(slug))
                for run in range(args.runs):
                    seconds, build = edit_to_page(page, preview, source, old, run)
                    shown.append(seconds)
                    built.append(build)
                    print(f"run {run + 1}: shown after {seconds:.2f} s (build {build:.1f} s)")
                browser.close()
        finally:
            preview.stop()
    print(
        f"an edited paragraph of the seed reaches the open page in {statistics.median(shown):.2f} s "
        f"(median of {len(shown)}; the build {statistics.median(built):.1f} s of it; goal < 5 s)"
    )
    print(f"load average {load()} after")


if __name__ == "__main__":
    main()
