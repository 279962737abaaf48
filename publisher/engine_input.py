"""What the author's words may be when they reach a speech engine: one rule for text,
respellings, phonemes and voice names, checked at the author's line and enforced again at
the engine's door.

espeak-ng is a C library, and it reads ``[[…]]`` in its input as phoneme mnemonics
(``espeakPHONEMES``); Piper reads ``[[…]]`` as raw phonemes too. Measured with
espeak-ng 1.52 (espeakng-loader 0.2.4): a phoneme word of 206 mnemonics or more overflows
its word buffer (a segmentation fault), and a voice variant name of 37 letters or more
overflows the buffer it is copied into ("buffer overflow detected"); ordinary text of any
length does not (it is read in clauses of bounded size; about 3,000 generated texts of up
to 900 characters, brackets kept apart, made no crash). So:

* text is text: :func:`as_text` keeps brackets from ever meeting (``[[`` becomes ``[ [``),
  so nothing the author writes in the book, a lexicon or an alias is read as phonemes;
* phonemes come only from a PLS lexicon's ``x-espeak`` entries, checked by
  :func:`phoneme_problem` (ASCII mnemonics, at most :data:`MAX_PHONEME_WORD` to a word);
* every respelling (a lexicon value, an alias, phonemes) is at most
  :data:`MAX_RESPELLING` characters, a word or a few;
* an espeak-ng voice name is checked by :func:`voice_name_problem`.

The checks run where the author wrote the value (the front matter, the PLS file, the voice
profile), so ``check`` reports them at their line; :func:`engine_text` applies the same rule
to whatever reaches an engine, so a path that forgot to check cannot crash the process.
"""

from __future__ import annotations

import re

MAX_PHONEME_WORD = 100
"""The most phoneme mnemonics in one word of ``[[…]]`` input: about half of what overflows
espeak-ng's word buffer (206), and more than any word's transcription needs."""
MAX_RESPELLING = 200
"""The longest respelling of a word (a lexicon value, a PLS alias or phonemes), and the
longest word a lexicon respells, in characters."""
MAX_VOICE_NAME = 40
"""The longest espeak-ng voice name, variant included (it copies names into 40 bytes)."""
MAX_VARIANT = 20
"""The longest espeak-ng voice variant name (after ``+``); 37 letters overflow its buffer."""

_BRACKET_PAIR = re.compile(r"([\[\]])(?=[\[\]])")
# Controls and lone surrogates: a NUL ends a C string early (Piper's phonemiser refuses it
# with a ValueError), and a surrogate cannot be encoded at all. The parser replaces NUL and
# the front matter refuses controls; the door drops whatever else comes.
_UNSAYABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_PHONEME_SEGMENT = re.compile(r"\[\[([^\[\]]*)\]\]")
# espeak-ng's phoneme mnemonics are printable ASCII; brackets would end or nest the input.
_MNEMONICS = re.compile(r"^[\x21-\x5a\x5c\x5e-\x7e ]+$")
_VOICE = re.compile(
    r"^(?P<name>[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*)(?:\+(?P<variant>[A-Za-z0-9_-]+))?$"
)


def as_text(text: str) -> str:
    """``text`` with no two brackets side by side, so no engine reads any of it as phonemes
    (``[[x]]`` becomes ``[ [x] ]``; a reader hears the same)."""
    return _BRACKET_PAIR.sub(r"\1 ", text)


def phonemes(mnemonics: str) -> str:
    """checked espeak-ng phoneme mnemonics (see :func:`phoneme_problem`) as input that
    espeak-ng reads as phonemes."""
    return f"[[{mnemonics}]]"


def phoneme_problem(mnemonics: str) -> str | None:
    """Why ``mnemonics`` cannot be given to espeak-ng as phonemes; None if it can. The reason
    reads after the phonemes: ``f"phonemes {mnemonics!r} {reason}"``."""
    if not mnemonics.strip():
        return "are empty"
    if len(mnemonics) > MAX_RESPELLING:
        return f"are longer than {MAX_RESPELLING} characters"
    if not _MNEMONICS.match(mnemonics):
        bad = next(c for c in mnemonics if not _MNEMONICS.match(c))
        return f"hold {bad!r}, which is no espeak-ng phoneme mnemonic (ASCII, no brackets)"
    longest = max(mnemonics.split(), key=len)
    if len(longest) > MAX_PHONEME_WORD:
        return f"have a word of {len(longest)} mnemonics; at most {MAX_PHONEME_WORD} are allowed"
    return None


def respelling_problem(text: str) -> str | None:
    """Why ``text`` cannot be a lexicon word or its respelling (an alias, a value of
    ``narration.lexicon``); None if it can. Reads after the text, as above."""
    if not text.strip():
        return "is empty"
    if len(text) > MAX_RESPELLING:
        return f"is longer than {MAX_RESPELLING} characters; a respelling is a word or a few"
    return None


def voice_name_problem(voice: str) -> str | None:
    """Why ``voice`` cannot be an espeak-ng voice name (``nl``, ``en-us``, ``gmw/nl``,
    ``nl+f3``); None if it can. Reads after the name."""
    match = _VOICE.match(voice)
    if match is None:
        return "is not an espeak-ng voice name such as 'nl', 'en-us' or 'nl+f3'"
    variant = match.group("variant")
    if variant is not None and len(variant) > MAX_VARIANT:
        return f"has a variant longer than {MAX_VARIANT} characters"
    if len(voice) > MAX_VOICE_NAME:
        return f"is longer than {MAX_VOICE_NAME} characters"
    return None


def engine_text(text: str, *, reads_phonemes: bool = False) -> str:
    """``text`` as it may reach an engine: for one that ``reads_phonemes`` (espeak-ng),
    every ``[[…]]`` that :func:`phoneme_problem` accepts kept as phonemes and everything
    else :func:`as_text`; for the others, all of it :func:`as_text`. Control characters and
    lone surrogates become spaces."""
    text = _UNSAYABLE.sub(" ", text)
    if not reads_phonemes:
        return as_text(text)
    out: list[str] = []
    start = 0
    for match in _PHONEME_SEGMENT.finditer(text):
        if phoneme_problem(match.group(1)) is not None:
            continue
        before = as_text(text[start : match.start()])
        out.append(before + " " if before.endswith(("[", "]")) else before)
        out.append(match.group(0))
        start = match.end()
    rest = as_text(text[start:])
    out.append(" " + rest if out and rest.startswith(("[", "]")) else rest)
    return "".join(out)
