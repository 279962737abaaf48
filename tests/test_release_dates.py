"""Episodes dated in the future: in the feed and on the website from their date on, with
"now" from SOURCE_DATE_EPOCH (or the clock), and a rebuild after that date publishes them."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from publisher.pipeline.runner import build
from publisher.renderers.base import BuildOptions

BOOK = """---
title: Weekly
author: A
language: en
identifier: urn:uuid:8a6c0f1e-5f6b-4b61-9a43-0d7f61f1b003
date: 2024-01-01
podcast:
  start: 2030-01-07
  interval: weekly
---

## One

First.

## Two

Second.

## Three

Third.
"""
TARGETS = ["cover", "audio", "feed", "site"]
OPTIONS = BuildOptions(base_url="https://example.org/", jobs=1)
pytestmark = pytest.mark.slow  # each test builds the narration of a three-chapter book


def epoch(day: str) -> str:
    return str(int(dt.datetime.fromisoformat(f"{day}T12:00:00+00:00").timestamp()))


def items(out: Path) -> list[str]:
    channel = ET.parse(out / "feed.xml").getroot().find("channel")
    assert channel is not None
    return [item.findtext("title") or "" for item in channel.findall("item")]


def test_an_episode_appears_from_its_date_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "source").mkdir()
    source = tmp_path / "source" / "book.md"
    source.write_text(BOOK)
    out = tmp_path / "build"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch("2030-01-14"))  # the second one's day
    build(source, out, only=TARGETS, options=OPTIONS)
    assert items(out) == ["Two", "One"]  # newest first; Three only from 21 January
    index = (out / "index.html").read_text()
    assert 'from <time datetime="2030-01-21">' in index
    assert 'href="episodes/three.html"' not in index
    first = (out / "feed.xml").read_bytes()
    # Reproducible: the same "now", the same feed; up to date until Three's day.
    assert build(source, out, only=TARGETS, options=OPTIONS).up_to_date
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch("2030-01-20"))
    assert build(source, out, only=TARGETS, options=OPTIONS).up_to_date
    assert (out / "feed.xml").read_bytes() == first
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch("2030-01-21"))
    later = build(source, out, only=TARGETS, options=OPTIONS)
    assert not later.up_to_date and "feed.xml" in later.changed
    assert items(out) == ["Three", "Two", "One"]
    assert 'href="episodes/three.html"' in (out / "index.html").read_text()
    assert build(source, out, only=TARGETS, options=OPTIONS).up_to_date  # nothing left to come


def test_without_source_date_epoch_the_clock_decides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    (tmp_path / "source").mkdir()
    source = tmp_path / "source" / "book.md"
    source.write_text(BOOK.replace("2030-01-07", "2000-01-03"))
    out = tmp_path / "build"
    build(source, out, only=TARGETS, options=OPTIONS)
    assert items(out) == ["Three", "Two", "One"]  # all dated in the past
