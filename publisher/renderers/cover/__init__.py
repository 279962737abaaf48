"""The cover target: drawing covers and the ``cover`` renderer."""
