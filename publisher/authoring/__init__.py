"""Commands that make a new book: ``init`` (:mod:`.scaffold`) and ``import`` (:mod:`.importer`)."""
