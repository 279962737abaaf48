"""What a proof found: per sentence, per chapter and for the book.

A chapter's transcript is shared out among its sentences by time
(:func:`publisher.proof.chapters.assign`, then :func:`_settle`), each sentence's heard words aligned with its
written ones (:func:`publisher.proof.align.align`), and the errors summed.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from publisher.proof.align import Heard, Pair, Score, align
from publisher.proof.chapters import ChapterAudio, Said, assign
from publisher.proof.words import spoken, tokens


def heard_text(heard: Sequence[Heard]) -> str:
    """Heard words as a listener would write them down: no punctuation around them."""
    return " ".join(h.text.strip(" .,;:!?-") for h in heard)


@dataclass(frozen=True, kw_only=True)
class Span:
    """A run of words heard wrong in one sentence: what was written, what was heard."""

    line: int
    written: str
    heard: str
    at_ms: int
    errors: int


@dataclass(frozen=True, kw_only=True)
class SentenceProof:
    """One utterance, its heard words and how they align with its written words."""

    said: Said
    heard: tuple[Heard, ...]
    pairs: tuple[Pair, ...]
    score: Score

    def runs(self) -> list[tuple[bool, list[Pair]]]:
        """The pairs in runs of words heard right (True) and runs heard wrong (False)."""
        out: list[tuple[bool, list[Pair]]] = []
        for pair in self.pairs:
            if out and out[-1][0] == pair.ok:
                out[-1][1].append(pair)
            else:
                out.append((pair.ok, [pair]))
        return out

    def spans(self) -> list[Span]:
        """The runs of wrong words, in order."""
        return [self._span(run) for ok, run in self.runs() if not ok]

    def _span(self, run: list[Pair]) -> Span:
        written = [t for p in run for t in p.written]
        heard = [h for p in run for h in p.heard]
        text = self.said.display
        shown = text[written[0].start : written[-1].end] if written else ""
        return Span(
            line=self.said.line,
            written=shown,
            heard=heard_text(heard),
            at_ms=heard[0].start_ms if heard else self._time_before(run[0]),
            errors=Score.of(run).errors,
        )

    def _time_before(self, first: Pair) -> int:
        """Where a word not heard would have been: after the last word heard before it."""
        at = self.said.start_ms
        for pair in self.pairs:
            if pair is first:
                break
            if pair.heard:
                at = pair.heard[-1].end_ms
        return at


@dataclass(frozen=True, kw_only=True)
class ChapterProof:
    """One chapter: its sentences, its score, what it cost to hear."""

    audio: ChapterAudio
    sentences: tuple[SentenceProof, ...]
    score: Score
    seconds: float  # spent listening (0 when the transcript was kept)
    cached: bool

    def worst(self, count: int) -> list[Span]:
        """The ``count`` spans with the most errors (the first of equals first)."""
        spans = [s for sentence in self.sentences for s in sentence.spans()]
        ranked = sorted(enumerate(spans), key=lambda item: (-item[1].errors, item[0]))
        return [span for _, span in ranked[:count]]


_SHIFT = 2
"""Heard words at most moved across a sentence boundary by :func:`_settle`."""


def _errors(said: Said, heard: Sequence[Heard]) -> int:
    return Score.of(_align(said, heard)).errors


def _align(said: Said, heard: Sequence[Heard]) -> list[Pair]:
    """``said``'s written words against ``heard``, both as the voice says numbers and
    abbreviations in its language (:func:`publisher.proof.words.tokens`)."""
    return align(tokens(said.display, said.language), as_said(heard, said.language))


def as_said(heard: Sequence[Heard], language: str) -> list[Heard]:
    """``heard`` with each word the recognizer wrote in digits ("1200", "12,50") put in the
    words the voice says for it, each with the word's times."""
    out: list[Heard] = []
    for word in heard:
        if any(c.isdigit() for c in word.text):
            said = spoken(word.text, language)
            out += [Heard(text=w, start_ms=word.start_ms, end_ms=word.end_ms) for w in said]
        else:
            out.append(word)
    return out


def _settle(said: Sequence[Said], shared: list[list[Heard]]) -> list[list[Heard]]:
    """``shared`` with each boundary between two sentences moved by up to :data:`_SHIFT`
    words where that makes fewer errors: Whisper's word times are off by a word now and then
    (the first word of a sentence timed in the gap before it, nearer the sentence before),
    and such a word would count twice, heard in excess in one sentence and not heard in the
    next."""
    out = [list(words) for words in shared]
    for i in range(len(out) - 1):
        joined = out[i] + out[i + 1]
        cut = len(out[i])
        best = (_errors(said[i], out[i]) + _errors(said[i + 1], out[i + 1]), 0, cut)
        for moved in range(-_SHIFT, _SHIFT + 1):
            at = cut + moved
            if moved == 0 or not 0 <= at <= len(joined):
                continue
            errors = _errors(said[i], joined[:at]) + _errors(said[i + 1], joined[at:])
            best = min(best, (errors, abs(moved), at))
        out[i], out[i + 1] = joined[: best[2]], joined[best[2] :]
    return out


def prove_chapter(
    audio: ChapterAudio,
    words: tuple[Heard, ...],
    *,
    seconds: float = 0.0,
    cached: bool = False,
) -> ChapterProof:
    """``audio``'s sentences against the ``words`` heard in it."""
    sentences = []
    shared = _settle(audio.said, assign(audio.said, words))
    for said, heard in zip(audio.said, shared, strict=True):
        pairs = tuple(_align(said, heard))
        sentences.append(
            SentenceProof(said=said, heard=tuple(heard), pairs=pairs, score=Score.of(pairs))
        )
    return ChapterProof(
        audio=audio,
        sentences=tuple(sentences),
        score=sum((s.score for s in sentences), Score()),
        seconds=seconds,
        cached=cached,
    )


def median_wer(chapters: list[ChapterProof]) -> float:
    """The median of the chapters' word error rates (0 for none)."""
    rates = [c.score.wer for c in chapters if c.score.words]
    return statistics.median(rates) if rates else 0.0
