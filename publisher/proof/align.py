"""Heard words against written words: which were heard, which misheard, which not at all.

The edit script comes from rapidfuzz (Levenshtein opcodes over word lists), not from code of
our own. Before it runs, a written compound the recognizer heard as two or three words
(``"knuffelhormoon"`` heard as ``"knuffel hormoon"``) is joined back into one, and the
other way round (``"in plaats"`` heard as ``"inplaats"``): Dutch writes compounds closed,
the recognizer does not always, and a listener hears no space.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from publisher.proof.words import Token, normal

_LONGEST_JOIN = 3  # words the recognizer splits one written compound into, at most


@dataclass(frozen=True, kw_only=True)
class Heard:
    """One word the recognizer heard, and when (ms in the MP3)."""

    text: str
    start_ms: int
    end_ms: int

    @property
    def norm(self) -> str:
        """The word as it is compared (:func:`publisher.proof.words.normal`)."""
        return normal(self.text.strip(" .,;:!?\"'()[]«»“”‘’—–-"))


@dataclass(frozen=True, kw_only=True)
class Pair:
    """Written words and what was heard for them: both for a word heard right or misheard,
    no heard words for a word not heard, no written words for a word heard in excess."""

    written: tuple[Token, ...]
    heard: tuple[Heard, ...]
    ok: bool


def _spans(norms: Sequence[str], joined: set[str]) -> list[tuple[int, int]]:
    """``norms`` cut into spans: a run of 2-3 words that, joined, is a word of ``joined``,
    else one word."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(norms):
        width = 1
        for n in range(_LONGEST_JOIN, 1, -1):
            if i + n <= len(norms) and "".join(norms[i : i + n]) in joined:
                width = n
                break
        out.append((i, i + width))
        i += width
    return out


def align(written: Sequence[Token], heard: Sequence[Heard]) -> list[Pair]:
    """The pairs of ``written`` and ``heard`` words, in order (see the module docstring)."""
    # Imported here: rapidfuzz comes with the optional proof extra, like faster-whisper.
    from rapidfuzz.distance import Levenshtein

    w_norms = [t.norm for t in written]
    h_norms = [h.norm for h in heard]
    w_spans = _spans(w_norms, set(h_norms))
    h_spans = _spans(h_norms, set(w_norms))
    w_keys = ["".join(w_norms[a:b]) for a, b in w_spans]
    h_keys = ["".join(h_norms[a:b]) for a, b in h_spans]

    def pair(i: int | None, j: int | None, ok: bool) -> Pair:
        ws = () if i is None else tuple(written[w_spans[i][0] : w_spans[i][1]])
        hs = () if j is None else tuple(heard[h_spans[j][0] : h_spans[j][1]])
        return Pair(written=ws, heard=hs, ok=ok)

    out: list[Pair] = []
    for op in Levenshtein.opcodes(w_keys, h_keys):
        if op.tag == "equal":
            pairs = zip(
                range(op.src_start, op.src_end), range(op.dest_start, op.dest_end), strict=True
            )
            out += [pair(i, j, True) for i, j in pairs]
            continue
        sources = list(range(op.src_start, op.src_end))
        dests = list(range(op.dest_start, op.dest_end))
        common = min(len(sources), len(dests))
        out += [pair(i, j, False) for i, j in zip(sources[:common], dests[:common], strict=True)]
        out += [pair(i, None, False) for i in sources[common:]]
        out += [pair(None, j, False) for j in dests[common:]]
    return out


@dataclass(frozen=True, kw_only=True)
class Score:
    """Word errors over a stretch of text: ``words`` written, and of them ``substituted``
    and ``deleted``; ``inserted`` heard words not written."""

    words: int = 0
    substituted: int = 0
    deleted: int = 0
    inserted: int = 0

    @classmethod
    def of(cls, pairs: Sequence[Pair]) -> Score:
        """The score of an alignment."""
        return cls(
            words=sum(len(p.written) for p in pairs),
            substituted=sum(len(p.written) for p in pairs if p.heard and not p.ok),
            deleted=sum(len(p.written) for p in pairs if not p.heard),
            inserted=sum(1 for p in pairs if p.heard and not p.written),
        )

    def __add__(self, other: Score) -> Score:
        return Score(
            words=self.words + other.words,
            substituted=self.substituted + other.substituted,
            deleted=self.deleted + other.deleted,
            inserted=self.inserted + other.inserted,
        )

    @property
    def errors(self) -> int:
        """Substitutions, deletions and insertions."""
        return self.substituted + self.deleted + self.inserted

    @property
    def wer(self) -> float:
        """The word error rate: errors per written word (0 for no words; may exceed 1)."""
        return self.errors / self.words if self.words else 0.0
