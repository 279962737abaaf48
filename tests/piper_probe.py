"""A Piper engine that notes, after each utterance, which process spoke it and how many
models that process had loaded by then (picklable, for the audio workers)."""

from __future__ import annotations

import os
from pathlib import Path

from publisher.engines import piper as piper_engine
from publisher.engines.base import Pcm, VoiceProfile
from publisher.engines.piper import PiperSynthesizer


class NotingPiper(PiperSynthesizer):
    """:class:`PiperSynthesizer` that appends ``<pid> <models loaded>`` to ``log`` per call."""

    def __init__(self, profile: VoiceProfile, log: Path) -> None:
        super().__init__(profile, Path("."))
        self.log = log

    def synthesize(self, text: str) -> Pcm:
        """Speak ``text`` as Piper does, then note the process and its model loads."""
        pcm = super().synthesize(text)
        with self.log.open("a", encoding="utf-8") as f:
            f.write(f"{os.getpid()} {piper_engine.loads}\n")
        return pcm


class NotingFactory:
    """Makes a :class:`NotingPiper` for any profile, noting into ``log``."""

    def __init__(self, log: Path) -> None:
        self.log = log

    def __call__(self, profile: VoiceProfile) -> NotingPiper:
        """The noting engine for ``profile``."""
        return NotingPiper(profile, self.log)
