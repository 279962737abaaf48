"""Commands that make a new book: ``init`` (and ``import``)."""
