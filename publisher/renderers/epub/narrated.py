"""The read-along EPUB: ``build/epub/<slug>.narrated.epub``, the text EPUB with its narration
inside, each sentence highlighted while it is read (EPUB 3 Media Overlays).

It holds the text EPUB's documents, the chapter MP3s as the audio target made them (stored,
not re-encoded) and one SMIL document per chapter that pairs every piece the narrator says
with its clip: the title and headings, each sentence of paragraphs, examples, prompts, quotes
and list items, each table row, an image's description, and the footnotes (read at the end
of the chapter, and paired there). Where the timing file has the words (and
``narration.readalong`` is ``word``, the default), the title, headings and sentences are
paired word by word, grouped per sentence (:mod:`publisher.renderers.epub.smil`).

Text and audio cannot disagree: the sentences marked in the XHTML are the speech script's
utterances (:func:`publisher.speech.script.chapter_script`, the script the audio was made
from), and each is matched with the timing file's entry for it, by block, kind and spoken
text; a timing file that does not match the script fails the build instead of pairing the
wrong words. A prompt's clip runs on through its reflection pause, so a reading system waits
too (the silences between other clips are skipped by reading systems).

The book is remade only when one of its inputs changed: the finished file is kept in the
cache under a digest of the text EPUB, the MP3s, the timing files, the voice and this code.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import partial
from importlib.resources import files
from pathlib import Path

from ebooklib import epub

from publisher import model as m
from publisher import outputs
from publisher.engines.base import VoiceProfile
from publisher.engines.profiles import choose_voice
from publisher.errors import BuildError
from publisher.i18n import words_for
from publisher.infra.cache import BlobCache
from publisher.renderers.base import RenderContext, RenderResult, Target
from publisher.renderers.cover.draw import PORTRAIT
from publisher.renderers.cover.renderer import cached_cover
from publisher.renderers.epub import smil
from publisher.renderers.epub.container import FileContent, write_package
from publisher.renderers.epub.kobo import chapter_aac
from publisher.renderers.epub.metadata import add_meta
from publisher.renderers.epub.renderer import make_package
from publisher.speech.casting import book_cast, voices_folder
from publisher.speech.disclosure import voices_of
from publisher.speech.lexicon import voice_lexicon
from publisher.speech.script import ChapterScript, chapter_script
from publisher.speech.speakable import display_text
from publisher.speech.timing import TimingFile, check_script
from publisher.text.spans import Narration

ACTIVE_CLASS = "-epub-media-overlay-active"
"""The class a reading system puts on the sentence being read (``media:active-class``)."""

# Said but written elsewhere than in a sentence span: these pair with a whole element.
_WHOLE = frozenset({"title", "heading", "image", "table", "footnote", "lead-in"})


@dataclass(frozen=True, kw_only=True)
class ChapterAudio:
    """One chapter's narration as the audio target left it."""

    slug: str
    mp3: Path
    timing: TimingFile


class NarratedEpubRenderer(Target):
    """Writes ``<out_dir>/<book slug>.narrated.epub`` from the text EPUB's content and the
    audio target's MP3s and timing files (so it runs after both)."""

    name = "narrated-epub"
    requires = ("epub", "audio")
    owns = (outputs.NARRATED_EPUBS,)

    def __init__(self, voice: VoiceProfile | None = None) -> None:
        self.voice = voice  # the audio target's voice, when a test chose it

    def render(self, ctx: RenderContext) -> RenderResult:
        """Build the read-along EPUB, or take it from the cache if its inputs are unchanged."""
        book = ctx.book
        if not book.config.narrated_epub:
            return RenderResult(files=())
        voice = self.voice or _voice(book)
        chapters = [_chapter_audio(ctx, c.slug) for c in book.chapters]
        # The portrait cover, as on the text EPUB (drawn once, cached).
        cover = cached_cover(book, PORTRAIT, ctx.cache_dir)
        text_epub = ctx.find(outputs.epub(book.slug))
        kobo = book.config.kobo
        key = _key(
            [p for p in (text_epub,) if p is not None],
            chapters,
            f"{voice.name}\0{voice.description}\0{book.config.narration.readalong}"
            f"\0{'kobo' if kobo else 'mp3'}",
            cover,
        )
        name = outputs.read_along(kobo)(book.slug)
        dest = ctx.root / name
        cache = BlobCache(ctx.cache_dir, "narrated")
        made = RenderResult(files=(name,))
        if cache.to_file(key, dest):  # a damaged or another key's entry is made again
            return made
        write_narrated(ctx, voice, chapters, cover, dest)
        cache.put_file(key, dest)
        # One book per build folder, as large as its MP3s together, and remade in a
        # fraction of a second: the previous ones are not worth their space.
        cache.keep_only(key)
        return made


def _voice(book: m.Book) -> VoiceProfile:
    """The voice the audio target reads with (the same choice, made the same way)."""
    config = book.config
    return choose_voice(config.narration.voice, config.language, voices_folder(book))


def _chapter_audio(ctx: RenderContext, slug: str) -> ChapterAudio:
    mp3, timing = ctx.find(outputs.mp3(slug)), ctx.find(outputs.timing(slug))
    if mp3 is None or timing is None:
        raise BuildError(f"narrated-epub: chapter {slug!r} has no narration; build the audio")
    return ChapterAudio(slug=slug, mp3=mp3, timing=TimingFile.load(timing))


def _key(inputs: list[Path], chapters: list[ChapterAudio], voice: str, cover: bytes) -> str:
    digest = hashlib.sha256(voice.encode())
    digest.update(cover)
    here = Path(__file__).parent
    # This code and what writes the content (and Kobo's AAC and its tags): a change to any
    # of them must not reuse old books.
    code = [here, here.parent.parent / "text", here.parent / "audiobook"]
    for path in (*(p for f in code for p in sorted(f.glob("*.py"))), here.parent / "provenance.py"):
        digest.update(path.read_bytes())
    for path in [*inputs, *(chapter.mp3 for chapter in chapters)]:
        with path.open("rb") as f:  # read a block at a time: an 11-hour chapter is 316 MB
            digest.update(hashlib.file_digest(f, "sha256").digest())
    for chapter in chapters:
        for block in chapter.timing.blocks():
            digest.update(block)
    return digest.hexdigest()


def narration(script: ChapterScript, timing: TimingFile, by_word: bool) -> Narration:
    """What each block's sentence spans are: the sentences said for it, as written; with
    ``by_word``, the words heard of each (and of the title and headings), from the timing
    file (see :mod:`publisher.renderers.epub.smil`)."""
    said: dict[str, list[str]] = {}
    words: dict[str, list[tuple[tuple[int, int], ...]]] = {}
    for u, timed in zip(script.utterances, timing.utterances, strict=True):
        heard = tuple((w.offset, w.length) for w in timed.words) if by_word else ()
        if u.kind not in _WHOLE:
            said.setdefault(u.block, []).append(u.display)
            words.setdefault(u.block, []).append(heard)
        elif u.kind in smil.WORD_KINDS:  # the title, a heading: one sentence each
            words[u.block] = [heard]
    return Narration(said=said, display=display_text, words=words)


def write_narrated(
    ctx: RenderContext,
    voice: VoiceProfile,
    chapters: list[ChapterAudio],
    cover_jpeg: bytes,
    dest: Path,
) -> None:
    """Package the read-along EPUB at ``dest``."""
    book = ctx.book
    lexicon = voice_lexicon(book, voice)
    cast = book_cast(book, voice)  # the voices the audio used: the same runs, the same text
    scripts = {c.slug: chapter_script(c, book.config, lexicon, cast) for c in book.chapters}
    for audio in chapters:
        where = f"narrated-epub: {audio.mp3.with_suffix('.json')}"
        check_script(scripts[audio.slug], audio.timing, where)
    timings = {audio.slug: audio.timing for audio in chapters}
    by_word = book.config.narration.readalong == "word"
    marked: dict[str, list[str]] = {}
    package = make_package(
        book,
        cover_jpeg,
        lambda problem: None,  # the text EPUB, made from the same content, reported them
        narration={slug: narration(s, timings[slug], by_word) for slug, s in scripts.items()},
        marked=marked,
    )
    durations: list[int] = []
    kobo = book.config.kobo
    for chapter, audio in zip(book.chapters, chapters, strict=True):
        done = set(marked[chapter.slug])
        pars = smil.pars(chapter, scripts[chapter.slug], audio.timing, done, by_word)
        sound = outputs.chapter_aac(chapter.slug) if kobo else outputs.mp3(chapter.slug)
        document = smil.document(chapter.slug, pars, audio=sound)
        overlay = epub.EpubSMIL(
            uid=f"mo-{chapter.slug}",
            file_name=f"smil/{chapter.slug}.smil",
            content=document.encode("utf-8"),
        )
        package.add_item(overlay)
        # Kobo's edition: the chapter's AAC (renderers/epub/kobo.py) in place of its MP3.
        file = chapter_aac(book, chapter, audio.mp3, audio.timing, ctx.cache_dir) if kobo else None
        package.add_item(
            epub.EpubItem(
                uid=f"audio-{chapter.slug}",
                file_name=sound,  # laid out in the EPUB as in the build
                media_type=outputs.MEDIA_TYPES[Path(sound).suffix],
                content=FileContent(file or audio.mp3),  # streamed into the zip, never held whole
            )
        )
        # ebooklib writes media-overlay on any manifest item that has this attribute.
        package.get_item_with_id(f"ch-{chapter.slug}").media_overlay = overlay.id
        durations.append(audio.timing.duration_ms)
    _metadata(package, book, [c.timing for c in chapters], durations)
    style = package.get_item_with_id("style")
    rule = files("publisher").joinpath("data", "narration.css").read_bytes()
    style.content = style.content + b"\n" + rule
    tmp = dest.with_name(dest.name + ".part")
    write_package(book, package, tmp)
    os.replace(tmp, dest)


def _metadata(
    package: epub.EpubBook, book: m.Book, timings: list[TimingFile], durations: list[int]
) -> None:
    """Media overlay and accessibility metadata on top of the text EPUB's: the narrator,
    named as a synthetic voice (every voice the timing files say spoke)."""
    words = words_for(book.config.language)
    meta = partial(add_meta, package)
    for chapter, ms in zip(book.chapters, durations, strict=True):
        meta("media:duration", smil.clock(ms), refines=f"#mo-{chapter.slug}")
    # The sum of the rounded parts, so the total is their sum to the millisecond.
    meta("media:duration", smil.clock(sum(durations)))
    narrator = words.synthetic_voice.format(voice=", ".join(voices_of(timings)))
    # One narrator entry: Readium (Thorium) lists a dc:contributor with role nrt beside
    # media:narrator, so both would show the voice twice.
    meta("media:narrator", narrator)
    meta("media:active-class", ACTIVE_CLASS)
    meta("schema:accessMode", "auditory")
    for sufficient in ("auditory", "textual,auditory"):
        meta("schema:accessModeSufficient", sufficient)
    meta("schema:accessibilityFeature", "synchronizedAudioText")
    entries = package.metadata[epub.NAMESPACES["OPF"]]["meta"]
    for i, (value, attrs) in enumerate(entries):
        if attrs.get("property") == "schema:accessibilitySummary":
            entries[i] = (f"{value} {words.narration_summary}", attrs)
