"""The read-along EPUB: validators, and every sentence said paired with its clip."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from publisher import model as m
from publisher.engines.profiles import choose_voice
from publisher.engines.words import tokens
from publisher.i18n import words_for
from publisher.pipeline.registry import plan
from publisher.pipeline.runner import build
from publisher.reader.parse import parse_file
from publisher.renderers.audio.renderer import voices_folder
from publisher.renderers.base import BuildOptions
from publisher.renderers.epub.smil import WORD_KINDS
from publisher.speech.lexicon import merged_lexicon, voice_lexicon
from publisher.speech.speakable import speakable
from publisher.speech.timing import TimingFile
from publisher.text.spans import cut, locate
from publisher.text.xhtml import Style, XhtmlWriter
from tests.books import EVERY_BLOCK, ROOT, copy_book
from tests.helpers import require
from tests.test_epub import BOOKS
from tests.validators import ace_violations, epubcheck_problems

NS = {
    "h": "http://www.w3.org/1999/xhtml",
    "s": "http://www.w3.org/ns/SMIL",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
TEXTREF = "{http://www.idpf.org/2007/ops}textref"


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


@dataclass(frozen=True)
class Unit:
    """One utterance's clip in a media overlay: a par, or a sentence's seq of word pars."""

    fragment: str
    begin: float
    end: float
    kind: str | None
    words: tuple[tuple[str, float, float], ...] = ()  # (fragment, begin, end) of each word


def _clip(par: etree._Element, slug: str) -> tuple[str, float, float]:
    audio = par.find("s:audio", NS)
    assert audio.get("src") == f"../audio/{slug}.mp3"
    fragment = par.find("s:text", NS).get("src").split("#")[1]
    return fragment, clock(audio.get("clipBegin")), clock(audio.get("clipEnd"))


def said_units(smil: etree._Element, slug: str) -> list[Unit]:
    """The overlay's clips, one per utterance, in order: a seq holding only pars is a
    sentence said word by word (a table's or a list's seq holds these, or pars)."""
    out = []
    for element in smil.iter("{*}par", "{*}seq"):
        if element.tag.endswith("seq") and element.get(EPUB_TYPE) not in ("table", "list"):
            words = tuple(_clip(par, slug) for par in element.findall("s:par", NS))
            fragment = element.get(TEXTREF).split("#")[1]
            out.append(Unit(fragment, words[0][1], words[-1][2], element.get(EPUB_TYPE), words))
        elif element.tag.endswith("par") and not _in_sentence(element):
            fragment, begin, end = _clip(element, slug)
            out.append(Unit(fragment, begin, end, element.get(EPUB_TYPE)))
    return out


def _in_sentence(par: etree._Element) -> bool:
    parent = par.getparent()
    return parent.tag.endswith("seq") and parent.get(EPUB_TYPE) not in ("table", "list")


def words_in(text: str) -> list[str]:
    return [text[a:b] for a, b in tokens(text)]


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
    language = book.config.language
    words = words_for(language)
    voice = choose_voice(None, language, voices_folder(book))
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
            for unit in said_units(smil, chapter.slug):
                clips.append((unit.begin, unit.end, ids[unit.fragment], unit.kind))
            # In reading order, not overlapping, inside the MP3.
            for (b1, e1, *_), (b2, _, *_) in itertools.pairwise(clips):
                assert b1 < e1 <= b2
            assert clips and clips[-1][1] <= length
            for u in timing["utterances"]:
                middle = (u["start_ms"] + u["end_ms"]) / 2000
                holding = [c for c in clips if c[0] <= middle < c[1]]
                assert len(holding) == 1, u
                _, _, element, par_type = holding[0]
                if u["kind"] == "footnote":
                    assert par_type == "footnote" and element.get(EPUB_TYPE) == "footnote"
                elif u["kind"] in ("image", "table"):
                    assert element.tag.split("}")[1] in ("figure", "tr", "table")
                elif u["kind"] == "lead-in":  # "Reflectievraag.": the prompt's visible label
                    assert element.get("class") == "label"
                    assert element.getparent().get("aria-labelledby") == element.get("id")
                    assert (
                        speakable(text_of(element), words, lexicon, language=language) == u["text"]
                    )
                else:  # a sentence or heading: the words written are the words said
                    # An example's label is said with its first sentence, and highlighted so.
                    assert (
                        speakable(text_of(element), words, lexicon, language=language) == u["text"]
                    )
            assert len(clips) <= len(timing["utterances"])
        total = durations[None]
        assert abs(total - sum(v for k, v in durations.items() if k)) <= 1


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BOOKS))
def test_every_word_spoken_has_one_clip_on_its_written_word(
    name: str, books: dict[str, Path]
) -> None:
    folder = books[name]
    book = parse_file(BOOKS[name]).book
    counted: dict[str, int] = {}
    with zipfile.ZipFile(narrated(folder)) as z:
        for chapter in book.chapters:
            timing = TimingFile.load(folder / "audio" / f"{chapter.slug}.json")
            # espeak-ng says where every word is: every utterance has its words.
            assert {u.level for u in timing.utterances} == {"word"}
            assert all(u.words for u in timing.utterances)
            xhtml = etree.fromstring(z.read(f"EPUB/text/{chapter.slug}.xhtml"))
            ids = {e.get("id"): e for e in xhtml.iter() if e.get("id")}
            smil = etree.fromstring(z.read(f"EPUB/smil/{chapter.slug}.smil"))
            sentences = [unit for unit in said_units(smil, chapter.slug) if unit.words]
            followed = [u for u in timing.utterances if u.kind in WORD_KINDS]
            # One clip per word spoken, on the word as written, in the order said; the words
            # of an inline image's description are heard in one clip, on the image.
            assert len(sentences) == len(followed)
            clips = in_images = 0
            for unit, u in zip(sentences, followed, strict=True):
                k = 0
                merged: list[str] = []  # the rest of an image's description, heard in its clip
                for n, w in enumerate(u.words):
                    written = u.word_text(w)
                    if merged:
                        assert written == merged.pop(0)
                        in_images += 1
                        continue
                    shown = words_in(text_of(ids[unit.words[k][0]]))
                    if shown != [written]:  # only an image holds more: its description
                        assert ids[unit.words[k][0]].find(".//{*}img") is not None
                        assert shown[0] == written
                        merged = shown[1:]
                    begin = unit.words[k][1]
                    assert round(begin * 1000) == (u.start_ms if n == 0 else w.start_ms)
                    k += 1
                assert not merged
                assert k == len(unit.words)
                clips += k
                # The clips follow each other from the sentence's start to its end.
                begins = [b for _, b, _ in unit.words]
                assert [e for _, _, e in unit.words[:-1]] == begins[1:]
                assert round(unit.words[-1][2] * 1000) >= u.end_ms
                # Each word's span is inside its sentence's element.
                sentence = ids[unit.fragment]
                assert all(sentence in ids[f].iterancestors() for f, _, _ in unit.words)
            spoken = sum(len(u.words) for u in followed)
            assert clips == spoken - in_images
            counted[name] = counted.get(name, 0) + in_images
    # Only every-block has an inline image (its description: three words).
    assert counted.get(name, 0) == (2 if name == "every-block" else 0)


@pytest.mark.slow
def test_readalong_sentence_pairs_only_sentences(tmp_path: Path) -> None:
    source = copy_book(EVERY_BLOCK, tmp_path)
    text = source.read_text(encoding="utf-8")
    front = "description: A book"
    source.write_text(text.replace(front, f"narration:\n  readalong: sentence\n{front}", 1))
    assert "readalong: sentence" in source.read_text(encoding="utf-8")
    folder = tmp_path / "build"
    build(source, folder, only=["epub", "audio", "narrated-epub"])
    with zipfile.ZipFile(narrated(folder)) as z:
        for name in z.namelist():
            if name.endswith((".smil", ".xhtml")):
                assert b'id="w_' not in z.read(name) and b"#w_" not in z.read(name)
    assert epubcheck_problems(narrated(folder), tmp_path) == []


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
    problems = epubcheck_problems(narrated(books[name]), tmp_path)
    assert problems == [], "\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BOOKS))
def test_ace_passes(name: str, books: dict[str, Path], tmp_path: Path) -> None:
    outcome, violations = ace_violations(narrated(books[name]), tmp_path)
    assert (outcome, violations) == ("pass", [])


READIUM = ROOT / "tests" / "js" / "readium-overlays.js"


def readium(epub: Path) -> dict[str, Any]:
    """What Readium's parser (r2-shared-js, Thorium Reader's engine) finds of the book's
    media overlays: see tests/js/readium-overlays.js."""
    node = shutil.which("node")
    installed = (ROOT / "tests" / "js" / "node_modules" / "r2-shared-js").is_dir()
    require(node and installed, "node and r2-shared-js are needed (npm ci --prefix tests/js)")
    assert node is not None
    run = subprocess.run(
        [node, str(READIUM), str(epub)], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    found: dict[str, Any] = json.loads(run.stdout)
    return found


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BOOKS))
def test_readium_lists_one_overlay_per_chapter(name: str, books: dict[str, Path]) -> None:
    folder = books[name]
    book = parse_file(BOOKS[name]).book
    found = readium(narrated(folder))
    with zipfile.ZipFile(narrated(folder)) as z:
        opf = etree.fromstring(z.read("EPUB/content.opf"))
        smils = {
            c.slug: etree.fromstring(z.read(f"EPUB/smil/{c.slug}.smil")) for c in book.chapters
        }
    metadata = {
        meta.get("refines"): clock(meta.text)
        for meta in opf.iterfind("opf:metadata/opf:meta[@property='media:duration']", NS)
    }
    spine = {item["href"]: item for item in found["spine"]}
    chapters = {f"EPUB/text/{c.slug}.xhtml": c for c in book.chapters}
    # Only the chapters are narrated: the cover, title page and contents have no overlay.
    assert {href for href, item in spine.items() if item["overlay"]} == set(chapters)
    for href, chapter in chapters.items():
        item = spine[href]
        overlay = item["overlay"]
        assert overlay["smil"] == f"EPUB/smil/{chapter.slug}.smil"
        timing = TimingFile.load(folder / "audio" / f"{chapter.slug}.json")
        assert item["duration"] == pytest.approx(metadata[f"#mo-{chapter.slug}"], abs=0.001)
        assert item["duration"] == pytest.approx(timing.duration_ms / 1000, abs=0.001)
        pars = overlay["pars"]
        written = [
            (
                par.find("s:text", NS).get("src").split("#")[1],
                clock(par.find("s:audio", NS).get("clipBegin")),
                clock(par.find("s:audio", NS).get("clipEnd")),
            )
            for par in smils[chapter.slug].iterfind(".//s:par", NS)
        ]
        # Every clip we wrote, as Readium plays it: same sentence, same times, same order.
        assert [(p["text"].split("#")[1], p["begin"], p["end"]) for p in pars] == [
            (f, pytest.approx(b, abs=0.001), pytest.approx(e, abs=0.001)) for f, b, e in written
        ]
        for par in pars:
            assert par["text"].startswith(f"{href}#")
            assert par["audio"].split("#")[0] == f"EPUB/audio/{chapter.slug}.mp3"
            assert 0 <= par["begin"] < par["end"] <= item["duration"] + 0.001
        # Readium sees what a reader may skip or escape.
        for par in pars:
            fragment = par["text"].split("#")[1]
            assert ("footnote" in par["roles"]) == fragment.startswith("fn-")
        if any(isinstance(b, m.Table) for b in m.walk(chapter.blocks)):
            assert any("table" in par["within"] for par in pars)
    assert found["duration"] == pytest.approx(metadata[None], abs=0.001)
    assert found["duration"] == pytest.approx(sum(v for k, v in metadata.items() if k), abs=1)
    assert found["activeClass"] == "-epub-media-overlay-active"
    narrator = opf.find("opf:metadata/opf:meta[@property='media:narrator']", NS).text
    assert found["narrators"] == [narrator]


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


@pytest.mark.slow
def test_only_epub_keeps_the_published_read_along_epub(tmp_path: Path) -> None:
    source = copy_book(EVERY_BLOCK, tmp_path)
    folder = tmp_path / "build"
    build(source, folder, only=["epub", "audio", "narrated-epub"])
    published = narrated(folder)
    before = published.read_bytes()
    text_epub = next(p for p in (folder / "epub").glob("*.epub") if ".narrated." not in p.name)
    old_text = text_epub.read_bytes()
    # A change the text EPUB must show, so `--only epub` really writes the EPUB folder again.
    original = source.read_text(encoding="utf-8")
    edited = re.sub(r"(?m)^(description: .*?)$", r"\1 Edited.", original, count=1)
    assert edited != original
    source.write_text(edited, encoding="utf-8")
    result = build(source, folder, only=["epub"])
    assert not result.up_to_date and text_epub.read_bytes() != old_text
    # Left to its own target, as published.
    assert published.is_file() and published.read_bytes() == before
    assert not any(".narrated." in p for p in result.removed)


@pytest.mark.slow
def test_only_narrated_epub_builds_it_alone_from_the_published_epub_and_audio(
    tmp_path: Path,
) -> None:
    source = copy_book(EVERY_BLOCK, tmp_path)
    folder = tmp_path / "build"
    build(source, folder, only=["epub", "audio", "narrated-epub"])
    published = narrated(folder)
    before = published.read_bytes()
    published.unlink()
    shutil.rmtree(source.parent / ".publisher" / "cache" / "narrated")  # really made again
    result = build(source, folder, only=["narrated-epub"])
    assert [t.name for t in result.targets] == ["narrated-epub"]
    assert narrated(folder).read_bytes() == before
    assert (folder / "epub").is_dir() and len(list((folder / "epub").glob("*.epub"))) == 2


@pytest.mark.slow
def test_a_change_to_no_chapter_repackages_and_a_no_op_leaves_it(tmp_path: Path) -> None:
    source = copy_book(EVERY_BLOCK, tmp_path)
    folder = tmp_path / "build"
    only = ["epub", "audio", "narrated-epub"]
    build(source, folder, only=only)
    before = narrated(folder).read_bytes()
    original = source.read_text(encoding="utf-8")
    source.write_text(
        re.sub(r"(?m)^(description: .*?)$", r"\1 Edited.", original, count=1), encoding="utf-8"
    )
    result = build(source, folder, only=only)
    # The book is packaged again around the same MP3s: no chapter's audio changed.
    assert f"epub/{narrated(folder).name}" in result.changed
    assert narrated(folder).read_bytes() != before
    assert not [p for p in result.changed if p.startswith("audio/") and p.endswith(".mp3")]
    again = build(source, folder, only=only)
    assert again.up_to_date and not again.changed


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


# --- Kobo's edition: AAC in place of the MP3s -------------------------------------------------

KOBO_CLOCK = re.compile(r"^\d+:\d{2}:\d{2}(\.\d{1,3})?$")
"""A SMIL full clock value with at most three decimals, as Kobo's apps need them."""


@pytest.fixture(scope="module")
def kobo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed built with ``narrated_epub: kobo``: its read-along EPUB."""
    work = tmp_path_factory.mktemp("kobo")
    source = copy_book(BOOKS["seed"], work)
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("\ndate:", "\nnarrated_epub: kobo\ndate:", 1), encoding="utf-8")
    folder = work / "build"
    build(source, folder, only=["epub", "audio", "narrated-epub"], options=BuildOptions(jobs=2))
    (found,) = (folder / "epub").glob("*.narrated.epub")
    assert found.name.endswith(".kobo.narrated.epub")
    return found


@pytest.mark.slow
def test_kobo_edition_holds_aac_and_no_mp3(kobo: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(kobo) as z:
        names = z.namelist()
        opf = etree.fromstring(z.read("EPUB/content.opf"))
        smils = [etree.fromstring(z.read(n)) for n in names if n.endswith(".smil")]
        first = next(n for n in names if n.endswith(".m4a"))
        aac = z.read(first)
    assert not [n for n in names if n.endswith(".mp3")]
    media = {i.get("href"): i.get("media-type") for i in opf.iterfind(".//opf:item", NS)}
    audio = {href: kind for href, kind in media.items() if href.startswith("audio/")}
    assert audio and set(audio.values()) == {"audio/mp4"}
    assert "audio/mpeg" not in media.values()
    for smil in smils:
        for clip in smil.iterfind(".//s:audio", NS):
            assert clip.get("src").endswith(".m4a")
            assert KOBO_CLOCK.match(clip.get("clipBegin")) and KOBO_CLOCK.match(clip.get("clipEnd"))
    # The chapter's AAC lasts as long as its timing file says (the MP3's samples, unprimed).
    ffprobe = shutil.which("ffprobe")
    require(ffprobe, "ffprobe reads the AAC's length")
    assert ffprobe is not None
    (tmp_path / "a.m4a").write_bytes(aac)
    probe = subprocess.run(
        [
            ffprobe,
            "-v",
            "error",
            "-select_streams",
            "a",
            "-show_entries",
            "stream=codec_name,duration:format_tags",
            "-of",
            "json",
            str(tmp_path / "a.m4a"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(probe.stdout)
    (stream,) = found["streams"]
    assert stream["codec_name"] == "aac"
    slug = Path(first).stem
    timing = TimingFile.load(kobo.parent.parent / "audio" / f"{slug}.json")
    assert float(stream["duration"]) == pytest.approx(timing.duration_ms / 1000, abs=0.05)
    assert "digitalsourcetype/algorithmicMedia" in found["format"]["tags"]["DigitalSourceType"]


@pytest.mark.slow
def test_kobo_edition_passes_epubcheck_and_ace(kobo: Path, tmp_path: Path) -> None:
    assert epubcheck_problems(kobo, tmp_path) == []
    assert ace_violations(kobo, tmp_path) == ("pass", [])


@pytest.mark.slow
def test_kobo_edition_highlights_with_kobos_class(kobo: Path) -> None:
    with zipfile.ZipFile(kobo) as z:
        css = z.read("EPUB/style/epub.css").decode()
    rules = re.findall(r"\.kobo-smil-highlight\s*\{([^}]*)\}", css)
    assert rules and all("background-color" in rule for rule in rules)


@pytest.mark.slow
def test_readium_plays_the_kobo_edition_from_its_aac(kobo: Path) -> None:
    book = parse_file(BOOKS["seed"]).book
    found = readium(kobo)
    overlays = [item["overlay"] for item in found["spine"] if item["overlay"]]
    assert len(overlays) == len(book.chapters)
    for overlay in overlays:
        assert overlay["pars"]
        assert all(par["audio"].split("#")[0].endswith(".m4a") for par in overlay["pars"])
