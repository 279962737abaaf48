"""Who speaks what: the voice profiles a book's narration uses, found by name or language.

The speech script names voices (:class:`publisher.speech.voicing.Cast`): the book's own, one
per role (``narration.roles``), one a block asks for (``{voice=name}``), and one per language
of text in another script. This module turns those names into profiles, so the audio target
can make one engine per voice, and checks them first: an unknown voice is an error at the
line that names it. The targets that read the narration back (the read-along EPUB, the
website) make the same :class:`BookCast`, so their script is the audio's.
"""

from __future__ import annotations

from pathlib import Path

from publisher import model as m
from publisher.engines.base import VoiceProfile
from publisher.engines.profiles import (
    available_profiles,
    book_voices,
    builtin_profile,
    check_profile,
    choose_voice,
    is_offline,
    primary_subtag,
)
from publisher.errors import EngineError, SourceError
from publisher.speech.voicing import Cast

SYNTHETIC = "synthetic voice"
"""How narrator tags say that no person reads the book."""


def voices_folder(book: m.Book) -> Path:
    """The book's own voice profiles: ``voices/`` beside the source folder, else inside it
    (:func:`~publisher.engines.profiles.book_voices`; the shipped ones come after them)."""
    return book_voices(book.root)


class BookCast:
    """The voices of one book: ``profile`` (the book's) and every other one it names."""

    def __init__(self, book: m.Book, profile: VoiceProfile, voices_dir: Path | None = None):
        self.book = book
        self.voices_dir = voices_dir if voices_dir is not None else voices_folder(book)
        self.available = {p.name: p for p in available_profiles(self.voices_dir)}
        self.profiles: dict[str, VoiceProfile] = {profile.name: profile}
        self.book_voice = profile.name
        self._languages: dict[str, str | None] = {}

    def cast(self) -> Cast:
        """The :class:`Cast` the speech script assigns voices from (names checked)."""
        roles = self.book.config.narration.roles
        for role, name in roles.items():
            self.require(name, self.book.config.line_of(f"narration.roles.{role}"))
        for chapter in self.book.chapters:
            for block in m.walk((*chapter.blocks, *chapter.footnotes)):
                asked = getattr(block, "voice", None)
                if asked is not None:
                    self.require(asked, block.line, block.path)
        return Cast(book=self.book_voice, roles=roles, speaks=self.speaks)

    def require(self, name: str, line: int | None, path: str | None = None) -> VoiceProfile:
        """The profile called ``name``; :class:`SourceError` at ``line`` if there is none,
        :class:`EngineError` if it cannot speak here."""
        if name in self.profiles:
            return self.profiles[name]
        where = path or self.book.source
        profile = self.available.get(name)
        if profile is None:
            known = ", ".join(self.available) or "none"
            raise SourceError.at(where, line, f"unknown voice {name!r} (voices: {known})")
        reason = check_profile(profile, self.voices_dir)
        if reason is not None:
            raise EngineError(f"{where}:{line}: voice {name!r} cannot speak here: {reason}")
        self.profiles[name] = profile
        return profile

    def speaks(self, language: str) -> str | None:
        """A voice for ``language``: the first offline profile for it that can run here,
        else espeak-ng's own voice for it; None if there is none."""
        if language in self._languages:
            return self._languages[language]
        found: VoiceProfile | None = None
        for profile in self.available.values():
            if (
                primary_subtag(profile.language) == primary_subtag(language)
                and is_offline(profile)
                and check_profile(profile, self.voices_dir) is None
            ):
                found = profile
                break
        if found is None:
            try:
                found = builtin_profile(language)
            except EngineError:
                found = None
        if found is not None:
            self.profiles.setdefault(found.name, found)
        self._languages[language] = found.name if found else None
        return self._languages[language]


def book_cast(book: m.Book, profile: VoiceProfile | None = None) -> Cast:
    """The :class:`Cast` the audio target reads ``book`` with (its voice chosen as the audio
    target chooses it, unless ``profile`` is given): for the targets that read the
    narration back and must cut the text exactly as it was said."""
    folder = voices_folder(book)
    if profile is None:
        config = book.config
        profile = choose_voice(config.narration.voice, config.language, folder)
    return BookCast(book, profile, folder).cast()


def engines_of(book: m.Book, voices: list[str]) -> dict[str, str]:
    """The engine of each voice named in ``voices`` (a timing file's): from its profile, or
    espeak-ng for the voices it lends other languages (``espeak-ru``)."""
    known = {p.name: p.engine for p in available_profiles(voices_folder(book))}
    return {
        v: known.get(v, "espeak" if v.startswith("espeak-") else "unknown engine") for v in voices
    }


def narrator(voices: list[str], engines: dict[str, str]) -> str:
    """The narrator tag: the voices used (profile names), named as synthetic, with their
    engines: ``nl-espeak (synthetic voice, espeak)``."""
    if not voices:
        return SYNTHETIC
    kinds = ", ".join(dict.fromkeys(engines.get(v, "unknown engine") for v in voices))
    noun = SYNTHETIC if len(voices) == 1 else f"{SYNTHETIC}s"
    return f"{', '.join(voices)} ({noun}, {kinds})"
