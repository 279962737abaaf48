"""``publisher voices add``: a Piper voice from the collection into the book's voices folder,
with a profile written for it, so that ``narration.voice`` can name it at once.

**All or nothing.** Each file is downloaded into a hidden temporary file in the voices folder
(the same file system, so the last step is a rename) and checked against the size and MD5
digest the voice list gives (:mod:`publisher.engines.catalog`). Only when the model and its
config are both whole are they renamed into place, then the profile. A failure, a cut
connection or Ctrl-C removes the temporary files, and the voices folder if this made it.

**The profile's name** is ``<language>-<speaker>-piper``: the language without its region,
the speaker's name with ``_`` written ``-``. ``nl_BE-nathalie-medium`` gets
``nl-nathalie-piper``, ``nl_NL-mls_5809-low`` ``nl-mls-5809-piper``, ``en_US-joe-medium``
``en-joe-piper`` (which then stands in for publisher's own profile of that name). Two
qualities of one speaker would share the name: the second takes another with ``name``.

A voice already there is not downloaded again unless ``force``; a profile that names the
model already is kept as it is (its lexicon and rate are the author's), and a profile of the
name for another model is never overwritten.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from publisher.engines.catalog import (
    TIMEOUT,
    CatalogVoice,
    Checked,
    Collection,
    VoiceFile,
    check_key,
    licence_of,
    one_line,
)
from publisher.engines.profiles import load_profile
from publisher.errors import BuildError, DownloadError, SourceError
from publisher.i18n import is_language_tag

Progress = Callable[[int, int, str], None]
"""Told ``(bytes done, bytes in all, file name)`` as a file downloads."""

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_DATASET = re.compile(r"^\s*[*-]?\s*URL\s*:\s*(?P<value>\S+)", re.I | re.M)


@dataclass(frozen=True, kw_only=True)
class Installed:
    """What :func:`install_voice` did."""

    voice: CatalogVoice
    profile: str  # the profile's name, for narration.voice
    path: Path  # the profile file
    licence: str
    kept_profile: bool  # a profile for the model was there already, and kept


@dataclass(frozen=True, kw_only=True)
class Available:
    """A voice of the collection for ``publisher voices --available``."""

    voice: CatalogVoice
    licence: str
    profile: str  # the name its profile would get
    installed: bool  # its model is in the voices folder

    def line(self) -> str:
        """One line of the listing: name, language, quality, speakers, size, licence, and the
        profile it gets (or has)."""
        v = self.voice
        speakers = f"{v.speakers} speaker{'s' if v.speakers > 1 else ''}"
        size = f"{v.model.size / 1e6:.0f} MB"
        state = " (installed)" if self.installed else ""
        return (
            f"{v.key:<26} {v.language:<6} {v.quality:<7} {speakers:<12} {size:>6}  "
            f"{self.licence:<16} -> {self.profile}{state}"
        )


def profile_name(voice: CatalogVoice) -> str:
    """The name of the profile written for ``voice`` (module docstring)."""
    return f"{voice.family}-{voice.name.replace('_', '-').lower()}-piper"


def available(
    language: str, voices_dir: Path | str, *, source: str | None = None
) -> list[Available]:
    """The collection's voices in ``language``, with their licences; whether each is
    installed in ``voices_dir``. :class:`SourceError` (exit 2), before anything is
    downloaded, if ``language`` is no language tag."""
    if not is_language_tag(language.replace("_", "-")):
        raise SourceError(f"{language!r} is not a language like 'nl' or 'nl-BE'")
    folder = Path(voices_dir)
    with Collection(source) as collection:
        voices = collection.for_language(language)
        licences = collection.licences(voices)
    return [
        Available(
            voice=v,
            licence=licence,
            profile=profile_name(v),
            installed=(folder / v.model.name).is_file(),
        )
        for v, licence in zip(voices, licences, strict=True)
    ]


def install_voice(
    key: str,
    voices_dir: Path | str,
    *,
    source: str | None = None,
    name: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
    timeout: float = TIMEOUT,
) -> Installed:
    """Install the voice called ``key`` into ``voices_dir`` (module docstring).

    :class:`SourceError` (exit 2) for a name that is no voice, a voice already installed
    (without ``force``) or a profile name taken; :class:`DownloadError` (exit 1) when the
    network, the server or a digest fails. Either way nothing new is left in the folder.
    """
    check_key(key)
    if name is not None and not _NAME.fullmatch(name):
        raise SourceError(f"{name!r} cannot be a profile name (letters, digits, - and _)")
    folder = Path(voices_dir)
    with Collection(source, timeout=timeout) as collection:
        voice = collection.voice(key)
        profile = name or profile_name(voice)
        targets = {
            "config": folder / voice.config.name,
            "model": folder / voice.model.name,
            "profile": folder / f"{profile}.toml",
        }
        keep = _check_targets(voice, targets, force)
        card = "" if voice.card is None else collection.fetch(voice.card).decode(errors="replace")
        licence = licence_of(card) or "unknown (see the voice's model card)"
        text = None if keep else profile_text(voice, licence, _dataset(card), collection.source)
        try:
            _stage_and_place(collection, voice, targets, text, progress)
        except OSError as e:  # the disk: full, read-only, a file where the folder should be
            raise BuildError(f"cannot write the voice into {folder}: {e}") from e
    return Installed(
        voice=voice, profile=profile, path=targets["profile"], licence=licence, kept_profile=keep
    )


def _stage_and_place(
    collection: Collection,
    voice: CatalogVoice,
    targets: dict[str, Path],
    profile: str | None,
    progress: Progress | None,
) -> None:
    """Download the config (checked to be one) and the model, stage ``profile`` (if any),
    and rename them into ``targets`` together (module docstring)."""
    with _Staging(targets["model"].parent) as staging:
        staged = {"config": staging.download(collection, voice.config, progress)}
        _check_config(staged["config"], collection.url(voice.config.path))
        staged["model"] = staging.download(collection, voice.model, progress)
        if profile is not None:
            staged["profile"] = staging.write(profile, ".toml")
            load_profile(staged["profile"])  # what a build will read: checked now
        staging.place(
            [(staged[k], targets[k]) for k in ("config", "model", "profile") if k in staged]
        )


def _check_targets(voice: CatalogVoice, targets: dict[str, Path], force: bool) -> bool:
    """Whether the profile there already names this voice's model (and is kept);
    :class:`SourceError` if the voice is installed (without ``force``) or the profile's
    name is taken by another model's."""
    path = targets["profile"]
    named = _model_of(path)
    if path.exists() and named != voice.model.name:
        raise SourceError(
            f"{path} is a profile for {named or 'another voice'}; choose another name with --name"
        )
    there = [p for p in (targets["config"], targets["model"]) if p.exists()]
    if there and not force:
        raise SourceError(
            f"{voice.key} is installed already ({', '.join(p.name for p in there)} in "
            f"{path.parent}); --force downloads it again"
        )
    return path.exists()


def _model_of(profile: Path) -> str | None:
    """The ``model`` a profile file names, if it is one that can be read."""
    try:
        model = tomllib.loads(profile.read_text(encoding="utf-8")).get("model")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return model if isinstance(model, str) else None


def _check_config(path: Path, url: str) -> None:
    """:class:`DownloadError` unless ``path`` is a Piper model config (its digest matched, but
    the list may be wrong too)."""
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
        rate = config["audio"]["sample_rate"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise DownloadError(f"{url}: not a Piper model config ({e})") from e
    if not isinstance(rate, int) or rate <= 0:
        raise DownloadError(f"{url}: not a Piper model config (sample rate {rate!r})")


def _dataset(card: str) -> str | None:
    found = _DATASET.search(card)
    return one_line(found.group("value")) if found else None


def profile_text(voice: CatalogVoice, licence: str, dataset: str | None, source: str) -> str:
    """The profile written for ``voice``: the format of ``voices/README.md``, with where the
    voice came from and its licence in comments."""

    def quoted(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string

    lines = [
        f"# {voice.language_name}, Piper voice {voice.key}: installed by",
        f"# `publisher voices add {voice.key}` from {one_line(source)}",
        f"# Licence: {licence} (from the voice's model card)"
        + (f"; data: {dataset}" if dataset else ""),
    ]
    if voice.speakers > 1:
        lines.append(
            f'# {voice.speakers} speakers: voice = "NAME" chooses one (the names are in the '
            f"speaker_id_map of {voice.config.name}); without it, the first."
        )
    lines += [
        f"description = {quoted(f'{voice.language_name}, Piper {voice.name} {voice.quality} (offline, neural)')}",
        'engine = "piper"',
        f"language = {quoted(voice.language)}",
        f"model = {quoted(voice.model.name)}",
    ]
    return "\n".join(lines) + "\n"


def _umask() -> int:
    """This process's file mode mask (reading it means setting it: set back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class _Staging:
    """Temporary files in the voices folder, renamed into place together or removed (module
    docstring); the folder too, if it made it and it is empty at a failure."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made_folder = not folder.exists()
        self.temporary: list[Path] = []

    def __enter__(self) -> _Staging:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        for path in self.temporary:
            path.unlink(missing_ok=True)
        if kind is not None and self.made_folder:
            with contextlib.suppress(OSError):  # not empty: someone else put files there
                self.folder.rmdir()

    def _new(self, suffix: str) -> tuple[int, Path]:
        handle, name = tempfile.mkstemp(dir=self.folder, prefix=".voices-add-", suffix=suffix)
        path = Path(name)
        self.temporary.append(path)
        # mkstemp makes it private (0600); once in place it is an ordinary file of the book.
        path.chmod(0o666 & ~_umask())
        return handle, path

    def download(self, collection: Collection, file: VoiceFile, progress: Progress | None) -> Path:
        """``file`` downloaded into a temporary file here, and checked."""
        handle, path = self._new(".part")
        checked = Checked(file, collection.url(file.path))
        with os.fdopen(handle, "wb") as out:
            for chunk in _chunks(collection, file, progress, checked):
                out.write(chunk)
        checked.verify()
        return path

    def write(self, text: str, suffix: str) -> Path:
        """``text`` in a temporary file here."""
        handle, path = self._new(f"{suffix}.part")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        return path

    def place(self, moves: list[tuple[Path, Path]]) -> None:
        """Rename each staged file to its place; if one fails, take back those placed that
        were not there before."""
        placed: list[Path] = []
        try:
            for staged, target in moves:
                new = not target.exists()
                staged.replace(target)
                self.temporary.remove(staged)
                if new:
                    placed.append(target)
        except OSError:
            for target in placed:
                target.unlink(missing_ok=True)
            raise


def _chunks(
    collection: Collection, file: VoiceFile, progress: Progress | None, checked: Checked
) -> Iterator[bytes]:
    """The file's bytes as they arrive, counted, hashed and reported."""
    for chunk in collection.chunks(file.path):
        checked.add(chunk)
        if progress is not None:
            progress(checked.size, file.size, file.name)
        yield chunk
