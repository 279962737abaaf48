"""Memory is bounded by the work in flight, not by a chapter's length or its pauses' (#20).

A chapter with minutes of ``{pause=600}`` (room tone: no digital silence to cut it in, one
long segment, measured again with every trial gain of the limiter) took about 350 MB more
per ten minutes of pause. Here the audio of such a chapter is built by ``publisher build``
(espeak-ng's Dutch voice, one job) in a fresh process, which reports the peak resident
memory of the build and its worker (``ru_maxrss`` of its children). Four times the pause may
cost a little more (the measurement keeps a few bytes per 100 ms), nothing like the hundreds
of megabytes it cost: the bounds are generous, so a busy machine cannot fail them.
Figures for real books are measured by ``benchmarks/memory.py --long``, not asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from publisher.engines.espeak import check_voice
from tests.helpers import require

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[1]

MEASURE = """
import json, resource, subprocess, sys, tempfile
from pathlib import Path

minutes = int(sys.argv[1])
pauses = "{pause=600}\\n\\n" * (minutes // 10) + "{pause=%d}\\n\\n" % (minutes % 10 * 60)
source = (
    "---\\ntitle: Stil\\nauthor: A\\nlanguage: nl\\nidentifier: urn:x\\n---\\n\\n# Stil\\n\\n"
    "## Stilte\\n\\nEerst een zin die iets zegt.\\n\\n" + pauses + "Dan een zin om te eindigen.\\n"
)
with tempfile.TemporaryDirectory() as tmp:
    book = Path(tmp) / "book" / "book.md"
    book.parent.mkdir()
    book.write_text(source)
    out = Path(tmp) / "out"
    command = ["build", str(book), "--out", str(out), "--only", "audio", "--jobs", "1"]
    subprocess.run([sys.executable, "-m", "publisher", *command, "--quiet"], check=True)
    size = (out / "audio" / "stilte.mp3").stat().st_size
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB, the largest process
print(json.dumps({"peak_kb": peak, "mp3": size}))
"""


def peak_mb(minutes: int) -> tuple[float, int]:
    """The peak resident memory (MiB) of building a chapter that holds ``minutes`` of pause,
    in a fresh process, and its MP3's size."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(minutes)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["peak_kb"] / 1024, result["mp3"]


def test_a_long_pause_chapters_peak_does_not_grow_with_its_pause() -> None:
    require(check_voice("nl") is None, "espeak-ng (espeakng-loader) cannot speak Dutch here")
    short, short_mp3 = peak_mb(5)
    long, long_mp3 = peak_mb(20)
    assert long_mp3 > 3.5 * short_mp3  # the pause is in the MP3: 20 minutes of room tone
    # Measured before: 308 MiB with 5 minutes, 783 MiB with 20; since: 113 MiB for both.
    assert long - short < 60, (short, long)
    assert long < 250, long
