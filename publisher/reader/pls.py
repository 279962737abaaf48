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

from publisher.errors import Problem, SourceError
from publisher.model.lexicon import Lexeme, PronunciationLexicon

NAMESPACE = "http://www.w3.org/2005/01/pronunciation-lexicon"
MAX_BYTES = 5 * 1024 * 1024
"""A lexicon is a list of words: 5 MB is far beyond any book's, and the bound keeps a
mistaken file (a video) from filling memory."""
ESPEAK_ALPHABET = "x-espeak"
"""espeak-ng's phoneme mnemonics (its ``[[...]]`` input). IPA is not converted: no
well-kept converter to espeak-ng's mnemonics exists, so IPA entries fall back to their alias."""
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def load(root: Path, name: str, book: str, line: int) -> tuple[PronunciationLexicon, list[Problem]]:
    """Read the lexicon ``name`` (relative to the book's folder ``root``; ``book:line`` is
    where the front matter names it) and the warnings about entries no engine can use."""
    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()):
        raise SourceError.at(book, line, f"'narration.pls' {name!r} is outside the book's folder")
    try:
        if not path.is_file():
            raise SourceError.at(book, line, f"'narration.pls' {name!r} is not a file")
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
    for element in tree.iterfind(f"{{{NAMESPACE}}}lexeme"):
        line = element.sourceline or tree.sourceline or 1
        graphemes = tuple(_text(g) for g in element.iterfind(f"{{{NAMESPACE}}}grapheme"))
        pronunciations: list[tuple[str, str]] = []
        for child in element:
            if child.tag == f"{{{NAMESPACE}}}alias":
                pronunciations.append(("alias", _text(child)))
            elif child.tag == f"{{{NAMESPACE}}}phoneme":
                pronunciations.append((child.get("alphabet") or alphabet, _text(child)))
        if not graphemes or not all(graphemes) or not pronunciations:
            raise SourceError.at(
                where, line, "a <lexeme> needs a <grapheme> and a <phoneme> or an <alias>"
            )
        kinds = {kind for kind, _ in pronunciations}
        if not kinds & {"alias", ESPEAK_ALPHABET}:
            warnings.append(
                Problem(
                    path=where,
                    line=line,
                    severity="warning",
                    message=(
                        f"{graphemes[0]!r} has phonemes in {', '.join(sorted(kinds))} only, "
                        f"which no engine here reads; add an <alias> (or {ESPEAK_ALPHABET} "
                        "phonemes for espeak-ng), or it is read as written"
                    ),
                )
            )
        lexemes.append(Lexeme(graphemes=graphemes, pronunciations=tuple(pronunciations), line=line))
    lexicon = PronunciationLexicon(
        name=name, path=where, language=language, lexemes=tuple(lexemes), data=data
    )
    return lexicon, warnings
