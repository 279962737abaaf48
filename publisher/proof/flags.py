"""What a proof flags for the author: each one line, ``book.md:LINE: …``.

- A sentence heard as nothing: its audio is missing or silent (a dropped utterance, an
  engine that returned silence).
- A chapter far worse than the book's median: read by the wrong language's voice, or broken
  as a whole. (Whisper's own language detection is no help here: it takes espeak-ng's
  Dutch for Latin.)
- A word misheard in most of its places, and heard the same wrong way in most: the voice
  says it wrong every time, which a lexicon entry can fix (or a lexicon entry that makes
  it say something else, flagged at the entry's line).

Thresholds are chosen so a clean chapter read by espeak-ng (which Whisper base hears
poorly in Dutch) raises none; see the README's "Proofing".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from publisher import model as m
from publisher.proof.results import ChapterProof, SentenceProof, median_wer
from publisher.proof.words import normal

WORSE_BY = 0.25
"""A chapter is flagged when its word error rate exceeds the median's by this much …"""
WORSE_TIMES = 1.5
"""… and is this many times the median."""
MIN_PLACES = 2
"""A word is a lexicon candidate only if it is heard the same wrong way at least this often
(and in at least half its places)."""
MIN_LETTERS = 4
"""… and it is at least this long (short words are misheard by chance, not by a rule)."""


NOT_HEARD = "(nothing)"


@dataclass(frozen=True, kw_only=True)
class Flag:
    """One finding, at a line of the book's source."""

    path: str
    line: int | None
    kind: str  # "silent", "chapter", "lexicon"
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


def clock(ms: int) -> str:
    """A time in the MP3 as a listener reads it: ``0:12.3`` (``1:02:03.4`` past an hour)."""
    tenths = ms // 100
    minutes, tenths = divmod(tenths, 600)
    hours, minutes = divmod(minutes, 60)
    seconds = f"{tenths // 10:02d}.{tenths % 10}"
    return f"{hours}:{minutes:02d}:{seconds}" if hours else f"{minutes}:{seconds}"


def _quote(text: str, limit: int = 60) -> str:
    return f'"{text}"' if len(text) <= limit else f'"{text[: limit - 1]}…"'


def silent(book: m.Book, chapters: Sequence[ChapterProof]) -> list[Flag]:
    """Sentences with words written and none heard."""
    return [
        Flag(
            path=book.source,
            line=s.said.line,
            kind="silent",
            message=f"heard nothing for {_quote(s.said.display)} "
            f"(at {clock(s.said.start_ms)}-{clock(s.said.end_ms)} in {c.audio.mp3.name}): "
            "the sentence is missing or silent in the audio",
        )
        for c in chapters
        for s in c.sentences
        if s.score.words and not s.heard
    ]


def worse_chapters(book: m.Book, chapters: Sequence[ChapterProof]) -> list[Flag]:
    """Chapters far worse than the book's median."""
    median = median_wer(list(chapters))
    out = []
    for c in chapters:
        chapter, wer = c.audio.chapter, c.score.wer
        if len(chapters) > 2 and wer > median + WORSE_BY and wer > median * WORSE_TIMES:
            out.append(
                Flag(
                    path=book.source,
                    line=chapter.line,
                    kind="chapter",
                    message=f"chapter {chapter.slug!r} has a word error rate of {wer:.0%}, "
                    f"far above the book's median ({median:.0%}): a wrong voice or "
                    "broken audio?",
                )
            )
    return out


def _places(chapters: Sequence[ChapterProof]) -> dict[str, list[tuple[SentenceProof, str]]]:
    """Each written word (normal form) → its places: (sentence, what was heard there)."""
    places: dict[str, list[tuple[SentenceProof, str]]] = {}
    for c in chapters:
        for s in c.sentences:
            for pair in s.pairs:
                if len(pair.written) != 1:
                    continue
                heard = "" if pair.ok else " ".join(h.norm for h in pair.heard) or NOT_HEARD
                places.setdefault(pair.written[0].norm, []).append((s, heard))
    return places


def lexicon(book: m.Book, chapters: Sequence[ChapterProof]) -> list[Flag]:
    """Words misheard in most of their places, the same way in most (module docstring)."""
    entries = {normal(k): (k, v) for k, v in book.config.narration.lexicon.items()}
    out = []
    for word, places in _places(chapters).items():
        # A word not heard at all says little about how the voice says it: the recognizer
        # drops words in a garbled stretch. A candidate is heard as the same other word.
        misheard = sum(1 for _, heard in places if heard)
        wrong = Counter(heard for _, heard in places if heard and heard != NOT_HEARD)
        if len(places) < MIN_PLACES or len(word) < MIN_LETTERS or not wrong:
            continue
        form, count = wrong.most_common(1)[0]
        if misheard * 2 <= len(places) or count < MIN_PLACES or count * 2 < len(places):
            continue
        first = places[0][0]
        heard_as = f'heard {misheard} of {len(places)} times wrong, as "{form}"' + (
            f" ({count} times)" if count < misheard else ""
        )
        if word in entries:
            key, value = entries[word]
            line = book.config.line_of(f"narration.lexicon.{key}")
            message = (
                f'the lexicon entry "{key}: {value}" makes the voice say it so that "{word}" '
                f"is {heard_as}: respell it or remove it"
            )
        else:
            line = first.said.line
            message = (
                f'"{word}" is {heard_as}: a lexicon candidate; try under narration.lexicon: '
                f'"{word}: {word}" and respell the right side until proof hears "{word}"'
            )
        out.append(Flag(path=book.source, line=line, kind="lexicon", message=message))
    return out


def flags(book: m.Book, chapters: Sequence[ChapterProof]) -> list[Flag]:
    """Every flag, in the order of the book's lines (chapters' first, at equal lines)."""
    found = [*worse_chapters(book, chapters), *silent(book, chapters), *lexicon(book, chapters)]
    return sorted(found, key=lambda f: f.line or 0)
