"""The audio target with a fake engine: files, timing, tags, cache, parallel workers, errors.

The fake (tests/fakes.py) makes a tone whose length follows the text, so durations can be
predicted; the real engine is exercised in test_audio_espeak.py.
"""

from __future__ import annotations

import io
import itertools
import math
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3
from PIL import Image

from publisher.errors import EngineError
from publisher.infra.cache import BlobCache, read_meta
from publisher.model import Book
from publisher.reader.parse import parse_text
from publisher.renderers.audio import encode, pcm
from publisher.renderers.audio import renderer as audio_renderer
from publisher.renderers.audio.master import decode
from publisher.renderers.audio.renderer import AudioRenderer
from publisher.renderers.base import BuildOptions, RenderContext
from publisher.speech.timing import TimedPause, TimingFile
from tests import fakes

SOURCE = """---
title: Klein Boek
author: Ada Auteur
language: nl
identifier: urn:x
date: 2024-05-06
narration:
  prompt_pause: 3
  chapter_end_pause: 1
---

# Klein Boek

## Eerste & Laatste

Een zin met een [link](https://example.org/pad). Tweede zin 🔗.

💡{pause=2} Wat denk je?

## Tweede

Tekst hier.

### Onderdeel A

Meer tekst.

### Onderdeel B

Slot van het hoofdstuk.

## Derde

Kort.
"""


def make_book(source: str = SOURCE) -> Book:
    return parse_text(source, "boek.md", root=".").book


def render(
    tmp: Path,
    book: Book | None = None,
    *,
    out: str = "build",
    jobs: int = 1,
    factory: fakes.FakeFactory | None = None,
    progress: list[tuple[int, int, str]] | None = None,
    cover: bool = True,
) -> Path:
    """Render into ``tmp/<out>/audio`` with the cache in ``tmp/cache``; the audio folder."""
    root = tmp / out
    audio = root / "audio"
    audio.mkdir(parents=True, exist_ok=True)
    for old in audio.iterdir():
        old.unlink()
    if cover and not (root / "cover.jpg").exists():
        buffer = io.BytesIO()
        Image.new("RGB", (16, 16), (200, 30, 30)).save(buffer, "JPEG")
        (root / "cover.jpg").write_bytes(buffer.getvalue())
    events = progress if progress is not None else []
    ctx = RenderContext(
        book=book or make_book(),
        root=root,
        out_dir=audio,
        published=root,
        cache_dir=tmp / "cache",
        options=BuildOptions(jobs=jobs, progress=lambda d, t, label: events.append((d, t, label))),
    )
    AudioRenderer(
        synthesizer_factory=factory or fakes.FakeFactory(), voice=fakes.FAKE_VOICE
    ).render(ctx)
    return audio


@pytest.fixture(autouse=True)
def _reset_calls() -> None:
    fakes.reset()


def timing(audio: Path, slug: str) -> TimingFile:
    """The chapter's timing file, read (and checked) by the one reader there is."""
    return TimingFile.load(audio / f"{slug}.json")


def stream(path: Path) -> bytes:
    """The MPEG stream without the ID3v2 tag."""
    data = path.read_bytes()
    assert data[:3] == b"ID3"
    size = 0
    for byte in data[6:10]:
        size = (size << 7) | byte
    return data[10 + size :]


SLUGS = ["eerste-laatste", "tweede", "derde"]


def test_one_mp3_timing_and_captions_per_chapter_and_a_playlist(tmp_path: Path) -> None:
    audio = render(tmp_path)
    expected = {f"{s}.{ext}" for s in SLUGS for ext in ("mp3", "json", "vtt", "srt")}
    assert {p.name for p in audio.iterdir()} == expected | {"playlist.m3u"}
    playlist = (audio / "playlist.m3u").read_text(encoding="utf-8").splitlines()
    assert playlist[0] == "#EXTM3U"
    assert "# The whole book in one file: ../audiobook/klein-boek.m4b" in playlist
    entries = [line for line in playlist if not line.startswith("#")]
    assert entries == [f"{s}.mp3" for s in SLUGS]
    infos = [line for line in playlist if line.startswith("#EXTINF:")]
    assert infos[0].endswith(",Eerste & Laatste")
    for info, slug in zip(infos, SLUGS, strict=True):
        seconds = int(info.split(":", 1)[1].split(",", 1)[0])
        assert seconds == round(timing(audio, slug).duration_ms / 1000)


def test_timing_matches_the_audio(tmp_path: Path) -> None:
    audio = render(tmp_path)
    for number, slug in enumerate(SLUGS, 1):
        doc = timing(audio, slug)
        assert (doc.chapter, doc.number) == (slug, number)
        # The MP3's own header says the same length (gapless: delay and padding excluded).
        assert round(MP3(audio / f"{slug}.mp3").info.length * 1000) == pytest.approx(
            doc.duration_ms, abs=1
        )
        previous_end = 0
        for u in doc.utterances:
            assert u.start_ms >= previous_end
            previous_end = u.end_ms
            # The fake speaks 60 ms per character of what it was given.
            assert u.end_ms - u.start_ms == pytest.approx(len(u.text) * 60, abs=1)
        assert previous_end <= doc.duration_ms
        assert doc.pauses[0] == TimedPause(start_ms=0, end_ms=500, after=slug, kind="chapter-start")
        end = doc.pauses[-1]
        assert end.kind == "chapter-end" and end.end_ms == doc.duration_ms
        assert end.end_ms - end.start_ms == pytest.approx(1000, abs=1)
    first = timing(audio, "eerste-laatste")
    assert [u.kind for u in first.utterances] == [
        "title",
        "paragraph",
        "paragraph",
        "lead-in",
        "prompt",
    ]
    assert first.utterances[0].text == "Eerste en Laatste."
    assert b"example.org" not in first.dump()
    prompt = next(p for p in first.pauses if p.kind == "prompt")
    assert prompt.end_ms - prompt.start_ms == pytest.approx(2000, abs=1)  # {pause=2}
    assert prompt.start_ms == first.utterances[-1].end_ms


def test_sections_start_with_the_title_and_cover_the_chapter(tmp_path: Path) -> None:
    doc = timing(render(tmp_path), "tweede")
    sections = doc.sections
    assert [s.title for s in sections] == ["Tweede", "Onderdeel A", "Onderdeel B"]
    assert sections[0].start_ms == 0 and sections[0].block == "tweede"
    heading_starts = [u.start_ms for u in doc.utterances if u.kind == "heading"]
    assert [s.start_ms for s in sections[1:]] == heading_starts
    for a, b in itertools.pairwise(sections):
        assert a.end_ms == b.start_ms
    assert sections[-1].end_ms == doc.duration_ms


def test_captions_have_one_cue_per_utterance_with_the_written_text(tmp_path: Path) -> None:
    audio = render(tmp_path)
    vtt = (audio / "eerste-laatste.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT\n\n")
    cues = vtt.strip().split("\n\n")[1:]
    doc = timing(audio, "eerste-laatste")
    assert len(cues) == len(doc.utterances)
    number, times, text = cues[0].split("\n")
    assert number == "1"
    assert times == "00:00:00.500 --> " + _vtt(doc.utterances[0].end_ms)
    # Written, escaped (spoken was "en"), each word after the first with when it is said.
    words = [doc.utterances[0].word_text(w) for w in doc.utterances[0].words]
    assert words == ["Eerste", "&", "Laatste"]
    stamps = [_vtt(w.start_ms) for w in doc.utterances[0].words[1:]]
    assert text == f"Eerste <{stamps[0]}>&amp; <{stamps[1]}>Laatste"
    assert re.sub(r"<[0-9:.]+>", "", cues[2].split("\n")[2]) == "Tweede zin."  # no 🔗


def _vtt(ms: int) -> str:
    return f"00:00:{ms // 1000:02d}.{ms % 1000:03d}"


def test_tags(tmp_path: Path) -> None:
    audio = render(tmp_path)
    tags = ID3(audio / "tweede.mp3")
    assert tags.version == (2, 4, 0)
    assert str(tags["TIT2"]) == "Tweede"
    assert str(tags["TALB"]) == "Klein Boek"
    assert str(tags["TPE1"]) == "Ada Auteur"
    assert str(tags["TRCK"]) == "2/3"
    assert str(tags["TLAN"]) == "nld"
    assert str(tags["TDRC"]) == "2024"
    assert tags.getall("APIC")[0].data == (tmp_path / "build" / "cover.jpg").read_bytes()
    toc = tags.getall("CTOC")[0]
    assert toc.flags & 0x03 == 0x03  # top level, ordered
    chaps = {c.element_id: c for c in tags.getall("CHAP")}
    ordered = [chaps[i] for i in toc.child_element_ids]
    doc = timing(audio, "tweede")
    assert [(str(c.sub_frames["TIT2"]), c.start_time, c.end_time) for c in ordered] == [
        (s.title, s.start_ms, s.end_ms) for s in doc.sections
    ]


def test_no_cover_no_art(tmp_path: Path) -> None:
    audio = render(tmp_path, cover=False)
    assert not ID3(audio / "derde.mp3").getall("APIC")


def test_the_mp3_has_an_info_header_with_exact_counts(tmp_path: Path) -> None:
    audio = render(tmp_path)
    for slug in SLUGS:
        data = stream(audio / f"{slug}.mp3")
        headers = list(encode.frames(data))
        info = headers[0]
        at = 4 + info.side_info_size
        assert data[at : at + 4] == b"Info"
        frames = int.from_bytes(data[at + 8 : at + 12], "big")
        size = int.from_bytes(data[at + 12 : at + 16], "big")
        assert frames == len(headers) - 1
        assert size == len(data)
        lame = at + 120
        assert data[lame : lame + 9] == b"LAME3.100"
        delays = int.from_bytes(data[lame + 21 : lame + 24], "big")
        delay, padding = delays >> 12, delays & 0xFFF
        samples = frames * info.samples - delay - padding
        assert samples * 1000 // info.sample_rate == timing(audio, slug).duration_ms
        assert {h.bitrate for h in headers} == {64} and {h.sample_rate for h in headers} == {22050}
        assert all(h.mono for h in headers)


def test_loudness_peak_and_prompt_room_tone(tmp_path: Path) -> None:
    audio = render(tmp_path)
    for slug in SLUGS:
        decoded = decode(stream(audio / f"{slug}.mp3"))
        assert decoded is not None
        assert fakes.reference_loudness(decoded, 22050) == pytest.approx(-19.0, abs=0.5)
        assert fakes.reference_true_peak_db(decoded) <= -1.0
    # pedalboard's decoder does not skip the encoder delay: shift by it.
    offset = encode.ENCODER_DELAY + 529
    decoded = decode(stream(audio / "eerste-laatste.mp3"))
    assert decoded is not None
    prompt = next(p for p in timing(audio, "eerste-laatste").pauses if p.kind == "prompt")
    quiet = decoded[offset + (prompt.start_ms + 200) * 22050 // 1000 :][
        : (prompt.end_ms - prompt.start_ms - 400) * 22050 // 1000
    ]
    # The default pause sound: room tone over trimmers' -50 dB, far under the voice.
    assert -50 < 20 * math.log10(float(np.sqrt(np.mean(quiet**2))) + 1e-12) < -45


def test_a_second_render_calls_the_engine_zero_times(tmp_path: Path) -> None:
    events: list[tuple[int, int, str]] = []
    first = render(tmp_path, progress=events)
    made = sum(fakes.calls.values())
    assert made > 0
    assert events[-1][0] == events[-1][1] > 0  # progress reaches the total
    assert [d for d, _, _ in events] == sorted(d for d, _, _ in events)
    before = {p.name: p.read_bytes() for p in first.iterdir()}
    fakes.reset()
    again: list[tuple[int, int, str]] = []
    second = render(tmp_path, out="build2", progress=again)
    assert sum(fakes.calls.values()) == 0
    assert {p.name: p.read_bytes() for p in second.iterdir()} == before
    assert again[-1][0] == again[-1][1]


def segment_files(tmp: Path) -> set[Path]:
    """The encoded segments in the cache render() uses."""
    return set((tmp / "cache" / "segments").glob("*/*"))


def test_editing_one_paragraph_synthesises_and_encodes_only_its_segment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    render(tmp_path)
    before = {p.name: p.read_bytes() for p in (tmp_path / "build" / "audio").iterdir()}
    segments_before = segment_files(tmp_path)
    assert len(segments_before) > len(SLUGS)  # the chapters were cut at their pauses
    fakes.reset()
    reported: list[dict[int, Any]] = []
    real_run_jobs = audio_renderer.run_jobs

    def spying(*args: Any, **kwargs: Any) -> Any:
        results = real_run_jobs(*args, **kwargs)
        reported.append(results)
        return results

    monkeypatch.setattr(audio_renderer, "run_jobs", spying)
    edited = make_book(SOURCE.replace("Meer tekst.", "Meer en andere tekst."))
    audio = render(tmp_path, edited)
    assert dict(fakes.calls) == {"Meer en andere tekst.": 1}
    # One chapter was made again, and in it one segment was encoded: the one that holds the
    # edited paragraph, as long as it and the halves of the pauses around it.
    [results] = reported
    assert [(i, r.encoded) for i, r in results.items()] == [(1, 1)]
    [new] = segment_files(tmp_path) - segments_before
    reader = BlobCache(new.parents[2], "segments").open(new.name)
    assert reader is not None
    with reader:
        samples = int(read_meta(reader.read)["samples"])
    said = next(u for u in timing(audio, "tweede").utterances if u.text == "Meer en andere tekst.")
    paragraph = (said.end_ms - said.start_ms) * 22050 // 1000
    assert paragraph < samples < paragraph + 1.2 * 22050  # the heading's and paragraph's pauses
    after = {p.name: p.read_bytes() for p in audio.iterdir()}
    changed = {name for name in after if after[name] != before[name]}
    # The other chapters' files are byte for byte the same; the playlist has a new length.
    assert changed == {"tweede.mp3", "tweede.json", "tweede.vtt", "tweede.srt", "playlist.m3u"}


def test_a_damaged_cache_entry_is_made_again(tmp_path: Path) -> None:
    render(tmp_path)
    speech = sorted((tmp_path / "cache" / "speech").glob("*/*"))
    victim = speech[0]
    victim.write_bytes(victim.read_bytes()[:-100])  # truncated
    for chapter in (tmp_path / "cache" / "chapters").glob("*/*"):
        chapter.write_bytes(chapter.read_bytes()[:50])  # and every finished chapter
    fakes.reset()
    render(tmp_path, out="build2")
    assert sum(fakes.calls.values()) == 1  # only the damaged utterance
    fakes.reset()
    render(tmp_path, out="build3")
    assert sum(fakes.calls.values()) == 0  # …and it was stored whole again
    assert not list((tmp_path / "cache").rglob(".tmp-*"))


def test_jobs_do_not_change_the_bytes(tmp_path: Path) -> None:
    one = render(tmp_path / "one", jobs=1)
    two = render(tmp_path / "two", jobs=2)
    files = sorted(p.name for p in one.iterdir())
    assert files == sorted(p.name for p in two.iterdir())
    for name in files:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_an_engine_error_names_the_chapter_and_line(tmp_path: Path) -> None:
    with pytest.raises(EngineError) as caught:
        render(tmp_path, factory=fakes.FakeFactory(fail_on="Meer tekst"))
    line = SOURCE.splitlines().index("Meer tekst.") + 1
    assert str(caught.value) == (
        f"boek.md:{line}: chapter 'Tweede': fake: service unreachable after 3 tries"
    )


def test_an_engine_error_in_a_worker_is_the_same_error(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match=r"^boek\.md:\d+: chapter 'Tweede': fake: service"):
        render(tmp_path, jobs=2, factory=fakes.FakeFactory(fail_on="Meer tekst"))


def test_another_engine_rate_is_kept_when_mpeg_allows_it(tmp_path: Path) -> None:
    audio = render(tmp_path, factory=fakes.FakeFactory(rate=24000))
    assert MP3(audio / "derde.mp3").info.sample_rate == 24000
    doc = timing(audio, "derde")
    assert doc.utterances[0].end_ms - doc.utterances[0].start_ms == pytest.approx(
        len(doc.utterances[0].text) * 60, abs=1
    )


def test_a_chapter_read_back_from_the_cache_is_the_same_as_one_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = render(tmp_path / "held")
    monkeypatch.setattr(pcm, "HELD_BYTES", 0)  # every utterance read back when needed
    streamed = render(tmp_path / "streamed")
    for path in sorted(held.iterdir()):
        assert (streamed / path.name).read_bytes() == path.read_bytes(), path.name


def test_segments_too_long_to_hold_are_rendered_again_and_make_the_same_mp3s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A segment longer than HOLD_BYTES (a pause's sound minutes long) is not held: rendered
    once for its key and again for the encoder, its frames in a file, copied from the cache
    a block at a time. The same bytes as a segment held whole, encoded or cached."""
    from publisher.renderers.audio import segments

    held = render(tmp_path / "held")
    monkeypatch.setattr(segments, "HOLD_BYTES", 0)
    streamed = render(tmp_path / "streamed")
    shutil.rmtree(tmp_path / "streamed" / "cache" / "chapters")  # made again…
    again = render(tmp_path / "streamed", out="again")  # …from every segment in the cache
    for path in sorted(held.iterdir()):
        assert (streamed / path.name).read_bytes() == path.read_bytes(), path.name
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name


def test_an_engine_rate_mpeg_does_not_allow_is_resampled(tmp_path: Path) -> None:
    audio = render(tmp_path, factory=fakes.FakeFactory(rate=22000))
    assert MP3(audio / "derde.mp3").info.sample_rate == 44100
    doc = timing(audio, "derde")
    first = doc.utterances[0]
    assert first.end_ms - first.start_ms == pytest.approx(len(first.text) * 60, abs=1)
    decoded = decode(stream(audio / "derde.mp3"))
    assert decoded is not None
    assert fakes.reference_loudness(decoded, 44100) == pytest.approx(-19.0, abs=0.5)
