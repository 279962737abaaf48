"""The author's guide in the README and the GitHub Pages workflow in ``docs/`` name commands
and options that exist: each ``publisher …`` command they show is parsed by the command line
itself (nothing runs), so a renamed option cannot leave the guide behind."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
import yaml

from publisher.cli import cli

ROOT = Path(__file__).parents[1]
GUIDE_TITLE = '## An author\'s guide: "I have an article in Word"'


def guide() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index(GUIDE_TITLE)
    return readme[start : readme.index("\n## ", start + 1)]


def shown_commands(text: str) -> list[str]:
    """Every ``publisher …`` line in the ``sh`` blocks of ``text``, comments left out."""
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    lines = [line.split("#", 1)[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith("publisher ")]


def workflow_commands() -> list[str]:
    workflow = yaml.safe_load((ROOT / "docs" / "github-pages.yml").read_text(encoding="utf-8"))
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    return [run for run in runs if run.startswith("publisher ")]


def parses(command: str) -> None:
    """Parse ``command`` as the ``publisher`` script would, without running it."""
    words = shlex.split(
        command.replace("${{ steps.pages.outputs.base_url }}", "https://u.github.io/r")
    )
    with cli.make_context("publisher", words[1:], resilient_parsing=False) as ctx:
        name, sub, rest = cli.resolve_command(ctx, words[1:])
        assert sub is not None, command
        sub.make_context(name or "", rest, parent=ctx)


def test_the_guide_shows_the_steps_in_order() -> None:
    commands = [c.split()[1] for c in shown_commands(guide())]
    assert commands == ["import", "serve", "build"]
    assert "proof" in guide() and "#proofing-the-narration" in guide()
    assert "docs/github-pages.yml" in guide() and "feed.xml" in guide()


@pytest.mark.parametrize("command", shown_commands(guide()) + workflow_commands())
def test_every_command_shown_parses(command: str) -> None:
    try:
        parses(command)
    except click.UsageError as e:  # pragma: no cover - the message is the failure
        pytest.fail(f"{command}: {e.format_message()}")


def test_the_workflow_uploads_the_build_folder_it_builds() -> None:
    workflow = yaml.safe_load((ROOT / "docs" / "github-pages.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    builds = [s["run"] for s in steps if s.get("run", "").startswith("publisher build")]
    uploads = [s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact")]
    assert len(builds) == 1 and "--base-url" in builds[0]
    assert [u["with"]["path"] for u in uploads] == ["build"]
    cached = [s["with"]["path"] for s in steps if s.get("uses", "").startswith("actions/cache")]
    assert cached == ["source/.publisher"]  # the state folder beside the book, never uploaded
