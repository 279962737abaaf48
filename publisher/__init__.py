"""publisher: one Markdown book in; an accessible EPUB 3, narrated MP3s and a podcast feed out."""

__version__ = "0.1.0"
