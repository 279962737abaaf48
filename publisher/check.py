"""Problems an author should fix that do not stop a build: ``publisher check``."""

from __future__ import annotations

from pathlib import Path

from publisher import model as m
from publisher.errors import Problem


def check_book(book: m.Book) -> list[Problem]:
    """Every warning about ``book``, in source order."""
    problems: list[Problem] = []

    def warn(node: m.Node | m.Chapter, message: str) -> None:
        problems.append(
            Problem(path=node.path, line=node.line, severity="warning", message=message)
        )

    for chapter in book.chapters:
        if not any(not isinstance(b, m.Heading) for b in chapter.blocks):
            warn(chapter, f"chapter '{chapter.title_text}' has no text")
        for block in m.walk(chapter.blocks):
            if isinstance(block, m.Image):
                if not block.alt.strip():
                    warn(block, f"image '{block.src}' has no alt text: describe it in ![…]")
                if "://" not in block.src and not (Path(book.root) / block.src).is_file():
                    warn(block, f"image '{block.src}' not found")
            elif isinstance(block, m.Prompt):
                text = m.plain_text(block.children).strip()
                if not text:
                    warn(block, "reflection prompt is empty")
                elif "?" not in text:
                    warn(block, "reflection prompt asks no question (no '?')")
            elif isinstance(block, m.Paragraph | m.Example | m.Prompt | m.Heading):
                for image in _inline_images(block.children):
                    if not image.alt.strip():
                        warn(block, f"image '{image.src}' has no alt text: describe it in ![…]")
    return sorted(problems, key=lambda p: (p.path, p.line or 0))


def _inline_images(inlines: tuple[m.Inline, ...]) -> list[m.InlineImage]:
    out: list[m.InlineImage] = []
    for node in inlines:
        if isinstance(node, m.InlineImage):
            out.append(node)
        elif isinstance(node, m.Emphasis | m.Strong | m.Link):
            out.extend(_inline_images(node.children))
    return out
