"""What one paragraph looks like on its own: a heading line, a list line, a question, a
label line, a quotation, a prompt, an example. The structure finder combines these with
what comes before and after.

Hand-written: these are the typographic habits of text copied out of a web page or a word
processor, which no library describes; each rule is one regular expression or count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from publisher import model as m
from publisher.authoring.importer.document import Para
from publisher.reader.blocks import PROMPT_GLYPH
from publisher.text.plain import plain_text

# A heading is a title, not a sentence: at most this many words and characters. The seed's
# longest, its title, has 11 words and 81 characters; its shortest paragraph has 13 words.
HEADING_WORDS = 12
HEADING_CHARS = 100
# A question that heads its answer (questions and answers) is as short as a heading, give or
# take the question word.
QUESTION_WORDS = 15
# "Label: text" lines that become a list: the label is a few words, as in "Begin thuis:".
LABEL_WORDS = 5
# What ends a sentence or clause: a line ending in one is text, not a heading.
CLOSING = tuple(".!?,;:…")
_MARKER = re.compile(r"^(?:(?P<bullet>[-–—•*·▪◦‣])|(?P<number>\d{1,3})[.)])\s+(?P<rest>\S.*)$")
_MARKER_PREFIX = re.compile(r"^\s*(?:[-–—•*·▪◦‣]|\d{1,3}[.)])\s+")
_LABEL = re.compile(r"^(?P<label>[^:.!?]{1,60}):\s+(?P<rest>\S.*)$")
_QUOTES = {"“": "”", '"': '"', "„": "”“", "«": "»", "‘": "’", "'": "'"}


def text(para: Para) -> str:
    """The paragraph's text on one line."""
    return " ".join(plain_text(para.inlines).split())


def one_line(para: Para) -> bool:
    """True if the paragraph has no hard line break."""
    return not any(isinstance(i, m.LineBreak) for i in para.inlines)


def is_prompt(para: Para) -> bool:
    """True for a reflection prompt (it starts with 💡)."""
    return text(para).startswith(PROMPT_GLYPH)


def is_example(para: Para, word: str) -> bool:
    """True for an example (it starts with the language's example word, as the parser reads)."""
    first = para.inlines[0] if para.inlines else None
    return isinstance(first, m.Text) and first.text[: len(word)].lower() == word.lower()


def heading_like(line: str) -> bool:
    """A short line without closing punctuation: a heading if it stands between paragraphs."""
    words = line.split()
    return (
        0 < len(words) <= HEADING_WORDS
        and len(line) <= HEADING_CHARS
        and not line.endswith(CLOSING)
        and any(c.isalpha() for c in line)
        and not line.startswith(PROMPT_GLYPH)
        and _MARKER.match(line) is None
        and quoted(line) is None
    )


def question_like(line: str) -> bool:
    """A short question on a line of its own."""
    return line.endswith("?") and 0 < len(line.split()) <= QUESTION_WORDS


@dataclass(frozen=True, kw_only=True)
class Marker:
    """A line that starts with a list marker (``- ``, ``• ``, ``1. ``)."""

    ordered: bool
    number: int
    rest: str


def marker(line: str) -> Marker | None:
    """The list marker the line starts with, if any."""
    found = _MARKER.match(line)
    if found is None:
        return None
    number = found.group("number")
    return Marker(
        ordered=number is not None, number=int(number or 1), rest=found.group("rest").strip()
    )


def label(line: str) -> tuple[str, str] | None:
    """``(label, rest)`` of a "Label: text" line, the label a few words."""
    found = _LABEL.match(line)
    if found is None or len(found.group("label").split()) > LABEL_WORDS:
        return None
    return found.group("label").strip(), found.group("rest")


def quoted(line: str) -> str | None:
    """The quotation mark a line is wholly inside of (“…”, "…", «…»), if it is."""
    if len(line) < 3 or line[0] not in _QUOTES:
        return None
    closing = _QUOTES[line[0]]
    inner = line[1:-1]
    if line[-1] in closing and not any(c in inner for c in closing):
        return line[0]
    return None


def strip_marker(line: str) -> str:
    """``line`` without the list marker it starts with."""
    return _MARKER_PREFIX.sub("", line, count=1)
