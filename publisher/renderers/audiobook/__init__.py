"""The audiobook target: the whole book as one M4B with chapter marks (``m4b``), its tags
(``tags``) and the renderer that wires it into the build (``renderer``)."""
