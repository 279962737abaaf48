"""Sentences and words said, marked in the XHTML for a media overlay (the read-along EPUB).

:class:`SpokenMarks` is the part of :class:`~publisher.text.xhtml.XhtmlWriter` that, where
its style carries a :class:`~publisher.text.spans.Narration`, writes each sentence the
narration says as a ``<span>`` with an id (:func:`sentence_id`), and each word heard of it
as one inside (:func:`~publisher.text.spans.word_id`): sentences by cutting the inline
content at their bounds (:func:`~publisher.text.spans.cut`), words inside the text node that
holds them, so that a link of several words stays one link.
"""

from __future__ import annotations

from typing import Protocol

from publisher import model as m
from publisher.text.markup import esc
from publisher.text.sentences import sentences
from publisher.text.spans import (
    Narration,
    cut,
    locate,
    locate_words,
    spoken_text,
    text_leaves,
    word_id,
)


def sentence_id(block: str, number: int) -> str:
    """Id of the ``number``-th (from 1) sentence said for ``block`` (the underscores keep it
    apart from heading anchors, which are slugs of ``[a-z0-9-]``)."""
    return f"s_{block}_{number}"


class _Narrated(Protocol):
    """What of the writer's style the marks need."""

    @property
    def narration(self) -> Narration | None:
        """What the narration says (None: mark nothing)."""
        ...


class SpokenMarks:
    """Marks sentences and words said (see the module docstring); mixed into the writer,
    which holds the state named here."""

    style: _Narrated
    marked: list[str]  # the sentence and word span ids written, in order
    _said: dict[str, int]  # block id → sentences marked so far
    # Words to mark inside the text nodes being written (start → (end, id), in the text of
    # the inline content being written) and where in that text the next node starts.
    _inside: dict[int, tuple[int, str]]
    _cursor: int

    def inlines(self, nodes: tuple[m.Inline, ...]) -> str:
        """Inline content as XHTML (the writer's)."""
        raise NotImplementedError

    def spoken(
        self, owner: str, nodes: tuple[m.Inline, ...], prefix: str = "", lead: str = ""
    ) -> str:
        """Inline content with each sentence the narration says for ``owner`` in a
        ``<span>`` (and each of its words heard in one inside it, where the narration has
        them); ``prefix`` is text said before it (a label), written as ``lead``: inside
        the first sentence's span when it is said with that sentence, so the label is
        highlighted while it is read (a word span of its own when words are), else before
        the content."""
        narration = self.style.narration
        said = narration.said.get(owner, ()) if narration else ()
        if narration is None or not said:
            return lead + self.inlines(nodes)
        text = prefix + spoken_text(nodes)
        pieces = sentences(text)
        count = self._said.get(owner, 0)
        marks: dict[int, tuple[int, str]] = {}  # start → (end, id), in the nodes' text
        words: dict[int, tuple[int, str]] = {}  # the same, of words
        labelled = ""  # the id of the sentence said with the prefix
        for piece, (start, end) in zip(pieces, locate(text, pieces), strict=True):
            if count < len(said) and narration.display(piece) == said[count]:
                count += 1
                for word_start, word_end, word in self._words(owner, count, piece, start):
                    if word_start < len(prefix):  # the label: its lead is the word
                        lead = lead if labelled else self._word_span(word, lead)
                        labelled = labelled or sentence_id(owner, count)
                    else:
                        words[word_start - len(prefix)] = (word_end - len(prefix), word)
                if start < len(prefix) < end:
                    labelled = sentence_id(owner, count)
                start, end = max(start - len(prefix), 0), end - len(prefix)
                if end > start:
                    marks[start] = (end, sentence_id(owner, count))
        self._said[owner] = count
        return ("" if labelled else lead) + self._marked(nodes, marks, words, labelled, lead)

    def _marked(
        self,
        nodes: tuple[m.Inline, ...],
        marks: dict[int, tuple[int, str]],
        words: dict[int, tuple[int, str]],
        labelled: str = "",
        lead: str = "",
    ) -> str:
        """``nodes`` with the sentence spans ``marks`` and the word spans ``words`` (start →
        (end, id), in their text); ``lead`` written first inside sentence ``labelled``.

        The content is cut at the sentences' bounds (:func:`.cut`), and each word is marked
        inside the text node that holds it, so a link or an emphasis of several words stays
        one element (a link cut in three is three links to a screen reader); only a word
        that spans nodes ("**Knuffel**en") is cut out and wrapped whole. An inline image is
        one thing on the page: the first word of its description marks it, the others get
        no span (the overlay plays them in that word's clip)."""
        size = len(spoken_text(nodes))
        leaves = text_leaves(nodes)
        inside = {a: w for a, w in words.items() if any(s <= a and w[0] <= e for s, e in leaves)}
        across = {a: w for a, w in words.items() if a not in inside}
        edges = {b for m_ in (marks, across) for s, (e, _) in m_.items() for b in (s, e)}
        bounds = sorted(b for b in edges if 0 < b < size)
        out = []
        open_until: int | None = None  # the end of the sentence span open, if one is
        pieces = zip([0, *bounds], [*bounds, size], cut(nodes, bounds), strict=True)
        self._inside, self._cursor = inside, 0
        try:
            for edge, next_edge, piece_nodes in pieces:
                self._cursor = edge
                html = self.inlines(piece_nodes)
                if edge in across and html:  # else heard with the word before (an image's)
                    html = self._word_span(across[edge][1], html)
                if edge in marks:
                    span_id = marks[edge][1]
                    self.marked.append(span_id)
                    out.append(f'<span id="{span_id}">' + (lead if span_id == labelled else ""))
                    open_until = marks[edge][0]
                out.append(html)
                if open_until is not None and next_edge >= open_until:
                    out.append("</span>")
                    open_until = None
        finally:
            self._inside = {}
        return "".join(out)

    def _text(self, text: str) -> str:
        """A text node's characters, escaped, with the words in it marked (see
        :meth:`_marked`); it moves the cursor past them."""
        start, self._cursor = self._cursor, self._cursor + len(text)
        if not self._inside:
            return esc(text)
        out, position = [], 0
        for a in sorted(a for a in self._inside if start <= a < start + len(text)):
            b, word = self._inside[a]
            out += [
                esc(text[position : a - start]),
                self._word_span(word, esc(text[a - start : b - start])),
            ]
            position = b - start
        out.append(esc(text[position:]))
        return "".join(out)

    def _words(self, owner: str, number: int, piece: str, start: int) -> list[tuple[int, int, str]]:
        """The words heard of the ``number``-th sentence said for ``owner`` (``piece``,
        ``start`` characters into the text), as ``(start, end, id)`` in that text."""
        narration = self.style.narration
        heard = narration.words.get(owner, ()) if narration else ()
        if narration is None or number > len(heard) or not heard[number - 1]:
            return []
        found = locate_words(piece, narration.display(piece), heard[number - 1])
        return [
            (start + a, start + b, word_id(owner, number, n))
            for n, (a, b) in enumerate(found or (), start=1)
        ]

    def _word_span(self, word: str, html: str) -> str:
        self.marked.append(word)
        inner = html.rstrip(" ")
        return f'<span id="{word}">{inner}</span>{html[len(inner) :]}'

    def said_whole(self, owner: str, nodes: tuple[m.Inline, ...]) -> str:
        """Inline content said as one utterance (a heading, the chapter's title), each of
        its words heard in a ``<span>`` where the narration has them (for a word-level
        overlay; the element itself is the sentence)."""
        full = spoken_text(nodes)
        text = " ".join(full.split())  # as the script said it
        found = self._words(owner, 1, text, 0)
        # The words were found in the text with its white space collapsed: move them back.
        where = locate_words(full, text, [(a, b - a) for a, b, _ in found]) if found else None
        if where is None:
            return self.inlines(nodes)
        words = {a: (b, word) for (a, b), (_, _, word) in zip(where, found, strict=True)}
        return self._marked(nodes, {}, words)
