"""A text form of every binary output of a build, for golden files a reviewer can read.

A SHA-256 says only *that* an MP3 changed; this says *what* changed: an MP3's tags, chapter
marks, decoded length and loudness; the M4B's boxes, chapters and tags; an EPUB's files and
its package document; a JPEG's size and sampling. Beside the digest listing, the diff of this
file explains a regenerated golden (CONTRIBUTING.md, "Golden files").
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pyloudnorm
from mutagen.id3 import ID3
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from PIL import Image

from tests.helpers import gapless

# Boxes whose children are boxes (ISO/IEC 14496-12), for the M4B's outline.
_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"udta", b"edts", b"dinf", b"tref"}


def _loudness(samples: np.ndarray, rate: int) -> str:
    """Integrated loudness (EBU R128 via pyloudnorm), to 0.1 LU."""
    return f"{pyloudnorm.Meter(rate).integrated_loudness(samples):.1f} LUFS"


def _mp3(path: Path) -> Iterator[str]:
    audio = MP3(path)
    samples = gapless(path.read_bytes())
    rate = audio.info.sample_rate
    yield (
        f"  {audio.info.bitrate // 1000} kbps, {rate} Hz, {audio.info.channels} channel(s); "
        f"decoded {len(samples)} samples ({len(samples) / rate:.3f} s), "
        f"{_loudness(samples, rate)}"
    )
    tags = ID3(path)
    for key in sorted(tags.keys()):
        frame = tags[key]
        if key.startswith("APIC"):
            yield f"  {key}: {frame.mime}, {len(frame.data)} bytes"
        elif key.startswith("CHAP"):
            titles = [str(sub) for sub in frame.sub_frames.values()]
            yield f"  {key}: {frame.start_time}-{frame.end_time} ms {titles}"
        elif key.startswith("CTOC"):
            yield f"  {key}: {list(frame.child_element_ids)}"
        else:
            people = getattr(frame, "people", None)  # TMCL/TIPL: role and name pairs
            yield f"  {key}: {people if people is not None else frame}"


def _boxes(data: bytes, depth: int = 1) -> Iterator[str]:
    """The box tree of an MP4 file: type and size, children indented."""
    at = 0
    while at + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", data[at + 8 : at + 16])[0], 16
        elif size == 0:
            size = len(data) - at
        name = kind.decode("latin-1")
        yield f"{'  ' * depth}{name} {size}"
        if kind in _CONTAINERS:
            yield from _boxes(data[at + header : at + size], depth + 1)
        at += size


def _m4b(path: Path) -> Iterator[str]:
    data = path.read_bytes()
    yield from _boxes(data)
    tags = MP4(path)
    yield f"  {tags.info.codec}, {tags.info.sample_rate} Hz, {tags.info.length:.3f} s"
    for key in sorted(tags.tags or {}):
        value = tags.tags[key]
        if key == "covr":
            yield f"  covr: {[len(v) for v in value]} bytes"
        else:  # free-form values are bytes: shown as the text they hold
            shown = [bytes(v).decode("utf-8") if isinstance(v, bytes) else v for v in value]
            yield f"  {key}: {shown}"
    for chapter in tags.chapters or []:
        yield f"  chapter {chapter.start:.3f} s: {chapter.title}"
    samples = gapless(data)
    yield f"  decoded {len(samples)} samples, {_loudness(samples, tags.info.sample_rate)}"


def _epub(path: Path) -> Iterator[str]:
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            method = "stored" if info.compress_type == zipfile.ZIP_STORED else "deflated"
            yield f"  {info.filename} {info.file_size} {method}"
        opf = next(n for n in archive.namelist() if n.endswith(".opf"))
        yield f"  --- {opf}"
        for line in archive.read(opf).decode("utf-8").splitlines():
            yield f"  {line}"


def _jpeg(path: Path) -> Iterator[str]:
    with Image.open(path) as image:
        sampling = getattr(image, "layer", None)
        yield f"  {image.format} {image.mode} {image.size[0]}x{image.size[1]} layers={sampling}"


DESCRIBERS: dict[str, Callable[[Path], Iterator[str]]] = {
    ".mp3": _mp3,
    ".m4b": _m4b,
    ".epub": _epub,
    ".jpg": _jpeg,
}


def describe(out: Path) -> str:
    """The text form of every binary file below ``out``, sorted by path."""
    lines: list[str] = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        describer = DESCRIBERS.get(path.suffix)
        if describer is not None:
            lines.append(path.relative_to(out).as_posix())
            lines.extend(describer(path))
    return "\n".join(lines) + "\n"
