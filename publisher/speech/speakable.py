"""A sentence as the engine is given it (:func:`speakable`), and as written (:func:`display_text`).

Link targets are never read (the speech script reads a link's text only); a web address in
the text (bare or an autolink) is said as its domain ("example.org"), an e-mail address with
the language's word for "@"; HTML tags shown as text (``<b>``) are not read; emoji and
pictographs go (espeak reads 💡 as "gloeilamp"), "&" becomes the language's "and", whitespace
collapses, the lexicon (:mod:`publisher.speech.lexicon`) replaces whole words regardless of
case, numbers, dates, amounts, units and abbreviations are said in words by the rules of the
text's language (:mod:`publisher.speech.normalise`), and every utterance ends in
punctuation, so a heading does not run into the next sentence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from publisher.engine_input import as_text
from publisher.i18n import Words
from publisher.speech import runs
from publisher.speech.lexicon import Lexicon
from publisher.speech.normalise import normalise

_URL = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)\S+", re.IGNORECASE)
_URL_TAIL = re.compile(r"[.,;:!?)\]}'\"”’»]+$")  # sentence punctuation after an address
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]+)@([\w-]+(?:\.[\w-]+)+)")
# Markup shown as text ("Tekst <b>vet</b>", "<br/>", "<!-- … -->"): an HTML tag or comment as
# HTML's own syntax spells it (a name, then attributes), so "3 < 5 > 2" is still read.
_MARKUP = re.compile(
    r"<!--.*?-->"
    r"|</?[A-Za-z][A-Za-z0-9-]*"
    r"""(?:\s+[A-Za-z_:][\w:.-]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*"""
    r"\s*/?>",
    re.DOTALL,
)
_EMOJI = re.compile(
    "["
    "\U0001f000-\U0001faff"  # mahjong … symbols and pictographs extended-A
    "\U00002600-\U000027bf"  # miscellaneous symbols, dingbats
    "\U00002300-\U000023ff"  # miscellaneous technical (⌚ ⏰ ⏳)
    "\U00002b00-\U00002bff"  # arrows and stars (⭐ ⬆)
    "\U0001f1e6-\U0001f1ff"  # regional indicators (flags)
    "\ufe0e\ufe0f\u200d\u20e3"  # variation selectors, joiner, keycap
    "\U000e0020-\U000e007f"  # tag characters (subdivision flags)
    "\u3030\u303d\u3297\u3299"
    "]+"
)
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?…])")
_FINAL = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
_SPEAKABLE = re.compile(r"\w")
_AMPERSAND = re.compile(r"&(?![^\[\]]*\]\])")  # not inside a lexicon's [[phonemes]]


def domain(url: str) -> str:
    """The host a web address names, without ``www.`` ("https://www.example.org/x" →
    "example.org"); the address itself when it names none."""
    try:
        host = urlsplit(url if "://" in url else f"http://{url}").hostname or ""
    except ValueError:
        host = ""
    return host.removeprefix("www.") or url


def say_addresses(text: str, words: Words) -> str:
    """Web addresses in ``text`` as their domain, which a listener can remember and type
    (the path and query are noise read aloud), and e-mail addresses with the language's
    word for "@" ("a@b.org" → "a apenstaartje b.org"), so no engine spells the sign."""

    def web(match: re.Match[str]) -> str:
        url = match.group(0)
        tail = _URL_TAIL.search(url)
        end = tail.start() if tail else len(url)
        return f"{domain(url[:end])}{url[end:]}"

    text = _URL.sub(web, text)
    return _EMAIL.sub(lambda match: f"{match[1]} {words.at_word} {match[2]}", text)


def remove_markup(text: str) -> str:
    """``text`` without HTML tags and comments written as text: what a reader sees as
    ``<b>`` the narrator must not read as "kleiner dan b groter dan"."""
    return _MARKUP.sub(" ", text)


def remove_emoji(text: str) -> str:
    """``text`` without emoji, pictographs and their joiners and selectors."""
    return _EMOJI.sub(" ", text)


def with_full_stop(text: str) -> str:
    """``text`` ending in punctuation: a full stop added where it ends without, so that a
    heading does not run into the next sentence."""
    return text if _FINAL.search(text) else text + "."


def speakable(
    text: str,
    words: Words,
    lexicon: Lexicon | Mapping[str, str],
    *,
    language: str,
    final: bool = True,
) -> str:
    """``text`` as the engine should get it (see the module docstring), in ``language``
    (a BCP 47 tag: the numbers' rules); ``""`` if nothing in it can be said. ``final`` adds
    a full stop when the text ends without punctuation."""
    text = say_addresses(remove_markup(text), words)
    text = remove_emoji(text)
    # "[[" starts phonemes for espeak-ng: only a lexicon's may (publisher.engine_input).
    text = as_text(text)
    text = (lexicon if isinstance(lexicon, Lexicon) else Lexicon(lexicon)).respell(text)
    # After the lexicon, whose entries see the text as written (publisher.speech.normalise).
    text = normalise(text, language)
    text = _AMPERSAND.sub(f" {words.and_word} ", text)
    text = " ".join(text.split())
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text).strip(" ,;")
    if not _SPEAKABLE.search(text):
        return ""
    return with_full_stop(text) if final else text


def display_text(text: str) -> str:
    """A sentence as written, for captions and the read-along EPUB: one line, no emoji
    (an :attr:`~publisher.speech.items.Utterance.display`). Addresses and markup stay as
    written: the captions show the text, the voice says what :func:`speakable` makes of it."""
    text = runs.unmark(text)
    return _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(remove_emoji(text).split()))
