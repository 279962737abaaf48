"""The compiled lexicon respells exactly what the one regular expression it replaces did
(whole words, ignoring case, the longest entry first), for generated lexicons and texts.

The expression was an alternation of every word, tried at every position: its work grew with
the text times the entries (issue #20). Its speed is measured in benchmarks/lexicon.py; here
only that the answers did not change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.speech.lexicon import Lexicon


def by_expression(text: str, lexicon: Mapping[str, str]) -> str:
    """What the narration did before: one alternation, longest first (the old code)."""
    lowered = {k.lower(): v for k, v in lexicon.items()}
    words = sorted((w for w in lexicon if w.strip()), key=lambda w: (-len(w), w))
    if not words:
        return text
    alternatives = "|".join(re.escape(w) for w in words)
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    return pattern.sub(lambda match: lowered[match.group(0).lower()], text)


# Few letters, so that entries and text meet often, with what sits at word edges: spaces,
# punctuation, digits, an apostrophe, Dutch letters in both cases.
LETTERS = st.sampled_from(list("abAB é É1 .-+'ë_"))
WORDS = st.text(LETTERS, min_size=1, max_size=6)
LEXICONS = st.dictionaries(WORDS, st.text(st.sampled_from(list("xyz ")), max_size=4), max_size=12)


@settings(max_examples=400, deadline=None)
@given(lexicon=LEXICONS, text=st.text(LETTERS, max_size=40))
def test_the_same_respelling_as_the_expression(lexicon: dict[str, str], text: str) -> None:
    assert Lexicon(lexicon).respell(text) == by_expression(text, lexicon)


def test_longest_first_whole_words_any_case() -> None:
    lexicon = Lexicon({"WHO": "W.H.O.", "who is": "wie is", "C++": "C plus plus", "née": "nee"})
    assert (
        lexicon.respell("Who is there? The WHO, whoever.") == "wie is there? The W.H.O., whoever."
    )
    assert lexicon.respell("C++ and c++x") == "C plus plus and c++x"
    assert lexicon.respell("NÉE") == "nee"
    assert Lexicon({}).respell("WHO") == "WHO"
    assert Lexicon({"  ": "x"}).respell("a  b") == "a  b"  # a blank word matches nothing


def test_a_lexicon_is_compared_by_its_content() -> None:
    assert Lexicon({"a": "b", "c": "d"}) == Lexicon({"c": "d", "A": "b"})
    assert Lexicon({"a": "b"}) != Lexicon({"a": "c"})
    assert not Lexicon({}) and Lexicon({"a": "b"})
