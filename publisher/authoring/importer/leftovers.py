"""Signs of what a web page leaves in copied text (teasers, a newsletter box, a signature,
links whose address was lost) and of question-and-answer sections, read from
``data/import-cues.toml``.

The cues are data, one table per language, and every language's cues apply to every text.
"""

from __future__ import annotations

import functools
import re
import tomllib
from importlib.resources import files

LINK_GLYPH = "🔗"
_TRAILING = re.compile(r"[\s.…:!,→»>]+$")


@functools.cache
def _cues() -> dict[str, tuple[str, ...]]:
    """Every language's cues of each kind, together."""
    raw = files("publisher").joinpath("data", "import-cues.toml").read_text("utf-8")
    merged: dict[str, list[str]] = {}
    for table in tomllib.loads(raw).values():
        for kind, words in table.items():
            merged.setdefault(kind, []).extend(str(w) for w in words)
    return {kind: tuple(words) for kind, words in merged.items()}


def _bare(line: str) -> str:
    """``line`` in lower case without trailing dots, colons and arrows."""
    return _TRAILING.sub("", line.lower()).strip()


def _has(kind: str, line: str) -> bool:
    lower = line.lower()
    return any(re.search(rf"(?<!\w){re.escape(cue)}(?!\w)", lower) for cue in _cues()[kind])


def faq_heading(line: str) -> bool:
    """True for a heading over questions and answers ("Veelgestelde vragen over …")."""
    return _has("faq", line)


def teaser_heading(line: str) -> bool:
    """True for a heading over teasers for other articles ("Ontdek meer...", "Read more")."""
    bare = _bare(line)
    return any(bare == cue or bare.startswith(cue + " ") for cue in _cues()["teaser_heading"])


def greeting(line: str) -> bool:
    """True for a line that closes a letter ("Groet,", "Kind regards,")."""
    return _bare(line) in _cues()["greeting"]


def notes(line: str) -> list[str]:
    """What in this paragraph looks like a web page's leftover, as notes for the author."""
    found = []
    if LINK_GLYPH in line or _has("lost_link", line):
        found.append("a link whose address was lost in copying; write it as [text](https://…)")
    if any(_bare(line).endswith(cue) for cue in _cues()["read_more"]):
        found.append('looks like a web page\'s "read more" teaser; its link was lost')
    if _has("newsletter", line):
        found.append("looks like a web page's newsletter sign-up; keep it or delete it")
    return found
