"""The proof's report: ``report.json`` for scripts and CI, ``report.html`` for the author.

Both go to ``.publisher/proof/`` beside the source (never into the build folder, which holds
only what is published). The page shows each chapter's text with what was misheard marked,
and a button on each sentence that plays the chapter's MP3 (in the build folder, by a
relative address) from where the sentence starts. It works without script except for the
buttons; each chapter's text carries the book's language, the page's own words are English.
"""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup, escape

from publisher.proof.flags import clock
from publisher.proof.results import ChapterProof, SentenceProof, heard_text, median_wer

if TYPE_CHECKING:
    from publisher.proof.run import BookProof

WORST = 5
"""Spans listed per chapter as its worst."""


def _sentence(s: SentenceProof) -> dict[str, Any]:
    return {
        "line": s.said.line,
        "kind": s.said.kind,
        "start_ms": s.said.start_ms,
        "end_ms": s.said.end_ms,
        "text": s.said.display,
        "heard": " ".join(h.text for h in s.heard),
        "words": s.score.words,
        "errors": s.score.errors,
        "wrong": [
            {"written": sp.written, "heard": sp.heard, "at_ms": sp.at_ms} for sp in s.spans()
        ],
    }


def _chapter(c: ChapterProof, report_dir: Path) -> dict[str, Any]:
    chapter = c.audio.chapter
    return {
        "slug": chapter.slug,
        "title": chapter.title_text,
        "line": chapter.line,
        "language": c.audio.language,
        "mp3": os.path.relpath(c.audio.mp3.resolve(), report_dir.resolve()),
        "duration_ms": c.audio.duration_ms,
        "words": c.score.words,
        "wer": round(c.score.wer, 4),
        "substituted": c.score.substituted,
        "deleted": c.score.deleted,
        "inserted": c.score.inserted,
        "seconds": round(c.seconds, 2),
        "cached": c.cached,
        "worst": [
            {"line": s.line, "written": s.written, "heard": s.heard, "at_ms": s.at_ms}
            for s in c.worst(WORST)
        ],
        "sentences": [_sentence(s) for s in c.sentences],
    }


def document(found: BookProof) -> dict[str, Any]:
    """The report as JSON-ready data (the page is made from the same)."""
    score = found.score
    return {
        "version": 1,
        "source": found.book.source,
        "title": found.book.config.title,
        "language": found.book.config.language,
        "model": found.model,
        "words": score.words,
        "wer": round(score.wer, 4),
        "median_wer": round(median_wer(list(found.chapters)), 4),
        "transcribed": found.transcribed,
        "flags": [
            {"path": f.path, "line": f.line, "kind": f.kind, "message": f.message}
            for f in found.flags
        ],
        "chapters": [_chapter(c, found.report.parent) for c in found.chapters],
    }


def marked(s: SentenceProof) -> Markup:
    """The sentence as written, each run of misheard words marked, with what was heard."""
    text, out, cursor = s.said.display, [], 0
    for ok, run in s.runs():
        written = [t for p in run for t in p.written]
        heard = heard_text([h for p in run for h in p.heard])
        if not written:  # heard, not written: shown where it was heard
            out.append(Markup(' <span class="extra">(heard “{}” here)</span> ').format(heard))
            continue
        start, end = written[0].start, written[-1].end
        out.append(escape(text[cursor:start]))
        if ok:
            out.append(escape(text[start:end]))
        else:
            kind, note = ("", f"heard “{heard}”") if heard else (' class="missing"', "not heard")
            out.append(
                Markup('<mark{}>{}</mark> <span class="heard">({})</span>').format(
                    Markup(kind), text[start:end], note
                )
            )
        cursor = end
    out.append(escape(text[cursor:]))
    return Markup("").join(out)


def _environment() -> jinja2.Environment:
    templates = resources.files("publisher.proof") / "templates"
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["clock"] = clock
    env.filters["percent"] = lambda x: f"{x:.1%}"
    return env


def page(found: BookProof, data: dict[str, Any]) -> str:
    """The HTML page."""
    sentences = {c.audio.chapter.slug: c.sentences for c in found.chapters}
    anchors: dict[int, str] = {}  # a flag's line → where on the page it points
    for c in found.chapters:
        slug = c.audio.chapter.slug
        anchors.setdefault(c.audio.chapter.line, f"c-{slug}")
        for i, s in enumerate(c.sentences, start=1):
            anchors.setdefault(s.said.line, f"s-{slug}-{i}")
    return (
        _environment()
        .get_template("report.html.j2")
        .render(report=data, sentences=sentences, marked=marked, anchors=anchors)
    )


def _write(path: Path, text: str) -> None:
    """``text`` into ``path`` whole or not at all; never through a symbolic link."""
    for folder in (path.parent.parent, path.parent):
        if folder.is_symlink():
            raise OSError(f"{folder} is a symbolic link; refusing to write through it")
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def write_report(found: BookProof) -> None:
    """Write ``report.json`` and ``report.html`` (``found.report``)."""
    data = document(found)
    _write(found.report.with_suffix(".json"), json.dumps(data, ensure_ascii=False, indent=1))
    _write(found.report, page(found, data))


SHOWN_WORST = 3
"""Spans printed per chapter by the command (the report has :data:`WORST`)."""


def chapter_row(c: ChapterProof) -> str:
    """A chapter's line of the printed table (:func:`table_head` names the columns)."""
    took = "kept" if c.cached else f"{c.seconds:.1f} s"
    return f"{c.audio.chapter.slug[:44]:<44} {c.score.words:>6} {c.score.wer:>7.1%} {took:>9}"


def table_head() -> str:
    """The printed table's head."""
    return f"{'chapter':<44} {'words':>6} {'WER':>7} {'listening':>9}"


def summary(found: BookProof) -> list[str]:
    """What the command prints after the table: the book's row, each chapter's worst
    spans, the flags and where the report is (every finding a ``path:line:`` line)."""
    score = found.score
    heard = f"{found.transcribed} of {len(found.chapters)} heard now"
    lines = [f"{'book':<44} {score.words:>6} {score.wer:>7.1%}   ({heard})"]
    worst = [(c, s) for c in found.chapters for s in c.worst(SHOWN_WORST)]
    if worst:
        lines.append("worst spans:")
    for c, s in worst:
        said = f'"{s.heard}"' if s.heard else "nothing"
        lines.append(
            f'{found.book.source}:{s.line}: heard {said} for "{s.written}" '
            f"(at {clock(s.at_ms)} in {c.audio.mp3.name})"
        )
    lines.append("flags:" if found.flags else "flags: none")
    lines += [str(f) for f in found.flags]
    lines.append(f"report: {found.report} (and {found.report.with_suffix('.json').name})")
    return lines
