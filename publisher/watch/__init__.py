"""The live preview, ``publisher serve --watch``: the build loop (:mod:`.loop`) and the
server's side of the reload (:mod:`.live`)."""
