"""``publisher init --language``: a starter book in the author's language."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher import model as m
from publisher.cli import cli
from publisher.reader.parse import parse_file
from publisher.text.plain import plain_text


@pytest.mark.parametrize(
    ("language", "chapter", "example", "prompt"),
    [
        ("nl", "Het Eerste Hoofdstuk", "Voorbeeld:", "Waar wil je dat je lezer"),
        ("en", "The First Chapter", "Example:", "What would you like your reader"),
    ],
)
def test_init_writes_a_starter_book_in_that_language(
    tmp_path: Path, language: str, chapter: str, example: str, prompt: str
) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["init", str(tmp_path / "b"), "--language", language])
    assert result.exit_code == 0, result.output
    source = tmp_path / "b" / "source" / "book.md"
    url = "https://example.org/pod/"  # the one warning of a new book is that it has none
    check = runner.invoke(cli, ["check", "--strict", "--base-url", url, str(source)])
    assert check.exit_code == 0, check.output
    book = parse_file(source).book
    assert book.config.language == language
    [first] = book.chapters
    assert first.title_text == chapter
    blocks = list(m.walk(first.blocks))
    examples = [b for b in blocks if isinstance(b, m.Example)]
    prompts = [b for b in blocks if isinstance(b, m.Prompt)]
    assert [e.label for e in examples] == [example]
    assert len(prompts) == 1 and plain_text(prompts[0].children).startswith(prompt)


def test_init_refuses_a_language_it_has_no_book_for(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "b"), "--language", "fr"])
    assert result.exit_code == 2 and "'fr' is not one of" in result.output
    assert not (tmp_path / "b").exists()
