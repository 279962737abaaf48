"""``publisher proof`` with the real Whisper base model (from the package index, see
tests/whisper.py) on a small English book read by espeak-ng: clean, it raises no flag; with
the three faults proofing exists for planted in it, each is flagged at its source line and
the chapters left alone are not; an edit costs one chapter's transcription."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import lameenc
import numpy as np
import pytest
from lxml import html

from publisher.cli import cli
from publisher.pipeline.runner import build
from publisher.proof.run import BookProof, proof
from publisher.renderers.base import BuildOptions
from publisher.speech.timing import TimingFile
from tests.books import ROOT, copy_book, write_book
from tests.chromium import launch
from tests.helpers import cli_runner, require
from tests.whisper import whisper_model

pytestmark = pytest.mark.slow
__all__ = ["whisper_model"]  # the fixture, used by name

BOOK = ROOT / "tests" / "fixtures" / "proof-book.md"
AUDIO = ["audio"]


def line_of(source: Path, text: str) -> int:
    """The (1-based) line of ``source`` where ``text`` is written."""
    lines = source.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


def built(dest: Path, edit: dict[str, str] | None = None) -> Path:
    """The proof book copied into ``dest`` with ``edit`` (old → new text) applied, its
    audio built into ``dest/build``; the source."""
    source = copy_book(BOOK, dest)
    text = source.read_text(encoding="utf-8")
    for old, new in (edit or {}).items():
        assert old in text
        text = text.replace(old, new)
    source.write_text(text, encoding="utf-8")
    build(source, dest / "build", only=AUDIO, options=BuildOptions(jobs=2))
    return source


def silence(mp3: Path, start_ms: int, end_ms: int) -> None:
    """Replace ``start_ms``-``end_ms`` of ``mp3`` by digital silence (decoded, zeroed,
    encoded again at the same rate), as a dropped utterance would sound."""
    with av.open(str(mp3)) as container:
        stream = container.streams.audio[0]
        rate = stream.rate
        resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
        chunks = [
            r.to_ndarray().reshape(-1)
            for frame in container.decode(stream)
            for r in resampler.resample(frame)
        ]
    pcm = np.concatenate(chunks).astype(np.int16)
    pcm[start_ms * rate // 1000 : end_ms * rate // 1000] = 0
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(64)
    encoder.set_in_sample_rate(rate)
    encoder.set_channels(1)
    mp3.write_bytes(encoder.encode(pcm.tobytes()) + encoder.flush())


def flagged(found: BookProof) -> dict[int, set[str]]:
    """Line → kinds of flag raised there."""
    out: dict[int, set[str]] = {}
    for flag in found.flags:
        assert flag.line is not None
        out.setdefault(flag.line, set()).add(flag.kind)
    return out


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory, whisper_model: Path) -> tuple[Path, BookProof]:
    """The proof book as written, built and proofed once: (its folder, the proof)."""
    work = tmp_path_factory.mktemp("clean")
    source = built(work)
    return work, proof(source, work / "build", model=str(whisper_model))


def test_a_clean_book_raises_no_flag(clean: tuple[Path, BookProof]) -> None:
    _, found = clean
    assert found.flags == ()
    assert [c.audio.chapter.slug for c in found.chapters] == [
        "the-harbour",
        "the-lighthouse",
        "the-storm",
        "the-letter",
        "the-market",
    ]
    assert found.transcribed == 5
    assert all(c.score.words > 20 for c in found.chapters)
    # espeak-ng's English, heard by Whisper base: about one word in nine wrong (the README).
    assert found.score.wer < 0.3


def test_a_span_in_another_language_is_heard_in_it(clean: tuple[Path, BookProof]) -> None:
    _, found = clean
    market = found.chapters[-1]
    french = next(s for s in market.sentences if s.said.display.startswith("Merci"))
    assert french.said.language == "fr"
    heard = " ".join(h.text for h in french.heard).lower()
    assert "merci beaucoup" in heard  # heard in English it comes out as other words
    assert french.score.errors * 2 <= french.score.words


def test_planted_faults_are_flagged_at_their_lines(tmp_path: Path, whisper_model: Path) -> None:
    wrong_voice = "The letter arrived on a Tuesday, in a blue envelope."
    source = built(
        tmp_path,
        {
            # 1. a lexicon entry that makes the voice say another word
            "  voice: en-espeak\n": "  voice: en-espeak\n  lexicon:\n    lighthouse: pineapple\n",
            # 3. a chapter read by the wrong language's voice
            wrong_voice: f"{wrong_voice} {{voice=nl-espeak}}",
            "twenty years abroad.": "twenty years abroad. {voice=nl-espeak}",
        },
    )
    # 2. a sentence whose audio is replaced by silence
    dropped = "The wind tore the roofs from several houses near the shore."
    timing = TimingFile.load(tmp_path / "build" / "audio" / "the-storm.json")
    said = next(u for u in timing.utterances if u.text == dropped)
    silence(tmp_path / "build" / "audio" / "the-storm.mp3", said.start_ms, said.end_ms)

    found = proof(source, tmp_path / "build", model=str(whisper_model))

    lines = flagged(found)
    lexicon_line = line_of(source, "lighthouse: pineapple")
    assert lines.pop(lexicon_line) == {"lexicon"}
    assert lines.pop(line_of(source, dropped)) == {"silent"}
    assert lines.pop(line_of(source, "## The Letter")) == {"chapter"}
    # The lighthouse chapter, its every "lighthouse" heard as "pineapple", may also be far
    # worse than the median; no other line is flagged (harbour, market, the storm's rest).
    assert set(lines) <= {line_of(source, "## The Lighthouse")}
    flag = next(f for f in found.flags if f.kind == "lexicon")
    assert '"lighthouse: pineapple"' in flag.message
    assert str(flag).startswith(f"{found.book.source}:{lexicon_line}: ")
    # The misheard word is reported where it is said, with the written word.
    spans = found.chapters[1].worst(10)
    assert any("lighthouse" in s.written.lower() and "apple" in s.heard.lower() for s in spans)


def test_an_edit_transcribes_only_its_chapter(
    clean: tuple[Path, BookProof], tmp_path: Path, whisper_model: Path
) -> None:
    work, _ = clean
    shutil.copytree(work, tmp_path / "book")
    source = tmp_path / "book" / "source" / BOOK.name
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("watched the gulls", "watched the swans"), encoding="utf-8")
    build(source, tmp_path / "book" / "build", only=AUDIO, options=BuildOptions(jobs=2))

    found = proof(source, tmp_path / "book" / "build", model=str(whisper_model))

    assert found.transcribed == 1
    heard_now = [c.audio.chapter.slug for c in found.chapters if not c.cached]
    assert heard_now == ["the-harbour"]
    report = json.loads(found.report.with_suffix(".json").read_text(encoding="utf-8"))
    assert [c["cached"] for c in report["chapters"]] == [False, True, True, True, True]


def test_the_command_gates_and_writes_its_report(
    clean: tuple[Path, BookProof], whisper_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work, _ = clean
    monkeypatch.chdir(work)
    source = f"source/{BOOK.name}"
    runner = cli_runner()
    passed = runner.invoke(cli, ["proof", source, "--model", str(whisper_model)])
    assert passed.exit_code == 0, passed.stderr
    for slug in ("the-harbour", "the-market"):
        assert slug in passed.stdout
    assert "0 of 5 heard now" in passed.stdout  # all kept from the fixture's proof
    assert "flags: none" in passed.stdout

    failed = runner.invoke(cli, ["proof", source, "--model", str(whisper_model), "--max-wer", "0"])
    assert failed.exit_code == 1
    assert f"{source}:{line_of(work / source, '## The Harbour')}: chapter 'the-harbour'" in (
        failed.stderr
    )

    report = work / "source" / ".publisher" / "proof"
    assert {p.name for p in report.glob("report.*")} == {"report.html", "report.json"}
    assert not list((work / "build").rglob("report.*"))  # the build folder is for publishing
    page = html.fromstring((report / "report.html").read_bytes())
    assert page.get("lang") == "en"
    assert len(page.findall(".//h1")) == 1
    chapters = page.xpath("//ol[@class='sentences']")
    assert len(chapters) == 5 and {ol.get("lang") for ol in chapters} == {"en"}
    for audio in page.findall(".//audio"):
        assert (report / audio.get("src")).resolve().is_file()
    buttons = page.findall(".//button")
    assert buttons and all(b.get("type") == "button" and b.get("aria-label") for b in buttons)


def test_build_proof_on_a_dutch_book(tmp_path: Path, whisper_model: Path) -> None:
    source = write_book(
        tmp_path,
        "---\ntitle: Knuffelen\nauthor: Test\nlanguage: nl\n"
        'identifier: "urn:uuid:00000000-0000-4000-8000-000000000023"\n---\n\n# Knuffelen\n\n'
        "## Warmte\n\nEen knuffel geeft warmte en rust. Zij lacht en zegt dank je wel.\n\n"
        "## Kou\n\nIn de winter is het koud buiten. Wij blijven samen binnen bij het vuur.\n",
    )
    result = cli_runner().invoke(
        cli,
        ["build", str(source), "--out", str(tmp_path / "out"), "--only", "audio", "--proof"],
        env={"PUBLISHER_PROOF_MODEL": str(whisper_model)},
    )
    assert result.exit_code == 0, result.stderr
    assert "warmte" in result.stdout and "kou" in result.stdout
    report = json.loads((source.parent / ".publisher" / "proof" / "report.json").read_text())
    assert report["language"] == "nl"
    assert [c["slug"] for c in report["chapters"]] == ["warmte", "kou"]
    assert all(c["words"] > 5 and c["wer"] < 1 for c in report["chapters"])


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's Chromium (tests/chromium.py)."""
    yield from launch()


def test_the_report_page_in_a_browser(
    clean: tuple[Path, BookProof], browser: Any, tmp_path: Path
) -> None:
    """Axe finds no violation, the Nu checker no error, and a sentence's button plays the
    chapter from that sentence."""
    from tests.test_site_browser import AXE, VNU

    require(AXE.exists() and VNU.exists(), "axe-core or vnu-jar missing (npm ci --prefix tests/js)")
    require(shutil.which("java"), "java is not installed")
    _, found = clean
    checked = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", str(found.report)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert json.loads(checked.stderr or '{"messages": []}')["messages"] == []
    page = browser.new_page(viewport={"width": 1000, "height": 1400})
    page.goto(found.report.as_uri())
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("axe.run(document).then(r => r.violations)")
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations] == []
    start = found.chapters[2].sentences[2].said.start_ms / 1000
    page.click("#s-the-storm-3 button")
    page.wait_for_function(
        f"(() => {{ const a = document.getElementById('a-the-storm');"
        f" return !a.paused && a.currentTime >= {start} && a.currentTime < {start + 2}; }})()",
        timeout=20_000,
    )
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    page.close()
