"""The error types of publisher. Messages carry ``path:line`` so the author can jump to the cause.

The CLI has one handler that prints one line per cause: exit 2 for :class:`SourceError`
(bad input), exit 1 for :class:`BuildError` (a build that failed for another reason).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One thing wrong with the source, at a place in it."""

    path: str
    line: int | None
    message: str
    # "error", "warning", or "note": something the author should know that asks for no
    # change (what ``publisher import`` guessed, to check; that no key signs the audio's
    # content credentials); ``check --strict`` fails on warnings, never on notes.
    severity: str = "error"

    def __str__(self) -> str:
        """``file:line: message`` on one line: a control character or line break quoted
        from the book (a form feed in a heading) is shown escaped, never breaks the line."""
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        prefix = "" if self.severity == "error" else f"{self.severity}: "
        return _one_line(f"{where}: {prefix}{self.message}")


def _one_line(text: str) -> str:
    """``text`` with every control character and line or paragraph separator as its Python
    escape (``\\x0c``): what ``str.splitlines`` or a terminal would break on."""
    return "".join(
        c.encode("unicode_escape").decode("ascii")
        if unicodedata.category(c) in ("Cc", "Zl", "Zp")
        else c
        for c in text
    )


class PublisherError(Exception):
    """Base of every error publisher raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)

    def lines(self) -> list[str]:
        """One line per cause, as the CLI prints them."""
        if self.problems:
            return [str(p) for p in self.problems]
        return [str(self)]


class SourceError(PublisherError):
    """The book's source (Markdown, front matter, a voice profile) is wrong: exit code 2."""

    exit_code = 2

    @classmethod
    def at(cls, path: str, line: int | None, message: str) -> SourceError:
        """One problem at one place."""
        problem = Problem(path=path, line=line, message=message)
        return cls(str(problem), [problem])


class BuildError(PublisherError):
    """A build step failed (an engine, a validator, the disk): exit code 1."""

    exit_code = 1


class EngineError(BuildError):
    """A speech engine could not synthesise (unreachable service, missing model, ...)."""


class DownloadError(BuildError):
    """A voice could not be downloaded (the network, the server, a digest that differs): exit
    code 1. Nothing of it is left behind."""
