"""Piper's voice collection: which voices there are, and each one's files and digests.

The collection (``rhasspy/piper-voices``) lists its voices in ``voices.json`` at its root:
for each voice (``nl_BE-nathalie-medium``) its language, quality and speakers, and its files
(the model, the model's config, the model card), each with its size and MD5 digest, by path
from the root. piper-tts 1.8's own downloader (``python -m piper.download_voices``) reads the
same list and the same files at :data:`DEFAULT_SOURCE`, but checks neither size nor digest
(a file counts as there once it is not empty, so a cut download stays "installed"), writes
straight into the final file, takes its address from module constants and waits on the
network without a timeout: so publisher fetches the files itself, by that list, and checks
every byte (:mod:`publisher.engines.install`).

The collection's address is a setting: ``--from URL``, else :data:`SOURCE_VARIABLE`, else
:data:`DEFAULT_SOURCE`. A voice's licence is in its model card, fetched (and checked against
its digest) only for the voices listed. Nothing here runs unless ``publisher voices`` is
asked to list or add a voice.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Self

import requests

from publisher.engines.net import failure, session_for
from publisher.engines.profiles import primary_subtag
from publisher.errors import DownloadError, SourceError
from publisher.urls import base_url_problem

DEFAULT_SOURCE = "https://huggingface.co/rhasspy/piper-voices/resolve/main/"
"""Where piper-tts 1.8 finds the collection (its ``download_voices.VOICES_JSON``'s folder)."""

SOURCE_VARIABLE = "PUBLISHER_PIPER_VOICES_URL"
"""The environment variable that replaces :data:`DEFAULT_SOURCE`."""

LIST = "voices.json"
"""The voice list's path in the collection."""

TIMEOUT = 30.0
"""Seconds to wait for the server to connect or to send more (not for a whole file)."""

MAX_LIST_BYTES = 32 << 20
"""The most the voice list may hold (it is about 0.3 MB): a wrong address ends early."""

MAX_CARD_BYTES = 1 << 20
"""The most a model card may hold (they are a few kB): a size the list gives is a claim, and
a card is held in memory whole."""

CHUNK = 1 << 20

_KEY = re.compile(
    r"(?P<family>[a-z]{2,3})_(?P<region>[A-Za-z0-9]+)-(?P<name>\w+)-(?P<quality>\w+)", re.ASCII
)
_LICENCE = re.compile(r"^\s*[*-]?\s*licen[cs]e\s*:\s*(?P<value>.+?)\s*$", re.I | re.M)
_UNSAFE_TEXT = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True, kw_only=True)
class VoiceFile:
    """One file of a voice: its path from the collection's root, size and MD5 digest."""

    path: str
    size: int
    md5: str

    @property
    def name(self) -> str:
        """The file's name, without its folders."""
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True, kw_only=True)
class CatalogVoice:
    """A voice of the collection, as its list describes it."""

    key: str  # nl_BE-nathalie-medium
    name: str  # nathalie
    language: str  # a language tag: nl-BE
    language_name: str  # Dutch (Belgium)
    quality: str  # x_low, low, medium, high
    speakers: int
    model: VoiceFile
    config: VoiceFile
    card: VoiceFile | None  # the model card, where the licence is

    @property
    def family(self) -> str:
        """The language without its region: ``nl``."""
        return primary_subtag(self.language)


def check_key(key: str) -> str:
    """``key`` if it has the form of a Piper voice name, else :class:`SourceError` (exit 2)."""
    if not _KEY.fullmatch(key):
        raise SourceError(f"{key!r} is not a Piper voice name like 'nl_BE-nathalie-medium'")
    return key


def source_url(url: str | None = None) -> str:
    """The collection's address (module docstring), ending in ``/``; :class:`SourceError` if
    it is not an http(s) address that paths can be added to."""
    chosen = url or os.environ.get(SOURCE_VARIABLE) or DEFAULT_SOURCE
    problem = base_url_problem(chosen)
    if problem is not None:
        raise SourceError(f"voice source {chosen!r} {problem}")
    return chosen if chosen.endswith("/") else f"{chosen}/"


def licence_of(card: str) -> str | None:
    """The licence a model card names (its ``* License: …`` line), on one line."""
    found = _LICENCE.search(card)
    return one_line(found.group("value")) if found else None


def one_line(text: str) -> str:
    """``text`` from a server, safe to print or to put in a comment: no control characters."""
    return " ".join(_UNSAFE_TEXT.sub(" ", text).split())


class Checked:
    """Counts and hashes bytes as they arrive, and checks them against a :class:`VoiceFile`."""

    def __init__(self, file: VoiceFile, url: str) -> None:
        self.file = file
        self.url = url
        self.size = 0
        self._md5 = hashlib.md5(usedforsecurity=False)  # the list gives MD5, nothing stronger

    def add(self, chunk: bytes) -> None:
        """Take the next bytes; a file longer than the list says stops here."""
        self.size += len(chunk)
        if self.size > self.file.size:
            raise DownloadError(
                f"{self.url}: more than the {self.file.size} bytes the voice list gives"
            )
        self._md5.update(chunk)

    def verify(self) -> None:
        """:class:`DownloadError` unless size and digest are the list's."""
        if self.size != self.file.size:
            raise DownloadError(
                f"{self.url}: {self.size} bytes, the voice list gives {self.file.size}"
            )
        digest = self._md5.hexdigest()
        if digest != self.file.md5.lower():
            raise DownloadError(
                f"{self.url}: MD5 digest {digest} differs from the voice list's {self.file.md5}"
            )


class Collection:
    """Piper's voice collection at an address (module docstring): its list, fetched once when
    first needed, and its files, fetched on request. Use it in a ``with`` block."""

    def __init__(self, source: str | None = None, *, timeout: float = TIMEOUT) -> None:
        self.source = source_url(source)
        self.timeout = timeout
        self.session = session_for(self.source)
        self._list: dict[str, Any] | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.session.close()

    def url(self, path: str) -> str:
        """The address of the file at ``path`` in the collection."""
        return self.source + urllib.parse.quote(path)

    def chunks(self, path: str) -> Iterator[bytes]:
        """The file at ``path``, a megabyte at a time; :class:`DownloadError` if it cannot be
        had whole."""
        url = self.url(path)
        try:
            with self.session.get(url, stream=True, timeout=self.timeout) as response:
                if response.status_code != 200:
                    raise DownloadError(f"{url}: HTTP {response.status_code} {response.reason}")
                yield from response.iter_content(CHUNK)
        except requests.RequestException as e:
            raise DownloadError(f"cannot download {url}: {failure(e, self.timeout)}") from e

    def fetch(self, file: VoiceFile) -> bytes:
        """A small file of a voice (the model card), checked against the list;
        :class:`DownloadError` if the list gives it more than :data:`MAX_CARD_BYTES`."""
        if file.size > MAX_CARD_BYTES:
            raise DownloadError(
                f"{self.url(file.path)}: the voice list gives {file.size} bytes; "
                f"a model card holds at most {MAX_CARD_BYTES >> 20} MB"
            )
        checked = Checked(file, self.url(file.path))
        parts = []
        for chunk in self.chunks(file.path):
            checked.add(chunk)
            parts.append(chunk)
        checked.verify()
        return b"".join(parts)

    def voices(self) -> dict[str, Any]:
        """The voice list, by voice name (fetched on first use)."""
        if self._list is None:
            self._list = self._fetch_list()
        return self._list

    def _fetch_list(self) -> dict[str, Any]:
        url = self.url(LIST)
        parts, size = [], 0
        for chunk in self.chunks(LIST):
            size += len(chunk)
            if size > MAX_LIST_BYTES:
                raise DownloadError(f"{url}: more than {MAX_LIST_BYTES >> 20} MB: not a voice list")
            parts.append(chunk)
        try:
            data = json.loads(b"".join(parts))
        except ValueError as e:
            raise DownloadError(f"{url}: not a voice list (not JSON: {e})") from e
        if not isinstance(data, dict):
            raise DownloadError(f"{url}: not a voice list (not a JSON object)")
        return data

    def voice(self, key: str) -> CatalogVoice:
        """The voice called ``key``; :class:`SourceError` if the list has none (exit 2)."""
        voices = self.voices()
        if key not in voices:
            close = difflib.get_close_matches(key, list(voices), n=3, cutoff=0.8)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise SourceError(f"no Piper voice {key!r} in {self.url(LIST)}{hint}")
        voice = _voice(key, voices[key])
        if voice is None:
            raise DownloadError(f"{self.url(LIST)}: the entry for {key!r} is not as expected")
        return voice

    def for_language(self, language: str) -> list[CatalogVoice]:
        """The voices in ``language`` (``nl`` lists every Dutch voice, ``nl-BE`` the
        Belgian ones), by name; entries the list holds in another form are left out."""
        wanted = language.replace("_", "-").lower()
        found = []
        for key, entry in sorted(self.voices().items()):
            voice = _voice(key, entry)
            if voice is None:
                continue
            tag = voice.language.lower()
            if wanted in (tag, voice.family):
                found.append(voice)
        return found

    def licences(self, voices: list[CatalogVoice]) -> list[str]:
        """Each voice's licence from its model card (several fetched at once); a card that
        cannot be had is an unknown licence for that voice, not the end of the list."""

        def licence(voice: CatalogVoice) -> str:
            if voice.card is None:
                return "unknown (no model card)"
            try:
                card = self.fetch(voice.card).decode("utf-8", errors="replace")
            except DownloadError:
                return "unknown (model card unreadable)"
            return licence_of(card) or "unknown (see its model card)"

        with ThreadPoolExecutor(max_workers=8) as pool:
            return list(pool.map(licence, voices))


def _voice(key: str, entry: object) -> CatalogVoice | None:
    """The list's ``entry`` for ``key``, or None if it is not in the form expected."""
    match = _KEY.fullmatch(key)
    if match is None or not isinstance(entry, dict):
        return None
    files = _files(entry.get("files"))
    model, config = files.get(f"{key}.onnx"), files.get(f"{key}.onnx.json")
    if model is None or config is None:
        return None
    language = entry.get("language")
    language = language if isinstance(language, dict) else {}
    english = one_line(str(language.get("name_english") or match["family"]))
    country = one_line(str(language.get("country_english") or ""))
    speakers = entry.get("num_speakers")
    return CatalogVoice(
        key=key,
        name=match["name"],
        language=f"{match['family']}-{match['region']}",
        language_name=f"{english} ({country})" if country else english,
        quality=match["quality"],
        speakers=speakers if isinstance(speakers, int) and speakers > 0 else 1,
        model=model,
        config=config,
        card=files.get("MODEL_CARD"),
    )


def _files(listed: object) -> dict[str, VoiceFile]:
    """A voice's files by name; those with an unsafe path, size or digest are left out."""
    files: dict[str, VoiceFile] = {}
    if not isinstance(listed, dict):
        return files
    for path, facts in listed.items():
        if not isinstance(path, str) or not isinstance(facts, dict):
            continue
        parts = path.split("/")
        if path.startswith("/") or "\\" in path or any(p in ("", ".", "..") for p in parts):
            continue  # the list names files inside the collection only
        size, md5 = facts.get("size_bytes"), facts.get("md5_digest")
        if not isinstance(size, int) or size < 0 or not isinstance(md5, str):
            continue
        if not re.fullmatch(r"[0-9a-fA-F]{32}", md5):
            continue
        file = VoiceFile(path=path, size=size, md5=md5)
        files[file.name] = file
    return files
