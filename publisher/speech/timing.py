"""Where things are said: the timing file (JSON, version 3), which the captions are made from
(:mod:`publisher.speech.captions`).

It is made from the script and the sample positions the assembly recorded, converted to
milliseconds (rounded down) only here. Sample 0 of the PCM is sample 0 of the MP3 for a
gapless decoder (the encoder's delay is declared in the LAME tag), so the times are the
MP3's.

One definition of the timing file: :class:`TimingFile`. The audio target makes one with
:meth:`TimingFile.from_script` and writes :meth:`TimingFile.dump`; every reader (the feed,
tests, later the read-along EPUB) goes through :meth:`TimingFile.load`, which checks the
version and the shape. The JSON, key order included::

    {"version": 3, "chapter": slug, "number": n, "title": title, "duration_ms": ms,
     "sections": [{"title", "start_ms", "end_ms", "block"}],
     "utterances": [{"start_ms", "end_ms", "block", "kind", "voice", "text",
                     "runs": [{"voice", "text"}], "display", "level",
                     "words": [{"start_ms", "end_ms", "offset", "length"}]}],
     "pauses": [{"start_ms", "end_ms", "after", "kind"}]}

``sections`` starts with the chapter title at 0 and has one entry per heading; each ends
where the next begins, the last at the end of the audio. ``block`` and ``after`` are the
model's block ids (the chapter slug for the title); ``kind`` is one of
:data:`~publisher.speech.script.UTTERANCE_KINDS` or
:data:`~publisher.speech.script.PAUSE_KINDS`. ``voice`` is the voice profile that said the
utterance; ``runs`` is empty unless several voices share it (a Russian word in a Dutch
sentence), and then says which voice said what, in order. ``text`` is what the engine was
given; ``display`` the same sentence as written (what the captions, the read-along EPUB and
the website show).

``level`` is ``"word"`` when the engine said where each word is (espeak-ng always; Piper
with a voice that carries alignments): then ``words`` lists the written words heard, in
order, each inside its utterance and after the one before, ``length`` characters from
``offset`` in ``display`` (:mod:`publisher.speech.words` puts the engine's words, which are
in ``text``, on the written ones). Otherwise (gTTS) it is ``"sentence"`` and ``words`` is
empty.

Version 2 added ``voice`` and ``runs``; version 3 ``display``, ``level`` and ``words``. An
older file is refused with "rebuild the audio" rather than read with guessed values: timing
files are outputs of the audio target, rewritten on every build in milliseconds from the
cache (no synthesis), and only the build that made the audio knows who said what, when.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from publisher.engines.base import SpokenWord
from publisher.errors import BuildError
from publisher.speech.script import (
    PAUSE_KINDS,
    UTTERANCE_KINDS,
    ChapterScript,
    Run,
    Utterance,
)
from publisher.speech.words import written_words

VERSION = 3
"""The timing file's format version; a reader refuses any other (see the module docstring)."""


@dataclass(frozen=True, kw_only=True)
class TimedSection:
    """A heading (or the chapter title) and the stretch of audio it heads."""

    title: str
    start_ms: int
    end_ms: int
    block: str


@dataclass(frozen=True, kw_only=True)
class TimedWord:
    """A written word (``length`` characters from ``offset`` in its utterance's ``display``)
    and when it is heard."""

    start_ms: int
    end_ms: int
    offset: int
    length: int


LEVELS = ("word", "sentence")
"""What an utterance's timing is known to: each word, or only the whole sentence."""


@dataclass(frozen=True, kw_only=True)
class TimedUtterance:
    """Where one utterance (a sentence of a block, a heading) is said, by which voice, its
    spoken and its written text, and, at ``level`` ``"word"``, when each word is heard."""

    start_ms: int
    end_ms: int
    block: str
    kind: str  # one of UTTERANCE_KINDS
    voice: str  # the voice profile's name
    text: str
    runs: tuple[Run, ...] = ()
    display: str = ""
    level: str = "sentence"  # one of LEVELS
    words: tuple[TimedWord, ...] = ()

    KINDS: ClassVar[tuple[str, ...]] = UTTERANCE_KINDS

    def word_text(self, word: TimedWord) -> str:
        """The written text of ``word``."""
        return self.display[word.offset : word.offset + word.length]


@dataclass(frozen=True, kw_only=True)
class TimedPause:
    """A silence after block ``after`` (sentence gaps are not listed)."""

    start_ms: int
    end_ms: int
    after: str
    kind: str  # one of PAUSE_KINDS

    KINDS: ClassVar[tuple[str, ...]] = PAUSE_KINDS


def to_ms(sample: int, rate: int) -> int:
    """Whole milliseconds at ``sample`` (rounded down)."""
    return sample * 1000 // rate


def sections(
    script: ChapterScript, spans: Sequence[tuple[int, int]], rate: int, duration_ms: int
) -> tuple[TimedSection, ...]:
    """The chapter title at 0, then each heading from where it is said."""
    starts: list[tuple[str, int, str]] = [(script.title, 0, script.slug)]
    for item, (start, _) in zip(script.items, spans, strict=True):
        if isinstance(item, Utterance) and item.kind == "heading":
            starts.append((item.display.rstrip(), to_ms(start, rate), item.block))
    out = []
    for i, (title, start_ms, block) in enumerate(starts):
        end_ms = starts[i + 1][1] if i + 1 < len(starts) else duration_ms
        out.append(TimedSection(title=title, start_ms=start_ms, end_ms=end_ms, block=block))
    return tuple(out)


@dataclass(frozen=True, kw_only=True)
class TimingFile:
    """One chapter's timing file, ``audio/<slug>.json``: what is said when, and the silences.

    Made by the audio target (:meth:`from_script`), written with :meth:`dump`, read with
    :meth:`load`; nothing else reads or writes the format.
    """

    chapter: str  # the chapter's slug
    number: int
    title: str
    duration_ms: int
    sections: tuple[TimedSection, ...]
    utterances: tuple[TimedUtterance, ...]
    pauses: tuple[TimedPause, ...]

    VERSION: ClassVar[int] = VERSION

    @property
    def duration_seconds(self) -> int:
        """Whole seconds, rounded, as ``itunes:duration`` wants them."""
        return (self.duration_ms + 500) // 1000

    @classmethod
    def from_script(
        cls,
        script: ChapterScript,
        spans: Sequence[tuple[int, int]],
        rate: int,
        samples: int,
        words: Sequence[Sequence[SpokenWord] | None] = (),
    ) -> TimingFile:
        """The timing of ``script``, whose items span ``spans`` (in samples at ``rate``) of
        a chapter ``samples`` long; ``words``, per item, the words its engine said (in the
        utterance's spoken text and the chapter's samples), or None (none for every item
        when empty)."""
        duration_ms = to_ms(samples, rate)
        utterances: list[TimedUtterance] = []
        pauses: list[TimedPause] = []
        said = words or [None] * len(spans)
        for item, (start, end), heard in zip(script.items, spans, said, strict=True):
            start_ms, end_ms = to_ms(start, rate), to_ms(end, rate)
            if isinstance(item, Utterance):
                timed = _timed_words(item, heard, rate)
                utterances.append(
                    TimedUtterance(
                        start_ms=start_ms,
                        end_ms=end_ms,
                        block=item.block,
                        kind=item.kind,
                        voice=item.voice,
                        text=item.text,
                        runs=item.runs,
                        display=item.display,
                        level="word" if timed else "sentence",
                        words=timed,
                    )
                )
            elif item.kind in PAUSE_KINDS:
                pauses.append(
                    TimedPause(start_ms=start_ms, end_ms=end_ms, after=item.after, kind=item.kind)
                )
        return cls(
            chapter=script.slug,
            number=script.number,
            title=script.title,
            duration_ms=duration_ms,
            sections=sections(script, spans, rate, duration_ms),
            utterances=tuple(utterances),
            pauses=tuple(pauses),
        )

    def dump(self) -> bytes:
        """The file's bytes: UTF-8 JSON, one-space indent, stable byte for byte."""
        return b"".join(self.blocks())

    def blocks(self) -> Iterator[bytes]:
        """:meth:`dump`'s bytes a block (about 64 KB) at a time: an eleven-hour chapter's
        file is 14 MB, and ``json.dumps`` with an indent holds every one of its million
        pieces in a list before joining them (115 MB more at the peak)."""
        document = {"version": VERSION, **dataclasses.asdict(self)}
        encoder = json.JSONEncoder(ensure_ascii=False, indent=1)
        batch: list[str] = []
        size = 0
        for piece in itertools.chain(encoder.iterencode(document), ["\n"]):
            batch.append(piece)
            size += len(piece)
            if size >= 1 << 16:
                yield "".join(batch).encode("utf-8")
                batch, size = [], 0
        yield "".join(batch).encode("utf-8")

    def write(self, path: Path) -> None:
        """Write the file to ``path`` a block at a time."""
        with path.open("wb") as f:
            for block in self.blocks():
                f.write(block)

    @classmethod
    def load(cls, source: Path | str) -> TimingFile:
        """Read a timing file from a path, or from its text; raises
        :class:`~publisher.errors.BuildError` naming the file and what is wrong."""
        where = str(source) if isinstance(source, Path) else "timing file"
        try:
            text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
            data = json.loads(text)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise BuildError(f"{where}: cannot read the audio timing: {e}") from e
        if not isinstance(data, dict) or data.get("version") != VERSION:
            found = data.get("version") if isinstance(data, dict) else None
            raise BuildError(
                f"{where}: not a version {VERSION} timing file (version {found!r}); "
                "rebuild the audio"
            )
        fields = _fields(cls, {k: v for k, v in data.items() if k != "version"}, where, "")
        return cls(
            chapter=fields["chapter"],
            number=fields["number"],
            title=fields["title"],
            duration_ms=fields["duration_ms"],
            sections=_records(TimedSection, fields["sections"], where, "sections"),
            utterances=_utterances(fields["utterances"], where),
            pauses=_records(TimedPause, fields["pauses"], where, "pauses"),
        )


def check_script(script: ChapterScript, timing: TimingFile, where: str) -> None:
    """Raise :class:`~publisher.errors.BuildError` unless ``timing`` was made from
    ``script``: the same utterances (block, kind, spoken text), in order. The targets that
    read the narration back pair the script's utterances with the file's one by one."""
    made = [(u.block, u.kind, u.text) for u in script.utterances]
    found = [(u.block, u.kind, u.text) for u in timing.utterances]
    if made != found:
        first = next(
            (i for i, (a, b) in enumerate(zip(made, found, strict=False)) if a != b),
            min(len(made), len(found)),
        )
        raise BuildError(
            f"{where} does not match the text (utterance {first + 1}); build the audio again"
        )


def _timed_words(
    item: Utterance, heard: Sequence[SpokenWord] | None, rate: int
) -> tuple[TimedWord, ...]:
    """The written words of ``item`` with their times, from the engine's ``heard``."""
    if heard is None:
        return ()
    return tuple(
        TimedWord(
            start_ms=to_ms(w.sample_start, rate),
            end_ms=to_ms(w.sample_end, rate),
            offset=w.offset,
            length=w.length,
        )
        for w in written_words(item.display, item.text, heard)
    )


_Record = TypeVar("_Record", TimedSection, TimedUtterance, TimedPause, Run, TimedWord)


def _fields(cls: type, raw: object, where: str, path: str) -> dict[str, Any]:
    """``raw`` checked to be an object with exactly ``cls``'s fields, each of its type
    (``int`` fields whole and not negative; tuples as lists, checked by the caller)."""
    names = [f.name for f in dataclasses.fields(cls)]
    if not isinstance(raw, dict):
        raise BuildError(f"{where}: {path or 'the file'} must be an object; rebuild the audio")
    if missing := [n for n in names if n not in raw]:
        raise BuildError(f"{where}: {path or 'the file'} lacks {', '.join(missing)}")
    if extra := sorted(set(raw) - set(names)):
        raise BuildError(f"{where}: {path or 'the file'} has unknown keys {', '.join(extra)}")
    for field in dataclasses.fields(cls):
        value, name = raw[field.name], f"{path}.{field.name}" if path else field.name
        kind = str(field.type)  # a string: annotations are not evaluated (PEP 563)
        if kind == "int" and not _whole(value):
            raise BuildError(f"{where}: {name} must be a whole number, not {value!r}")
        if kind == "str" and not isinstance(value, str):
            raise BuildError(f"{where}: {name} must be text, not {value!r}")
        if kind.startswith("tuple") and not isinstance(value, list):
            raise BuildError(f"{where}: {name} must be a list, not {value!r}")
    kinds: tuple[str, ...] | None = getattr(cls, "KINDS", None)
    if kinds is not None and raw["kind"] not in kinds:
        raise BuildError(f"{where}: {path}.kind {raw['kind']!r} is not one of {', '.join(kinds)}")
    if cls is TimedUtterance and raw["level"] not in LEVELS:
        raise BuildError(
            f"{where}: {path}.level {raw['level']!r} is not one of {', '.join(LEVELS)}"
        )
    return raw


def _records(cls: type[_Record], raw: list[Any], where: str, name: str) -> tuple[_Record, ...]:
    return tuple(cls(**_fields(cls, item, where, f"{name}[{i}]")) for i, item in enumerate(raw))


def _utterances(raw: list[Any], where: str) -> tuple[TimedUtterance, ...]:
    out = []
    for i, item in enumerate(raw):
        fields = dict(_fields(TimedUtterance, item, where, f"utterances[{i}]"))
        fields["runs"] = _records(Run, fields["runs"], where, f"utterances[{i}].runs")
        fields["words"] = _records(TimedWord, fields["words"], where, f"utterances[{i}].words")
        out.append(TimedUtterance(**fields))
    return tuple(out)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
