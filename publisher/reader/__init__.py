"""Reading a book: front matter, config, Markdown and its plugins, PLS, images -> the Book."""
