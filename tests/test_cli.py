"""The command line: how it passes arguments on, its messages and exit codes."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from publisher.cli import cli
from publisher.errors import BuildError
from publisher.pipeline.registry import REGISTRY, Entry
from tests.fake_renderers import FailingRenderer, WordsRenderer
from tests.helpers import cli_runner

HEAD = "---\ntitle: T\nauthor: A\nlanguage: en\nidentifier: urn:x\n---\n"


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_every_command_and_option_has_help() -> None:
    assert cli.help
    commands = list(cli.commands.items())
    assert any(isinstance(command, click.Group) for _, command in commands)  # voices
    while commands:
        name, command = commands.pop()
        assert command.help, f"{name} has no help"
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts} has no help"
        if isinstance(command, click.Group):  # and its subcommands (voices add)
            commands += [(f"{name} {sub}", c) for sub, c in command.commands.items()]


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0 and "0.1.0" in result.output


def test_bad_input_is_one_line_with_its_place_and_exit_2(tmp_path: Path) -> None:
    source = tmp_path / "book.md"
    source.write_text(HEAD.replace("language: en\n", "language: en\ncolour: red\n") + "## C\n\nx\n")
    result = run("check", str(source))
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"{source}:5: unknown key 'colour' (known: accessibility_certified_by, "
        "accessibility_credential, accessibility_summary, audiobook, author, chapter_level, "
        "cover, cover_font, credentials, date, description, example_word, identifier, "
        "language, narrated_epub, narration, podcast, publisher, rights, series, site, "
        "subtitle, title)"
    ]
    assert "Traceback" not in result.output


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    source = tmp_path / "book.md"
    source.write_text("no front matter\n")
    result = CliRunner().invoke(cli, ["--debug", "check", str(source)])
    assert result.exit_code != 0 and result.exception is not None


def test_usage_error_exits_2() -> None:
    assert run("build", "--jobs", "0").exit_code == 2
    assert run("nonsense").exit_code == 2


def test_unknown_target_exits_2(tmp_path: Path) -> None:
    source = tmp_path / "book.md"
    source.write_text(HEAD + "## C\n\nx\n")
    result = run("build", str(source), "--only", "pdf", "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "unknown target 'pdf'" in result.output
    empty = run("build", str(source), "--only", "", "--out", str(tmp_path / "out"))
    assert empty.exit_code == 2
    assert empty.output.strip() == (
        "--only: names no target; choose from cover, epub, audio, feed, narrated-epub, "
        "audiobook, site"
    )
    assert not (tmp_path / "out").exists()


def test_a_failing_target_is_one_line_exit_1_and_the_build_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Registered as a later output would be: one line in the table.
    monkeypatch.setitem(REGISTRY, "words", Entry(WordsRenderer))
    error = OSError(28, "No space left on device", str(tmp_path / "disk"))
    monkeypatch.setitem(REGISTRY, "failing", Entry(lambda: FailingRenderer(error)))
    source = tmp_path / "book.md"
    source.write_text(HEAD + "## C\n\nx\n")
    out = tmp_path / "out"
    url = ["--base-url", "https://example.org/pod/"]  # else a warning says it is missing
    assert run("build", str(source), "--only", "words", "--out", str(out), *url).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    source.write_text(HEAD + "## D\n\ny\n")
    args = ["build", str(source), "--only", "words,failing", "--out", str(out), "--quiet", *url]
    result = cli_runner().invoke(cli, args)
    assert result.exit_code == 1
    assert result.stderr == f"failing: {tmp_path / 'disk'}: No space left on device\n"
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    debug = cli_runner().invoke(cli, ["--debug", *args])
    assert isinstance(debug.exception, BuildError) and debug.exception.__cause__ is error


def test_check_strict_fails_on_warnings(tmp_path: Path) -> None:
    source = tmp_path / "book.md"
    source.write_text(HEAD + "## C\n\n💡 Think about it.\n")
    url = ["--base-url", "https://example.org/pod/"]
    relaxed = run("check", str(source), *url)
    assert relaxed.exit_code == 0
    assert f"{source}:9: warning: reflection prompt asks no question" in relaxed.output
    assert run("check", "--strict", str(source), *url).exit_code == 2
    source.write_text(HEAD + "## C\n\n💡 Think about it.\n\n![](missing.png)\n")
    broken = run("check", str(source), *url)
    assert broken.exit_code == 2  # the build refuses a missing image, so check does too
    assert f"{source}:9: warning: reflection prompt asks no question" in broken.output
    assert f"{source}:11: warning: image 'missing.png' has no alt text" in broken.output
    assert f"{source}:11: image 'missing.png' not found" in broken.output


def test_default_source_is_the_one_md_in_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("check").exit_code == 2  # no source/ folder
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "a.md").write_text(HEAD + "## C\n\nx?\n")
    ok = run("check")
    assert ok.exit_code == 0 and "source/a.md: 1 chapters" in ok.output
    (tmp_path / "source" / "b.md").write_text(HEAD)
    several = run("check")
    assert several.exit_code == 2 and "several .md files: a.md, b.md" in several.output


def test_init_makes_a_book_that_checks_clean_and_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "new"
    assert run("init", str(target)).exit_code == 0
    book = target / "source" / "book.md"
    # Its one warning: where the feed will live is the author's to say.
    strict = cli_runner().invoke(cli, ["check", "--strict", str(book)])
    assert strict.exit_code == 2 and strict.stderr.count("\n") == 1
    assert "warning: no podcast.base_url" in strict.stderr
    url = "https://example.org/pod/"
    assert run("check", "--strict", "--base-url", url, str(book)).exit_code == 0
    book.write_text(book.read_text() + "\nMy own words.\n")
    again = run("init", str(target))
    assert again.exit_code == 2 and "already holds a book" in again.output
    assert book.read_text().endswith("My own words.\n")


def test_init_book_builds(tmp_path: Path) -> None:
    target = tmp_path / "new"
    assert run("init", str(target)).exit_code == 0
    out = tmp_path / "out"
    result = run("build", str(target / "source" / "book.md"), "--out", str(out), "--only", "epub")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (out / "epub").iterdir()] == ["my-book.epub"]
    # The EPUB draws its own portrait cover: an EPUB-only build publishes no artwork.
    assert sorted(p.name for p in out.iterdir()) == ["epub"]
    assert (target / ".gitignore").read_text().splitlines() == ["build/", ".publisher/"]


def test_voices_lists_the_profiles_and_whether_they_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    voices = tmp_path / "voices"
    voices.mkdir()
    (voices / "nl-test.toml").write_text('engine = "espeak"\nvoice = "nl"\nlanguage = "nl"\n')
    (voices / "missing.toml").write_text(
        'engine = "piper"\nlanguage = "nl"\nmodel = "nl_NL-none.onnx"\n'
    )
    result = run("voices", "--voices", str(voices))
    assert result.exit_code == 0
    lines = dict(line.split(None, 1) for line in result.output.splitlines())
    assert lines["nl-test"].split() == ["espeak", "nl", "ok"]
    assert "unavailable" in lines["missing"] and "nl_NL-none.onnx" in lines["missing"]
