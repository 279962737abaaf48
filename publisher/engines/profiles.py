"""Voice profiles: ``voices/<name>.toml`` files that say which engine speaks, and how.

A profile is small and strict: unknown keys and bad values are errors that name the file and
the line. See ``voices/README.md`` for the format.

One rule says where profiles are, for ``build`` and ``publisher voices`` alike
(:func:`available_profiles`): the book's ``voices/`` folder (:func:`book_voices`), then the
profiles that ship inside the package (:data:`SHIPPED_VOICES`); a book's profile overrides a
shipped one of the same name. Model files are looked for in the book's folder.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Protocol

from publisher.engine_input import respelling_problem, voice_name_problem
from publisher.engines.base import Synthesizer, VoiceProfile
from publisher.engines.espeak import MAX_RATE, MIN_RATE, EspeakSynthesizer
from publisher.errors import EngineError, Problem, SourceError
from publisher.reader.files import path_problem
from publisher.reader.yamlsafe import shown

ENGINES = ("espeak", "gtts", "piper")
"""The engines a profile can name."""
OFFLINE_ENGINES = frozenset({"espeak", "piper"})
"""Engines that need no network: the only ones chosen without being asked for."""

KEYS = frozenset(
    {"engine", "voice", "language", "rate", "pitch", "model", "lexicon", "description"}
)
"""The keys a profile may have."""

SHIPPED_VOICES = Path(__file__).resolve().parent.parent / "data" / "voices"
"""The profiles that come with publisher (in the wheel)."""

_LANGUAGE_TAG = re.compile(r"(?=.{2,35}$)[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
_SCALE_RANGE = (0.25, 4.0)  # length scale for gTTS and Piper: 4x faster to 4x slower


def primary_subtag(language: str) -> str:
    """The language without region or script: ``"nl-NL"`` → ``"nl"``."""
    return language.split("-", 1)[0].lower()


def is_offline(profile: VoiceProfile) -> bool:
    """Whether the profile's engine runs without the network."""
    return profile.engine in OFFLINE_ENGINES


def _display(path: Path) -> str:
    """``path`` as the author would type it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a link loop (Python < 3.13)
        return str(path)


def _line_of(text: str, key: str, table: str | None = None) -> int | None:
    """The line where ``key`` (or the table ``[key]``) is set, for messages.

    With ``table``, the line of ``key`` inside that table. A best effort: tomllib does not
    say where a value came from.
    """
    start = 0
    if table is not None:
        header = re.search(rf"^\s*\[\s*{re.escape(table)}\s*\]", text, re.M)
        if header is None:
            return None
        start = header.end()
    name = re.escape(key)
    pattern = re.compile(rf"^\s*(?:[\"']?{name}[\"']?\s*=|\[\s*{name}\s*\])", re.M)
    match = pattern.search(text, start)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Fail(Protocol):
    def __call__(self, key: str | None, message: str, table: str | None = None) -> None:
        """Note a problem with ``key`` (in ``table``), placed at the line that sets it."""


def load_profile(path: Path | str) -> VoiceProfile:
    """Read one profile; its name is the file name without ``.toml``.

    Raises :class:`SourceError` listing every problem in the file (unknown keys, missing or
    invalid values), each with the file and, where it can be found, the line.
    """
    path = Path(path)
    where = _display(path)
    text, data = _read_profile(path, where)
    problems: list[Problem] = []

    def fail(key: str | None, message: str, table: str | None = None) -> None:
        line = _line_of(text, key, table) if key else None
        problems.append(Problem(path=where, line=line, message=message))

    for check in _CHECKS:
        check(data, fail)
    if problems:
        raise SourceError("\n".join(str(p) for p in problems), problems)

    engine, language, model = data["engine"], data["language"], data.get("model")
    rate, pitch = data.get("rate"), data.get("pitch")
    fields: dict[str, Any] = {
        "name": path.stem,
        "engine": engine,
        "voice": data.get("voice") or _default_voice(engine, language, model),
        "language": language,
        "rate": None if rate is None else float(rate),
        "pitch": None if pitch is None else float(pitch),
        "model": model,
        "lexicon": dict(data.get("lexicon", {})),
        "path": where,
        "description": data.get("description"),
    }
    return VoiceProfile(**fields)


def _read_profile(path: Path, where: str) -> tuple[str, dict[str, Any]]:
    """The profile's text and its TOML values."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise SourceError.at(where, None, f"cannot read voice profile: {e}") from e
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        found = re.search(r"at line (\d+)", str(e))
        line = int(found.group(1)) if found else None
        raise SourceError.at(where, line, f"not valid TOML: {e}") from e


def _check_keys(data: dict[str, Any], fail: _Fail) -> None:
    for key in data:
        if key not in KEYS:
            fail(key, f"unknown key {key!r} (known: {', '.join(sorted(KEYS))})")


def _check_engine_and_language(data: dict[str, Any], fail: _Fail) -> None:
    engine = data.get("engine")
    if engine is None:
        fail(None, f"missing key 'engine' (one of {', '.join(ENGINES)})")
    elif engine not in ENGINES:
        fail("engine", f"'engine' must be one of {', '.join(ENGINES)}, not {engine!r}")
    language = data.get("language")
    if language is None:
        fail(None, "missing key 'language' (a language tag like 'nl' or 'en-US')")
    elif not isinstance(language, str) or not _LANGUAGE_TAG.fullmatch(language):
        fail(
            "language", f"'language' must be a language tag like 'nl' or 'en-US', not {language!r}"
        )
    for key in ("voice", "model", "description"):
        value = data.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            fail(key, f"{key!r} must be a non-empty string, not {value!r}")
    voice, model = data.get("voice"), data.get("model")
    if engine == "espeak" and isinstance(voice, str) and voice.strip():
        problem = voice_name_problem(voice)
        if problem is not None:  # the name goes into espeak-ng's fixed-size buffers
            fail("voice", f"'voice' {voice!r} {problem}")
    if isinstance(model, str) and model.strip() and not model.startswith("package:"):
        problem = path_problem(model)
        if problem is not None:
            fail("model", f"'model' {model!r} {problem}")


def _check_rate_and_pitch(data: dict[str, Any], fail: _Fail) -> None:
    engine, rate, pitch = data.get("engine"), data.get("rate"), data.get("pitch")
    if rate is not None:
        if not _is_number(rate):
            fail("rate", f"'rate' must be a number, not {rate!r}")
        elif engine == "espeak" and not MIN_RATE <= rate <= MAX_RATE:
            fail(
                "rate", f"'rate' for espeak is words per minute, {MIN_RATE}-{MAX_RATE}, not {rate}"
            )
        elif engine != "espeak" and not _SCALE_RANGE[0] <= rate <= _SCALE_RANGE[1]:
            low, high = _SCALE_RANGE
            fail("rate", f"'rate' for {engine} is a length scale, {low:g}-{high:g}, not {rate}")
    if pitch is not None:
        if engine != "espeak":
            fail("pitch", f"'pitch' is for espeak only; {engine} has no pitch setting")
        elif not _is_number(pitch) or not 0 <= pitch <= 100:
            fail("pitch", f"'pitch' must be a number from 0 to 100, not {pitch!r}")


def _check_model_and_lexicon(data: dict[str, Any], fail: _Fail) -> None:
    engine, model = data.get("engine"), data.get("model")
    if engine == "piper" and model is None:
        fail(None, "missing key 'model' (a .onnx file in this folder, or 'package:NAME')")
    elif engine in ("espeak", "gtts") and model is not None:
        fail("model", f"'model' is for piper only; {engine} has no model file")
    lexicon = data.get("lexicon", {})
    if not isinstance(lexicon, dict):
        fail("lexicon", "'lexicon' must be a table of word = \"how to say it\"")
        return
    for word, said in lexicon.items():
        if not isinstance(said, str) or not said.strip():
            fail(
                word,
                f"lexicon entry {word!r} must be a non-empty string, not {said!r}",
                table="lexicon",
            )
            continue
        for text in (word, said):
            problem = respelling_problem(text)
            if problem is not None:
                fail(word, f"lexicon entry {shown(text)} {problem}", table="lexicon")


_CHECKS = (_check_keys, _check_engine_and_language, _check_rate_and_pitch, _check_model_and_lexicon)
"""Every check of a profile's values, each noting all it finds (in the file's key order)."""


def _default_voice(engine: str, language: str, model: str | None) -> str:
    """The voice a profile without ``voice`` gets: its language, or its model's name."""
    if engine == "piper" and model:
        return Path(model.removeprefix("package:")).stem
    if engine == "espeak":
        return language.lower()
    return primary_subtag(language)


def load_profiles(voices_dir: Path | str) -> list[VoiceProfile]:
    """Every ``*.toml`` profile in ``voices_dir``, sorted by name; none if it does not exist.

    Problems in all files are collected into one :class:`SourceError`.
    """
    folder = Path(voices_dir)
    if not folder.is_dir():
        return []
    profiles: list[VoiceProfile] = []
    problems: list[Problem] = []
    # A link that leads nowhere (or back to itself) is no profile: the book cannot use it,
    # so it stops nothing.
    for path in sorted(p for p in folder.glob("*.toml") if p.is_file()):
        try:
            profiles.append(load_profile(path))
        except SourceError as e:
            problems.extend(e.problems)
    if problems:
        raise SourceError("\n".join(str(p) for p in problems), problems)
    return sorted(profiles, key=lambda p: p.name)


def book_voices(root: Path | str) -> Path:
    """The book's own voices folder, for a book in ``root``: ``voices/`` beside the source
    folder, else inside it (the first if neither exists)."""
    beside = Path(root).parent / "voices"
    return (
        beside if beside.is_dir() or not (Path(root) / "voices").is_dir() else Path(root) / "voices"
    )


def available_profiles(voices_dir: Path | str) -> list[VoiceProfile]:
    """The profiles in ``voices_dir`` (the book's), then the shipped ones it does not
    override by name; sorted by name."""
    found = {p.name: p for p in load_profiles(SHIPPED_VOICES)}
    found.update((p.name, p) for p in load_profiles(voices_dir))
    return sorted(found.values(), key=lambda p: p.name)


def make_synthesizer(profile: VoiceProfile, voices_dir: Path | str) -> Synthesizer:
    """The engine that speaks with ``profile``; ``voices_dir`` is where model paths start."""
    if profile.engine == "espeak":
        return EspeakSynthesizer(profile)
    # Imported here: gTTS brings in requests, and most builds use espeak-ng only.
    if profile.engine == "gtts":
        from publisher.engines.gtts import GttsSynthesizer

        return GttsSynthesizer(profile)
    if profile.engine == "piper":
        # And Piper brings onnxruntime (78 MB installed), for a Piper voice only.
        from publisher.engines.piper import PiperSynthesizer

        return PiperSynthesizer(profile, Path(voices_dir))
    raise EngineError(f"voice {profile.name!r}: unknown engine {profile.engine!r}")


def check_profile(profile: VoiceProfile, voices_dir: Path | str) -> str | None:
    """``None`` if ``profile`` can speak on this machine, else the reason why not.

    The library or model being missing is a reason; gTTS needing the network is not: it is
    available, and whether Google answers only shows when it is used.
    """
    try:
        synthesizer = make_synthesizer(profile, voices_dir)
    except EngineError as e:
        return str(e)
    return synthesizer.check()


def builtin_profile(language: str) -> VoiceProfile:
    """The espeak-ng profile used when no profile in the voices folder fits ``language``.

    Raises :class:`EngineError` if espeak-ng cannot run here, or has no voice for the language.
    """
    candidates = dict.fromkeys([language.lower(), primary_subtag(language)])
    reasons = []
    for voice in candidates:
        profile = VoiceProfile(
            name=f"espeak-{voice}", engine="espeak", voice=voice, language=language
        )
        reason = check_profile(profile, ".")
        if reason is None:
            return profile
        reasons.append(reason)
    raise EngineError(f"no voice speaks {language!r}: {reasons[-1]}")


def choose_voice(requested: str | None, language: str, voices_dir: Path | str) -> VoiceProfile:
    """The profile to read a book in ``language`` with.

    ``requested`` (the front matter's ``voice``) is the profile of that name; it must speak
    the book's language and be able to run here (:class:`EngineError` with the reason if
    not). Without one: the first profile, by name, for the book's language (``nl-NL``
    matches ``nl``) that is offline and can run here; else espeak-ng's voice for the
    language (:func:`builtin_profile`). An online voice is used only when asked for.
    """
    profiles = available_profiles(voices_dir)
    if requested is not None:
        by_name = {p.name: p for p in profiles}
        if requested not in by_name:
            known = ", ".join(by_name) or "none"
            raise SourceError(
                f"unknown voice {requested!r} (in {_display(Path(voices_dir))} and "
                f"publisher's own: {known})"
            )
        profile = by_name[requested]
        if primary_subtag(profile.language) != primary_subtag(language):
            raise SourceError(
                f"voice {requested!r} speaks {profile.language!r}, but the book is in {language!r}"
            )
        reason = check_profile(profile, voices_dir)
        if reason is not None:
            raise EngineError(f"voice {requested!r} cannot speak here: {reason}")
        return profile
    for profile in profiles:
        if (
            primary_subtag(profile.language) == primary_subtag(language)
            and is_offline(profile)
            and check_profile(profile, voices_dir) is None
        ):
            return profile
    return builtin_profile(language)


def describe_voices(voices_dir: Path | str) -> list[tuple[VoiceProfile, str | None]]:
    """Every profile with why it cannot run here (``None`` if it can): ``publisher voices``."""
    return [(p, check_profile(p, voices_dir)) for p in available_profiles(voices_dir)]
