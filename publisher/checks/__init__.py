"""Validation shared by ``publisher check`` and ``publisher build``."""
