"""Generated Markdown books, and what publisher must answer to each: for the property tests
(tests/test_properties.py) and their long run (benchmarks/properties.py).

A book is drawn from the forms authors write and the forms that broke builds before:
headings with ids and every attribute-list form Pandoc and kramdown accept (and doubled or
misplaced ones), footnotes, links of every kind of address, images (raster, SVG with
active and remote content, missing, remote, outside the book), spans in other languages,
prompts, pauses, lists, quotes, tables, code, raw HTML, brackets that look like phonemes.

:func:`try_book` builds one and returns what happened; :func:`answered` says whether that
is an acceptable answer: exit 0, or exit 2 with one ``file:line: message`` line per problem
and no traceback; ``check`` and ``build`` agree.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from traceback import format_exception

from click.testing import CliRunner
from hypothesis import strategies as st
from PIL import Image

from publisher.cli import cli

BASE_URL = "https://example.org/book/"

WORDS = (
    "Knuffel", "oxytocine", "word", "Straße", "café", "één", "Tjeerd", "WHO", "AT&T", "3 < 5",
    "a_b", "x*y", "[[x]]", "[[[aaa]]]", "<b>vet</b>", "&amp;", "{x}", "{#z}", "\\*", "…", "🤗",
    "💡", "Привет", "東京", "ሰላም", "?", "!", "—", "\u00a0", "a@b.org", "www.example.org",
)  # fmt: skip
# Forms that must be refused come less often than forms that must build, so most books
# reach EPUBCheck: each list is the good forms several times over, then the bad ones.
IDS = ("intro", "sec-a", "sec:b", "Sec_C", "sec.d", "x") * 3 + ("fn-1", "s_x", "bad id", "één")
URLS = (
    "https://example.org/", "HTTP://EXAMPLE.ORG/x", "https://u:p@example.org/", "http://a_b/",
    "mailto:a@b.org", "javascript:alert(1)", "notes.md", "#intro", "#sec:b", "#sec-a",
    "#nowhere", "https://[::1]/", "http:///x", "https://example.org/a b", "ftp://x.org",
    "https://exa%41mple.org", "#", "https://example.org/#frag", "<https://example.org/>",
    "https://example.org/?q=1&r=2",
)  # fmt: skip
IMAGES = ("img.png", "pic.svg", "img%2Epng", "sub/../img.png") * 6 + (
    "missing.png", "https://example.org/x.png", "../outside.png", "bad.svg",
)  # fmt: skip
LANGUAGES = ("ru", "el", "de", "ja", "xx", "en-GB", "nl") * 3 + ("not a tag",)
HEADING_ATTRIBUTES = (
    "", "", "", " {#ID}", " {#ID .c k=v}", " {.options}", " {: #ID}", " ### {#ID}",
    " {#ID} {#ID2}", "\n{: #ID}", " {-}", " {#ID .c}", " {}", " {#ID key=\"a b\"}",
)  # fmt: skip
PARAGRAPH_ENDINGS = ("", "", "", " {voice=nl-espeak-f3}", "\n{: .note}") * 3 + (" {voice=nope}",)


def _inline(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        children.map(lambda t: f"*{t}*"),
        children.map(lambda t: f"**{t}**"),
        st.tuples(children, st.sampled_from(URLS)).map(lambda p: f"[{p[0]}]({p[1]})"),
        st.tuples(children, st.sampled_from(LANGUAGES)).map(lambda p: f"[{p[0]}]{{lang={p[1]}}}"),
    )


LEAVES = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(WORDS).map(lambda w: f"`{w}`"),
    st.sampled_from(URLS).map(lambda u: u if u.startswith("<") else f"<{u}>"),
    st.tuples(st.sampled_from(WORDS), st.sampled_from(IMAGES)).map(lambda p: f"![{p[0]}]({p[1]})"),
    st.sampled_from(("[^1]", "[^a]", "[^missing]")),
    st.text(max_size=6),
)
INLINE = st.recursive(LEAVES, _inline, max_leaves=6)
TEXT = st.lists(INLINE, min_size=1, max_size=8).map(" ".join)


@st.composite
def _heading(draw: st.DrawFn) -> str:
    level = draw(st.integers(1, 4))
    ending = draw(st.sampled_from(HEADING_ATTRIBUTES))
    ending = ending.replace("ID2", draw(st.sampled_from(IDS))).replace(
        "ID", draw(st.sampled_from(IDS))
    )
    return f"{'#' * level} {draw(TEXT)}{ending}"


BLOCKS = st.one_of(
    _heading(),
    st.tuples(TEXT, st.sampled_from(PARAGRAPH_ENDINGS)).map("".join),
    st.tuples(st.sampled_from(("", "{pause=3}", "{pause=0.5}")), TEXT).map(
        lambda p: f"💡{p[0]} {p[1]}?"
    ),
    st.sampled_from(("{pause=2}",) * 6 + ("{pause=abc}", "{pause=9999}")),
    st.lists(TEXT, min_size=1, max_size=3).map(lambda items: "\n".join(f"- {i}" for i in items)),
    st.lists(TEXT, min_size=1, max_size=3).map(lambda items: "\n".join(f"1. {i}" for i in items)),
    TEXT.map(lambda t: f"> {t}"),
    st.tuples(TEXT, TEXT).map(lambda c: f"| {c[0]} | B |\n| --- | --- |\n| {c[1]} | 2 |"),
    st.sampled_from(WORDS).map(lambda w: f"```\n{w}\n```"),
    st.just("***"),
    st.tuples(st.sampled_from(("1", "a", "b")), TEXT).map(lambda p: f"[^{p[0]}]: {p[1]}"),
    st.tuples(st.sampled_from(WORDS), st.sampled_from(IMAGES)).map(lambda p: f"![{p[0]}]({p[1]})"),
    st.just("<div>raw *html*</div>"),
)


@st.composite
def books(draw: st.DrawFn, max_blocks: int = 12) -> str:
    """The text of a generated book: front matter, a title, then blocks."""
    language = draw(st.sampled_from(("nl", "en")))
    level = draw(st.sampled_from(("", "chapter_level: 2\n", "chapter_level: 3\n")))
    pls = draw(st.sampled_from(("", "narration:\n  pls: lexicon.pls\n")))
    front = (
        f"---\ntitle: Het Boek\nauthor: A. Auteur\nlanguage: {language}\n"
        f"identifier: urn:uuid:0f7c1f5e-4a43-4d0e-9a53-1f8a3c2b7d11\n{level}{pls}---\n"
    )
    blocks = draw(st.lists(BLOCKS, min_size=1, max_size=max_blocks))
    return front + "\n# Het Boek\n\n" + "\n\n".join(blocks) + "\n"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, "PNG")
    return buffer.getvalue()


SVG = """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
  width="10" height="10"><style>rect { fill: image-set('https://t.example/a.png' 1x); }
.b { background: u\\72l(https://t.example/b.png) }</style>
<script>alert(1)</script><rect width="10" height="10" onclick="x()"/>
<image href="https://t.example/c.png"/><a href="javascript:x()"><circle r="2"/></a>
<use xlink:href="#r"/></svg>"""
PLS = """<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
         alphabet="ipa" xml:lang="nl">
<lexeme><grapheme>Tjeerd</grapheme><phoneme alphabet="x-espeak">tj'e:rt</phoneme></lexeme>
<lexeme><grapheme>WHO</grapheme><alias>Wereldgezondheidsorganisatie</alias></lexeme>
</lexicon>
"""


def write_book(folder: Path, text: str) -> Path:
    """``text`` as ``folder/book/book.md`` with the files its images and lexicon name."""
    book = folder / "book"
    book.mkdir(parents=True)
    (book / "img.png").write_bytes(_png())
    (folder / "outside.png").write_bytes(_png())
    (book / "pic.svg").write_text(SVG, encoding="utf-8")
    (book / "bad.svg").write_text("<svg", encoding="utf-8")
    (book / "lexicon.pls").write_text(PLS, encoding="utf-8")
    source = book / "book.md"
    source.write_text(text, encoding="utf-8")
    return source


@dataclass(kw_only=True)
class Tried:
    """What publisher answered to one generated book."""

    source: Path
    check_exit: int
    check_output: str
    build_exit: int
    build_output: str
    traceback: str | None = None
    outputs: list[Path] = field(default_factory=list)


def try_book(folder: Path, text: str, targets: str = "cover,epub") -> Tried:
    """``check`` and ``build --only targets`` of ``text`` (in this process: a crash of the
    speech engine cannot happen here, no target that speaks is built)."""
    source = write_book(folder, text)
    out = folder / "out"
    check = CliRunner().invoke(cli, ["check", str(source), "--base-url", BASE_URL])
    build = CliRunner().invoke(
        cli,
        ["build", str(source), "--out", str(out), "--only", targets, "-q", "--base-url", BASE_URL],
    )
    traceback = None
    for result in (check, build):
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            traceback = "".join(format_exception(result.exception))
    return Tried(
        source=source,
        check_exit=check.exit_code,
        check_output=check.output,
        build_exit=build.exit_code,
        build_output=build.output,
        traceback=traceback,
        outputs=sorted(out.rglob("*.epub")) + sorted(out.rglob("*.mp3")),
    )


def build_command(source: Path, out: Path, targets: str) -> list[str]:
    """``publisher build`` of ``source`` into ``out``, as a process of its own with one
    audio worker."""
    build = ["build", str(source), "--out", str(out), "--only", targets]
    return [sys.executable, "-m", "publisher", *build, "--jobs", "1", "-q", "--base-url", BASE_URL]


def build_in_process_of_its_own(folder: Path, text: str, targets: str) -> Tried:
    """As :func:`try_book`, but ``build`` runs as its own process (``--jobs 1``): a crash
    of a speech engine is an answer (a negative exit code), not a dead test run."""
    source = write_book(folder, text)
    out = folder / "out"
    run = subprocess.run(
        build_command(source, out, targets),
        capture_output=True,
        text=True,
        timeout=900,
    )
    traceback = run.stderr if "Traceback (most recent call last)" in run.stderr else None
    return Tried(
        source=source,
        check_exit=run.returncode,  # a build validates first, as check does
        check_output=run.stderr,
        build_exit=run.returncode,
        build_output=run.stderr,
        traceback=traceback,
        outputs=sorted(out.rglob("*.epub")) + sorted(out.rglob("*.mp3")),
    )


_PROBLEM = re.compile(r"^(?P<path>/[^:]*?)(?::(?P<line>\d+))?: (?P<message>\S.*)$")


def answered(tried: Tried) -> list[str]:
    """What is wrong with publisher's answer (empty when it is acceptable): exit 0 or 2,
    check and build agreeing, no traceback, each problem one line at its file (and, in
    the book, at its line)."""
    wrong = []
    if tried.traceback:
        wrong.append(f"a traceback:\n{tried.traceback}")
    for name, code in (("check", tried.check_exit), ("build", tried.build_exit)):
        if code not in (0, 2):
            wrong.append(f"{name} exited {code}")
    if tried.check_exit != tried.build_exit:
        wrong.append(f"check exited {tried.check_exit}, build {tried.build_exit}")
    for line in (tried.check_output + tried.build_output).splitlines():
        match = _PROBLEM.match(line)
        if line.endswith("warning(s)") and line.startswith(str(tried.source)):
            continue  # check's summary
        if match is None or not match["path"].startswith(str(tried.source.parent.parent)):
            wrong.append(f"not one line at a file: {line!r}")
        elif match["path"] == str(tried.source) and match["line"] is None:
            wrong.append(f"a problem of the book without its line: {line!r}")
    return wrong


def decode_problems(mp3: Path) -> list[str]:
    """What ffmpeg says decoding ``mp3`` (nothing for a whole, valid file)."""
    ffmpeg = shutil.which("ffmpeg")
    assert ffmpeg is not None
    run = subprocess.run(
        [ffmpeg, "-v", "error", "-i", str(mp3), "-f", "null", "-"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    problems = run.stderr.splitlines()
    return [*problems, f"ffmpeg exited {run.returncode}"] if run.returncode else problems
