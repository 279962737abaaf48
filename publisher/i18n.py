"""Words the toolkit itself puts in a book, per language (primary subtag)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Words:
    """Labels and spoken words in one language."""

    prompt: str  # accessible name of a reflection prompt
    example: str  # accessible name of an example
    example_word: str  # how an example paragraph starts in the source
    contents: str
    landmarks: str
    cover: str
    cover_alt: str  # "{title}" and "{author}" are filled in
    start: str  # landmark label for the first chapter
    footnotes: str
    back_to_text: str
    and_word: str  # "&" is read as this
    at_word: str  # "@" of an e-mail address is read as this
    prompt_lead_in: str  # said before a prompt
    accessibility_summary: str
    by: str
    footnote: str  # said before a footnote read aloud: "{word} 1."
    image: str  # said before an image's description in the narration
    chapter: str  # starts a made-up slug: "hoofdstuk-hugging-face"
    narration_summary: str  # added to the summary of the read-along EPUB
    synthetic_voice: str  # "{voice}" is filled in: the narrator, named as a computer voice


WORDS: dict[str, Words] = {
    "nl": Words(
        prompt="Reflectievraag",
        example="Voorbeeld",
        example_word="Voorbeeld:",
        contents="Inhoudsopgave",
        landmarks="Oriëntatiepunten",
        cover="Omslag",
        cover_alt="Omslag van {title}, door {author}",
        start="Begin",
        footnotes="Voetnoten",
        back_to_text="Terug naar de tekst",
        and_word="en",
        at_word="apenstaartje",
        prompt_lead_in="Reflectievraag.",
        accessibility_summary=(
            "Dit boek volgt EPUB Accessibility 1.1 en WCAG 2.1 niveau AA: een inhoudsopgave "
            "met alle koppen, een logische leesvolgorde, tekst die de lezer zelf kan vergroten "
            "en kleuren die het leesapparaat bepaalt. Reflectievragen en voorbeelden zijn als "
            "zodanig gemarkeerd."
        ),
        by="door",
        footnote="Voetnoot",
        image="Afbeelding",
        chapter="hoofdstuk",
        narration_summary=(
            "De voorlezing is een synthetische stem (tekst-naar-spraak), geen menselijke "
            "verteller; het leesapparaat markeert elke zin terwijl die wordt voorgelezen."
        ),
        synthetic_voice="synthetische stem {voice} (tekst-naar-spraak)",
    ),
    "en": Words(
        prompt="Reflection prompt",
        example="Example",
        example_word="Example:",
        contents="Contents",
        landmarks="Landmarks",
        cover="Cover",
        cover_alt="Cover of {title}, by {author}",
        start="Start",
        footnotes="Footnotes",
        back_to_text="Back to the text",
        and_word="and",
        at_word="at",
        prompt_lead_in="Reflection prompt.",
        accessibility_summary=(
            "This book meets EPUB Accessibility 1.1 and WCAG 2.1 Level AA: a table of contents "
            "with every heading, a logical reading order, text the reader can resize and "
            "colours the reading system chooses. Reflection prompts and examples are marked "
            "as such."
        ),
        by="by",
        footnote="Footnote",
        image="Image",
        chapter="chapter",
        narration_summary=(
            "The narration is a synthetic voice (text-to-speech), not a human narrator; the "
            "reading system highlights each sentence as it is read."
        ),
        synthetic_voice="synthetic voice {voice} (text-to-speech)",
    ),
}


def words_for(language: str) -> Words:
    """The words for a BCP 47 tag, by its primary subtag; English where we have none."""
    return WORDS.get(language.split("-")[0].lower(), WORDS["en"])
