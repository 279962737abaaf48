"""A W3C Pronunciation Lexicon (PLS 1.0) file beside the book: read once, with its lines.

``narration.pls: lexicon.pls`` names it. Its lexemes respell words for the narration, as the
inline ``narration.lexicon`` does: an ``<alias>`` for every engine, a ``<phoneme>`` for an
engine that reads that phoneme alphabet (espeak-ng reads its own mnemonics, alphabet
``x-espeak``, given as ``[[...]]``). The EPUB carries the file as it is and links it from
every chapter, so a reading system's own voice says the names right too (EPUB 3 TTS).

Parsed with lxml with no network, no DTD and no entities: a lexicon is data, and an entity
could pull in a file or expand a billion times. A file that is not well-formed or not a PLS
lexicon is an error at its line.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from publisher.engine_input import phoneme_problem, respelling_problem
from publisher.errors import Problem, SourceError
from publisher.model.lexicon import Lexeme, PronunciationLexicon
from publisher.reader.files import book_file
from publisher.reader.yamlsafe import shown

NAMESPACE = "http://www.w3.org/2005/01/pronunciation-lexicon"
MAX_BYTES = 5 * 1024 * 1024
"""A lexicon is a list of words: 5 MB is far beyond any book's, and the bound keeps a
mistaken file (a video) from filling memory."""
ESPEAK_ALPHABET = "x-espeak"
"""espeak-ng's phoneme mnemonics (its ``[[...]]`` input). IPA is not converted: no
well-kept converter to espeak-ng's mnemonics exists, so IPA entries fall back to their alias."""
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_TAGS = {f"{{{NAMESPACE}}}{name}": name for name in ("grapheme", "alias", "phoneme")}


def _text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def load(root: Path, name: str, book: str, line: int) -> tuple[PronunciationLexicon, list[Problem]]:
    """Read the lexicon ``name`` (relative to the book's folder ``root``; ``book:line`` is
    where the front matter names it) and the warnings about entries no engine can use."""
    path = book_file(root, name, book, line, "'narration.pls'")
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SourceError.at(str(path), None, "is larger than 5 MB; is it the lexicon?")
        data = path.read_bytes()
    except OSError as e:
        raise SourceError.at(str(path), None, f"cannot read: {e.strerror or e}") from e
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True
    )
    try:
        tree = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        where = e.lineno or 1
        raise SourceError.at(str(path), where, f"not well-formed XML: {e.msg}") from e
    return _lexicon(tree, path, name, data)


def _lexicon(
    tree: etree._Element, path: Path, name: str, data: bytes
) -> tuple[PronunciationLexicon, list[Problem]]:
    """The checked lexicon of the parsed document ``tree``."""
    where = str(path)
    if tree.getroottree().docinfo.doctype:
        raise SourceError.at(where, 1, "a pronunciation lexicon may not have a DOCTYPE")
    if tree.tag != f"{{{NAMESPACE}}}lexicon":
        raise SourceError.at(
            where, tree.sourceline, f'the root must be <lexicon xmlns="{NAMESPACE}">'
        )
    if tree.get("version") != "1.0":
        raise SourceError.at(where, tree.sourceline, '<lexicon> needs version="1.0"')
    alphabet, language = tree.get("alphabet"), tree.get(_XML_LANG)
    if not alphabet or not language:
        raise SourceError.at(where, tree.sourceline, "<lexicon> needs alphabet and xml:lang")
    lexemes: list[Lexeme] = []
    warnings: list[Problem] = []
    errors: list[Problem] = []
    for element in tree.iterfind(f"{{{NAMESPACE}}}lexeme"):
        line = element.sourceline or tree.sourceline or 1
        lexeme = _lexeme(element, alphabet, where, line, errors)
        if lexeme is None:
            continue
        kinds = {kind for kind, _ in lexeme.pronunciations}
        if not kinds & {"alias", ESPEAK_ALPHABET}:
            warnings.append(
                Problem(
                    path=where,
                    line=line,
                    severity="warning",
                    message=(
                        f"{lexeme.graphemes[0]!r} has phonemes in {', '.join(sorted(kinds))} "
                        f"only, which no engine here reads; add an <alias> (or "
                        f"{ESPEAK_ALPHABET} phonemes for espeak-ng), or it is read as written"
                    ),
                )
            )
        lexemes.append(lexeme)
    if errors:
        raise SourceError("\n".join(str(p) for p in errors), errors)
    lexicon = PronunciationLexicon(
        name=name, path=where, language=language, lexemes=tuple(lexemes), data=data
    )
    return lexicon, warnings


def _lexeme(
    element: etree._Element, alphabet: str, where: str, line: int, errors: list[Problem]
) -> Lexeme | None:
    """The ``<lexeme>`` ``element`` checked as strictly as ``narration.lexicon``: every
    grapheme and alias a bounded, non-empty text, espeak-ng phonemes well-formed
    (:mod:`publisher.engine_input`); each problem goes to ``errors`` at its line."""

    def fail(child: etree._Element, message: str) -> None:
        errors.append(Problem(path=where, line=child.sourceline or line, message=message))

    before = len(errors)
    graphemes: list[str] = []
    pronunciations: list[tuple[str, str]] = []
    for child in element:
        tag = _TAGS.get(child.tag)
        if tag is None:
            continue
        text = _text(child)
        kind = "alias" if tag == "alias" else child.get("alphabet") or alphabet
        espeak = tag == "phoneme" and kind == ESPEAK_ALPHABET
        problem = phoneme_problem(text) if espeak else respelling_problem(text)
        if problem is not None:
            fail(child, f"<{tag}> {shown(text)} {problem}")
        elif tag == "grapheme":
            graphemes.append(text)
        else:
            pronunciations.append((kind, text))
    if len(errors) > before:
        return None
    if not graphemes or not pronunciations:
        fail(element, "a <lexeme> needs a <grapheme> and a <phoneme> or an <alias>")
        return None
    return Lexeme(graphemes=tuple(graphemes), pronunciations=tuple(pronunciations), line=line)
