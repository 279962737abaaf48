"""Documents for the import tests, made from the seed with libraries, never by hand: the
seed's plain text as a Word and a LibreOffice document (a paragraph per line, as a paste
from the web page gives), the hand-made Markdown of it written by pandoc as styled ones
(headings, lists, quotes in their word processor's styles), and an HTML page of it with the
site's menu, side bar, footer and script around the article.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pypandoc
from docx import Document as WordDocument
from odf.opendocument import OpenDocumentText
from odf.text import P

from publisher.reader.source import split_front_matter
from tests.books import SEED

SEED_TEXT = Path(__file__).parent / "fixtures" / "seed-original.txt"


def seed_lines() -> list[str]:
    """The seed text's lines that hold text."""
    return [line for line in SEED_TEXT.read_text("utf-8").splitlines() if line.strip()]


def seed_body() -> str:
    """The hand-made Markdown of the seed without its front matter."""
    return split_front_matter(SEED.read_text("utf-8"), str(SEED))[1]


def plain_docx(path: Path) -> Path:
    """A .docx with one Normal paragraph per line of the seed text (python-docx)."""
    document = WordDocument()
    for line in seed_lines():
        document.add_paragraph(line)
    document.save(str(path))
    return path


def plain_odt(path: Path) -> Path:
    """An .odt with one paragraph per line of the seed text (odfpy)."""
    document = OpenDocumentText()
    for line in seed_lines():
        document.text.addElement(P(text=line))
    document.save(str(path))
    return path


def pandoc_writes(path: Path, markdown: str, *args: str) -> Path:
    """``markdown`` (CommonMark) written by pandoc as the format of ``path``'s suffix."""
    to = path.suffix.lstrip(".")
    command = [pypandoc.get_pandoc_path(), "-f", "commonmark", "-t", to, "-o", str(path), *args]
    subprocess.run(command, input=markdown.encode(), check=True, timeout=60)
    return path


def styled(path: Path) -> Path:
    """The seed's hand-made Markdown as a styled .docx or .odt (pandoc): Heading 1 for the
    title, Heading 2 and 3, list and quotation styles, bold and italics."""
    return pandoc_writes(path, seed_body())


def web_page(path: Path) -> Path:
    """The seed as a web page: the article (pandoc's HTML of the hand-made Markdown) in a
    site's page with a menu, a side bar, a footer, a cookie script and a style sheet."""
    fragment = path.with_suffix(".fragment.html")
    article = pandoc_writes(fragment, seed_body()).read_text("utf-8")
    fragment.unlink()
    page = f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Knuffelen | Gerrit's blog</title>
<style>body {{ font-family: serif }}</style><script>document.cookie = "seen=1";</script>
</head><body>
<header><a href="/">Gerrit's blog</a><nav><ul><li><a href="/">Home</a></li>
<li><a href="/over">Over mij</a></li></ul></nav></header>
<main><article>
{article}
</article></main>
<aside><h2>Populair</h2><p>Vijf manieren om te ontspannen</p></aside>
<footer><p>© Gerrit</p><form><input name="email"><button>Aanmelden</button></form></footer>
</body></html>
"""
    path.write_text(page, encoding="utf-8")
    return path
