"""One URL rule (publisher/urls.py) from the command line to the feed: no user info, a real
host, scheme and host case-insensitive, decided before anything is built; and every other
place that judges a URL (links of the text, the cover, SVG references) asks the same rule."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.cli import cli
from publisher.text import safe_href
from publisher.urls import base_url, base_url_problem, is_url, url_problem
from tests.books import write_book
from tests.test_feed import book_text, build

BOOK = """\
---
title: T
author: A
language: nl
identifier: urn:x
---

# T

Text with [a link]({href}).
"""


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://user:secret@example.org/", "must not hold a user name or password"),
        ("https://user@example.org/", "must not hold a user name or password"),
        ("https://a_b/", "has an invalid host"),
        ("https://-x-/", "has an invalid host"),
        ("https://x..y/", "has an invalid host"),
        ("https://./", "has an invalid host"),
        ("https://*.org/", "has an invalid host"),
        ("https://ex%41mple.org/", "has an invalid host"),
        ("https://999.1.1.1/", "has an invalid IPv4 address"),
        ("https://[::g]/", "has an invalid"),
        ("https://example.org\\@evil.example/", "contains a backslash"),
        ("https://" + "a." * 130 + "org/", "has an invalid host"),
    ],
)
def test_hosts_that_are_no_hosts_and_credentials_are_refused(url: str, reason: str) -> None:
    problem = base_url_problem(url)
    assert problem is not None and problem.startswith(reason), problem


@pytest.mark.parametrize(
    "url",
    [
        "HTTP://EXAMPLE.ORG/",
        "https://example.org",
        "https://example.org:8443/pod/",
        "http://127.0.0.1:8000/",
        "https://[::1]/",
        "https://localhost/",
        "https://xn--bcher-kva.example/",
        "https://bücher.example/",
    ],
)
def test_real_hosts_in_any_case_are_accepted(url: str) -> None:
    assert base_url_problem(url) is None


def test_the_base_url_is_written_with_a_lower_case_scheme_and_one_slash() -> None:
    assert base_url("HTTP://EXAMPLE.ORG") == "http://EXAMPLE.ORG/"
    assert base_url("Https://example.org/pod//") == "https://example.org/pod/"
    with pytest.raises(ValueError, match="user name or password"):
        base_url("https://u:p@example.org/")


def test_an_upper_case_base_url_passes_the_command_line_and_the_feed(tmp_path: Path) -> None:
    # Before: the command line took it and the feed refused it after the audio, exit 1.
    source = write_book(tmp_path, BOOK.format(href="https://example.org/"))
    result = CliRunner().invoke(cli, ["check", str(source), "--base-url", "HTTP://EXAMPLE.ORG/"])
    assert result.exit_code == 0, result.output
    _, feed = build(tmp_path, book_text("een"), base_url="HTTP://EXAMPLE.ORG/pod")
    href = feedparser.parse(feed).entries[0].enclosures[0].href
    assert href == "http://EXAMPLE.ORG/pod/audio/een-begin.mp3"


def test_credentials_in_the_base_url_are_refused_before_anything_is_built(tmp_path: Path) -> None:
    source = write_book(tmp_path, BOOK.format(href="https://example.org/"))
    out = tmp_path / "out"
    url = "https://me:pw@example.org/"
    result = CliRunner().invoke(cli, ["build", str(source), "--out", str(out), "--base-url", url])
    assert result.exit_code == 2
    assert "must not hold a user name or password" in result.output
    assert not out.exists()
    front = BOOK.format(href="https://example.org/").replace(
        "identifier: urn:x\n", f"identifier: urn:x\npodcast:\n  base_url: {url}\n"
    )
    source.write_text(front, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(source)])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"{source}:7: 'podcast.base_url' '{url}' must not hold a user name or password: "
        "every reader would see them"
    ]


@pytest.mark.parametrize(
    "href", ["https://u:p@example.org/", "http://a_b/", "https://999.1.1.1/", "http:///x"]
)
def test_a_text_link_the_rule_refuses_keeps_its_text_only_and_says_why(
    href: str, tmp_path: Path
) -> None:
    assert safe_href(href, {}) is None
    source = write_book(tmp_path, BOOK.format(href=href))
    result = CliRunner().invoke(cli, ["check", str(source), "--base-url", "https://e.org/"])
    assert result.exit_code == 0
    assert f"{source}:10: warning: link {href!r} " in result.output
    assert "the EPUB keeps its text only" in result.output


@pytest.mark.parametrize(
    ("cover", "remote"),
    [
        ("data:image/png;base64,AAAA", True),
        ("file:///etc/passwd", True),
        ("//example.org/c.jpg", True),
        ("HTTPS://example.org/c.jpg", True),
        ("images/cover.jpg", False),
        ("images/a:b.jpg", False),
    ],
)
def test_a_cover_is_remote_by_the_one_rule(cover: str, remote: bool, tmp_path: Path) -> None:
    assert is_url(cover) is remote
    text = BOOK.format(href="https://e.org/").replace(
        "identifier: urn:x\n", f"identifier: urn:x\ncover: '{cover}'\n"
    )
    result = CliRunner().invoke(cli, ["check", str(write_book(tmp_path, text))])
    assert result.exit_code == 2
    message = "is remote; use an image file beside the book" if remote else "not found"
    assert message in result.output
    assert ":6: " in result.output  # at the line of the key


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_gets_an_answer_and_an_accepted_base_url_is_writable(text: str) -> None:
    url = "https://" + text
    if base_url_problem(url) is None:
        written = base_url(url)
        assert written.endswith("/") and written.startswith("https://")
        assert "@" not in written.split("/")[2]
    url_problem(text)  # never raises
