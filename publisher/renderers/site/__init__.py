"""The website target: a book page and one page per episode, with a transcript that
follows the voice."""
