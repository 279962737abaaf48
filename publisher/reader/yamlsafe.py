"""Front matter YAML → a bounded node tree, and one node → a plain value, each error at its line.

PyYAML's composer recurses once per nesting level and expands aliases without limit, and its
constructor raises plain ``ValueError`` for a timestamp like 2025-02-30. So the event stream is
read first (iteratively) and refused when it nests deeper than :data:`MAX_DEPTH`, uses an
anchor, an alias or a tag; only then is it composed. Lines are counted by ``\\n`` alone, as
markdown-it counts them, never by YAML's own marks (which also break at U+2028 and U+0085).
"""

from __future__ import annotations

import bisect
import math
from typing import Any

import yaml

from publisher.errors import SourceError

# The front matter nests three levels (podcast → dates → one date); 20 is room to spare and
# far below Python's recursion limit.
MAX_DEPTH = 20
NULL_TAG = "tag:yaml.org,2002:null"


class Lines:
    """Turns a character index of the front matter into a line of the Markdown file."""

    def __init__(self, text: str, first_line: int) -> None:
        self.first_line = first_line
        self._starts = [i + 1 for i, c in enumerate(text) if c == "\n"]

    def at(self, index: int) -> int:
        """The file line holding character ``index`` of the front matter."""
        return self.first_line + bisect.bisect_right(self._starts, index)

    def of(self, node: yaml.Node) -> int:
        """The file line where ``node`` starts."""
        return self.at(int(node.start_mark.index))


def compose(text: str, path: str, lines: Lines) -> yaml.Node | None:
    """The node tree of ``text``, or a :class:`SourceError` naming the line of the first
    YAML error, or of the first anchor, alias, tag or too deep nesting."""
    try:
        _screen(text, path, lines)
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = lines.at(mark.index) if mark is not None else lines.first_line
        problem = (e.problem or e.context or "not understood").strip()
        raise SourceError.at(path, line, f"front matter is not valid YAML: {problem}") from e
    except yaml.reader.ReaderError as e:
        code = e.character if isinstance(e.character, int) else ord(e.character)
        raise SourceError.at(
            path,
            lines.at(e.position),
            f"front matter holds the control character U+{code:04X}, which YAML does not allow",
        ) from e
    except yaml.YAMLError as e:  # pragma: no cover - every PyYAML error is one of the above
        raise SourceError.at(path, lines.first_line, f"front matter is not valid YAML: {e}") from e


def _screen(text: str, path: str, lines: Lines) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = lines.at(event.start_mark.index) if event.start_mark else lines.first_line
        tag = getattr(event, "tag", None)
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise SourceError.at(
                path, line, "front matter uses a YAML anchor or alias (&, *); write values out"
            )
        if tag is not None:
            raise SourceError.at(
                path, line, f"front matter uses the YAML tag {_tag(str(tag))!r}; remove it"
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise SourceError.at(
                    path, line, f"front matter nests deeper than {MAX_DEPTH} levels"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def scalar_value(node: yaml.ScalarNode) -> Any:
    """The Python value of a plain scalar; :class:`ValueError` with a reason an author can act
    on for one that cannot be a value (2025-02-30, a 5,000-digit number, ``.nan``)."""
    try:
        value = yaml.constructor.SafeConstructor().construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, OverflowError) as e:
        if node.tag.endswith(":timestamp"):
            raise ValueError(f"{shown(node.value)} is not a real date or time ({e})") from e
        if node.tag.endswith(":int"):
            raise ValueError(f"{shown(node.value)} is too long a number") from e
        raise ValueError(f"{shown(node.value)} cannot be read") from e
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{shown(node.value)} is not a finite number")
    return value


def shown(value: object, limit: int = 40) -> str:
    """``repr(value)``, cut to about ``limit`` characters so a message stays one short line."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
