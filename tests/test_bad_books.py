"""A corpus of broken books (tests/data/bad/): each gives one exact line, exit 2, no traceback,
from ``check`` and from ``build``, and a build writes nothing into the output folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from publisher.cli import cli
from publisher.reader.source import MAX_SOURCE_BYTES

BAD = Path(__file__).parent / "data" / "bad"
# What an unknown-key message lists: every front-matter key, in order.
KNOWN_KEYS = (
    "(known: accessibility_certified_by, accessibility_credential, accessibility_summary, "
    "audiobook, author, chapter_level, cover, cover_font, credentials, date, description, "
    "example_word, identifier, language, narrated_epub, narration, podcast, publisher, rights, "
    "series, site, subtitle, title)"
)

# Each book of the corpus and the one line it must give (after its file name).
EXPECTED = [
    (
        "base-url-bad-port.md",
        ":7: 'podcast.base_url' 'https://example.org:99999/' has an invalid port or host",
    ),
    (
        "base-url-ftp.md",
        ":7: 'podcast.base_url' 'ftp://example.org/' must start with http: or https:",
    ),
    (
        "base-url-query.md",
        ":7: 'podcast.base_url' 'https://example.org/pod/?x=1' must not have a ?query: file names are added after it",
    ),
    (
        "bitrate-huge.md",
        ":7: 'narration.bitrate': '10000000000000000000000000000000000000… is too long a number",
    ),
    ("bitrate-not-mp3.md", ":7: 'narration.bitrate' must be an MP3 bitrate such as 64"),
    (
        "body-pause-garbled.md",
        ":10: prompt attributes {wait=3} not understood; write {pause=10} (seconds)",
    ),
    ("body-pause-huge.md", ":10: pause=999999999 is longer than 600 seconds"),
    ("chapter-level.md", ":6: 'chapter_level' must be between 1 and 6, not 9"),
    ("control-character-author.md", ":3: 'author' holds the control character U+0007; remove it"),
    (
        "control-character-description.md",
        ":6: 'description' holds the control character U+001B; remove it",
    ),
    ("control-character-title.md", ":2: 'title' holds the control character U+0001; remove it"),
    (
        "cover-remote.md",
        ":6: 'cover' 'https://example.org/cover.jpg' is remote; use an image file beside the book",
    ),
    (
        "date-feb-30.md",
        ":6: 'date': '2025-02-30' is not a real date or time (day is out of range for month)",
    ),
    (
        "date-hour-25.md",
        ":6: 'date': '2025-01-01 25:00:00' is not a real date or time (hour must be in 0..23)",
    ),
    (
        "date-month-13.md",
        ":6: 'date': '2025-13-01' is not a real date or time (month must be in 1..12)",
    ),
    ("date-out-of-range.md", ":6: 'date' must be between 1000-01-01 and 9000-12-31"),
    (
        "date-year-0.md",
        ":6: 'date': '0000-01-01' is not a real date or time (year 0 is out of range)",
    ),
    ("empty-mapping.md", ":6: 'narration' has no value; give one or remove the key"),
    ("empty-text.md", ":6: 'subtitle' is empty; give a value or remove the key"),
    ("empty-value.md", ":2: 'title' has no value; give one or remove the key"),
    (
        "form-feed-in-front-matter.md",
        ":6: front matter holds the control character U+000C, which YAML does not allow",
    ),
    ("key-not-text.md", ":6: a key in 'front matter' is not plain text"),
    ("language.md", ":4: 'language' must be a BCP 47 tag like 'nl' or 'en-GB', not 'Nederlands'"),
    (
        "line-separator-before-error.md",
        ":7: unknown key 'titel' " + KNOWN_KEYS,
    ),
    (
        "link-javascript.md",
        ":7: 'podcast.link' 'javascript:alert(1)' must start with http: or https:",
    ),
    ("link-no-host.md", ":7: 'podcast.link' 'https:///path' has no host"),
    ("loudness-infinite.md", ":7: 'narration.loudness': '-.inf' is not a finite number"),
    ("loudness-nan.md", ":7: 'narration.loudness': '.nan' is not a finite number"),
    ("loudness-out-of-range.md", ":7: 'narration.loudness' must be between -40 and -6, not 3"),
    (
        "nested-emphasis.md",
        ":10: emphasis, links and images nest 500 levels deep here; at most 50 are allowed",
    ),
    ("no-front-matter.md", ":1: the book must start with YAML front matter between '---' lines"),
    ("no-text.md", ":7: the book has no text"),
    ("not-utf8.md", ":10: is not valid UTF-8 (byte 0xE9); save it as UTF-8"),
    (
        "nul-in-front-matter.md",
        ":6: front matter holds the control character U+0000, which YAML does not allow",
    ),
    ("owner-email.md", ":7: 'podcast.owner_email' 'not an address' is not a mail address"),
    ("pause-negative.md", ":7: 'narration.paragraph_pause' must be between 0 and 600, not -1"),
    ("pause-out-of-range.md", ":7: 'narration.heading_pause' must be between 0 and 600, not 1e+06"),
    (
        "podcast-dates-impossible.md",
        ":8: 'podcast.dates.chapter': '2025-04-31' is not a real date or time (day is out of range for month)",
    ),
    (
        "podcast-start-impossible.md",
        ":7: 'podcast.start': '2025-02-29' is not a real date or time (day is out of range for month)",
    ),
    ("prompt-pause-nan.md", ":7: 'narration.prompt_pause': '.nan' is not a finite number"),
    ("unclosed-front-matter.md", ":1: the front matter that starts here has no closing '---' line"),
    (
        "unknown-key.md",
        ":6: unknown key 'titel' " + KNOWN_KEYS,
    ),
    ("yaml-aliases.md", ":6: front matter uses a YAML anchor or alias (&, *); write values out"),
    ("yaml-bool-tag.md", ":7: front matter uses the YAML tag '!!bool'; remove it"),
    ("yaml-deep-nesting.md", ":6: front matter nests deeper than 20 levels"),
    (
        "yaml-invalid.md",
        ":7: front matter is not valid YAML: expected ',' or ']', but got '<stream end>'",
    ),
    ("yaml-tag.md", ":6: front matter uses the YAML tag '!foo'; remove it"),
]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_every_book_of_the_corpus_is_in_the_table() -> None:
    assert sorted(p.name for p in BAD.glob("*.md")) == sorted(name for name, _ in EXPECTED)


@pytest.mark.parametrize(("name", "message"), EXPECTED)
def test_check_gives_the_one_line(
    name: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(BAD / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    result = run("check", name)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.output.splitlines() == [name + message]


@pytest.mark.parametrize(("name", "message"), EXPECTED)
def test_build_gives_the_one_line_and_writes_nothing(
    name: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(BAD / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    result = run("build", name, "--out", "out", "--quiet")
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.output.splitlines() == [name + message]
    # The build lock may be there; no output of the book is.
    made = [p for p in (tmp_path / "out").rglob("*") if not p.name.startswith(".")]
    assert made == []


def test_a_fifo_as_source_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "book.md"
    os.mkfifo(fifo)
    for command in ("check", "build"):
        result = run(
            command, str(fifo), *(["--out", str(tmp_path / "out")] if command == "build" else [])
        )
        assert result.exit_code == 2
        assert result.output.splitlines() == [f"{fifo}: is not a regular file"]


def test_a_source_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "book.md"
    with big.open("wb") as f:
        f.truncate(MAX_SOURCE_BYTES + 1)  # sparse: no real disk use
    result = run("check", str(big))
    assert result.exit_code == 2
    assert result.output.splitlines() == [f"{big}: is larger than 20 MB; is it the book?"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://", "has no host"),
        ("https://example.org/my pod/", "contains a space or a control character"),
        ("https://example.org/pod/?x=1", "must not have a ?query: file names are added after it"),
        (
            "https://example.org/pod/#top",
            "must not have a #fragment: file names are added after it",
        ),
        ("ftp://x", "must start with http: or https:"),
        ("javascript:alert(1)", "must start with http: or https:"),
        ("https://example.org:99999/", "has an invalid port or host"),
    ],
)
def test_base_url_is_checked_with_the_command_line(url: str, reason: str, tmp_path: Path) -> None:
    source = BAD.parent.parent / "fixtures" / "every-block.md"
    result = run("build", str(source), "--out", str(tmp_path / "out"), "--base-url", url)
    assert result.exit_code == 2
    assert f"Invalid value for '--base-url': {url!r} {reason}" in result.output
    assert not (tmp_path / "out").exists()


def test_a_control_character_quoted_from_the_book_stays_on_its_line(tmp_path: Path) -> None:
    """A form feed in a heading (found by the generated books) split the warning that
    quotes the title over two lines: the second had no file:line."""
    source = tmp_path / "book.md"
    front = "---\ntitle: T\nauthor: A\nlanguage: nl\n---\n\n"
    source.write_text(front + "# T\n\n# Knuffel \x0c0\n\n## Deel\u2028twee\n")
    result = run("check", str(source))
    lines = result.output.splitlines()
    assert lines and all(line.startswith(f"{source}") for line in lines), lines
    assert any("Knuffel \\x0c0" in line for line in lines), lines
