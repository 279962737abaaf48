"""The front matter an import writes names every setting an author may give, and only those:
no internal field of the settings (``key_lines``) leaks into the author's file."""

from __future__ import annotations

import re

from publisher.authoring.importer.frontmatter import FILLED, front_matter
from publisher.model.config import Config, NarrationConfig, setting_fields


def test_the_commented_settings_are_the_ones_the_front_matter_may_give() -> None:
    lines = front_matter({"title": "T", "author": "A", "language": "nl"})
    top = {m.group(1) for line in lines if (m := re.match(r"# (\w+):", line))}
    assert top == {f.name for f in setting_fields(Config)} - set(FILLED)
    nested = {m.group(1) for line in lines if (m := re.match(r"#   (\w+):", line))}
    assert {f.name for f in setting_fields(NarrationConfig)} <= nested
    assert not any("key_lines" in line for line in lines)
