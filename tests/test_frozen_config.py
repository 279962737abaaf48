"""The Book is frozen all the way down: its configuration's mappings cannot be changed."""

from __future__ import annotations

import pytest

from publisher.reader.parse import parse_text

BOOK = """---
title: T
author: A
language: nl
narration:
  lexicon: { oxytocine: oxytosine }
podcast:
  dates: { een: 2025-01-06 }
---
# T

## Een

x
"""


def test_the_lexicon_and_the_episode_dates_are_read_only() -> None:
    config = parse_text(BOOK, "book.md").book.config
    assert config.narration.lexicon == {"oxytocine": "oxytosine"}
    with pytest.raises(TypeError):
        config.narration.lexicon["knuffel"] = "knuffel"  # type: ignore[index]
    with pytest.raises(TypeError):
        config.podcast.dates["twee"] = config.podcast.dates["een"]  # type: ignore[index]
