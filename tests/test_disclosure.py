"""The audio says, for machines, that its voice is synthetic: the IPTC digital source type in
every MP3's and the M4B's tags, and, with a signing key, a C2PA content credential that
``c2pa-python`` (the library that signs) reads back as valid.

The key is a throwaway one made by :mod:`tests.signing`; its CA is on no trust list, so the
credential reads back valid and "untrusted", which is right.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import c2pa
import pytest
from lxml import etree
from mutagen.id3 import ID3
from mutagen.mp4 import MP4

from publisher.errors import SourceError
from publisher.reader.credentials import CERTIFICATE_ENV, KEY_ENV, NO_KEY, credential_problems
from publisher.reader.parse import parse_text
from publisher.renderers.audio.renderer import AudioRenderer
from publisher.renderers.base import RenderContext
from publisher.speech.disclosure import (
    ALGORITHMIC,
    COMPOSITE_TRAINED,
    TRAINED,
    synthetic,
)
from tests import fakes
from tests.signing import make_signer
from tests.test_audio import SLUGS, SOURCE, make_book, render
from tests.test_audiobook import build_m4b

IPTC_EXT = "{http://iptc.org/std/Iptc4xmpExt/2008-02-29/}DigitalSourceType"
UNTRUSTED = "signingCredential.untrusted"


@pytest.fixture(autouse=True)
def _no_key_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the machine's environment holds, each test says which key it signs with.
    The fake engine speaks as the shipped espeak-ng profile, so that the audiobook, which
    finds each voice's engine by the profile's name, knows it as the audio does."""
    monkeypatch.delenv(CERTIFICATE_ENV, raising=False)
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.setattr(fakes, "FAKE_VOICE", replace(fakes.FAKE_VOICE, name="nl-espeak"))
    fakes.reset()


@pytest.fixture
def signer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A throwaway signing key, given in the environment."""
    folder = tmp_path / "keys"
    folder.mkdir()
    chain, key = make_signer(folder)
    monkeypatch.setenv(CERTIFICATE_ENV, str(chain))
    monkeypatch.setenv(KEY_ENV, str(key))
    return chain, key


def xmp_source_type(packet: bytes) -> str | None:
    """``Iptc4xmpExt:DigitalSourceType`` in an XMP packet, parsed as XML."""
    found = etree.fromstring(packet).find(f".//{IPTC_EXT}")
    return None if found is None else found.text


def mp4_xmp(path: Path) -> bytes:
    """The XMP packet of the MP4's top-level XMP ``uuid`` box (Adobe XMP, part 3)."""
    data = path.read_bytes()
    at = 0
    while at < len(data):
        size, kind = int.from_bytes(data[at : at + 4], "big"), data[at + 4 : at + 8]
        if kind == b"uuid" and data[at + 8 : at + 24].hex().upper() == (
            "BE7ACFCB97A942E89C71999491E3AFAC"
        ):
            return data[at + 24 : at + size]
        at += size
    raise AssertionError("no XMP box")


def credential(path: Path, media_type: str) -> tuple[str | None, list[str], dict[str, Any]]:
    """What c2pa-python reads from ``path``: its validation state, the codes of what failed,
    and the ``c2pa.created`` action."""
    with path.open("rb") as f:
        reader = c2pa.Reader(media_type, f)
        active = reader.get_active_manifest()
        results = reader.get_validation_results() or {}
        state = reader.get_validation_state()
    failed = [r["code"] for r in results.get("activeManifest", {}).get("failure", [])]
    assert active is not None
    (actions,) = [a for a in active["assertions"] if a["label"].startswith("c2pa.actions")]
    return state, failed, actions["data"]["actions"][0]


# --- the digital source type -----------------------------------------------------------------


def test_each_engine_has_its_source_type() -> None:
    engines = {"e": "espeak", "f": "espeak", "p": "piper", "g": "gtts"}
    assert synthetic(["e", "f"], engines).source_type == ALGORITHMIC
    assert synthetic(["p"], engines).source_type == TRAINED
    assert synthetic(["g", "p"], engines).source_type == TRAINED
    assert synthetic(["e", "p"], engines).source_type == COMPOSITE_TRAINED
    assert synthetic(["x"], engines).source_type == TRAINED  # unknown: say more, not less
    assert synthetic(["e", "f", "p"], engines).agent == "espeak-ng (e, f); Piper (p)"


@pytest.mark.slow
def test_every_mp3_and_the_m4b_carry_the_digital_source_type(tmp_path: Path) -> None:
    m4b = build_m4b(tmp_path)
    assert m4b is not None
    for slug in SLUGS:
        tags = ID3(tmp_path / "build" / "audio" / f"{slug}.mp3")
        assert tags.version == (2, 4, 0)
        assert str(tags["TXXX:DigitalSourceType"]) == ALGORITHMIC  # the fake is an espeak voice
        (xmp,) = [frame for frame in tags.getall("PRIV") if frame.owner == "XMP"]
        assert xmp_source_type(xmp.data) == ALGORITHMIC
        assert not tags.getall("GEOB")  # no key: no credential
    atoms = MP4(m4b).tags
    assert atoms is not None
    assert bytes(atoms["----:com.apple.iTunes:DigitalSourceType"][0]).decode() == ALGORITHMIC
    assert xmp_source_type(mp4_xmp(m4b)) == ALGORITHMIC
    with m4b.open("rb") as f, pytest.raises(c2pa.C2paError):
        c2pa.Reader("audio/mp4", f)  # no credential in it


# --- the content credential -------------------------------------------------------------------


@pytest.mark.slow
def test_with_a_key_each_mp3_and_the_m4b_hold_a_valid_credential(
    tmp_path: Path, signer: tuple[Path, Path]
) -> None:
    m4b = build_m4b(tmp_path)
    assert m4b is not None
    files = [(tmp_path / "build" / "audio" / f"{s}.mp3", "audio/mpeg") for s in SLUGS]
    for path, media_type in [*files, (m4b, "audio/mp4")]:
        state, failed, created = credential(path, media_type)
        assert state == "Valid", (path.name, failed)
        assert failed in ([], [UNTRUSTED])  # a test CA: valid, but on no trust list
        assert created["action"] == "c2pa.created"
        assert created["digitalSourceType"] == ALGORITHMIC
        assert created["softwareAgent"]["name"] == "espeak-ng (nl-espeak)"
    # The other marks stay, the credential beside them.
    tags = ID3(files[0][0])
    assert str(tags["TXXX:DigitalSourceType"]) == ALGORITHMIC and tags.getall("GEOB")


@pytest.mark.slow
def test_a_rebuild_gives_the_same_signed_bytes_and_an_edit_signs_only_its_chapter(
    tmp_path: Path, signer: tuple[Path, Path]
) -> None:
    audio = render(tmp_path)
    first = {s: (audio / f"{s}.mp3").read_bytes() for s in SLUGS}
    audio = render(tmp_path)  # the signing library's salt is random: the cache keeps one
    assert {s: (audio / f"{s}.mp3").read_bytes() for s in SLUGS} == first
    edited = make_book(SOURCE.replace("Tekst hier.", "Andere tekst hier."))
    audio = render(tmp_path, edited)
    again = {s: (audio / f"{s}.mp3").read_bytes() for s in SLUGS}
    assert [s for s in SLUGS if again[s] != first[s]] == ["tweede"]
    state, failed, _ = credential(audio / "tweede.mp3", "audio/mpeg")
    assert state == "Valid" and failed in ([], [UNTRUSTED])


@pytest.mark.slow
def test_a_damaged_signed_file_in_the_cache_is_signed_again(
    tmp_path: Path, signer: tuple[Path, Path]
) -> None:
    audio = render(tmp_path)
    for entry in (tmp_path / "cache" / "sealed").glob("*/*"):
        entry.write_bytes(entry.read_bytes()[:-100])
    audio = render(tmp_path)
    for slug in SLUGS:
        state, failed, _ = credential(audio / f"{slug}.mp3", "audio/mpeg")
        assert state == "Valid" and failed in ([], [UNTRUSTED])


# --- the key: where it comes from, and what is wrong with it ----------------------------------

FRONT = SOURCE.replace(
    "date: 2024-05-06\n",
    "date: 2024-05-06\ncredentials: {certificate: signer.pem, key: signer.key}\n",
)


def test_without_a_key_the_audio_says_so_once_as_a_note(tmp_path: Path) -> None:
    assert credential_problems(make_book()) == []  # nothing wrong with the book
    ctx = RenderContext(
        book=make_book(),
        root=tmp_path / "build",
        out_dir=tmp_path / "build" / "audio",
        published=tmp_path / "build",
        cache_dir=tmp_path / "cache",
    )
    ctx.out_dir.mkdir(parents=True)
    warned = (
        AudioRenderer(synthesizer_factory=fakes.FakeFactory(), voice=fakes.FAKE_VOICE)
        .render(ctx)
        .warnings
    )
    (note,) = [p for p in warned if p.severity == "note"]
    assert str(note) == f"boek.md: note: {NO_KEY}"


def test_the_front_matter_names_the_key_beside_the_book(tmp_path: Path) -> None:
    make_signer(tmp_path)
    book = parse_text(FRONT, str(tmp_path / "boek.md"), root=str(tmp_path)).book
    assert credential_problems(book) == []
    (tmp_path / "signer.key").unlink()
    with pytest.raises(SourceError) as caught:
        credential_problems(book)
    assert caught.value.lines() == [
        f"{tmp_path / 'boek.md'}:7: credentials.key 'signer.key' not found"
    ]


def test_a_key_that_is_not_the_certificates_is_refused_at_its_line(tmp_path: Path) -> None:
    make_signer(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    make_signer(other)
    shutil.copy(other / "signer.key", tmp_path / "signer.key")
    book = parse_text(FRONT, str(tmp_path / "boek.md"), root=str(tmp_path)).book
    with pytest.raises(SourceError, match=r":7: signer.key is not the key of the first"):
        credential_problems(book)
    (tmp_path / "signer.key").write_text("not a key")
    with pytest.raises(SourceError, match=r":7: signer.key is not an unencrypted PEM"):
        credential_problems(book)


def test_one_variable_without_the_other_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chain, _ = make_signer(tmp_path)
    monkeypatch.setenv(CERTIFICATE_ENV, str(chain))
    with pytest.raises(SourceError, match=f"{KEY_ENV} is not set"):
        credential_problems(make_book())
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "missing.key"))
    with pytest.raises(SourceError, match="no such file"):
        credential_problems(make_book())
