"""What the book says about its accessibility, in one place for the EPUBs' package metadata
and the website's book page, so the two say the same.

``CONFORMS_TO`` is the claim (``dcterms:conformsTo``), spelt as EPUB Accessibility 1.1
spells it. The summary (``schema:accessibilitySummary``) says what the EPUB offers and how
that was checked; it adds that the claim is the publisher's own unless the author names
who certified it (``accessibility_certified_by``): a book does not certify itself.
"""

from __future__ import annotations

from publisher.i18n import words_for
from publisher.model.config import Config

CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
"""The conformance the EPUBs claim."""


def accessibility_summary(config: Config) -> str:
    """The book's accessibility summary: the author's, else publisher's words in the book's
    language (module docstring)."""
    if config.accessibility_summary:
        return config.accessibility_summary
    words = words_for(config.language)
    if config.accessibility_certified_by:
        return words.accessibility_summary
    return f"{words.accessibility_summary} {words.uncertified}"
