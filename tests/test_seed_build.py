"""The seed book, built for real by the `publisher` command, as a listener and a reader get it.

One build (real espeak-ng voice, all targets) is served by `publisher serve`'s server; the feed
is read by feedparser, podcastparser and gPodder's `gpo`, which downloads every episode.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import podcastparser
import pytest
from PIL import Image

from publisher.serve import make_server
from tests.books import SEED, copy_book
from tests.golden import assert_golden
from tests.helpers import require
from tests.test_gpodder import download_problems, subscribe_and_download

ROOT = Path(__file__).parents[1]
CHAPTERS = 11

pytestmark = pytest.mark.slow


def publisher(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload,no-any-return]
        [sys.executable, "-m", "publisher", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        **kwargs,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The seed built into a folder that a server on 127.0.0.1 serves: (folder, base URL)."""
    folder = tmp_path_factory.mktemp("seed")
    seed = copy_book(SEED, folder)
    out = folder / "build"
    out.mkdir()
    server = make_server(out, "127.0.0.1", 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        result = publisher("build", str(seed), "--out", str(out), "--base-url", base_url)
        assert result.returncode == 0, result.stderr
        yield out, base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_the_build_makes_the_promised_files(site: tuple[Path, str]) -> None:
    out, _ = site
    # Everything in the folder, dotfiles included: it holds only what is published.
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert_golden("build/seed-files.txt", "\n".join(files) + "\n")


def _head_length(url: str) -> int:
    request = urllib.request.Request(url, method="HEAD")
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.headers["Content-Length"])


def test_feedparser_reads_every_episode_and_lengths_match_the_server(
    site: tuple[Path, str],
) -> None:
    out, base_url = site
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert len(feed.entries) == CHAPTERS
    for entry in feed.entries:
        (enclosure,) = entry.enclosures
        assert enclosure.href.startswith(base_url + "audio/")
        assert enclosure.type == "audio/mpeg"
        local = out / enclosure.href.removeprefix(base_url)
        assert int(enclosure.length) == local.stat().st_size == _head_length(enclosure.href)
        timing = json.loads(local.with_suffix(".json").read_text())
        assert entry.itunes_duration == str(round(timing["duration_ms"] / 1000))


def test_podcastparser_reads_every_episode(site: tuple[Path, str]) -> None:
    out, base_url = site
    with (out / "feed.xml").open("rb") as stream:
        parsed = podcastparser.parse(base_url + "feed.xml", stream)
    assert len(parsed["episodes"]) == CHAPTERS
    assert all(e["total_time"] > 10 for e in parsed["episodes"])
    assert {e["enclosures"][0]["file_size"] for e in parsed["episodes"]} == {
        p.stat().st_size for p in (out / "audio").glob("*.mp3")
    }


def test_gpodder_downloads_every_chapter_byte_identical(
    site: tuple[Path, str], tmp_path: Path
) -> None:
    gpo = shutil.which("gpo")
    require(gpo, "gPodder's gpo is not installed (Debian package 'gpodder')")
    assert gpo is not None
    out, base_url = site
    log = subscribe_and_download(gpo, tmp_path, base_url + "feed.xml")
    folders = [p for p in (tmp_path / "downloads").iterdir() if p.is_dir()]
    assert len(folders) == 1, log
    expected = {p.name: p.read_bytes() for p in (out / "audio").glob("*.mp3")}
    assert len(expected) == CHAPTERS
    assert download_problems(folders[0], expected) == [], log


def _m4b(out: Path) -> Path:
    (path,) = (out / "audiobook").glob("*.m4b")
    return path


def _seed_timings(out: Path) -> list[dict[str, Any]]:
    """The timing files in reading order."""
    files = [json.loads(p.read_text()) for p in (out / "audio").glob("*.json")]
    return sorted(files, key=lambda t: int(t["number"]))


def test_ffprobe_lists_the_audiobooks_chapters_where_the_timing_files_put_them(
    site: tuple[Path, str],
) -> None:
    require(shutil.which("ffprobe"), "ffprobe is not installed (Debian package 'ffmpeg')")
    out, _ = site
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-show_format", "-of", "json", _m4b(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(probe.stdout)
    timings = _seed_timings(out)
    assert [c["tags"]["title"] for c in found["chapters"]] == [t["title"] for t in timings]
    assert len(found["chapters"]) == CHAPTERS
    start_ms = 0
    for chapter, timing in zip(found["chapters"], timings, strict=True):
        assert abs(float(chapter["start_time"]) * 1000 - start_ms) <= 50, chapter
        start_ms += timing["duration_ms"]
    # The chapter MP3s' lengths, as a gapless decoder plays them (the timing files say so).
    assert abs(float(found["format"]["duration"]) - start_ms / 1000) <= 0.5


def test_ffmpeg_decodes_the_audiobook_at_the_books_loudness(site: tuple[Path, str]) -> None:
    require(shutil.which("ffmpeg"), "ffmpeg is not installed (Debian package 'ffmpeg')")
    import av
    import numpy as np

    from tests.fakes import reference_loudness, reference_true_peak_db

    out, _ = site
    check = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", _m4b(out), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0 and check.stderr == "", check.stderr
    with av.open(str(_m4b(out))) as f:
        stream = f.streams.audio[0]
        assert stream.codec_context.profile == "LC" and stream.codec_context.layout.nb_channels == 1
        samples = np.concatenate([frame.to_ndarray()[0] for frame in f.decode(stream)])
        rate = stream.codec_context.sample_rate
    assert abs(reference_loudness(samples, rate) - (-19)) <= 1
    assert reference_true_peak_db(samples) <= -1


def test_mutagen_reads_the_audiobooks_tags_and_cover(site: tuple[Path, str]) -> None:
    from mutagen.mp4 import MP4

    out, base_url = site
    tags = MP4(_m4b(out)).tags
    assert tags is not None
    assert tags["\xa9nam"] == tags["\xa9alb"]
    assert tags["\xa9nam"][0].startswith("De Geneeskracht van Knuffelen")
    assert tags["\xa9ART"] == tags["aART"] == ["Gerrit"]
    assert tags["\xa9gen"] == ["Audiobook"]
    assert tags["\xa9day"][0].isdigit()
    assert tags["desc"][0]
    assert "nl-espeak" in tags["\xa9wrt"][0] and "synthetic" in tags["\xa9wrt"][0]
    assert bytes(tags["----:com.apple.iTunes:IDENTIFIER"][0]).startswith(b"urn:")
    cover = Image.open(io.BytesIO(bytes(tags["covr"][0])))  # portrait, as on the EPUB
    assert (cover.format, cover.size) == ("JPEG", (1600, 2560))
    url = base_url + _m4b(out).relative_to(out).as_posix()
    request = urllib.request.Request(url, method="HEAD")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Type"] == "audio/mp4"


def published(out: Path) -> dict[str, int]:
    """The build's files (not its cache, lock or staging) and their modification times."""
    return {
        p.relative_to(out).as_posix(): p.stat().st_mtime_ns
        for p in out.rglob("*")
        if p.is_file() and not p.relative_to(out).as_posix().startswith(".")
    }


def test_ctrl_c_stops_promptly_and_keeps_the_previous_build(tmp_path: Path) -> None:
    seed = copy_book(SEED, tmp_path)
    out = tmp_path / "build"
    first = publisher("build", str(seed), "--out", str(out), "--only", "epub")
    assert first.returncode == 0, first.stderr
    before = published(out)
    proc = subprocess.Popen(
        [sys.executable, "-m", "publisher", "build", str(seed), "--out", str(out)],
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a shell gives a foreground job
    )
    assert proc.stderr is not None
    for line in proc.stderr:  # the EPUB is done first; the narration takes seconds more
        if line.startswith("epub"):
            break
    time.sleep(0.3)
    assert proc.poll() is None, "the build finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole group
    started = time.monotonic()
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert time.monotonic() - started < 5, "Ctrl-C must stop the build promptly"
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert published(out) == before
    assert not (out / "audio").exists()
